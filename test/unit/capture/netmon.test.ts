import { closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { openCapture, type OpenOptions } from '../../../src/capture/open.js';
import type { CaptureReader, FormatInfo } from '../../../src/capture/reader.js';
import { BufferSource, ByteWindow, FileSource } from '../../../src/capture/source.js';
import { SPOOL_MEMORY, type SpoolOptions } from '../../../src/capture/spool.js';
import { NETMON_UNMAPPED_BASE, NetmonReader, netmonLinkType } from '../../../src/capture/netmon.js';
import { READ_PROBLEM_CODES, type ReadProblem } from '../../../src/model/read-problem.js';
import { netmonMediaFor, writeNetmon, type NetmonFrame } from '../../../samples/gen/netmon-writer.js';
import { seededRandom } from '../../../samples/gen/frames.js';

// ---- helpers ---------------------------------------------------------------------------

/** Bytes from hex text; `#` starts a comment, whitespace is ignored. */
function hex(s: TemplateStringsArray): Uint8Array {
  const t = s.raw.join('').replace(/#.*$/gm, '').replace(/\s+/g, '');
  return Uint8Array.from(t.match(/../g) ?? [], (x) => parseInt(x, 16));
}

function cat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const zeros = (n: number): Uint8Array => new Uint8Array(n);

interface Frame {
  frame: number;
  tsSec: number;
  tsNsec: number;
  linkType: number;
  capLen: number;
  origLen: number;
  data: Uint8Array;
}

interface Got {
  frames: Frame[];
  problems: ReadProblem[];
  info: FormatInfo | null;
  format: string | null;
}

const tmp = mkdtempSync(join(tmpdir(), 'rpctrace-netmon-'));
let tmpN = 0;
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
  rmSync(spoolDir, { recursive: true, force: true });
});
function tmpFile(bytes: Uint8Array, ext = '.cap', name = `f${tmpN++}`): string {
  const p = join(tmp, `${name}${ext}`);
  writeFileSync(p, bytes);
  return p;
}

/** Pulls every record, as forEachRecord does, but fails instead of hanging. */
async function drain(reader: CaptureReader, win: ByteWindow): Promise<Frame[]> {
  const frames: Frame[] = [];
  for (let calls = 0; ; calls++) {
    if (calls > 2_000_000) throw new Error('reader does not terminate');
    const r = reader.next();
    if (r !== null) {
      if (r.off + r.capLen > r.buf.length) throw new Error(`frame ${r.frame} runs past its buffer`);
      frames.push({
        frame: r.frame,
        tsSec: r.tsSec,
        tsNsec: r.tsNsec,
        linkType: r.linkType,
        capLen: r.capLen,
        origLen: r.origLen,
        data: r.buf.slice(r.off, r.off + r.capLen),
      });
      continue;
    }
    if (win.wanted > 0) {
      await win.fill();
      continue;
    }
    // Done means done: asking again changes nothing.
    expect(reader.next()).toBeNull();
    expect(win.wanted).toBe(0);
    return frames;
  }
}

async function readInput(input: string, opts: OpenOptions = {}): Promise<Got> {
  const o = await openCapture(input, opts);
  if (!('reader' in o)) return { frames: [], problems: [o], info: null, format: null };
  try {
    const frames = await drain(o.reader, o.win);
    return { frames, problems: o.reader.problems, info: o.reader.info, format: o.reader.format };
  } finally {
    o.close();
  }
}

/** fd path, through openCapture on a temp file. */
const readFile = (bytes: Uint8Array): Promise<Got> => readInput(tmpFile(bytes));

/** Stream path: gzip file, so openCapture gives the reader no fd. */
const readGzip = (bytes: Uint8Array, opts: OpenOptions = {}): Promise<Got> => readInput(tmpFile(gzipSync(bytes), '.cap.gz'), opts);

/** Stream path: standard input in pieces of `piece` bytes. */
function readStdin(bytes: Uint8Array, piece: number, opts: OpenOptions = {}): Promise<Got> {
  async function* pieces(): AsyncGenerator<Uint8Array> {
    for (let i = 0; i < bytes.length; i += piece) yield bytes.slice(i, i + piece);
  }
  return readInput('-', { ...opts, stdin: pieces() });
}

/** The reader alone over a small window: stream mode (`fd` null) or fd mode. */
async function readDirect(bytes: Uint8Array, chunk: number, withFd: boolean, name?: string, spool: SpoolOptions = {}): Promise<Got> {
  let fd: number | null = null;
  let win: ByteWindow;
  if (withFd) {
    fd = openSync(tmpFile(bytes, '.cap', name), 'r');
    win = new ByteWindow(new FileSource(fd), chunk);
  } else {
    win = new ByteWindow(new BufferSource(bytes), chunk);
  }
  try {
    const reader = new NetmonReader(win, fd, spool);
    try {
      const frames = await drain(reader, win);
      return { frames, problems: reader.problems, info: reader.info, format: reader.format };
    } finally {
      reader.close();
    }
  } finally {
    if (fd !== null) closeSync(fd);
  }
}

