import { describe, expect, it } from 'vitest';
import { StreamReassembler } from '../../../src/analysis/tcp-stream.js';
import { Rng } from '../../helpers/random.js';

/** Private state read for the memory bound (the documented limits in tcp-stream.ts). */
interface Inside { early: { data: Uint8Array }[]; earlyBytes: number; buf: Uint8Array; len: number }
const inside = (r: StreamReassembler): Inside => r as unknown as Inside;
/** MAX_OOO_BYTES, MAX_OOO_SEGMENTS and MAX_PENDING of tcp-stream.ts. */
const MAX_OOO = 512 * 1024;
const MAX_OOO_SEGMENTS = 1024;
const MAX_PENDING = 256 * 1024;

/** A consumer that takes every byte it is offered and records them with the frame. */
function sink(): { r: StreamReassembler; bytes: () => number[]; frames: number[]; calls: { buf: Uint8Array; off: number; len: number }[] } {
  const out: number[] = [];
  const frames: number[] = [];
  const calls: { buf: Uint8Array; off: number; len: number }[] = [];
  const r = new StreamReassembler((b, off, len, frame) => {
    for (let i = 0; i < len; i++) out.push(b[off + i]!);
    frames.push(frame);
    calls.push({ buf: b, off, len });
    return len;
  });
  return { r, bytes: () => out, frames, calls };
}

/** Bytes 0, 1, 2, ... (mod 251, so a misplaced run shows). */
const pattern = (n: number, from = 0): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (from + i) % 251);
const range = (from: number, n: number): number[] => [...pattern(n, from)];

/**
 * A consumer of length-prefixed messages (u16 length including itself), like DCE/RPC PDUs:
 * consumes whole messages only.
 */
function pduSink(): { r: StreamReassembler; msgs: number[][]; frames: number[] } {
  const msgs: number[][] = [];
  const frames: number[] = [];
  const r = new StreamReassembler((b, off, len, frame) => {
    let o = off;
    while (off + len - o >= 2) {
      const n = (b[o]! << 8) | b[o + 1]!;
      if (n < 2 || o + n > off + len) break;
      msgs.push([...b.subarray(o + 2, o + n)]);
      frames.push(frame);
      o += n;
    }
    return o - off;
  });
  return { r, msgs, frames };
}
const msg = (...body: number[]): number[] => [(body.length + 2) >> 8, (body.length + 2) & 0xff, ...body];

