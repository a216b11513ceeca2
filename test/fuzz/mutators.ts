/**
 * Seeded corruptions of capture files: flip bytes, cut, zero or inflate the length fields the
 * readers trust, splice. Deterministic: mutation(seed, run) always gives the same bytes.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { Rng } from '../helpers/random.js';
import type { Seed } from './inputs.js';

/**
 * Fixed, so every run of the suite tests the same inputs. To explore, set RPCTRACE_FUZZ_SEED
 * (and RPCTRACE_FUZZ_RUNS, a multiplier); failures are kept under regressions/ either way.
 */
export const SEED = Number(process.env['RPCTRACE_FUZZ_SEED'] ?? 20240501) >>> 0;
const RUNS = Math.max(1, Number(process.env['RPCTRACE_FUZZ_RUNS'] ?? 1));

/** Offsets of 32-bit length fields a reader trusts: pcap incl/orig_len, pcapng block and packet lengths. */
function lengthFields(b: Uint8Array): number[] {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const out: number[] = [];
  if (b.length < 24) return out;
  const m = dv.getUint32(0, true);
  if (m === 0xa1b2c3d4 || m === 0xa1b23c4d || m === 0xd4c3b2a1 || m === 0x4d3cb2a1) {
    const le = m === 0xa1b2c3d4 || m === 0xa1b23c4d;
    out.push(16); // snaplen
    for (let o = 24; o + 16 <= b.length && out.length < 5000; ) {
      out.push(o + 8, o + 12);
      o += 16 + dv.getUint32(o + 8, le);
    }
  } else if (m === 0x0a0d0d0a) {
    let le = true;
    for (let o = 0; o + 12 <= b.length && out.length < 5000; ) {
      const type = dv.getUint32(o, le);
      if (type === 0x0a0d0d0a) le = dv.getUint32(o + 8, true) === 0x1a2b3c4d;
      const len = dv.getUint32(o + 4, le);
      out.push(o + 4);
      if (type === 6 && o + 28 <= b.length) out.push(o + 20, o + 24);
      if (type === 3 && o + 12 <= b.length) out.push(o + 8);
      if (len < 12) break;
      out.push(o + len - 4);
      o += len;
    }
  } else {
    for (let o = 0; o + 4 <= b.length; o += 4) out.push(o);
  }
  return out;
}

/** Turns a capture into a corrupted copy; never modifies its input. */
export type Mutator = (b: Uint8Array, rng: Rng) => Uint8Array;

/** A real copy: Buffer#slice would share memory (and small Buffers share one pool). */
const copy = (b: Uint8Array): Uint8Array => new Uint8Array(b);

const MUTATORS: Record<string, Mutator> = {
  flip: (b, rng) => {
    const c = copy(b);
    const n = 1 + rng.int(16);
    for (let i = 0; i < n && c.length > 0; i++) {
      const at = rng.int(c.length);
      c[at] = c[at]! ^ (1 + rng.int(255));
    }
    return c;
  },
  cut: (b, rng) => copy(b.subarray(0, rng.int(b.length + 1))),
  zeroLength: (b, rng) => {
    const c = copy(b);
    const fields = lengthFields(c);
    if (fields.length > 0) c.fill(0, ...((o) => [o, o + 4])(rng.pick(fields)));
    return c;
  },
  bigLength: (b, rng) => {
    const c = copy(b);
    const fields = lengthFields(c);
    if (fields.length > 0) {
      const o = rng.pick(fields);
      const v = rng.pick([0xffffffff, 0x7fffffff, 0x00010000, 0x01000000, 13, 3, 65535 + rng.int(300000)]);
      new DataView(c.buffer).setUint32(o, v, rng.int(2) === 0);
    }
    return c;
  },
  splice: (b, rng) => {
    if (b.length < 8) return copy(b);
    const from = rng.int(b.length);
    const len = 1 + rng.int(Math.min(200, b.length - from));
    const at = rng.int(b.length);
    const out = new Uint8Array(b.length + len);
    out.set(b.subarray(0, at), 0);
    out.set(b.subarray(from, from + len), at);
    out.set(b.subarray(at), at + len);
    return out;
  },
};
const NAMES = Object.keys(MUTATORS);

const isGzip = (b: Uint8Array): boolean => b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;

/**
 * Mutation number `run` of `seed`: its own PRNG stream, so one failing case can be replayed
 * from (seed name, run) alone, without the rest of the sequence.
 */
export function mutation(seed: Seed, run: number, rngSeed = SEED): { name: string; bytes: Uint8Array; chunkSize: number } {
  let h = 0x811c9dc5;
  for (const ch of seed.name) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193);
  const rng = new Rng((rngSeed ^ h ^ Math.imul(run + 1, 0x9e3779b1)) >>> 0);
  const m = rng.pick(NAMES);
  // Small chunks make records straddle refills; the default 8 MiB chunk is covered by the
  // unmodified run and costs an 8 MiB allocation per run.
  const chunkSize = seed.bytes.length < 65536 ? rng.pick([17, 100, 1000, 4096, 65536, 65536, 65536, 65536]) : 65536;
  if (isGzip(seed.bytes) && rng.int(2) === 0) {
    const inner = new Uint8Array(gunzipSync(seed.bytes));
    return { name: `${m}-inside-gzip`, bytes: new Uint8Array(gzipSync(MUTATORS[m]!(inner, rng))), chunkSize };
  }
  return { name: m, bytes: MUTATORS[m]!(seed.bytes, rng), chunkSize };
}

/** Mutations per seed: many for the small built seeds, a few for the larger corpus files. */
export const runsFor = (s: Seed): number => RUNS * (s.bytes.length < 4096 ? 16 : s.bytes.length < 65536 ? 6 : 3);

