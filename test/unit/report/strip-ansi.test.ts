/**
 * src/report/strip-ansi.cjs replaces the strip-ansi package inside dist/bundle (cli-table3
 * measures every cell with it). It must strip exactly what the package strips.
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../helpers/random.js';

const require = createRequire(import.meta.url);
const standIn = require('../../../src/report/strip-ansi.cjs') as (s: unknown) => unknown;
const original = require('strip-ansi') as (s: unknown) => unknown;

describe('strip-ansi stand-in', () => {
  it('strips what strip-ansi strips, on plain text, escapes and random mixes', () => {
    const fixed = ['', 'plain text', '10.1.1.50 -> 10.1.1.10:49667', '\u001b[31mred\u001b[39m', '\u001b]8;;https://x\u0007link\u001b]8;;\u0007', '\u009b1mbold', 'tail \u001b', '日本語 ✓ 🎉'];
    for (const s of fixed) expect(standIn(s)).toBe(original(s));
    const rng = new Rng(5);
    const parts = ['a', ' ', '\u001b', '[', ']', '\u009b', ';', '1', '31', 'm', 'K', '\u0007', '8', '?', '#', '日', 'é'];
    for (let i = 0; i < 5000; i++) {
      let s = '';
      for (let n = rng.int(30); n > 0; n--) s += rng.pick(parts);
      expect(standIn(s), JSON.stringify(s)).toBe(original(s));
    }
    expect(standIn(42)).toBe(original(42));
  });
});