describe('StreamReassembler', () => {
  it('delivers in-order segments once, in order, starting after the ISN', () => {
    const { r, bytes, frames } = sink();
    r.setIsn(999);
    const d = pattern(300);
    r.segment(d, 0, 100, 1000, 1);
    r.segment(d, 100, 100, 1100, 2);
    r.segment(d, 200, 100, 1200, 3);
    expect(bytes()).toEqual(range(0, 300));
    expect(frames).toEqual([1, 2, 3]);
    expect(r.gaps).toBe(0);
  });

  it('starts at the first segment when no SYN was seen (capture started mid-stream)', () => {
    const { r, bytes } = sink();
    r.segment(pattern(10), 0, 10, 0x12345678, 1);
    r.segment(pattern(10, 10), 0, 10, 0x12345678 + 10, 2);
    expect(bytes()).toEqual(range(0, 20));
  });

  it('delivers retransmitted and overlapping segments once', () => {
    const { r, bytes } = sink();
    r.setIsn(0);
    const d = pattern(400);
    r.segment(d, 0, 100, 1, 1);
    r.segment(d, 0, 100, 1, 2);          // exact retransmission
    r.segment(d, 50, 100, 51, 3);        // overlaps 50 old bytes, brings 50 new
    r.segment(d, 20, 30, 21, 4);         // entirely old
    r.segment(d, 0, 300, 1, 5);          // a coalesced retransmission bringing 150 new
    expect(bytes()).toEqual(range(0, 300));
  });

  it('holds early segments and delivers them when the hole fills, with the frame that completed them', () => {
    const { r, bytes, frames } = sink();
    r.setIsn(0);
    const d = pattern(300);
    r.segment(d, 200, 100, 201, 1);
    r.segment(d, 100, 100, 101, 2);
    r.segment(d, 100, 100, 101, 3);      // duplicate of a waiting segment
    expect(bytes()).toEqual([]);
    r.segment(d, 0, 100, 1, 4);
    expect(bytes()).toEqual(range(0, 300));
    expect(frames).toEqual([4, 4, 4]);
    // Overlapping early segments: each byte still once.
    const s = sink();
    s.r.setIsn(0);
    s.r.segment(d, 150, 100, 151, 1);
    s.r.segment(d, 120, 60, 121, 2);
    s.r.segment(d, 100, 200, 101, 3);
    s.r.segment(d, 0, 110, 1, 4);
    expect(s.bytes()).toEqual(range(0, 300));
  });

  it('follows sequence numbers across the 2^32 wrap, in order and out of order', () => {
    const isn = 0xffffff00;
    for (const order of [[0, 1, 2, 3], [3, 1, 2, 0], [2, 3, 0, 1]]) {
      const { r, bytes } = sink();
      r.setIsn(isn);
      const d = pattern(400);
      for (const i of order) r.segment(d, 100 * i, 100, (isn + 1 + 100 * i) >>> 0, i + 1);
      r.segment(d, 150, 100, (isn + 151) >>> 0, 9); // a retransmission that straddles the wrap
      expect(bytes(), order.join()).toEqual(range(0, 400));
    }
  });

  it('hands a PDU split across segments to the consumer once it is whole, and several PDUs from one segment', () => {
    const { r, msgs, frames } = pduSink();
    r.setIsn(0);
    const stream = Uint8Array.from([...msg(1, 2, 3, 4, 5, 6), ...msg(7), ...msg(8, 9), ...msg(10, 11, 12)]);
    r.segment(stream, 0, 3, 1, 1);            // first PDU's header and one byte
    r.segment(stream, 3, 3, 4, 2);
    expect(msgs).toEqual([]);
    r.segment(stream, 6, 12, 7, 3);           // rest of PDU 1, PDUs 2 and 3, start of 4
    expect(msgs).toEqual([[1, 2, 3, 4, 5, 6], [7], [8, 9]]);
    r.segment(stream, 18, stream.length - 18, 19, 4);
    expect(msgs).toEqual([[1, 2, 3, 4, 5, 6], [7], [8, 9], [10, 11, 12]]);
    expect(frames).toEqual([3, 3, 3, 4]);
  });

  it('parses in place when nothing is buffered, and copies only the unconsumed tail', () => {
    const seen: { buf: Uint8Array; off: number; len: number }[] = [];
    const r = new StreamReassembler((b, off, len) => {
      seen.push({ buf: b, off, len });
      return len >= 4 ? 4 : 0; // consumes one 4-byte message per call
    });
    r.setIsn(0);
    const frame = new Uint8Array(64);
    frame.set([1, 2, 3, 4, 5, 6], 40);
    r.segment(frame, 40, 6, 1, 1);
    expect(seen[0]!.buf).toBe(frame);        // the caller's buffer itself: no copy
    expect(seen[0]!.off).toBe(40);
    const frame2 = new Uint8Array(16);
    frame2.set([7, 8], 3);
    r.segment(frame2, 3, 2, 7, 2);
    expect(seen[1]!.buf).not.toBe(frame2);   // the kept tail (5, 6) plus the new bytes, copied
    expect([...seen[1]!.buf.subarray(seen[1]!.off, seen[1]!.off + seen[1]!.len)]).toEqual([5, 6, 7, 8]);
    // Once the buffer is empty again the next segment is in place.
    const frame3 = Uint8Array.of(9, 9, 9, 9);
    r.segment(frame3, 0, 4, 9, 3);
    expect(seen[2]!.buf).toBe(frame3);
  });

  it('skips a gap the capture never fills at the end of the capture, and counts it', () => {
    const { r, msgs } = pduSink();
    r.setIsn(0);
    const s = Uint8Array.from([...msg(1, 1), ...msg(2, 2), ...msg(3, 3)]);
    r.segment(s, 0, 4, 1, 1);
    // bytes 4..8 (PDU 2) never arrive
    r.segment(s, 8, 4, 9, 3);
    expect(msgs).toEqual([[1, 1]]);
    r.finish();
    expect(msgs).toEqual([[1, 1], [3, 3]]);
    expect(r.gaps).toBe(1);
  });

  it('skips the earliest gap once the waiting bytes pass the bound, and drops the partial PDU before it', () => {
    const { r, msgs } = pduSink();
    r.setIsn(0);
    const big = new Uint8Array(1000);
    for (let i = 0; i < 1000; i += 100) big.set(msg(...new Array<number>(98).fill(i / 100)), i);
    r.segment(big, 0, 150, 1, 1);            // PDU 0 and half of PDU 1
    expect(msgs.length).toBe(1);
    // Bytes 150..200 are lost; then more than MAX_OOO of later data arrives.
    let seq = 201;
    let n = 0;
    while (n <= MAX_OOO + 1000) {
      r.segment(big, 0, 1000, seq, 2);
      seq += 1000;
      n += 1000;
    }
    expect(r.gaps).toBe(1);
    expect(r.discarded).toBe(50);             // the half PDU that could never complete
    expect(msgs.length).toBeGreaterThan(5000);
    expect(msgs[1]).toEqual(new Array(98).fill(0));
  });

  it('restarts after bytes a snaplen cut (lost), dropping the PDU they belonged to', () => {
    const { r, msgs } = pduSink();
    r.setIsn(0);
    const s = Uint8Array.from([...msg(1, 1, 1, 1, 1, 1), ...msg(2, 2)]);
    // A segment of 12 bytes of which the capture kept 5: PDU 1 cannot complete.
    r.segment(s, 0, 5, 1, 1);
    r.lost(6, 7);
    expect(r.gaps).toBe(1);
    expect(r.discarded).toBe(5);
    // The next segment starts at a PDU boundary and is read.
    r.segment(s, 8, 4, 13, 2);
    expect(msgs).toEqual([[2, 2]]);
    // A cut segment that is entirely old changes nothing.
    r.lost(1, 5);
    expect(r.gaps).toBe(1);
  });

  it('lost() of a later range waits for the bytes before it', () => {
    const { r, bytes } = sink();
    r.setIsn(0);
    r.lost(101, 50);                         // beyond what was delivered: nothing to do yet
    expect(r.gaps).toBe(0);
    r.segment(pattern(100), 0, 100, 1, 1);
    expect(bytes()).toEqual(range(0, 100));
  });

  it('skips a cut later range when the stream reaches it, not at the end of the capture', () => {
    // B (cut by the snaplen) and C arrive before A. When A fills the hole, B's captured bytes,
    // the skip over B's lost bytes and C must all follow at once: an RPC answer in C is then
    // seen at its own time, not when the capture ends.
    const { r, bytes, frames } = sink();
    r.setIsn(0);
    const all = pattern(170);
    r.segment(all, 100, 5, 101, 2);          // B: 5 of its 50 bytes captured
    r.lost(106, 45);
    r.segment(all, 150, 20, 151, 3);         // C
    expect(bytes()).toEqual([]);
    r.segment(all, 0, 100, 1, 4);            // A fills the hole
    expect(bytes()).toEqual([...range(0, 100), ...range(100, 5), ...range(150, 20)]);
    expect(frames).toEqual([4, 4, 4]);
    expect(r.gaps).toBe(1);
  });

  it('delivers a random segmentation with retransmissions and reordering exactly once', () => {
    const rng = new Rng(0x5e9);
    for (let run = 0; run < 120; run++) {
      const total = 1 + rng.int(20_000);
      const data = pattern(total, run);
      const isn = run % 4 === 0 ? (0xffffffff - rng.int(10_000)) >>> 0 : rng.u32();
      const segs: [number, number][] = [];
      for (let o = 0; o < total; ) {
        const n = Math.min(total - o, 1 + rng.int(1500));
        segs.push([o, n]);
        o += n;
      }
      // Duplicates and coalesced retransmissions, then a local shuffle (reordering within a window).
      const sent = [...segs];
      for (let i = 0; i < segs.length / 5; i++) {
        const [o, n] = rng.pick(segs);
        sent.push([o, Math.min(total - o, n + rng.int(3000))]);
      }
      for (let i = sent.length - 1; i > 0; i--) {
        const j = Math.max(0, i - rng.int(8));
        [sent[i], sent[j]] = [sent[j]!, sent[i]!];
      }
      const { r, bytes } = sink();
      r.setIsn(isn);
      sent.forEach(([o, n], f) => r.segment(data, o, n, (isn + 1 + o) >>> 0, f + 1));
      r.finish();
      expect(bytes(), `run ${run}`).toEqual([...data]);
      expect(r.gaps).toBe(0);
    }
  });

  it('keeps memory bounded: 10 MB out of order behind a hole never holds more than the documented bound', () => {
    for (const segLen of [1460, 64]) {
      let delivered = 0;
      const r = new StreamReassembler((_b, _o, len) => { delivered += len; return len; });
      r.setIsn(0);
      const seg = pattern(segLen);
      const total = 10 * 1024 * 1024;
      let maxEarly = 0;
      let maxEntries = 0;
      let maxPending = 0;
      const t0 = performance.now();
      // The first segment is missing; everything after it arrives, in pairs swapped.
      for (let o = segLen; o + 2 * segLen <= total; o += 2 * segLen) {
        r.segment(seg, 0, segLen, 1 + o + segLen, 1);
        r.segment(seg, 0, segLen, 1 + o, 2);
        const s = inside(r);
        if (s.earlyBytes > maxEarly) maxEarly = s.earlyBytes;
        if (s.early.length > maxEntries) maxEntries = s.early.length;
        if (s.len > maxPending) maxPending = s.len;
      }
      expect(maxEarly).toBeLessThanOrEqual(MAX_OOO);
      expect(maxEntries).toBeLessThanOrEqual(MAX_OOO_SEGMENTS);
      expect(maxPending).toBeLessThanOrEqual(MAX_PENDING + segLen);
      r.finish();
      expect(maxEarly).toBeGreaterThan(Math.min(MAX_OOO, MAX_OOO_SEGMENTS * segLen) / 2);
      // Only the hole itself is lost.
      expect(delivered).toBe(Math.floor((total - segLen) / (2 * segLen)) * 2 * segLen);
      expect(r.gaps).toBe(1);
      expect(inside(r).early.length).toBe(0);
      expect(performance.now() - t0, `segments of ${segLen}`).toBeLessThan(5000);
    }
  });

  it('keeps memory bounded when the consumer never consumes (not a PDU stream)', () => {
    const r = new StreamReassembler(() => 0);
    r.setIsn(0);
    const seg = pattern(1460);
    for (let i = 0; i < 4000; i++) {
      r.segment(seg, 0, 1460, 1 + 1460 * i, i);
      expect(inside(r).len).toBeLessThanOrEqual(MAX_PENDING + 1460);
      expect(inside(r).buf.length).toBeLessThanOrEqual(2 * (MAX_PENDING + 1460));
    }
    expect(r.discarded).toBeGreaterThan(4000 * 1460 - 2 * MAX_PENDING);
  });

  it('keeps time bounded when a hole is followed by many tiny segments', () => {
    const r = new StreamReassembler((_b, _o, len) => len);
    r.setIsn(0);
    const one = Uint8Array.of(1);
    const t0 = performance.now();
    // 1-byte segments in descending order behind a hole: the worst case for an ordered list.
    const n = 200_000;
    for (let i = n; i >= 2; i--) r.segment(one, 0, 1, 1 + i, i);
    r.finish();
    expect(performance.now() - t0).toBeLessThan(3000);
    expect(inside(r).earlyBytes).toBe(0);
  });
});
