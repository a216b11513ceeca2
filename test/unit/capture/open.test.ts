/**
 * Input plumbing: gzip, standard input and small chunk sizes must give exactly the records the
 * plain file gives (records straddling chunk boundaries included).
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { constants as zlibConstants, gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { writeNetmon } from '../../../samples/gen/netmon-writer.js';
import { analyzeFile } from '../../../src/analysis/pipeline.js';
import { concat, ethSyn, hex, Ng, opt, pcapFile } from '../../helpers/frame.js';
import { readAll, readOk, useTempFiles, type ReadResult } from '../../helpers/capture.js';
import { Rng } from '../../helpers/random.js';

const tmp = useTempFiles();

/** 60 frames of 0..400 bytes, each starting with a SYN so the dissector has work. */
function pcapBytes(seed: number, opts: { le?: boolean; ns?: boolean } = {}): Uint8Array {
  const rng = new Rng(seed);
  const frames = Array.from({ length: 60 }, (_, i) => {
    const n = rng.int(400);
    const data = n >= 60 ? concat(ethSyn(i + 1), rng.bytes(n - 60)) : rng.bytes(n);
    return { data, tsSec: 1700000000 + i, tsFrac: rng.int(opts.ns === true ? 1e9 : 1e6) };
  });
  return pcapFile(frames, opts);
}

/** Two sections (LE then BE), several interfaces, comments, SPB, PB and skipped blocks. */
function pcapngBytes(seed: number): Uint8Array {
  const rng = new Rng(seed);
  const parts: Uint8Array[] = [];
  for (const le of [true, false]) {
    const ng = new Ng(le);
    parts.push(ng.shb(), ng.idb(1, 0), ng.idb(101, 0, [opt.tsresol(9), opt.comment('if')]));
    for (let i = 0; i < 30; i++) {
      const data = rng.bytes(rng.int(300));
      const k = rng.int(5);
      if (k === 0) parts.push(ng.spb(data));
      else if (k === 1) parts.push(ng.pb(1, BigInt(rng.u32()), data));
      else if (k === 2) parts.push(ng.block(0x00000005, rng.bytes(rng.int(40))));
      else parts.push(ng.epb(rng.int(2), (BigInt(rng.u32()) << 20n) | BigInt(rng.u32()), data, rng.int(2) === 0 ? [opt.comment(`c${i}`)] : []));
    }
  }
  return concat(...parts);
}

async function* chunked(bytes: Uint8Array, seed: number): AsyncGenerator<Uint8Array> {
  const rng = new Rng(seed);
  for (let o = 0; o < bytes.length; ) {
    const n = 1 + rng.int(700);
    yield bytes.slice(o, o + n);
    o += n;
  }
}

const inputs: [string, Uint8Array][] = [
  ['pcap LE us', pcapBytes(1)],
  ['pcap BE ns', pcapBytes(2, { le: false, ns: true })],
  ['pcapng', pcapngBytes(3)],
];

/** Tests that write and read tens of MiB: generous on a loaded two-core machine. */
const BIG_FILE_TEST_MS = 60_000;

/**
 * A pcap of `n` Ethernet frames, frame i `size(i)` bytes (a SYN header, then zeros), written
 * with typed-array copies: the byte-by-byte test writer takes seconds for tens of MiB.
 */
function bigPcap(n: number, size: (i: number) => number): Uint8Array {
  const sizes = Array.from({ length: n }, (_, i) => size(i));
  const out = new Uint8Array(24 + sizes.reduce((a, b) => a + 16 + b, 0));
  const v = new DataView(out.buffer);
  v.setUint32(0, 0xa1b2c3d4, true); v.setUint16(4, 2, true); v.setUint16(6, 4, true); v.setUint32(16, 1 << 21, true); v.setUint32(20, 1, true);
  let o = 24;
  sizes.forEach((len, i) => {
    v.setUint32(o, 1700000000 + i, true); v.setUint32(o + 8, len, true); v.setUint32(o + 12, len, true);
    out.set(ethSyn(i + 1), o + 16);
    o += 16 + len;
  });
  return out;
}

