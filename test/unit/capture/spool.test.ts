/**
 * The spool that gives a one-pass stream random access: bytes read back exactly, across memory
 * blocks and across the move to a temporary file, and nothing left on disk.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Spool, SpoolSource } from '../../../src/capture/spool.js';
import { Rng } from '../../helpers/random.js';

const dir = mkdtempSync(join(tmpdir(), 'rpctrace-spool-unit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** 3.5 MiB of seeded bytes: more than three 1 MiB memory blocks. */
const DATA = new Rng(5).bytes(3.5 * 1024 * 1024);

/** Appends DATA in pieces of 1..`max` bytes. */
function fill(s: Spool, max: number): void {
  const rng = new Rng(max);
  for (let at = 0; at < DATA.length; ) {
    const n = Math.min(DATA.length - at, 1 + rng.int(max));
    // A larger buffer with the piece in the middle: append reads only [start, end).
    const buf = new Uint8Array(n + 20);
    buf.set(DATA.subarray(at, at + n), 10);
    s.append(buf, 10, 10 + n);
    at += n;
  }
}

function readBack(s: Spool, pos: number, len: number): Uint8Array {
  const out = new Uint8Array(len + 4);
  const n = s.readAt(out, 4, len, pos);
  return out.subarray(4, 4 + n);
}

describe('Spool', () => {
  for (const [name, memoryLimit] of [['in memory', 64 * 1024 * 1024], ['spilled half way', 2 * 1024 * 1024], ['a file from the start', 0]] as const) {
    it(`${name}: positioned reads give back the bytes, across blocks, and short at the end`, () => {
      const s = new Spool({ memoryLimit, dir });
      fill(s, 300_000);
      expect(s.size).toBe(DATA.length);
      expect(s.spilled).toBe(memoryLimit < DATA.length);
      for (const [pos, len] of [[0, 10], [1024 * 1024 - 3, 7], [123_456, 2_500_000], [DATA.length - 5, 100], [DATA.length, 10]] as const) {
        const got = readBack(s, pos, len);
        const want = DATA.subarray(pos, Math.min(DATA.length, pos + len));
        expect(got.length).toBe(want.length);
        expect(Buffer.compare(got, want), `${pos}+${len}`).toBe(0);
      }
      // Front to back, as a ByteWindow source.
      const src = new SpoolSource(s);
      const all = new Uint8Array(DATA.length);
      let n = 0;
      for (let k; (k = src.read(all, n, 777_777)) > 0; ) n += k;
      expect(n).toBe(DATA.length);
      expect(Buffer.compare(all, DATA)).toBe(0);
      s.close();
      s.close();
      expect(readdirSync(dir)).toEqual([]);
    });
  }

  it('names the directory when the temporary file cannot be created', () => {
    const s = new Spool({ memoryLimit: 10, dir: join(dir, 'missing') });
    s.append(DATA, 0, 10);
    expect(s.spilled).toBe(false);
    expect(() => s.append(DATA, 10, 11)).toThrow(`cannot create a temporary file in ${join(dir, 'missing')} to hold the stream beyond 10 bytes: ENOENT`);
    s.close();
  });
});
