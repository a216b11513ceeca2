/**
 * Imports point one way (STYLE.md): model needs nothing; wire needs nothing; capture reads
 * bytes; dissect drives wire views over capture records; analysis consumes dissected packets;
 * report renders the model only; cli wires everything. A reverse import fails here.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers/corpus.js';

const SRC = join(ROOT, 'src');
/** What each layer may import besides itself. */
const ALLOWED: Record<string, readonly string[]> = {
  model: [],
  wire: [],
  capture: ['wire', 'model'],
  dissect: ['wire', 'capture', 'model'],
  analysis: ['dissect', 'capture', 'wire', 'model'],
  report: ['model'],
  cli: ['analysis', 'report', 'model', 'capture', 'dissect', 'wire'],
  '.': ['analysis', 'report', 'model', 'capture', 'dissect', 'wire', 'cli'],
};

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

describe('architecture', () => {
  it('every import follows the layer order', () => {
    const bad: string[] = [];
    for (const f of files(SRC)) {
      const rel = relative(SRC, f);
      const layer = rel.includes('/') ? rel.split('/')[0]! : '.';
      const allowed = ALLOWED[layer];
      expect(allowed, `unknown layer ${layer}`).toBeDefined();
      for (const m of readFileSync(f, 'utf8').matchAll(/from '(\.[^']+)'/g)) {
        const target = relative(SRC, join(f, '..', m[1]!));
        const tl = target.includes('/') ? target.split('/')[0]! : '.';
        if (tl !== layer && !allowed!.includes(tl)) bad.push(`${rel} imports ${target}`);
      }
    }
    expect(bad).toEqual([]);
  });
});
