/**
 * Byte sources for capture readers. A reader sees one `ByteWindow`: a reused buffer over the
 * capture stream with a cursor. It never reads a whole file: the window holds one chunk plus
 * whatever record straddles the chunk boundary.
 */
import { closeSync, openSync, readSync } from 'node:fs';

/** Anything that can copy the next bytes of a stream into a buffer; 0 means end of stream. */
export interface ChunkSource {
  read(into: Uint8Array, at: number, max: number): number | Promise<number>;
  close(): void;
}

/** Reads a file with `readSync` straight into the window: no copy. */
export class FileSource implements ChunkSource {
  private pos = 0;
  constructor(private readonly fd: number) {}
  static open(path: string): FileSource {
    return new FileSource(openSync(path, 'r'));
  }
  read(into: Uint8Array, at: number, max: number): number {
    const n = readSync(this.fd, into, at, max, this.pos);
    this.pos += n;
    return n;
  }
  close(): void {
    closeSync(this.fd);
  }
}

/** Adapts an async stream of chunks (stdin, gunzip) to `ChunkSource`, copying into the window. */
export class StreamSource implements ChunkSource {
  private readonly it: AsyncIterator<Uint8Array>;
  private pending: Uint8Array | null = null;
  private pendingAt = 0;
  constructor(stream: AsyncIterable<Uint8Array>, private readonly onClose: () => void = () => {}) {
    this.it = stream[Symbol.asyncIterator]();
  }
  async read(into: Uint8Array, at: number, max: number): Promise<number> {
    while (this.pending === null || this.pendingAt >= this.pending.length) {
      const r = await this.it.next();
      if (r.done === true) return 0;
      this.pending = r.value;
      this.pendingAt = 0;
    }
    const n = Math.min(max, this.pending.length - this.pendingAt);
    into.set(this.pending.subarray(this.pendingAt, this.pendingAt + n), at);
    this.pendingAt += n;
    return n;
  }
  close(): void {
    this.onClose();
  }
}

/** An in-memory source, for tests and for the bytes already sniffed from a stream. */
export class BufferSource implements ChunkSource {
  private pos = 0;
  constructor(private readonly data: Uint8Array) {}
  read(into: Uint8Array, at: number, max: number): number {
    const n = Math.min(max, this.data.length - this.pos);
    into.set(this.data.subarray(this.pos, this.pos + n), at);
    this.pos += n;
    return n;
  }
  close(): void {}
}

/**
 * Default chunk. 1 MiB stays in the CPU cache while the reader walks it; 8 MiB did not, and
 * the analysis of the 1 GiB benchmark capture took ~25% more CPU with it (test/bench).
 * Syscalls and awaits per MiB are still noise.
 */
export const DEFAULT_CHUNK = 1024 * 1024;
/** No single record or block may make the window larger than this (a corrupt length must not allocate GiBs). */
export const MAX_WINDOW = 64 * 1024 * 1024;

/**
 * A sliding window over a `ChunkSource`. `buf[pos..end)` are unread bytes; `base` is the
 * stream offset of `buf[0]`. Readers check `available()` and either consume whole records or
 * ask for more with `want(n)` and return; the driver then awaits `fill()`.
 */
export class ByteWindow {
  buf: Uint8Array;
  pos = 0;
  end = 0;
  base = 0;
  /** True once the source returned end of stream. */
  eof = false;
  /** Bytes the reader asked to have available before it is called again (0: none). */
  wanted = 0;
  /** Why the source stopped early (a read or decompression error), or null. */
  error: string | null = null;

  constructor(private src: ChunkSource, private readonly chunk = DEFAULT_CHUNK) {
    this.buf = new Uint8Array(chunk);
  }

  /**
   * Starts over at stream offset 0 on `src`, a copy of the stream already read (a spool), for a
   * reader that must walk it front to back a second time. Keeps the buffer and `error` (the
   * first pass's source error still stands). The first source stays with whoever closes it.
   */
  restart(src: ChunkSource): void {
    this.src = src;
    this.pos = 0;
    this.end = 0;
    this.base = 0;
    this.eof = false;
    this.wanted = 0;
  }

  /** Unread bytes in the window. */
  available(): number {
    return this.end - this.pos;
  }

  /** Stream offset of the cursor. */
  offset(): number {
    return this.base + this.pos;
  }

  /** Records that the reader needs `n` bytes from the cursor; the driver must `fill()` next. */
  want(n: number): void {
    this.wanted = n;
  }

  /**
   * Reads until `wanted` bytes (at least one more chunk's worth) are available or the stream
   * ends. Compacts first; grows the buffer only when one record is larger than it.
   */
  async fill(): Promise<void> {
    const need = Math.max(this.wanted, 1);
    this.wanted = 0;
    if (this.eof) return;
    const keep = this.end - this.pos;
    if (need > this.buf.length) {
      const bigger = new Uint8Array(Math.min(MAX_WINDOW, Math.max(need, this.buf.length * 2)));
      bigger.set(this.buf.subarray(this.pos, this.end), 0);
      this.buf = bigger;
    } else if (this.pos > 0) {
      this.buf.copyWithin(0, this.pos, this.end);
    }
    this.base += this.pos;
    this.pos = 0;
    this.end = keep;
    // Fill the free space completely: fewer, larger reads.
    while (this.end < this.buf.length) {
      let n: number;
      try {
        n = await this.src.read(this.buf, this.end, this.buf.length - this.end);
      } catch (e) {
        // The bytes already read stay valid; the reader sees end of stream and the driver
        // reports this error next to whatever the reader says about the cut.
        this.error = e instanceof Error ? e.message : String(e);
        n = 0;
      }
      if (n === 0) {
        this.eof = true;
        break;
      }
      this.end += n;
      if (this.end - this.pos >= need && this.end >= this.chunk / 2) break;
    }
  }

  /** Skips `n` bytes, reading (and discarding) past the window when needed. */
  async skip(n: number): Promise<boolean> {
    while (n > 0) {
      const here = Math.min(n, this.available());
      this.pos += here;
      n -= here;
      if (n === 0) break;
      await this.fill();
      if (this.available() === 0) return false;
    }
    return true;
  }
}
