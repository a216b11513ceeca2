import { describe, expect, it } from 'vitest';
import { thousands } from '../../../src/model/numbers.js';
import { Rng } from '../../helpers/random.js';

describe('thousands', () => {
  it('writes counts the way the report always has', () => {
    expect(thousands(0)).toBe('0');
    expect(thousands(999)).toBe('999');
    expect(thousands(1000)).toBe('1,000');
    expect(thousands(1234567)).toBe('1,234,567');
    expect(thousands(-1234567)).toBe('-1,234,567');
    expect(thousands(12345.6789)).toBe('12,345.679');
    expect(thousands(0.5)).toBe('0.5');
    expect(thousands(1e21)).toBe('1,000,000,000,000,000,000,000');
  });

  it('agrees with toLocaleString("en-US") on integers and short decimals', () => {
    const rng = new Rng(42);
    const r = (): number => rng.u32() / 4294967296;
    for (let i = 0; i < 20000; i++) {
      const mag = 10 ** Math.floor(r() * 17);
      const int = Math.floor(r() * mag) * (r() < 0.2 ? -1 : 1);
      expect(thousands(int)).toBe(int.toLocaleString('en-US'));
      // Two decimals never sit on a rounding tie at the third.
      const dec = Math.round(r() * 1e8) / 100;
      expect(thousands(dec)).toBe(dec.toLocaleString('en-US'));
    }
    for (const x of [-0, -0.0004, 2 ** 53, 1e22, Infinity, -Infinity, Number.NaN]) {
      expect(thousands(x)).toBe(x.toLocaleString('en-US'));
    }
  });
});
