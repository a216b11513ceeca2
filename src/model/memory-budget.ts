/**
 * One memory budget for all the state a capture makes grow: conversations, connection attempts,
 * DCE/RPC conversations, reassembly buffers, IP fragments, endpoints and other RPC answers, and
 * the report's findings. Each kind charges what it holds (an estimate per item, measured, or the
 * bytes of a buffer) and gives it back when it lets go. When a charge does not fit, the state
 * that can be released is released first, least useful first (DCE/RPC conversations and buffers
 * of streams that never produced a valid PDU, then idle ones; stale fragments), and only then is
 * the new state refused. Every release and refusal is counted per kind with the frame it started
 * from, so the report says exactly what was dropped or capped.
 *
 * One kind may not take more than its share of the budget, so that a flood of one kind (a
 * million conversations) still leaves room for the others (the attempts and answers that make
 * the verdicts). The shares add up to more than the whole: the budget binds first when several
 * kinds grow at once.
 */

export const STATE_KINDS = ['conversations', 'attempts', 'dcerpc', 'stream-buffers', 'ip-fragments', 'endpoints', 'one-sided-pairs', 'findings'] as const;
export type StateKind = (typeof STATE_KINDS)[number];

/** The default budget, MiB of state: with Node's own ~50 MB the process stays under 200 MB. */
export const DEFAULT_MEMORY_BUDGET_MIB = 160;
/** The smallest budget the option accepts, MiB. */
export const MIN_MEMORY_BUDGET_MIB = 16;

/** The most of the budget each kind may hold. */
export const KIND_SHARE: Readonly<Record<StateKind, number>> = {
  conversations: 0.3,
  attempts: 0.4,
  dcerpc: 0.25,
  'stream-buffers': 0.25,
  'ip-fragments': 0.1,
  endpoints: 0.15,
  /** Host pairs seen one way only (analyzers/one-sided.ts), made after the last frame. */
  'one-sided-pairs': 0.05,
  findings: 0.15,
};

/**
 * Bytes of process memory per item, calibrated with whole-process peak RSS on floods of each
 * kind (test/bench/shapes.ts), the report's share of it included (an attempt is listed, a
 * finding carries its words), and the garbage collector's slack: about twice what the objects
 * themselves hold. With these, the default budget keeps every shape under 256 MB.
 */
export const ITEM_BYTES = {
  /**
   * Columns of the conversation table (76 bytes), the flow table's key, hash and slots (44 and
   * up to 32), the analyzers' columns (attempts 12, DCE/RPC 1), doubled: a column grows by
   * copying into one twice its size.
   */
  conversation: 340,
  attempt: 6800,
  /** A DCE/RPC conversation's objects, its two streams included (their buffers are charged apart). */
  dcerpc: 8000,
  /** An advertised endpoint or other RPC answer, in observations and in the report. */
  endpoint: 6000,
  /** A finding with its words. */
  finding: 4000,
  /** A one-sided host pair: its key, addresses and first frames. */
  oneSidedPair: 1000,
  /** A waiting IP fragment's bookkeeping besides its bytes. */
  fragment: 200,
  /** A reassembly buffer's object besides its bytes. */
  buffer: 150,
} as const;

/** What the budget did to one kind. */
export interface KindAccount {
  kind: StateKind;
  /** Items refused: new state not kept because the budget or the kind's share was full. */
  notKept: number;
  /** Items released to make room (or bytes, for buffers and fragments: see `unit`). */
  released: number;
  /** What `notKept` and `released` count. */
  unit: 'items' | 'bytes';
  /** The frame of the first refusal or release, and its time (seconds since the first frame). */
  fromFrame: number;
  fromTime: number;
  /** Bytes the kind held at most. */
  peakBytes: number;
}

/** Releases state of one kind, least useful first, until `bytes` are free or nothing more can go; returns the bytes freed. */
export type Releaser = (bytes: number) => number;

