/**
 * The capture clock: relative times that never run backwards past a jump (concatenated traces),
 * and `now()`, which `see` computes once per packet, equal to `rel` of the latest packet's time.
 */
import { describe, expect, it } from 'vitest';
import { Clock } from '../../../src/analysis/analyzer.js';
import { Rng } from '../../helpers/random.js';

describe('Clock', () => {
  it('now() is rel() of the latest packet, through forward steps, small steps back and jumps back', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const rng = new Rng(seed);
      const c = new Clock();
      expect(c.now()).toBe(0);
      let sec = 1_700_000_000 + rng.int(1000);
      let nsec = rng.int(1e9);
      for (let frame = 1; frame <= 500; frame++) {
        const k = rng.int(10);
        if (k < 7) nsec += rng.int(50_000_000);
        else if (k === 7) nsec -= rng.int(2_000_000); // a little back: reordering within the tolerance
        else if (k === 8) sec -= 1 + rng.int(3600); // a jump back: another trace appended
        else c.see({ untimed: true, tsSec: 0, tsNsec: 0, frame });
        while (nsec >= 1e9) { nsec -= 1e9; sec++; }
        while (nsec < 0) { nsec += 1e9; sec--; }
        c.see({ untimed: false, tsSec: sec, tsNsec: nsec, frame });
        expect(c.now()).toBeCloseTo(c.rel(c.nowSec, c.nowNsec), 9); // to the nanosecond: after a jump, now() is the latest time itself
        expect(c.now()).toBeGreaterThanOrEqual(0);
      }
    }
  });
});