describe('the same records whatever the input path', () => {
  for (const [name, bytes] of inputs) {
    describe(name, () => {
      const path = tmp(bytes);
      let plain: ReadResult;

      it('plain file: reads every record cleanly', async () => {
        plain = await readOk(path);
        expect(plain.problems).toEqual([]);
        expect(plain.records.length).toBeGreaterThan(40);
        expect(plain.compression).toBeNull();
      });

      it('gzip file', async () => {
        const r = await readOk(tmp(gzipSync(bytes), 'x.gz'));
        expect(r.compression).toBe('gzip');
        expect(r.records).toEqual(plain.records);
        expect(r.problems).toEqual([]);
        expect(r.info).toEqual(plain.info);
      });

      it("standard input ('-'), plain and gzip", async () => {
        const r = await readOk('-', { stdin: chunked(bytes, 7) });
        expect(r.records).toEqual(plain.records);
        expect(r.problems).toEqual([]);
        const g = await readOk('-', { stdin: chunked(gzipSync(bytes), 8) });
        expect(g.compression).toBe('gzip');
        expect(g.records).toEqual(plain.records);
      });

      it('standard input delivered one byte at a time, plain and gzip', async () => {
        async function* bytewise(b: Uint8Array): AsyncGenerator<Uint8Array> {
          for (let i = 0; i < b.length; i++) yield b.subarray(i, i + 1);
        }
        const r = await readOk('-', { stdin: bytewise(bytes.subarray(0, 3000)) });
        expect(r.records.length).toBeGreaterThan(0);
        const g = await readOk('-', { stdin: bytewise(gzipSync(bytes)) });
        expect(g.compression).toBe('gzip');
        expect(g.records).toEqual(plain.records);
      });

      for (const chunkSize of [16, 17, 100, 1000]) {
        it(`chunk size ${chunkSize}, from a file, stdin and gzip`, async () => {
          const f = await readOk(path, { chunkSize });
          expect(f.records).toEqual(plain.records);
          expect(f.problems).toEqual([]);
          expect(f.info).toEqual(plain.info);
          const s = await readOk('-', { chunkSize, stdin: chunked(bytes, chunkSize) });
          expect(s.records).toEqual(plain.records);
          const g = await readOk(tmp(gzipSync(bytes), 'c.gz'), { chunkSize });
          expect(g.records).toEqual(plain.records);
        });
      }
    });
  }

  it('a small gzip that expands far past the size its buffers were guessed from reads every record', { timeout: BIG_FILE_TEST_MS }, async () => {
    // 3 KiB compressed, 6 MiB decompressed: the window starts at 64 KiB and must grow for the
    // 1 MiB records and slide for the rest.
    const bytes = bigPcap(24, (i) => (i % 3 === 0 ? 1 << 20 : 60_000));
    const gz = gzipSync(bytes, { level: 9 });
    expect(gz.length).toBeLessThan(64 * 1024);
    const plain = await readOk(tmp(bytes, 'big.pcap'));
    const g = await readOk(tmp(gz, 'big.pcap.gz'));
    expect(g.problems).toEqual([]);
    expect(g.records.length).toBe(24);
    expect(g.records).toEqual(plain.records);
  });

  it('gzip files inflated whole (small) and streamed (large, or inflating past the bound) give the plain records', { timeout: BIG_FILE_TEST_MS }, async () => {
    const rng = new Rng(11);
    const noisy = pcapFile(Array.from({ length: 400 }, (_, i) => ({ data: concat(ethSyn(i + 1), rng.bytes(1200)), tsSec: 1700000000 + i })));
    const huge = bigPcap(20, () => 1 << 20);
    for (const [name, bytes, compressedAbove] of [['noisy', noisy, 256 * 1024], ['huge', huge, 0]] as const) {
      const gz = gzipSync(bytes);
      expect(gz.length, name).toBeGreaterThan(compressedAbove);
      const plain = await readOk(tmp(bytes, `${name}.pcap`));
      const g = await readOk(tmp(gz, `${name}.pcap.gz`));
      expect(g.compression).toBe('gzip');
      expect(g.problems).toEqual([]);
      expect(g.records).toEqual(plain.records);
    }
  });

  it('a cut file read in small chunks stops at the same record with the same problem', async () => {
    const bytes = pcapBytes(9);
    const cut = tmp(bytes.subarray(0, Math.floor(bytes.length * 0.6)));
    const whole = await readOk(cut);
    expect(whole.problems.map((p) => p.code)).toEqual(['truncated-record']);
    for (const chunkSize of [16, 17, 100]) {
      const r = await readOk(cut, { chunkSize });
      expect(r.records).toEqual(whole.records);
      expect(r.problems).toEqual(whole.problems);
    }
  });
});