/** Spool directory of the tests that make the spool spill; must be empty after every read. */
const spoolDir = mkdtempSync(join(tmpdir(), 'rpctrace-spool-test-'));
/** Spool options that move a stream to a temporary file after `memoryLimit` bytes. */
const spill = (memoryLimit: number): OpenOptions => ({ spool: { memoryLimit, dir: spoolDir } });

/** Every way into the reader, by name. */
const PATHS: Record<string, (b: Uint8Array) => Promise<Got>> = {
  'file (fd)': readFile,
  'fd, 256-byte window': (b) => readDirect(b, 256, true),
  'gzip file (stream)': readGzip,
  'stdin in 7-byte pieces': (b) => readStdin(b, 7),
  'stream, 256-byte window': (b) => readDirect(b, 256, false),
  'gzip, spilled to a file at once': (b) => readGzip(b, spill(0)),
  'stdin in 13-byte pieces, spilled after 1000 bytes': (b) => readStdin(b, 13, spill(1000)),
};

function expectFrames(got: Frame[], want: readonly NetmonFrame[], linkType = 1): void {
  expect(got.length).toBe(want.length);
  got.forEach((g, i) => {
    const w = want[i]!;
    expect(g.frame).toBe(i + 1);
    expect([g.tsSec, g.tsNsec]).toEqual([w.tsSec, w.tsNsec]);
    expect(g.linkType).toBe(linkType);
    expect(g.capLen).toBe(w.data.length);
    expect(g.origLen).toBe(w.origLen ?? w.data.length);
    // Buffer.compare: deep equality of 70 KB arrays element by element is slow.
    expect(Buffer.compare(g.data, w.data), `frame ${i + 1} bytes`).toBe(0);
  });
}

/** Frames with their bytes as hex: toEqual on 70 KB Uint8Arrays compares element by element, slowly. */
const comparable = (g: Got): (Omit<Frame, 'data'> & { data: string })[] => g.frames.map((f) => ({ ...f, data: Buffer.from(f.data).toString('hex') }));

const errors = (g: Got): ReadProblem[] => g.problems.filter((p) => p.severity === 'error');
const warnings = (g: Got): ReadProblem[] => g.problems.filter((p) => p.severity === 'warning');

function payload(n: number, seed: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (seed * 31 + i * 7) & 0xff;
  return b;
}

/** Six frames: empty, tiny, cut short (origLen > capLen), one over a second boundary, one large. */
const FRAMES: NetmonFrame[] = [
  { tsSec: 1714558830, tsNsec: 123_456_000, data: payload(60, 1) },
  { tsSec: 1714558830, tsNsec: 123_457_000, data: payload(0, 2) },
  { tsSec: 1714558830, tsNsec: 999_999_000, data: payload(1, 3) },
  { tsSec: 1714558831, tsNsec: 0, data: payload(96, 4), origLen: 1514 },
  { tsSec: 1714558900, tsNsec: 500_000, data: payload(70_000, 5) },
  { tsSec: 1714558900, tsNsec: 501_000, data: payload(54, 6) },
];
const FILE = writeNetmon(FRAMES, 1);
const dv = (b: Uint8Array): DataView => new DataView(b.buffer, b.byteOffset, b.byteLength);
const TABLE_OFF = dv(FILE).getUint32(24, true);
/** File offset of each record, from the frame table. */
const OFFSETS = FRAMES.map((_, i) => dv(FILE).getUint32(TABLE_OFF + i * 4, true));

// ---- writer and round trip -------------------------------------------------------------

