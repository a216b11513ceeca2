/**
 * Opening a capture: pick the source (file, gzip, stdin, pipe), sniff the magic, hand the window
 * to the format's reader. Formats are chosen by magic bytes only, never by file name.
 *
 * Only a regular file is read with positioned reads. Anything else named on the command line (a
 * FIFO, `<(zcat x.pcap.gz)`, `/dev/stdin`, a character device, a socket) is a stream, read once
 * front to back like `-`: no seeking, no size, and the sniffed bytes are put back, not re-read.
 */
import { createReadStream, fstatSync, openSync, readSync, closeSync, statSync, type Stats } from 'node:fs';
import { constants as zlibConstants, createGunzip, gunzipSync, type Gunzip } from 'node:zlib';
import { Readable } from 'node:stream';
import type { ReadProblem } from '../model/read-problem.js';
import { BufferSource, ByteWindow, FileSource, StreamSource, DEFAULT_CHUNK, type ChunkSource } from './source.js';
import type { CaptureReader } from './reader.js';
import type { SpoolOptions } from './spool.js';
import { FORMATS, SNIFF_BYTES } from './detect.js';

/** Size of the classic pcap file header, the largest a reader parses before asking for more. */
const PCAP_FILE_HEADER = 24;
/** The smallest default window: a file that grows while it is read still gets sizeable reads. */
const SMALL_WINDOW = 64 * 1024;
/** Read size for pipes and devices: a Linux pipe holds 64 KiB; larger reads only allocate more. */
const STREAM_READ = 64 * 1024;
/** The largest file read and gunzip output chunk (each allocates one buffer of this size). */
const GZIP_CHUNK = 1 << 20;
/**
 * How many times its compressed size a small gzip capture is assumed to hold, to size its
 * buffers: pcap of RPC traffic compresses 3 to 10 times. A guess only sets buffer sizes; a
 * window too small for a record grows (ByteWindow.fill).
 */
const GZIP_RATIO_GUESS = 8;
/**
 * A gzip file up to this size is inflated in one synchronous call when it is whole and sound:
 * a stream would hop through the thread pool for every read, and a scan of small .gz traces
 * spent a fifth of its time waiting for those hops. A file that does not inflate cleanly
 * (cut, corrupt, larger than SYNC_GUNZIP_OUT) takes the streaming path, as a larger file does.
 */
const SYNC_GZIP_MAX = 256 * 1024;
const SYNC_GUNZIP_OUT = 16 * 1024 * 1024;

/** A capture ready to read. Call `close()` when done, whatever happened. */
export interface OpenedCapture {
  readonly reader: CaptureReader;
  readonly win: ByteWindow;
  readonly compression: 'gzip' | null;
  close(): void;
}

/** Where the capture comes from: a path (a file, FIFO, device...), or `-` for standard input. */
export type CaptureInput = string;

const GZIP_MAGIC_0 = 0x1f;
const GZIP_MAGIC_1 = 0x8b;

/** Options for tests and the benchmark. */
export interface OpenOptions {
  chunkSize?: number;
  /** Standard input stream, injectable for tests. */
  stdin?: AsyncIterable<Uint8Array>;
  /** Where a stream that must be read out of order (NetMon) is kept; tests lower the memory bound. */
  spool?: SpoolOptions;
}