export class MemoryBudget {
  readonly limit: number;
  used = 0;
  private readonly held = new Float64Array(STATE_KINDS.length);
  private readonly peak = new Float64Array(STATE_KINDS.length);
  private readonly notKept = new Float64Array(STATE_KINDS.length);
  private readonly releasedCount = new Float64Array(STATE_KINDS.length);
  private readonly firstFrame = new Float64Array(STATE_KINDS.length);
  private readonly firstTime = new Float64Array(STATE_KINDS.length);
  private readonly releasers: { kind: number; release: Releaser }[] = [];
  private releasing = false;
  /** The current frame, for the accounts (set by the frame loop), and the clock that gives its time. */
  frame = 0;
  now: () => number = () => 0;

  constructor(limitBytes: number) {
    this.limit = limitBytes;
  }

  static mib(n: number): MemoryBudget {
    return new MemoryBudget(n * 1024 * 1024);
  }

  /** The most kind `k` may hold. */
  share(k: StateKind): number {
    return Math.floor(this.limit * KIND_SHARE[k]);
  }

  /** Registers what can be released of kind `k`, in the order given (least useful first). */
  releaser(k: StateKind, release: Releaser): void {
    this.releasers.push({ kind: STATE_KINDS.indexOf(k), release });
  }

  /**
   * Takes `bytes` for kind `k`. When they do not fit, releasable state is released first (the
   * kind's own when its share is full, any kind's when the whole budget is); false when they
   * still do not fit: the caller does not keep the state, and counts it with `refuse`.
   */
  charge(k: StateKind, bytes: number): boolean {
    const i = STATE_KINDS.indexOf(k);
    if (this.held[i]! + bytes > this.limit * KIND_SHARE[k]) {
      if (!this.free(i, this.held[i]! + bytes - this.limit * KIND_SHARE[k], true)) return false;
    }
    if (this.used + bytes > this.limit && !this.free(i, this.used + bytes - this.limit, false)) return false;
    this.held[i]! += bytes;
    this.used += bytes;
    if (this.held[i]! > this.peak[i]!) this.peak[i] = this.held[i]!;
    return true;
  }

  /** Gives back `bytes` of kind `k`. */
  release(k: StateKind, bytes: number): void {
    const i = STATE_KINDS.indexOf(k);
    this.held[i]! -= bytes;
    this.used -= bytes;
  }

  /** Counts `n` items (or bytes) of kind `k` not kept, from the current frame (or `at`, when the state is older than it). */
  refuse(k: StateKind, n = 1, at: { frame: number; time: number } | null = null): void {
    const i = STATE_KINDS.indexOf(k);
    this.first(i);
    if (at !== null && (this.firstFrame[i] === 0 || at.frame < this.firstFrame[i]!)) { this.firstFrame[i] = at.frame; this.firstTime[i] = at.time; }
    this.notKept[i]! += n;
  }

  /** Counts `n` items (or bytes) of kind `k` released to make room, at the current frame. */
  released(k: StateKind, n = 1): void {
    const i = STATE_KINDS.indexOf(k);
    this.first(i);
    this.releasedCount[i]! += n;
  }

  /** Bytes kind `k` holds now. */
  holds(k: StateKind): number {
    return this.held[STATE_KINDS.indexOf(k)]!;
  }

  /** The kinds the budget refused or released anything of. */
  accounts(): KindAccount[] {
    const out: KindAccount[] = [];
    STATE_KINDS.forEach((kind, i) => {
      if (this.notKept[i] === 0 && this.releasedCount[i] === 0) return;
      out.push({
        kind, notKept: this.notKept[i]!, released: this.releasedCount[i]!, unit: kind === 'stream-buffers' ? 'bytes' : 'items',
        fromFrame: this.firstFrame[i]!, fromTime: this.firstTime[i]!, peakBytes: this.peak[i]!,
      });
    });
    return out;
  }

  private first(i: number): void {
    if (this.notKept[i] === 0 && this.releasedCount[i] === 0) { this.firstFrame[i] = this.frame; this.firstTime[i] = this.now(); }
  }

  /** Asks the releasers (of kind `i` only when `own`) to free `need` bytes; true when they did. */
  private free(i: number, need: number, own: boolean): boolean {
    if (this.releasing) return false;
    this.releasing = true;
    try {
      let freed = 0;
      for (const r of this.releasers) {
        if (own && r.kind !== i) continue;
        freed += r.release(need - freed);
        if (freed >= need) return true;
      }
      return false;
    } finally {
      this.releasing = false;
    }
  }
}