describe('writeNetmon', () => {
  it('writes the 2.1 layout: 128-byte header, records with a media trailer, table last', () => {
    const v = dv(FILE);
    expect(Array.from(FILE.subarray(0, 4))).toEqual([0x47, 0x4d, 0x42, 0x55]); // GMBU
    expect([FILE[5], FILE[4]]).toEqual([2, 1]); // version 2.1
    expect(v.getUint16(6, true)).toBe(1);
    // SYSTEMTIME of the first frame cut to ms: 2024-05-01 (Wednesday) 10:20:30.123
    expect([8, 10, 12, 14, 16, 18, 20, 22].map((o) => v.getUint16(o, true))).toEqual([2024, 5, 3, 1, 10, 20, 30, 123]);
    expect(v.getUint32(28, true)).toBe(FRAMES.length * 4);
    expect(TABLE_OFF + FRAMES.length * 4).toBe(FILE.length);
    expect(OFFSETS[0]).toBe(128);
    // Frame 1: delta 456 us, lengths 60, data, then media type 1.
    expect(v.getBigUint64(128, true)).toBe(456n);
    expect([v.getUint32(136, true), v.getUint32(140, true)]).toEqual([60, 60]);
    expect(v.getUint16(128 + 16 + 60, true)).toBe(1);
    expect(OFFSETS[1]).toBe(128 + 16 + 60 + 2);
  });

  it('maps link types to NetMon media types and back', () => {
    for (const [lt, media] of [[1, 1], [6, 2], [10, 3], [101, 9], [113, 0xe071], [0, 0xe000], [276, 0xe114]] as const) {
      expect(netmonMediaFor(lt)).toBe(media);
      expect(netmonLinkType(media)).toBe(lt);
      const f = writeNetmon([FRAMES[0]!], lt);
      expect(dv(f).getUint16(128 + 16 + 60, true)).toBe(media);
    }
    // 0xE080..0xE08A are Message Analyzer types, and 12 bits is all the 0xE000 form holds.
    expect(() => netmonMediaFor(0x80)).toThrow(RangeError);
    expect(() => netmonMediaFor(0x8a)).toThrow(RangeError);
    expect(() => netmonMediaFor(0x1000)).toThrow(RangeError);
  });

  it('is deterministic', () => {
    expect(writeNetmon(FRAMES, 1)).toEqual(FILE);
  });

  it('stores records in `fileOrder` while the table lists the frames in order', () => {
    const f = writeNetmon(FRAMES, 1, { fileOrder: [5, 3, 0, 1, 4, 2] });
    expect(f.length).toBe(FILE.length);
    const v = dv(f);
    const table = FRAMES.map((_, i) => v.getUint32(TABLE_OFF + i * 4, true));
    // Frame 6 (54 bytes) comes first in the file, frame 4 (96 bytes) second, frame 1 third.
    expect(table[5]).toBe(128);
    expect(table[3]).toBe(128 + 16 + 54 + 2);
    expect(table[0]).toBe(128 + 16 + 54 + 2 + 16 + 96 + 2);
    table.forEach((off, i) => {
      expect(v.getUint32(off + 12, true)).toBe(FRAMES[i]!.data.length);
      expect(Buffer.compare(f.subarray(off + 16, off + 16 + FRAMES[i]!.data.length), FRAMES[i]!.data)).toBe(0);
    });
    expect(() => writeNetmon(FRAMES, 1, { fileOrder: [0, 1, 2, 3, 4, 4] })).toThrow(RangeError);
    expect(() => writeNetmon(FRAMES, 1, { fileOrder: [0, 1] })).toThrow(RangeError);
  });
});

describe('NetMon round trip through the writer', () => {
  for (const [name, read] of Object.entries(PATHS)) {
    it(`reads back every frame: ${name}`, async () => {
      const g = await read(FILE);
      expect(g.format).toBe('netmon');
      expect(g.problems).toEqual([]);
      expect(g.info).toEqual({ byteOrder: 'little', timestampResolution: 'us', version: '2.1', snaplen: 0, sections: 1 });
      expectFrames(g.frames, FRAMES);
    });
  }

  it('keeps link types through the 0xE000 "converted pcap" media form', async () => {
    for (const lt of [101, 113, 276]) {
      const g = await readFile(writeNetmon(FRAMES.slice(0, 2), lt));
      expectFrames(g.frames, FRAMES.slice(0, 2), lt);
    }
  });

  it('reads a frame dated before the capture start (negative delta)', async () => {
    // The writer takes the first frame as the start; the second is 2.5 s earlier, so its u64
    // delta wraps, and NetMon reads it as signed after multiplying by 10 (netmon.c).
    const frames: NetmonFrame[] = [
      { tsSec: 1714558830, tsNsec: 0, data: payload(4, 1) },
      { tsSec: 1714558827, tsNsec: 500_000_000, data: payload(4, 2) },
    ];
    const f = writeNetmon(frames, 1);
    expect(dv(f).getBigInt64(128 + 16 + 4 + 2, true)).toBe(-2_500_000n);
    for (const read of Object.values(PATHS)) expectFrames((await read(f)).frames, frames);
  });

  it('follows a table of 70000 frames across table chunks and cache refills', async () => {
    const frames: NetmonFrame[] = [];
    for (let i = 0; i < 70_000; i++) frames.push({ tsSec: 1714558830 + Math.floor(i / 1000), tsNsec: (i % 1000) * 1000, data: payload(1 + (i % 5), i) });
    const f = writeNetmon(frames, 1);
    for (const withFd of [true, false]) {
      const g = await readDirect(f, 4096, withFd);
      expect(g.problems).toEqual([]);
      expect(g.frames.length).toBe(frames.length);
      // One expect per frame is slow at this count: collect the mismatches instead.
      const bad = g.frames.filter((x, i) => {
        const w = frames[i]!;
        return x.frame !== i + 1 || x.tsSec !== w.tsSec || x.tsNsec !== w.tsNsec || x.capLen !== w.data.length || x.data[0] !== w.data[0];
      });
      expect(bad).toEqual([]);
    }
  });
});

// ---- frame table out of file order -----------------------------------------------------