/** Opens `input`, or returns the problem that prevents reading it at all. */
export async function openCapture(input: CaptureInput, opts: OpenOptions = {}): Promise<OpenedCapture | ReadProblem> {
  let chunk = opts.chunkSize ?? DEFAULT_CHUNK;
  let src: ChunkSource;
  let compression: 'gzip' | null = null;
  let fd: number | null = null;
  /** Bytes of a regular file, -1 for anything else. */
  let size = -1;
  /** A stream to read once, and how to let go of it; null for a regular file. */
  let stream: { data: AsyncIterable<Uint8Array>; close: () => void } | null = null;
  const stdin = (): { data: AsyncIterable<Uint8Array>; close: () => void } => ({
    data: opts.stdin ?? (process.stdin as AsyncIterable<Uint8Array>),
    close: () => {},
  });
  if (input === '-') {
    stream = stdin();
  } else {
    let st: Stats;
    try {
      // stat, not open: opening a FIFO blocks until a writer comes, and openSync would block
      // the whole process there.
      st = statSync(input);
    } catch (e) {
      return ioProblem(errnoText(e));
    }
    if (st.isDirectory()) return ioProblem('is a directory');
    if (!st.isFile()) {
      if (isStandardInput(st)) {
        // `/dev/stdin` (or `/dev/fd/0`) names our own standard input; when that is a socket
        // (stdin of a process spawned by Node or sshd), Linux refuses to open it by name (ENXIO).
        stream = stdin();
      } else {
        // Opened on libuv's thread pool: a FIFO without a writer yet does not stop the process.
        const rs = createReadStream(input, { highWaterMark: STREAM_READ });
        stream = { data: rs, close: () => rs.destroy() };
      }
    }
  }
  if (stream !== null) {
    let first: Awaited<ReturnType<typeof firstChunk>>;
    try {
      first = await firstChunk(stream.data);
    } catch (e) {
      stream.close();
      return ioProblem(errnoText(e));
    }
    const release = stream.close;
    if (first.head.length >= 2 && first.head[0] === GZIP_MAGIC_0 && first.head[1] === GZIP_MAGIC_1) {
      compression = 'gzip';
      const gunzip = gunzipKeepingTail(Readable.from(first.all));
      src = new StreamSource(gunzip, () => { gunzip.destroy(); release(); });
    } else {
      src = new StreamSource(first.all, release);
    }
  } else {
    try {
      fd = openSync(input, 'r');
      const st = fstatSync(fd);
      if (st.isDirectory()) {
        closeSync(fd);
        return ioProblem('is a directory');
      }
      size = st.isFile() ? st.size : -1;
    } catch (e) {
      if (fd !== null) closeSync(fd);
      return ioProblem(errnoText(e));
    }
    const magic = new Uint8Array(2);
    let n: number;
    try {
      n = readSync(fd, magic, 0, 2, 0);
    } catch (e) {
      closeSync(fd);
      return ioProblem(errnoText(e));
    }
    const inflated = n === 2 && magic[0] === GZIP_MAGIC_0 && magic[1] === GZIP_MAGIC_1 && size >= 0 && size <= SYNC_GZIP_MAX ? inflateSmall(fd, size) : null;
    if (inflated !== null) {
      compression = 'gzip';
      closeSync(fd);
      fd = null;
      src = new BufferSource(inflated);
      if (opts.chunkSize === undefined) chunk = Math.min(chunk, Math.max(SMALL_WINDOW, inflated.length));
    } else if (n === 2 && magic[0] === GZIP_MAGIC_0 && magic[1] === GZIP_MAGIC_1) {
      compression = 'gzip';
      // Buffers sized to the file: a folder of small .gz traces allocated three 1 MiB buffers
      // per file (read, gunzip, window), and the garbage collector spent a quarter of a scan
      // on them.
      const file = createReadStream('', { fd, autoClose: true, highWaterMark: Math.min(GZIP_CHUNK, Math.max(STREAM_READ, size)) });
      const out = Math.min(GZIP_CHUNK, Math.max(SMALL_WINDOW, size * GZIP_RATIO_GUESS));
      const gunzip = gunzipKeepingTail(file, out);
      if (opts.chunkSize === undefined) chunk = Math.min(chunk, out);
      src = new StreamSource(gunzip, () => { file.destroy(); gunzip.destroy(); });
      fd = null;
    } else {
      src = new FileSource(fd);
      // A small file needs no 1 MiB window (a folder of small traces paid for zeroing one each).
      if (opts.chunkSize === undefined && size >= 0) chunk = Math.min(chunk, Math.max(SMALL_WINDOW, size));
    }
  }

  const win = new ByteWindow(src, chunk);
  let reader: CaptureReader | null = null;
  const close = (): void => {
    reader?.close();
    src.close();
  };
  // Readers parse their fixed file header in the constructor (pcap's is 24 bytes): the window
  // must hold it even when the chunk size is smaller.
  win.want(Math.max(SNIFF_BYTES, PCAP_FILE_HEADER));
  await win.fill();
  const sourceError = (): ReadProblem => ({
    code: compression === 'gzip' ? 'decompress-error' : 'io-error',
    severity: 'error',
    offset: 0,
    message: `${compression === 'gzip' ? 'gzip' : 'read'}: ${win.error}`,
  });
  if (win.available() === 0) {
    close();
    if (win.error !== null) return sourceError();
    return { code: 'empty-file', severity: 'error', offset: 0, message: compression === 'gzip' ? 'the gzip stream decompresses to no bytes' : 'the file is empty (0 bytes)' };
  }
  // A stream that failed after some bytes (a truncated gzip) is still read up to the failure:
  // the reader reports the cut, the caller reports `win.error` next to it.
  for (const f of FORMATS) {
    if (f.sniff(win.buf, win.pos, win.available())) {
      reader = f.open(win, fd, opts.spool ?? {});
      return { reader, win, compression, close };
    }
  }
  if (win.error !== null) {
    close();
    return sourceError();
  }
  const head = Array.from(win.buf.subarray(win.pos, win.pos + Math.min(4, win.available())), (x) => x.toString(16).padStart(2, '0')).join(' ');
  close();
  return {
    code: 'not-a-capture',
    severity: 'error',
    offset: 0,
    message: `not a capture file: starts with ${head}, which is not the magic of pcap, pcapng or Network Monitor (${compression === 'gzip' ? 'after gunzip; ' : ''}formats are recognised by content, not by name)`,
  };

  function ioProblem(what: string): ReadProblem {
    return { code: 'io-error', severity: 'error', offset: 0, message: `cannot read: ${what}` };
  }
}

