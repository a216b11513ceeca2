import { describe, expect, it } from 'vitest';
import { KIND_SHARE, MemoryBudget, STATE_KINDS } from '../../../src/model/memory-budget.js';

describe('MemoryBudget', () => {
  it('charges and releases per kind; the whole and each kind are bounded', () => {
    const b = new MemoryBudget(1000);
    expect(b.charge('attempts', 300)).toBe(true);
    expect(b.holds('attempts')).toBe(300);
    expect(b.used).toBe(300);
    // The attempts' share is KIND_SHARE.attempts of the whole.
    expect(b.charge('attempts', 1000 * KIND_SHARE.attempts)).toBe(false);
    b.release('attempts', 300);
    expect(b.used).toBe(0);
    expect(b.holds('attempts')).toBe(0);
  });

  it('the whole budget binds when several kinds grow at once', () => {
    const b = new MemoryBudget(1000);
    expect(b.charge('conversations', 300)).toBe(true);
    expect(b.charge('attempts', 400)).toBe(true);
    expect(b.charge('dcerpc', 250)).toBe(true);
    expect(b.charge('endpoints', 100)).toBe(false); // 1050 > 1000, nothing releasable
    expect(b.used).toBe(950);
  });

  it('asks the releasers first (own kind when its share is full, any kind when the whole is), in the order registered', () => {
    const b = new MemoryBudget(1000);
    const calls: string[] = [];
    let dcerpc = 0;
    b.releaser('dcerpc', (need) => {
      calls.push(`dcerpc ${need}`);
      const freed = Math.min(need, dcerpc);
      dcerpc -= freed;
      b.release('dcerpc', freed);
      b.released('dcerpc');
      return freed;
    });
    for (let i = 0; i < 5; i++) { expect(b.charge('dcerpc', 50)).toBe(true); dcerpc += 50; }
    // The share (250) is full: the next charge releases 50 of the kind's own, then fits.
    expect(b.charge('dcerpc', 50)).toBe(true);
    dcerpc += 50;
    expect(calls).toEqual(['dcerpc 50']);
    expect(b.holds('dcerpc')).toBe(250);
    // The whole is nearly full: a charge of another kind releases DCE/RPC state to fit.
    expect(b.charge('conversations', 300)).toBe(true);
    expect(b.charge('attempts', 400)).toBe(true);
    expect(b.charge('endpoints', 100)).toBe(true);
    expect(b.used).toBeLessThanOrEqual(1000);
    expect(calls.length).toBe(2);
  });

  it('counts refusals and releases per kind from the frame they started', () => {
    const b = new MemoryBudget(1000);
    b.frame = 7;
    b.now = () => 1.5;
    b.refuse('attempts');
    b.frame = 9;
    b.refuse('attempts', 2);
    b.released('ip-fragments', 3);
    b.refuse('one-sided-pairs', 4, { frame: 3, time: 0.25 });
    const acc = b.accounts();
    expect(acc.map((a) => a.kind)).toEqual(['attempts', 'ip-fragments', 'one-sided-pairs']);
    expect(acc[0]).toMatchObject({ notKept: 3, released: 0, fromFrame: 7, fromTime: 1.5, unit: 'items' });
    expect(acc[1]).toMatchObject({ notKept: 0, released: 3, fromFrame: 9 });
    expect(acc[2]).toMatchObject({ notKept: 4, fromFrame: 3, fromTime: 0.25 });
  });

  it('every kind has a share, and MemoryBudget.mib counts MiB', () => {
    for (const k of STATE_KINDS) expect(KIND_SHARE[k]).toBeGreaterThan(0);
    expect(MemoryBudget.mib(16).limit).toBe(16 * 1024 * 1024);
    expect(MemoryBudget.mib(16).share('conversations')).toBe(Math.floor(16 * 1024 * 1024 * KIND_SHARE.conversations));
  });
});
