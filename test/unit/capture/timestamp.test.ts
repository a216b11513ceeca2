import { describe, expect, it } from 'vitest';
import { isoNs, splitDecimal, splitGeneric, tsOut } from '../../../src/capture/timestamp.js';
import { Rng } from '../../helpers/random.js';

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** Exact seconds and nanoseconds (truncated) of `units` of base^-exp s. */
function reference(units: bigint, base: bigint, exp: number): { sec: bigint; nsec: bigint } {
  const per = base ** BigInt(exp);
  const sec = units / per;
  return { sec, nsec: ((units - sec * per) * 1_000_000_000n) / per };
}

/** Many 64-bit values: random, near 0, near 2^64, near 2^53, and with every limb at its edge. */
function values(rng: Rng): bigint[] {
  const out: bigint[] = [];
  const top = (1n << 64n) - 1n;
  for (let i = 0; i < 3000; i++) out.push((BigInt(rng.u32()) << 32n) | BigInt(rng.u32()));
  for (let i = 0n; i < 200n; i++) out.push(i, top - i, (1n << 53n) + i - 100n, (1n << 32n) + i - 100n);
  for (const hi of [0, 1, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xffffffff]) {
    for (const lo of [0, 1, 0xffff, 0x10000, 0xffff0000, 0xfffffffe, 0xffffffff]) out.push((BigInt(hi) << 32n) | BigInt(lo));
  }
  // Realistic: 1970..2100 in ns and us.
  for (let i = 0; i < 1000; i++) {
    const s = BigInt(rng.int(4102444800));
    out.push(s * 1_000_000_000n + BigInt(rng.int(1e9)), s * 1_000_000n + BigInt(rng.int(1e6)));
  }
  return out;
}

/** Mismatches as text, at most 5: one assertion per case keeps thousands of values quick. */
function mismatches(vs: readonly bigint[], split: (hi: number, lo: number) => void, base: bigint, exp: number): string[] {
  const bad: string[] = [];
  for (const v of vs) {
    const ref = reference(v, base, exp);
    split(Number(v >> 32n), Number(v & 0xffffffffn));
    // Seconds above 2^53 (units of 1 ms or coarser near 2^64) cannot be held exactly in a
    // double; there the nearest double or its neighbour is accepted.
    const secOk = ref.sec <= MAX_SAFE
      ? tsOut.sec === Number(ref.sec)
      : Math.abs(tsOut.sec - Number(ref.sec)) <= Number(ref.sec) * 2 ** -52;
    if (!secOk || tsOut.nsec !== Number(ref.nsec) || tsOut.nsec >= 1e9) {
      if (bad.length < 5) bad.push(`${v}: got ${tsOut.sec}.${tsOut.nsec}, want ${ref.sec}.${ref.nsec}`);
    }
  }
  return bad;
}

describe('splitDecimal: 64-bit unit counts to seconds + nanoseconds without BigInt', () => {
  const vs = values(new Rng(0x5eed));
  for (let digits = 0; digits <= 9; digits++) {
    it(`10^-${digits} s units match a BigInt reference`, () => {
      expect(mismatches(vs, (hi, lo) => splitDecimal(hi, lo, digits), 10n, digits)).toEqual([]);
    });
  }

  it('nanosecond and microsecond counts up to 2^64 are exact to the nanosecond', () => {
    splitDecimal(0xffffffff, 0xffffffff, 9);
    expect([tsOut.sec, tsOut.nsec]).toEqual([18446744073, 709551615]);
    splitDecimal(0xffffffff, 0xffffffff, 6);
    expect([tsOut.sec, tsOut.nsec]).toEqual([18446744073709, 551615000]);
    splitDecimal(0x17979cfe, 0x3d85cd15, 9);   // 2023-11-14T22:13:20.123456789Z
    expect([tsOut.sec, tsOut.nsec]).toEqual([1700000000, 123456789]);
  });
});

describe('splitGeneric: binary and sub-nanosecond resolutions', () => {
  const vs = values(new Rng(42));
  const cases: [2 | 10, number][] = [[2, 10], [2, 20], [2, 30], [2, 32], [2, 0], [2, 63], [10, 12], [10, 15]];
  for (const [base, exp] of cases) {
    it(`${base}^-${exp} s units match a BigInt reference`, () => {
      expect(mismatches(vs, (hi, lo) => splitGeneric(hi, lo, base, exp), BigInt(base), exp)).toEqual([]);
    });
  }
});

describe('isoNs', () => {
  it('prints UTC with nine fraction digits', () => {
    expect(isoNs(1700000000, 5)).toBe('2023-11-14T22:13:20.000000005Z');
    expect(isoNs(0, 999999999)).toBe('1970-01-01T00:00:00.999999999Z');
    expect(isoNs(-1, 0)).toBe('1969-12-31T23:59:59.000000000Z');
  });
  it('prints years past 9999 in the expanded form, still with nine fraction digits', () => {
    expect(isoNs(253402300800, 1)).toBe('+010000-01-01T00:00:00.000000001Z');
    expect(isoNs(253402300799, 999999999)).toBe('9999-12-31T23:59:59.999999999Z');
    expect(isoNs(-62167219201, 0)).toBe('-000001-12-31T23:59:59.000000000Z');
  });
  it('falls back to seconds.nanoseconds when the date is out of range', () => {
    expect(isoNs(18446744073709, 551615000)).toBe('18446744073709.551615000');
  });
});