/** A small gzip file inflated whole, or null when it does not inflate cleanly within SYNC_GUNZIP_OUT. */
function inflateSmall(fd: number, size: number): Uint8Array | null {
  try {
    const compressed = new Uint8Array(size);
    let got = 0;
    while (got < size) {
      const k = readSync(fd, compressed, got, size - got, got);
      if (k === 0) return null;
      got += k;
    }
    return gunzipSync(compressed, { maxOutputLength: SYNC_GUNZIP_OUT });
  } catch {
    return null;
  }
}

/**
 * Gunzips `input`, keeping everything zlib can recover from a truncated stream. Node's zlib
 * inflates the last input chunk with Z_FINISH and drops that chunk's output when the stream
 * turns out to be cut (up to 1 MiB of compressed frames before the cut), so the input is
 * flushed with Z_SYNC_FLUSH first; only the final, empty Z_FINISH then fails.
 */
function gunzipKeepingTail(input: Readable, chunkSize = GZIP_CHUNK): Gunzip {
  const gunzip = createGunzip({ chunkSize });
  input.pipe(gunzip, { end: false });
  input.on('end', () => gunzip.flush(zlibConstants.Z_SYNC_FLUSH, () => gunzip.end()));
  input.on('error', (e) => gunzip.destroy(e));
  return gunzip;
}

/** True when `st` is the file behind our own standard input (fd 0). */
function isStandardInput(st: Stats): boolean {
  try {
    const s0 = fstatSync(0);
    return s0.dev === st.dev && s0.ino === st.ino;
  } catch {
    return false; // no fd 0
  }
}

function errnoText(e: unknown): string {
  if (e instanceof Error) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return 'no such file';
    if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
    if (code === 'EISDIR') return 'is a directory';
    return code !== undefined ? `${code}: ${e.message}` : e.message;
  }
  return String(e);
}

/**
 * Takes the first bytes of a stream (at least the 2 of a gzip magic, unless it ends sooner),
 * returning them and the stream with them put back. A pipe may deliver a single byte first.
 */
async function firstChunk(stream: AsyncIterable<Uint8Array>): Promise<{ head: Uint8Array; all: AsyncIterable<Uint8Array> }> {
  const it = stream[Symbol.asyncIterator]();
  const parts: Uint8Array[] = [];
  let have = 0;
  let done = false;
  while (have < 2) {
    const r = await it.next();
    if (r.done === true) { done = true; break; }
    parts.push(r.value);
    have += r.value.length;
  }
  let head: Uint8Array = parts[0] ?? new Uint8Array(0);
  if (parts.length > 1) {
    head = new Uint8Array(have);
    let o = 0;
    for (const p of parts) { head.set(p, o); o += p.length; }
  }
  async function* all(): AsyncGenerator<Uint8Array> {
    if (head.length > 0) yield head;
    if (done) return;
    for (;;) {
      const r = await it.next();
      if (r.done === true) return;
      yield r.value;
    }
  }
  return { head, all: all() };
}