describe('gzip problems', () => {
  const bytes = concat(pcapBytes(4), pcapBytes(5).subarray(24), pcapBytes(6).subarray(24));
  const gz = gzipSync(bytes);

  /** What zlib can recover from `cut`, read as a plain file: the records a user should get. */
  async function recoverable(cut: Uint8Array): Promise<ReadResult> {
    return readOk(tmp(gunzipSync(cut, { finishFlush: zlibConstants.Z_SYNC_FLUSH })));
  }

  it('a truncated gzip gives decompress-error and every frame before the cut', async () => {
    const full = await readOk(tmp(bytes));
    for (const frac of [0.3, 0.7, 0.97]) {
      const cut = gz.subarray(0, Math.floor(gz.length * frac));
      const path = tmp(cut, 'cut.gz');
      const want = await recoverable(cut);
      expect(want.records.length).toBeGreaterThan(0);
      expect(want.records.length).toBeLessThan(full.records.length);
      const r = await readOk(path);
      expect(r.sourceError).toMatch(/unexpected end of file/);
      expect(r.records).toEqual(want.records);
      const small = await readOk(path, { chunkSize: 100 });
      expect(small.records).toEqual(want.records);

      const { report } = await analyzeFile(path);
      expect(report.frames).toBe(want.records.length);
      expect(report.complete).toBe(false);
      expect(report.errors.map((e) => e.code)).toContain('decompress-error');
    }
  });

  it('a truncated gzip on standard input, fed in small pieces, gives the same', async () => {
    const cut = gz.subarray(0, Math.floor(gz.length * 0.7));
    const want = await recoverable(cut);
    const r = await readOk('-', { stdin: chunked(cut, 3) });
    expect(r.records).toEqual(want.records);
    expect(r.sourceError).not.toBeNull();
  });

  it('a gzip stream that is corrupt from the start is decompress-error', async () => {
    const bad = gz.slice();
    bad.fill(0xff, 10, 40);
    const r = await readAll(tmp(bad, 'bad.gz'));
    if ('code' in r) {
      expect(r.code).toBe('decompress-error');
    } else {
      expect(r.sourceError).not.toBeNull();
    }
  });

  it('a gzip of nothing is empty-file', async () => {
    const r = await readAll(tmp(gzipSync(new Uint8Array(0)), 'empty.gz'));
    expect(r).toMatchObject({ code: 'empty-file' });
  });
});

describe('opening', () => {
  it('a missing file and a directory are io-error', async () => {
    expect(await readAll('/nonexistent/rpctrace/x.pcap')).toMatchObject({ code: 'io-error', message: 'cannot read: no such file' });
    expect(await readAll('/tmp')).toMatchObject({ code: 'io-error', message: 'cannot read: is a directory' });
  });
  it('empty standard input is empty-file', async () => {
    async function* none(): AsyncGenerator<Uint8Array> { /* nothing */ }
    expect(await readAll('-', { stdin: none() })).toMatchObject({ code: 'empty-file' });
  });
  it('a pcap magic alone (4 bytes) is a pcap whose header is cut', async () => {
    const r = await readOk(tmp(hex`d4 c3 b2 a1`));
    expect(r.format).toBe('pcap');
    expect(r.problems[0]).toMatchObject({ code: 'truncated-record', offset: 0 });
  });
});

