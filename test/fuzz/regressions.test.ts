/**
 * Replays every input that ever broke the fuzz property: `*.bin` files as they are, and
 * `*.recipe.json` (inputs derived from ../shared/corpus, which must not be copied here) by
 * re-deriving them from their seed; a recipe whose seed is absent is skipped.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTempFiles } from '../helpers/capture.js';
import { REGRESSIONS, runPipeline } from './check.js';
import { seeds } from './inputs.js';
import { mutation } from './mutators.js';

const tmp = useTempFiles();
const files = existsSync(REGRESSIONS) ? readdirSync(REGRESSIONS).sort() : [];
// views-*.bin are single frames, replayed by views.test.ts.
const bins = files.filter((f) => f.endsWith('.bin') && !f.startsWith('views-'));
const recipes = files.filter((f) => f.endsWith('.recipe.json'));

async function expectOk(path: string): Promise<void> {
  for (const chunkSize of [undefined, 17]) {
    const r = await runPipeline(path, chunkSize === undefined ? {} : { chunkSize });
    expect(r.ok ? 'ok' : r.why, `chunk ${chunkSize ?? 'default'}`).toBe('ok');
  }
}

describe('fuzz regressions', () => {
  it('the regressions directory holds only inputs and their README', () => {
    expect(files.filter((f) => !f.endsWith('.bin') && !f.endsWith('.recipe.json') && f !== 'README.md')).toEqual([]);
  });

  for (const f of bins) {
    it(f, async () => expectOk(join(REGRESSIONS, f)));
  }

  const bySeed = new Map(recipes.length > 0 ? seeds().map((s) => [s.name, s]) : []);
  for (const f of recipes) {
    const recipe = JSON.parse(readFileSync(join(REGRESSIONS, f), 'utf8')) as { seed: string; run: number | null; rngSeed: number; sha1: string };
    const seed = bySeed.get(recipe.seed);
    it.skipIf(seed === undefined)(f, async () => {
      const bytes = recipe.run === null ? seed!.bytes : mutation(seed!, recipe.run, recipe.rngSeed).bytes;
      // A different hash means the mutators or the seed changed: the recipe no longer names the input.
      expect(createHash('sha1').update(bytes).digest('hex').slice(0, 12), 'recipe still reproduces its input').toBe(recipe.sha1);
      await expectOk(tmp(bytes, 'recipe'));
    });
  }
});
