/**
 * Corruption fuzzing (STYLE 14, in the manner of wiretap's tools/fuzz-test.sh): every seed
 * capture is corrupted in seeded, repeatable ways and run through the whole pipeline from a
 * temp file. Any input that breaks the property is kept under regressions/ and fails the test.
 */
import { describe, expect, it } from 'vitest';
import { useTempFiles } from '../helpers/capture.js';
import { keepRegression, runPipeline } from './check.js';
import { seeds } from './inputs.js';
import { mutation, runsFor } from './mutators.js';

const tmp = useTempFiles();

describe('corrupted captures through the whole pipeline', () => {
  const all = seeds();

  it('has seeds (built ones always; samples/ and the shared corpus when present)', () => {
    expect(all.filter((s) => s.name.startsWith('built-')).length).toBeGreaterThan(5);
  });

  it('never throws, always reports, and no decoder throws inside', { timeout: 120_000 }, async () => {
    const failures: string[] = [];
    let runs = 0;
    for (const seed of all) {
      const base = await runPipeline(tmp(seed.bytes, 'seed'));
      if (!base.ok) failures.push(`${seed.name} (unmodified): ${base.why} -> ${keepRegression(seed, null, seed.bytes)}`);
      for (let i = 0; i < runsFor(seed); i++) {
        const { name, bytes, chunkSize } = mutation(seed, i);
        const r = await runPipeline(tmp(bytes, 'm'), { chunkSize });
        runs++;
        if (!r.ok) {
          failures.push(`${seed.name} run ${i} (${name}, chunk ${chunkSize}): ${r.why} -> ${keepRegression(seed, i, bytes)}`);
        } else if (base.ok && name === 'cut' && r.report.frames > base.report.frames) {
          // Cutting a file can only lose frames.
          failures.push(`${seed.name} run ${i} (cut): ${r.report.frames} frames, more than the ${base.report.frames} of the whole file -> ${keepRegression(seed, i, bytes)}`);
        }
      }
    }
    expect(runs).toBeGreaterThan(150);
    expect(failures).toEqual([]);
  });
});
