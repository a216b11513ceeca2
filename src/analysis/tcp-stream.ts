/**
 * One direction of a TCP byte stream, put back in order (RFC 9293 §3.4 sequence space, modulo
 * 2^32). Retransmitted and overlapping bytes are delivered once; segments that arrive early
 * wait (bounded); a gap the capture never fills is skipped and reported, so a lost segment
 * cannot stall the stream or grow memory. In-order segments are handed to the consumer in place
 * when nothing is buffered: no copy on the common path.
 */

/**
 * Receives contiguous stream bytes `b[off, off + len)`; returns how many it consumed (whole
 * PDUs). Unconsumed bytes are offered again, with more appended, on the next call.
 * `frame` is the frame whose bytes completed the data.
 */
export type StreamConsumer = (b: Uint8Array, off: number, len: number, frame: number) => number;

/**
 * Bytes the consumer needs, from `b[off]` on, to complete the unit that starts there (a PDU's
 * length from its header), or 0 when it cannot tell: a buffer grows only as far as that.
 */
export type SizeHint = (b: Uint8Array, off: number, len: number) => number;

/** Where a stream's buffers are charged (model/memory-budget.ts `stream-buffers`). */
export interface BufferAccount {
  charge(kind: 'stream-buffers', bytes: number): boolean;
  release(kind: 'stream-buffers', bytes: number): void;
  refuse(kind: 'stream-buffers', n: number): void;
}

/** Bytes waiting out of order, at most; beyond it the earliest gap is skipped. */
const MAX_OOO_BYTES = 512 * 1024;
/** Unconsumed in-order bytes, at most: a DCE/RPC fragment is at most 65535 bytes. */
const MAX_PENDING = 256 * 1024;
/**
 * Segments waiting out of order, at most. Full-size segments reach MAX_OOO_BYTES first; this
 * bounds the bookkeeping when a hole is followed by tiny segments (1-byte segments would
 * otherwise make 512 Ki list entries, each insert costing a scan of all of them).
 */
const MAX_OOO_SEGMENTS = 1024;

interface Early {
  seq: number;
  data: Uint8Array;
  frame: number;
  /** > 0: not data but bytes the capture lost (a snaplen cut) from `seq` on, this many. */
  lost: number;
}

const NO_BYTES = new Uint8Array(0);
const NO_EARLY: Early[] = [];
/** A buffer larger than this is given back once the consumer took everything in it. */
const KEEP_BUFFER = 4096;

/**
 * Where a stream says what it had to drop: a gap (bytes never captured, the stream resumed after
 * them, at `frame`) and bytes it held but dropped unread (a gap split a message, or too many
 * waited).
 */
export interface StreamLoss {
  gap(frame: number): void;
  discarded(bytes: number, frame: number): void;
}

/** Reassembles one direction and feeds the consumer. */
export class StreamReassembler {
  /** Next expected sequence number, or -1 before the first byte. */
  private next = -1;
  private buf = NO_BYTES;
  private len = 0;
  private early = NO_EARLY;
  private earlyBytes = 0;
  /** Bytes charged to the account: the buffer's and the waiting segments'. */
  charged = 0;
  /** Gaps skipped because the capture lacked the bytes. */
  gaps = 0;
  /** Bytes dropped because the consumer could not use them (not a PDU stream, or too large). */
  discarded = 0;

  constructor(
    private readonly consumer: StreamConsumer,
    private readonly loss: StreamLoss | null = null,
    private readonly hint: SizeHint | null = null,
    private readonly account: BufferAccount | null = null,
  ) {}

  /** True when nothing is held: no buffered bytes, no segment waiting. */
  get empty(): boolean {
    return this.len === 0 && this.early.length === 0;
  }

  /** Lets go of everything held (the memory budget releases the stream): what was held is lost. */
  drop(): number {
    const freed = this.charged;
    this.discarded += this.len + this.earlyBytes;
    this.buf = NO_BYTES;
    this.len = 0;
    this.early = NO_EARLY;
    this.earlyBytes = 0;
    if (freed > 0) this.account?.release('stream-buffers', freed);
    this.charged = 0;
    return freed;
  }

  /** The SYN's sequence number: data starts at isn + 1. */
  setIsn(isn: number): void {
    if (this.next === -1) this.next = (isn + 1) >>> 0;
  }

  /** Offers one segment's payload `b[off, off + len)` with sequence number `seq`. */
  segment(b: Uint8Array, off: number, len: number, seq: number, frame: number): void {
    if (len === 0) return;
    if (this.next === -1) this.next = seq;
    const d = (seq - this.next) | 0;
    if (d > 0) {
      this.stash(b, off, len, seq, frame);
      return;
    }
    const skip = -d;
    if (skip >= len) return; // entirely old: a retransmission
    this.deliver(b, off + skip, len - skip, frame);
    this.drain(frame);
  }

  /**
   * The capture holds only part of a segment (snaplen): its bytes from `seq` on are lost.
   * The stream restarts after it, as after any gap.
   */
  lost(seq: number, len: number, frame = 0): void {
    if (len <= 0) return;
    if (this.next === -1) this.next = seq;
    if (((seq - this.next) | 0) > 0) {
      // A later gap: the segments before it may still come. It waits in order with them and
      // is skipped when the stream reaches it, so what follows it is not held back until the
      // end of the capture.
      this.insert({ seq, data: NO_BYTES, frame, lost: len });
      while (this.early.length > MAX_OOO_SEGMENTS) this.skipGap();
      return;
    }
    if (this.skipLost(seq, len, frame)) this.drain(0);
  }