/**
 * Writes `bytes` into the FIFO `fifo` from another process: the first `first` bytes, a pause,
 * then the rest (0: all at once). Resolves with the writer's exit code.
 */
function feedFifo(fifo: string, bytes: Uint8Array, first = 0): Promise<number | null> {
  const src = tmp(bytes, 'fifo-src');
  const script = `
    const fs = require('fs');
    const [fifo, src, first] = process.argv.slice(1);
    const b = fs.readFileSync(src);
    const fd = fs.openSync(fifo, 'w');
    const k = Number(first);
    if (k > 0) {
      fs.writeSync(fd, b, 0, k);
      setTimeout(() => { fs.writeSync(fd, b, k, b.length - k); fs.closeSync(fd); }, 150);
    } else {
      fs.writeSync(fd, b);
      fs.closeSync(fd);
    }`;
  const child = spawn(process.execPath, ['-e', script, fifo, src, String(first)], { stdio: 'ignore', timeout: 30_000 });
  return new Promise((resolve) => child.on('close', resolve));
}

const fifoDir = mkdtempSync(join(tmpdir(), 'rpctrace-fifo-'));
afterAll(() => rmSync(fifoDir, { recursive: true, force: true }));
let fifoN = 0;
/** A new named pipe (Node has no mkfifo). */
function mkfifo(): string {
  const p = join(fifoDir, `p${fifoN++}`);
  const r = spawnSync('mkfifo', [p], { timeout: 30_000 });
  if (r.status !== 0) throw new Error(`mkfifo failed: ${String(r.stderr)}`);
  return p;
}

describe('named pipes (FIFOs) are read as streams, like standard input', () => {
  const pcap = pcapBytes(11);
  const netmonFrames = Array.from({ length: 40 }, (_, i) => ({ tsSec: 1700000000 + i, tsNsec: i * 1000, data: concat(ethSyn(i + 1), new Uint8Array(i * 37)) }));
  // Records stored backwards: only the table at the end gives the order.
  const netmon = writeNetmon(netmonFrames, 1, { fileOrder: netmonFrames.map((_, i) => 39 - i) });
  const cases: [string, Uint8Array, boolean][] = [
    ['pcap', pcap, false],
    ['pcap, gzip', gzipSync(pcap), true],
    ['pcapng', pcapngBytes(12), false],
    ['netmon, table out of file order', netmon, false],
    ['netmon, table out of file order, gzip', gzipSync(netmon), true],
  ];

  for (const [name, bytes, gz] of cases) {
    it(`${name}: the records of the plain file, also when the writer sends 1 byte first`, async () => {
      const plain = await readOk(tmp(gz ? gunzipSync(bytes) : bytes));
      expect(plain.problems).toEqual([]);
      for (const first of [0, 1]) {
        const fifo = mkfifo();
        const writer = feedFifo(fifo, bytes, first);
        const r = await readOk(fifo);
        expect(await writer).toBe(0);
        expect(r.compression).toBe(gz ? 'gzip' : null);
        expect(r.problems).toEqual([]);
        expect(r.sourceError).toBeNull();
        expect(r.records).toEqual(plain.records);
      }
    }, 30_000);
  }

  it('a FIFO whose writer sends nothing is empty-file', async () => {
    const fifo = mkfifo();
    const writer = feedFifo(fifo, new Uint8Array(0));
    expect(await readAll(fifo)).toMatchObject({ code: 'empty-file' });
    expect(await writer).toBe(0);
  }, 30_000);
});
