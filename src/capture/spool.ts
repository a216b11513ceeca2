/**
 * Random access to a stream that can be read once (gzip, standard input, a pipe). A format
 * whose order is given by an index at the end of the file (the NetMon frame table) copies the
 * stream here, then reads it like a file: in memory up to a bound, in a temporary file beyond.
 *
 * The temporary file is created private (0600) and unlinked at once where the system allows it
 * (POSIX; Windows when the file was opened with delete sharing, as libuv does), so it disappears
 * even when the process is killed; otherwise it is removed by `close()`.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChunkSource } from './source.js';

/**
 * Bytes kept in memory before the spool moves to a temporary file. 32 MiB holds a typical
 * support-case NetMon trace whole (the 1 MiB read chunk aside, the largest buffer rpctrace keeps);
 * larger captures cost disk space equal to their decompressed size, never more memory.
 */
export const SPOOL_MEMORY = 32 * 1024 * 1024;
/** Unit of the in-memory spool: memory use exceeds the bytes held by less than one block. */
const BLOCK = 1024 * 1024;

/** Where a spool keeps its bytes; tests lower the bound to exercise the file. */
export interface SpoolOptions {
  /** Bytes held in memory before spilling to a file (default `SPOOL_MEMORY`; 0: always a file). */
  memoryLimit?: number;
  /** Directory of the temporary file (default: the system's temporary directory). */
  dir?: string;
}

/** Positioned reads, as from a file descriptor. */
export interface RandomAccess {
  /** Copies up to `len` bytes at `pos` into `into[at..)`; fewer at the end. Throws on an I/O error. */
  readAt(into: Uint8Array, at: number, len: number, pos: number): number;
}

/** Positioned reads from an open file. */
export class FdAccess implements RandomAccess {
  constructor(private readonly fd: number) {}
  readAt(into: Uint8Array, at: number, len: number, pos: number): number {
    return readSync(this.fd, into, at, len, pos);
  }
}

/**
 * An append-only copy of a stream with positioned reads. `append` and `readAt` throw an Error
 * naming the temporary file and offset when the file cannot be created, written or read (a full
 * disk); the reader that owns the spool turns that into a read problem.
 */
export class Spool implements RandomAccess {
  /** Bytes held. */
  size = 0;
  private blocks: Uint8Array[] = [];
  private fd: number | null = null;
  /** The temporary file while it still has a name (unlink failed): removed by close(). */
  private path: string | null = null;
  private readonly memoryLimit: number;
  private readonly dir: string;

  constructor(opts: SpoolOptions = {}) {
    this.memoryLimit = opts.memoryLimit ?? SPOOL_MEMORY;
    this.dir = opts.dir ?? tmpdir();
  }

  /** True once the bytes live in a temporary file. */
  get spilled(): boolean {
    return this.fd !== null;
  }

  /** Appends `b[start, end)`. */
  append(b: Uint8Array, start: number, end: number): void {
    if (end <= start) return;
    if (this.fd === null && this.size + (end - start) > this.memoryLimit) this.spill();
    if (this.fd !== null) {
      this.write(b, start, end);
      return;
    }
    let at = start;
    while (at < end) {
      const used = this.size % BLOCK;
      if (used === 0) this.blocks.push(new Uint8Array(BLOCK));
      const blk = this.blocks[this.blocks.length - 1]!;
      const n = Math.min(end - at, blk.length - used);
      blk.set(b.subarray(at, at + n), used);
      at += n;
      this.size += n;
    }
  }

  readAt(into: Uint8Array, at: number, len: number, pos: number): number {
    const n = Math.max(0, Math.min(len, this.size - pos));
    if (this.fd !== null) {
      let got = 0;
      try {
        while (got < n) {
          const r = readSync(this.fd, into, at + got, n - got, pos + got);
          if (r === 0) break;
          got += r;
        }
      } catch (e) {
        throw new Error(`cannot read the temporary copy of the stream at offset ${pos + got}: ${errText(e)}`);
      }
      return got;
    }
    let got = 0;
    while (got < n) {
      const p = pos + got;
      const blk = this.blocks[Math.floor(p / BLOCK)]!;
      const o = p % BLOCK;
      const k = Math.min(n - got, blk.length - o);
      into.set(blk.subarray(o, o + k), at + got);
      got += k;
    }
    return got;
  }

  /** Frees the memory and removes the temporary file. Safe to call twice. */
  close(): void {
    this.blocks = [];
    if (this.fd !== null) {
      try { closeSync(this.fd); } catch { /* already closed */ }
      this.fd = null;
    }
    if (this.path !== null) {
      try { unlinkSync(this.path); } catch { /* already gone */ }
      this.path = null;
    }
  }

  /** Moves the bytes held in memory to a new temporary file. */
  private spill(): void {
    const path = join(this.dir, `rpctrace-spool-${process.pid}-${randomBytes(6).toString('hex')}`);
    try {
      // wx+: never reuse or follow an existing name; 0600: captures hold private traffic.
      this.fd = openSync(path, 'wx+', 0o600);
    } catch (e) {
      throw new Error(`cannot create a temporary file in ${this.dir} to hold the stream beyond ${this.memoryLimit} bytes: ${errText(e)}`);
    }
    this.path = path;
    try {
      unlinkSync(path);
      this.path = null;
    } catch {
      // Removed by close() instead.
    }
    const blocks = this.blocks;
    const size = this.size;
    this.blocks = [];
    this.size = 0;
    for (let i = 0; this.size < size; i++) {
      const blk = blocks[i]!;
      this.write(blk, 0, Math.min(blk.length, size - this.size));
    }
  }

  private write(b: Uint8Array, start: number, end: number): void {
    let at = start;
    try {
      while (at < end) {
        const n = writeSync(this.fd!, b, at, end - at, this.size);
        at += n;
        this.size += n;
      }
    } catch (e) {
      throw new Error(`cannot write the temporary copy of the stream at offset ${this.size}: ${errText(e)}`);
    }
  }
}

/** Reads a spool front to back, as a `ByteWindow` source. */
export class SpoolSource implements ChunkSource {
  private pos = 0;
  constructor(private readonly spool: Spool) {}
  read(into: Uint8Array, at: number, max: number): number {
    const n = this.spool.readAt(into, at, max, this.pos);
    this.pos += n;
    return n;
  }
  close(): void {}
}

function errText(e: unknown): string {
  if (e instanceof Error) {
    const code = (e as NodeJS.ErrnoException).code;
    return code !== undefined && !e.message.startsWith(code) ? `${code}: ${e.message}` : e.message;
  }
  return String(e);
}
