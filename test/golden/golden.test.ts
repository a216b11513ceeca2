/**
 * Golden tests (Zeek Baseline style): every file in samples/ through `analyze --format json` and
 * `syn --format json`, compared with test/golden/<sample>.<command>.json. Paths and the tool
 * version are normalised. `UPDATE_GOLDEN=1 npx vitest run test/golden` rewrites the baselines;
 * review the diff in the commit.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.js';
import { ROOT, sampleFiles } from '../helpers/corpus.js';

const GOLDEN = join(ROOT, 'test', 'golden');
const UPDATE = process.env.UPDATE_GOLDEN === '1';

async function jsonOf(argv: string[]): Promise<{ code: number; doc: unknown }> {
  let out = '';
  const code = await run(argv, { out: { write: (s: string) => { out += s; } }, err: { write: () => {} } });
  return { code, doc: JSON.parse(out) };
}

function normalise(doc: unknown, path: string): string {
  const rel = relative(ROOT, path);
  return `${JSON.stringify(doc, null, 2).replaceAll(JSON.stringify(path), JSON.stringify(rel)).replace(/"version": "[^"]+"/, '"version": "<version>"')}\n`;
}

const samples = sampleFiles();

describe('golden output for every sample', () => {
  it('has samples', () => {
    expect(samples.length).toBeGreaterThan(10);
  });
  for (const path of samples) {
    for (const command of ['analyze', 'syn'] as const) {
      it(`${basename(path)} ${command}`, async () => {
        const { code, doc } = await jsonOf([command, '--format', 'json', path]);
        const withCode = normalise({ exitCode: code, ...(doc as object) }, path);
        const file = join(GOLDEN, `${basename(path)}.${command}.json`);
        if (UPDATE || !existsSync(file)) {
          if (!UPDATE) throw new Error(`no baseline ${file}: run UPDATE_GOLDEN=1 npx vitest run test/golden`);
          writeFileSync(file, withCode);
          return;
        }
        expect(withCode).toBe(readFileSync(file, 'utf8'));
      });
    }
  }
});