  /** At end of capture: give the consumer what waits beyond gaps. */
  finish(): void {
    while (this.early.length > 0) this.skipGap();
  }

  private deliver(b: Uint8Array, off: number, len: number, frame: number): void {
    this.next = (this.next + len) >>> 0;
    if (this.len === 0) {
      // Fast path: parse in place, keep only the tail.
      const used = this.consumer(b, off, len, frame);
      if (used < len) this.keep(b, off + used, len - used);
      else if (this.buf.length > KEEP_BUFFER) this.resize(0);
      return;
    }
    this.keep(b, off, len);
    const used = this.consumer(this.buf, 0, this.len, frame);
    if (used > 0) {
      this.buf.copyWithin(0, used, this.len);
      this.len -= used;
    }
    if (this.len > MAX_PENDING) this.discard(frame);
    if (this.len === 0 && this.buf.length > KEEP_BUFFER) this.resize(0);
  }

  /**
   * Keeps `b[off, off + len)` after what is buffered. The buffer grows to what the unit at its
   * start needs (the hint), doubling on the way; when the account refuses the bytes, what was
   * buffered and these bytes are dropped, and the stream restarts after them.
   */
  private keep(b: Uint8Array, off: number, len: number): void {
    const need = this.len + len;
    if (need > this.buf.length) {
      const hinted = this.hint === null ? 0 : this.len > 0 ? this.hint(this.buf, 0, this.len) : this.hint(b, off, len);
      const size = Math.max(need, Math.min(Math.max(this.buf.length * 2, 64), Math.max(hinted, need)));
      if (!this.resize(size)) {
        this.account?.refuse('stream-buffers', need);
        this.discarded += need;
        this.gaps++;
        this.len = 0;
        return;
      }
    }
    this.buf.set(b.subarray(off, off + len), this.len);
    this.len = need;
  }

  /** Gives the buffer `size` bytes (0: none), keeping what it holds; false when the account refuses. */
  private resize(size: number): boolean {
    const delta = size - this.buf.length;
    if (delta > 0 && this.account !== null && !this.account.charge('stream-buffers', delta)) return false;
    if (delta < 0) this.account?.release('stream-buffers', -delta);
    this.charged += delta;
    if (size === 0) { this.buf = NO_BYTES; return true; }
    const bigger = new Uint8Array(size);
    bigger.set(this.buf.subarray(0, this.len));
    this.buf = bigger;
    return true;
  }

  /** The bytes from `seq` on, `len` of them, are gone: restart after them. False when already past. */
  private skipLost(seq: number, len: number, frame: number): boolean {
    if (((((seq + len) >>> 0) - this.next) | 0) <= 0) return false; // already have all of it
    this.gaps++;
    this.discard(frame);
    this.next = (seq + len) >>> 0;
    return true;
  }

  /** Drops the bytes held unread (they cannot become a whole message any more). */
  private discard(frame: number): void {
    if (this.len === 0) return;
    this.discarded += this.len;
    this.loss?.discarded(this.len, frame);
    this.len = 0;
  }

  private stash(b: Uint8Array, off: number, len: number, seq: number, frame: number): void {
    const early = this.early;
    for (let i = this.upperBound(seq) - 1; i >= 0 && early[i]!.seq === seq; i--) if (early[i]!.data.length >= len) return; // duplicate
    if (this.account !== null && !this.account.charge('stream-buffers', len)) {
      this.account.refuse('stream-buffers', len);
      this.discarded += len;
      return;
    }
    this.charged += len;
    this.insert({ seq, data: b.slice(off, off + len), frame, lost: 0 });
    this.earlyBytes += len;
    while (this.earlyBytes > MAX_OOO_BYTES || this.early.length > MAX_OOO_SEGMENTS) this.skipGap();
  }

  /** Adds to `early`, which is ordered by distance from `next`, after entries at the same distance. */
  private insert(e: Early): void {
    if (this.early === NO_EARLY) this.early = [];
    this.early.splice(this.upperBound(e.seq), 0, e);
  }

  /** Index of the first waiting entry farther from `next` than `seq` (binary search: O(log n)). */
  private upperBound(seq: number): number {
    const early = this.early;
    const d = (seq - this.next) | 0;
    let lo = 0;
    let hi = early.length;
    while (lo < hi) {
      const m = (lo + hi) >>> 1;
      if (((early[m]!.seq - this.next) | 0) <= d) lo = m + 1; else hi = m;
    }
    return lo;
  }

  /** Delivers every waiting segment that now touches the expected sequence number. */
  private drain(frame: number): void {
    while (this.early.length > 0) {
      const e = this.early[0]!;
      const d = (e.seq - this.next) | 0;
      if (d > 0) return;
      this.early.shift();
      if (e.lost > 0) {
        this.skipLost(e.seq, e.lost, e.frame);
        continue;
      }
      this.earlyBytes -= e.data.length;
      if (e.data.length > 0) { this.account?.release('stream-buffers', e.data.length); this.charged -= e.data.length; }
      const skip = -d;
      if (skip < e.data.length) this.deliver(e.data, skip, e.data.length - skip, Math.max(frame, e.frame));
    }
  }

  /**
   * Gives up on the bytes before the earliest waiting segment: the capture never had them (the
   * segment was lost before the capture point, or the capture dropped it). The consumer restarts
   * there.
   */
  private skipGap(): void {
    const e = this.early[0];
    if (e === undefined) return;
    this.gaps++;
    this.loss?.gap(e.frame);
    this.discard(e.frame);
    this.next = e.seq;
    this.drain(e.frame);
  }
}