describe('NetMon frame table out of file order', () => {
  /** The records of FRAMES stored backwards, shuffled, and with the big frame first. */
  const ORDERS: readonly (readonly number[])[] = [[5, 4, 3, 2, 1, 0], [2, 0, 5, 1, 3, 4], [4, 0, 1, 2, 3, 5]];

  it('gives the frames in table order, identical from a file, gzip, stdin in pieces and a spilled spool', async () => {
    for (const fileOrder of ORDERS) {
      const f = writeNetmon(FRAMES, 1, { fileOrder });
      const plain = await readFile(f);
      expect(plain.problems).toEqual([]);
      expectFrames(plain.frames, FRAMES);
      const want = comparable(plain);
      for (const [name, read] of Object.entries(PATHS)) {
        const g = await read(f);
        expect(g.problems, `${fileOrder} ${name}`).toEqual([]);
        expect(comparable(g), `${fileOrder} ${name}`).toEqual(want);
      }
      // gzip read from standard input, one small piece at a time.
      const z = await readStdin(gzipSync(f), 5, spill(4096));
      expect(z.problems).toEqual([]);
      expect(comparable(z)).toEqual(want);
    }
    expect(readdirSync(spoolDir)).toEqual([]);
  }, 30_000);

  it('follows a shuffled table of 70000 frames in a stream spilled to a file as it does in the file', async () => {
    const n = 70_000;
    const frames: NetmonFrame[] = [];
    for (let i = 0; i < n; i++) frames.push({ tsSec: 1714558830 + Math.floor(i / 1000), tsNsec: (i % 1000) * 1000, data: payload(1 + (i % 50), i) });
    const order = Array.from({ length: n }, (_, i) => i);
    const rnd = seededRandom(7);
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(rnd() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    const f = writeNetmon(frames, 1, { fileOrder: order });
    const plain = await readFile(f);
    expect(plain.problems).toEqual([]);
    expect(plain.frames.length).toBe(n);
    const sameAsPlain = (g: Got): number[] =>
      g.frames.flatMap((x, i) => {
        const w = plain.frames[i]!;
        return x.frame === w.frame && x.tsSec === w.tsSec && x.tsNsec === w.tsNsec && Buffer.compare(x.data, w.data) === 0 ? [] : [i + 1];
      });
    for (const g of [await readGzip(f, spill(64 * 1024)), await readStdin(f, 4093, spill(0)), await readDirect(f, 4096, false, undefined, { memoryLimit: 100_000, dir: spoolDir })]) {
      expect(g.problems).toEqual([]);
      expect(g.frames.length).toBe(n);
      expect(sameAsPlain(g)).toEqual([]);
    }
    expect(readdirSync(spoolDir)).toEqual([]);
  }, 30_000);

  it('holds a stream in memory up to the bound, and only beyond it needs the temporary directory', async () => {
    const f = writeNetmon(FRAMES, 1, { fileOrder: ORDERS[0]! });
    const nowhere = join(tmp, 'no-such-dir');
    // FILE is ~70 KB: far below the default bound, so the missing directory is never touched.
    expect(f.length).toBeLessThan(SPOOL_MEMORY);
    const inMemory = await readGzip(f, { spool: { dir: nowhere } });
    expect(inMemory.problems).toEqual([]);
    expectFrames(inMemory.frames, FRAMES);
    // Past a 1000-byte bound the spool needs a file, cannot create one, and says so: no frame is
    // read in an order that could differ from the table's.
    const g = await readGzip(f, { spool: { memoryLimit: 1000, dir: nowhere } });
    expect(g.frames).toEqual([]);
    expect(g.problems).toHaveLength(1);
    expect(g.problems[0]).toMatchObject({ code: 'io-error', severity: 'error', offset: 0 });
    expect(g.problems[0]!.message).toMatch(new RegExp(`^netmon: cannot create a temporary file in ${nowhere} to hold the stream beyond 1000 bytes: ENOENT.*; a stream is copied to follow its frame table \\(offset ${TABLE_OFF}\\); decompress the file, or point TMPDIR at a directory with room$`));
  });

  it('removes the temporary file when reading stops with an error, and never touches the input', async () => {
    const f = writeNetmon(FRAMES, 1, { fileOrder: ORDERS[1]! });
    const gz = gzipSync(f);
    const cut = gz.subarray(0, Math.floor(gz.length * 0.6));
    const path = tmpFile(cut, '.cap.gz');
    const g = await readInput(path, spill(0));
    expect(errors(g).length).toBe(1);
    expect(readdirSync(spoolDir)).toEqual([]);
    expect(Buffer.compare(readFileSync(path), cut)).toBe(0);
  });
});

// ---- hand-made files of other versions --------------------------------------------------

const START = Date.UTC(2024, 4, 1, 10, 20, 30) / 1000; // 1714558830

describe('NetMon versions other than 2.1', () => {
  it('reads 1.x ("RTSS"): millisecond deltas, 16-bit lengths, file media type', async () => {
    const f = cat(
      hex`52 54 53 53  01 01  01 00                          # "RTSS", version 1.1, media 1 (Ethernet)
          e8 07 05 00 03 00 01 00 0a 00 14 00 1e 00 7b 00  # SYSTEMTIME 2024-05-01 Wed 10:20:30.123
          8c 00 00 00  04 00 00 00                          # frame table at 140, 4 bytes`,
      zeros(128 - 32),
      hex`dc 05 00 00  40 00  04 00  de ad be ef            # +1500 ms, orig 64, incl 4, data
          80 00 00 00                                       # frame table: 128`,
    );
    for (const read of Object.values(PATHS)) {
      const g = await read(f);
      expect(g.problems).toEqual([]);
      expect(g.info?.version).toBe('1.1');
      expect(g.info?.timestampResolution).toBe('10^-3 s');
      expect(g.frames).toEqual([
        { frame: 1, tsSec: START + 1, tsNsec: 623_000_000, linkType: 1, capLen: 4, origLen: 64, data: hex`de ad be ef` },
      ]);
    }
  });

  it('reads 2.0: no trailer, media type from the header (9: raw IP)', async () => {
    const f = cat(
      hex`47 4d 42 55  00 02  09 00                          # "GMBU", version 2.0, media 9 (raw IP frames)
          e8 07 05 00 03 00 01 00 0a 00 14 00 1e 00 00 00  # SYSTEMTIME 2024-05-01 10:20:30.000
          94 00 00 00  04 00 00 00                          # frame table at 148, 4 bytes`,
      zeros(128 - 32),
      hex`07 00 00 00 01 00 00 00                          # delta 2^32 + 7 us
          04 00 00 00  04 00 00 00  45 00 00 04            # orig 4, incl 4, data
          80 00 00 00                                       # frame table: 128`,
    );
    for (const read of Object.values(PATHS)) {
      const g = await read(f);
      expect(g.problems).toEqual([]);
      expect(g.frames).toEqual([
        { frame: 1, tsSec: START + 4294, tsNsec: 967_303_000, linkType: 101, capLen: 4, origLen: 4, data: hex`45 00 00 04` },
      ]);
    }
  });

  it('reads 2.3: the per-frame UTC FILETIME replaces start + delta', async () => {
    const f = cat(
      hex`47 4d 42 55  03 02  01 00                          # "GMBU", version 2.3, media 1
          e8 07 05 00 03 00 01 00 0a 00 14 00 1e 00 00 00  # SYSTEMTIME 2024-05-01 10:20:30.000
          a3 00 00 00  04 00 00 00                          # frame table at 163, 4 bytes`,
      zeros(128 - 32),
      hex`05 00 00 00 00 00 00 00  04 00 00 00  04 00 00 00 # delta 5 us (not used), orig 4, incl 4
          01 02 03 04                                       # data
          01 00                                             # trailer: media 1
          ff ff ff ff                                       #   process info index
          87 81 67 31 b1 9b da 01                           #   FILETIME 2024-05-01T10:20:30.1234567Z
          00                                                #   time zone index
          80 00 00 00                                       # frame table: 128`,
    );
    for (const read of Object.values(PATHS)) {
      const g = await read(f);
      expect(g.problems).toEqual([]);
      expect(g.info?.timestampResolution).toBe('10^-7 s');
      expect(g.frames.map((x) => [x.tsSec, x.tsNsec, x.capLen])).toEqual([[START, 123_456_700, 4]]);
    }
  });

  it('refuses major version 3 with a bad-header error', async () => {
    const f = FILE.slice();
    f[5] = 3;
    const g = await readFile(f);
    expect(g.frames).toEqual([]);
    expect(g.problems).toEqual([{ code: 'bad-header', severity: 'error', offset: 5, message: 'netmon: major version 3 unsupported (version 3.1; 1.x and 2.x are known)' }]);
  });
});

// ---- media types and metadata ----------------------------------------------------------

describe('NetMon media types', () => {
  it('maps media types to link types as netmon.c does', () => {
    const U = NETMON_UNMAPPED_BASE;
    const want: [number, number][] = [
      [0, 1], [1, 1], [2, 6], [3, 10], [4, U + 4], [5, U + 5], [6, U + 6], [7, 101], [8, 101], [9, 101],
      [10, U + 10], [11, U + 11], [12, U + 12],
      [0xe001, 1], [0xe071, 113], [0xe080, 105], [0xe083, U + 0xe083], [0xe08a, U + 0xe08a], [0xe08b, 0x8b],
      [0xffe0, U + 0xffe0], [0xffff, U + 0xffff],
    ];
    for (const [media, lt] of want) expect([media, netmonLinkType(media)]).toEqual([media, lt]);
  });

  it('skips payload-header, network-info and DNS-cache records without numbering them', async () => {
    const f = FILE.slice();
    const trailerOf = (i: number): number => OFFSETS[i]! + 16 + FRAMES[i]!.data.length;
    dv(f).setUint16(trailerOf(1), 0xfffd, true); // network info: skipped
    dv(f).setUint16(trailerOf(2), 0xfffe, true); // DNS cache: skipped
    dv(f).setUint16(trailerOf(3), 0xffff, true); // capture filter: a frame in Wireshark
    dv(f).setUint16(trailerOf(5), 0x0009, true); // raw IP
    for (const read of Object.values(PATHS)) {
      const g = await read(f);
      expect(g.problems).toEqual([]);
      expect(g.frames.map((x) => [x.frame, x.capLen, x.linkType])).toEqual([
        [1, 60, 1],
        [2, 96, NETMON_UNMAPPED_BASE + 0xffff],
        [3, 70_000, 1],
        [4, 54, 101],
      ]);
    }
  });
});

// ---- damaged files ---------------------------------------------------------------------

describe('NetMon damaged files', () => {
  it('reads an empty capture (header only) as no frames and no problems', async () => {
    const f = writeNetmon([], 1);
    expect(f.length).toBe(128);
    for (const read of Object.values(PATHS)) {
      const g = await read(f);
      expect(g.frames).toEqual([]);
      expect(g.problems).toEqual([]);
      expect(g.info?.version).toBe('2.1');
    }
    // The 64 bytes of fields alone are enough when the table is empty.
    expect((await readFile(f.subarray(0, 64))).problems).toEqual([]);
  });

  it('reports a file cut inside the header', async () => {
    for (const read of Object.values(PATHS)) {
      const g = await read(FILE.subarray(0, 40));
      expect(g.frames).toEqual([]);
      expect(g.problems).toEqual([{ code: 'truncated-record', severity: 'error', offset: 0, message: 'netmon: file ends inside the 64-byte file header (40 bytes present)' }]);
    }
  });

  it('returns the frames before a cut inside a frame, then a truncated-record error', async () => {
    const cut = OFFSETS[4]! + 1000; // inside the large fifth frame; the table is lost
    const f = FILE.subarray(0, cut);
    for (const [name, read] of Object.entries(PATHS)) {
      const g = await read(f);
      expectFrames(g.frames, FRAMES.slice(0, 4));
      const e = errors(g);
      expect(e, name).toEqual([{ code: 'truncated-record', severity: 'error', offset: OFFSETS[4], message: `netmon: file ends inside the record at offset ${OFFSETS[4]} (1000 bytes present); 4 frame(s) read in file order` }]);
      expect(g.problems.at(-1)).toBe(e[0]);
      // A stream is spooled to its end first, so it knows the table is lost as a file does.
      expect(warnings(g).map((p) => p.message), name).toEqual([
        `netmon: the frame table (offset ${TABLE_OFF}, 24 bytes) runs past the end of the file (${cut} bytes), so the file was cut short; frames are read in file order from offset 128`,
      ]);
    }
  });

  it('returns every frame when the cut falls between the frames and the table', async () => {
    for (const read of Object.values(PATHS)) {
      const g = await read(FILE.subarray(0, TABLE_OFF));
      expectFrames(g.frames, FRAMES);
      expect(errors(g).map((p) => p.message)).toEqual([`netmon: file ends at offset ${TABLE_OFF}, where the frame table should start (6 entries); 6 frame(s) read in file order`]);
    }
  });

  it('returns every frame when the cut falls inside the table', async () => {
    for (const read of Object.values(PATHS)) {
      const g = await read(FILE.subarray(0, TABLE_OFF + 10));
      expectFrames(g.frames, FRAMES);
      expect(errors(g).map((p) => p.message)).toEqual([`netmon: file ends inside the frame table at offset ${TABLE_OFF + 10} (2 of 6 entries present); 6 frame(s) read in file order`]);
    }
  });

  it('skips a frame table entry that points past the end of the file, and goes on', async () => {
    const f = FILE.slice();
    dv(f).setUint32(TABLE_OFF + 4, 999_999, true); // entry 2
    for (const [name, read] of Object.entries(PATHS)) {
      const g = await read(f);
      expectFrames(g.frames, [FRAMES[0]!, ...FRAMES.slice(2)]);
      expect(g.problems, name).toEqual([
        { code: 'bad-frame-table', severity: 'warning', offset: TABLE_OFF + 4, message: `netmon: frame table entry 2 points at offset 999999, past the end of the file (${f.length} bytes); entry skipped` },
      ]);
    }
  });

  it('skips entries inside the header, with an impossible length, or running past the end', async () => {
    const f = FILE.slice();
    const v = dv(f);
    v.setUint32(TABLE_OFF + 0, 12, true); // inside the header
    v.setUint32(OFFSETS[2]! + 12, 0x7fffffff, true); // captured length of frame 3
    v.setUint32(TABLE_OFF + 20, TABLE_OFF + 8, true); // a "record" inside the table runs past the end
    const g = await readFile(f);
    expect(g.frames.map((x) => x.capLen)).toEqual([0, 96, 70_000]);
    expect(g.frames.map((x) => x.frame)).toEqual([1, 2, 3]);
    expect(g.problems.map((p) => [p.code, p.severity, p.offset])).toEqual([
      ['bad-frame-table', 'warning', TABLE_OFF],
      ['bad-record-length', 'warning', TABLE_OFF + 8],
      ['bad-frame-table', 'warning', TABLE_OFF + 20],
    ]);
    expect(g.problems[1]!.message).toBe(`netmon: frame at offset ${OFFSETS[2]} (table entry 3) has captured length 2147483647, larger than any real frame (16777216); entry skipped`);
  });

  it('numbers frames in table order whatever the input path (a swapped pair)', async () => {
    const f = FILE.slice();
    const v = dv(f);
    v.setUint32(TABLE_OFF + 0, OFFSETS[1]!, true);
    v.setUint32(TABLE_OFF + 4, OFFSETS[0]!, true);
    const swapped = [FRAMES[1]!, FRAMES[0]!, ...FRAMES.slice(2)];
    for (const [name, read] of Object.entries(PATHS)) {
      const g = await read(f);
      expect(g.problems, name).toEqual([]);
      expectFrames(g.frames, swapped);
    }
  });

  it('in a cut file, skips from a record of impossible length to the table', async () => {
    const f = FILE.slice(0, TABLE_OFF + 10);
    dv(f).setUint32(OFFSETS[3]! + 12, 0x01000001, true); // 16 MiB + 1
    for (const [name, read] of Object.entries(PATHS)) {
      const g = await read(f);
      expectFrames(g.frames, FRAMES.slice(0, 3));
      expect(g.problems.map((p) => [p.code, p.severity, p.offset]), name).toEqual([
        ['bad-frame-table', 'warning', 24],
        ['bad-record-length', 'warning', OFFSETS[3]],
        ['truncated-record', 'error', TABLE_OFF + 10],
      ]);
    }
  });

  it('stops with an error, not an empty capture, when every frame table entry is unusable', async () => {
    const f = FILE.slice();
    const v = dv(f);
    for (const i of [0, 1, 2]) v.setUint32(TABLE_OFF + i * 4, 999_999 + i, true); // past the end
    v.setUint32(TABLE_OFF + 12, 40, true); // inside the header
    v.setUint32(OFFSETS[4]! + 12, 0x7fffffff, true); // entry 5: impossible captured length
    v.setUint32(TABLE_OFF + 20, TABLE_OFF + 8, true); // entry 6: a "record" running past the end
    for (const [name, read] of Object.entries(PATHS)) {
      const g = await read(f);
      expect(g.frames, name).toEqual([]);
      expect(g.problems.map((p) => [p.code, p.severity]), name).toEqual([
        ['bad-frame-table', 'warning'],
        ['bad-frame-table', 'warning'],
        ['bad-frame-table', 'warning'],
        ['bad-record-length', 'warning'],
        ['bad-frame-table', 'warning'], // "2 more like the above (5 in all)"
        ['bad-frame-table', 'error'],
      ]);
      expect(g.problems[4]!.message).toBe('2 more like the above (5 in all)');
      expect(g.problems.at(-1), name).toEqual({
        code: 'bad-frame-table', severity: 'error', offset: TABLE_OFF,
        message: `netmon: all 6 frame table entries (table at offset ${TABLE_OFF}) are unusable, so no frame can be read; see the warnings above for why`,
      });
    }
  });

  it('reads the usable entries with warnings, and no error, when only some are bad', async () => {
    const f = FILE.slice();
    for (const i of [0, 2, 3, 4, 5]) dv(f).setUint32(TABLE_OFF + i * 4, 999_999, true);
    for (const [name, read] of Object.entries(PATHS)) {
      const g = await read(f);
      expectFrames(g.frames, [FRAMES[1]!]);
      expect(errors(g), name).toEqual([]);
      expect(warnings(g).length, name).toBe(4); // 3 listed + "2 more like the above"
    }
  });

  it('is not an error when every entry points at a metadata record Wireshark skips', async () => {
    const f = FILE.slice();
    FRAMES.forEach((fr, i) => dv(f).setUint16(OFFSETS[i]! + 16 + fr.data.length, 0xfffe, true)); // DNS cache
    for (const read of Object.values(PATHS)) {
      const g = await read(f);
      expect(g.frames).toEqual([]);
      expect(g.problems).toEqual([]);
    }
  });

  it('reads a frame table length that is not a multiple of 4 by whole entries', async () => {
    const f = FILE.slice();
    dv(f).setUint32(28, 6 * 4 - 1, true);
    const g = await readFile(f);
    expectFrames(g.frames, FRAMES.slice(0, 5));
    expect(g.problems.map((p) => p.message)).toEqual(['netmon: frame table length is 23, which is not a multiple of 4; the last 3 bytes are ignored']);
  });
});

// ---- fuzz ------------------------------------------------------------------------------

function mutate(src: Uint8Array, seed: number): Uint8Array {
  const r = seededRandom(seed);
  const int = (n: number): number => Math.floor(r() * n);
  const f = src.slice();
  const v = dv(f);
  switch (seed % 5) {
    case 0: // cut anywhere
      return f.slice(0, int(f.length));
    case 1: // flip a few bytes anywhere
      for (let k = 1 + int(4); k > 0; k--) {
        const at = int(f.length);
        f[at] = f[at]! ^ (1 << int(8));
      }
      return f;
    case 2: { // a random word in the header's fields
      const o = 4 + 2 * int(30);
      v.setUint16(o, int(0x10000), true);
      return f;
    }
    case 3: { // a random or slightly wrong frame table entry
      const tableOff = v.getUint32(24, true);
      const n = Math.floor(v.getUint32(28, true) / 4);
      if (n === 0 || tableOff + n * 4 > f.length) return f;
      const at = tableOff + 4 * int(n);
      v.setUint32(at, r() < 0.5 ? int(0x100000000) : v.getUint32(at, true) + int(64) - 32, true);
      return f;
    }
    default: { // a random record length field, then maybe a cut
      const tableOff = v.getUint32(24, true);
      const n = Math.floor(v.getUint32(28, true) / 4);
      if (n > 0 && tableOff + n * 4 <= f.length) {
        const rec = v.getUint32(tableOff + 4 * int(n), true);
        if (rec + 16 <= f.length) v.setUint32(rec + 8 + 4 * int(2), r() < 0.5 ? int(0x100000000) : int(2000), true);
      }
      return r() < 0.5 ? f.slice(0, int(f.length)) : f;
    }
  }
}

function expectClean(g: Got, label: string): void {
  for (const p of g.problems) {
    expect(Object.keys(READ_PROBLEM_CODES), label).toContain(p.code);
    // The shared "N more like the above" summary (reader.ts finishWarnings) has no prefix.
    expect(/^netmon: |^\d+ more like the above/.test(p.message), `${label}: ${p.message}`).toBe(true);
    expect(Number.isInteger(p.offset) && p.offset >= 0, label).toBe(true);
  }
  const errs = errors(g);
  expect(errs.length, label).toBeLessThanOrEqual(1);
  if (errs.length === 1) expect(g.problems.at(-1), label).toBe(errs[0]);
  g.frames.forEach((x, i) => {
    expect(x.frame, label).toBe(i + 1);
    expect(x.capLen, label).toBeLessThanOrEqual(16 * 1024 * 1024);
    expect(x.tsNsec >= 0 && x.tsNsec < 1e9, label).toBe(true);
    expect(Number.isSafeInteger(x.tsSec), label).toBe(true);
  });
}

const CORPUS = process.env['RPCTRACE_CORPUS'] ?? resolve(dirname(fileURLToPath(import.meta.url)), '../../../../shared/corpus');
const HAVE_CORPUS = existsSync(CORPUS);
const LAB_CAP = join(CORPUS, 'lab/nonstandard-range-blocked_netmon2.cap');

describe('NetMon fuzz: truncated and mutated files end cleanly, the same from a file and a stream', () => {
  // NETMON_FUZZ_SEEDS=100000 for a longer run by hand.
  const seeds = Array.from({ length: Number(process.env['NETMON_FUZZ_SEEDS'] ?? 400) }, (_, i) => i + 1);
  const small = writeNetmon(FRAMES.filter((f) => f.data.length < 1000), 1);
  const inputs: [string, Uint8Array][] = [['writer output', small]];
  if (HAVE_CORPUS && existsSync(LAB_CAP)) inputs.push(['lab netmon2 capture', new Uint8Array(readFileSync(LAB_CAP))]);

  for (const [name, src] of inputs) {
    it(`${name}: ${seeds.length} seeds, fd and stream`, async () => {
      for (const seed of seeds) {
        const f = mutate(src, seed);
        if (f.length === 0) continue; // openCapture says empty-file before any reader runs
        const chunk = 16 + (seed % 7) * 37;
        const fd = await readDirect(f, chunk, true, 'fuzz');
        expectClean(fd, `${name} seed ${seed} fd`);
        const stream = await readDirect(f, chunk, false, undefined, { memoryLimit: seed % 3 === 0 ? 0 : 1 << 20, dir: spoolDir });
        expectClean(stream, `${name} seed ${seed} stream`);
        // Never silently different: a stream gives what the file gives, problems included.
        expect(stream, `${name} seed ${seed}: stream equals file`).toEqual(fd);
      }
    }, 60_000);
  }
});

// ---- real captures ---------------------------------------------------------------------

const CORPUS_CAPS = HAVE_CORPUS
  ? [LAB_CAP, ...['sv_dcom_activation_ctxids_netmon2.cap', 'sv_psexec_epm_dynport_synretx_netmon2.cap'].map((n) => join(CORPUS, 'public', n))].filter((p) => existsSync(p))
  : [];

describe.skipIf(CORPUS_CAPS.length === 0)(
  `NetMon 2.x captures from ../shared/corpus${CORPUS_CAPS.length === 0 ? ` (skipped: no NetMon captures under ${CORPUS})` : ''}`,
  () => {
    if (CORPUS_CAPS.length === 0) it.skip(`needs ${CORPUS}`, () => {});
    for (const cap of CORPUS_CAPS) {
      const name = cap.split('/').pop()!;
      it(`${name}: frame count, times, lengths and bytes equal the original pcap (fd, gzip, stdin)`, async () => {
        const expected = JSON.parse(readFileSync(cap.replace(/\.cap$/, '.expected.json'), 'utf8')) as {
          capture: { packets: number };
          variant_of: string;
        };
        const orig = await readInput(join(dirname(cap), expected.variant_of));
        expect(orig.problems).toEqual([]);
        expect(orig.frames.length).toBe(expected.capture.packets);
        const bytes = new Uint8Array(readFileSync(cap));
        for (const [how, g] of [
          ['fd', await readInput(cap)],
          ['gzip', await readGzip(bytes)],
          ['stdin', await readStdin(bytes, 65536)],
        ] as const) {
          expect(g.format, how).toBe('netmon');
          expect(g.problems, how).toEqual([]);
          expect(g.frames.length, how).toBe(expected.capture.packets);
          expect(comparable(g), how).toEqual(comparable(orig));
        }
      }, 30_000);
    }
  },
);
