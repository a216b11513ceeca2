/**
 * Inputs as a user hands them to the command line: the same capture plain, gzip-compressed, on
 * standard input, through a FIFO, `/dev/stdin` or process substitution gives the same report.
 * Runs `run(argv, io)` in process, and the real bin shim where the shell or the kernel is part
 * of the test (every spawn has a 30 s timeout: the tests run on 2 busy cores).
 */
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../../../src/cli/main.js';
import { writeNetmon, type NetmonFrame } from '../../../samples/gen/netmon-writer.js';
import { ROOT, SAMPLES } from '../../helpers/corpus.js';
import { readOk } from '../../helpers/capture.js';

async function cli(argv: string[], stdin?: Uint8Array): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  async function* pieces(b: Uint8Array): AsyncGenerator<Uint8Array> {
    for (let i = 0; i < b.length; i += 1000) yield b.subarray(i, i + 1000);
  }
  const io = {
    out: { write: (s: string) => { out += s; } },
    err: { write: (s: string) => { err += s; } },
    ...(stdin !== undefined ? { stdin: pieces(stdin) } : {}),
  };
  const code = await run(argv, io);
  return { code, out, err };
}

const dir = mkdtempSync(join(tmpdir(), 'rpctrace-inputs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The frames of a sample pcap, for writing them again as NetMon. */
async function sampleFrames(name: string): Promise<NetmonFrame[]> {
  const r = await readOk(join(SAMPLES, name));
  return r.records.map((x) => ({ tsSec: x.tsSec, tsNsec: x.tsNsec, data: Uint8Array.from(Buffer.from(x.data, 'hex')), origLen: x.origLen }));
}

/** A file report without what names the input. */
function facts(file: Record<string, unknown>): Record<string, unknown> {
  const { path: _p, compression: _c, ...rest } = file;
  return rest;
}

describe('NetMon with the frame table out of file order, through analyze', () => {
  it('gives the same report from the file, its gzip and standard input', async () => {
    const frames = await sampleFrames('rpc-nonstandard-port-blocked.pcap');
    // The records stored backwards: only the table says which frame is 1.
    const cap = writeNetmon(frames, 1, { fileOrder: frames.map((_, i) => frames.length - 1 - i) });
    const plain = join(dir, 'reversed.cap');
    writeFileSync(plain, cap);
    const gz = join(dir, 'reversed.cap.gz');
    writeFileSync(gz, gzipSync(cap));
    const args = ['analyze', '--format', 'json', '--fail-on', 'none'];
    const a = JSON.parse((await cli([...args, plain])).out).files[0];
    expect(a.format).toBe('netmon');
    expect(a.frames).toBe(frames.length);
    expect(a.warnings).toEqual([]);
    expect(a.findings.map((f: { id: string }) => f.id)).toContain('NONSTANDARD_RPC_PORT_BLOCKED');
    const g = JSON.parse((await cli([...args, gz])).out).files[0];
    expect(g.compression).toBe('gzip');
    expect(facts(g)).toEqual(facts(a));
    for (const bytes of [cap, gzipSync(cap)]) {
      const s = JSON.parse((await cli([...args, '-'], bytes)).out).files[0];
      expect(facts(s)).toEqual(facts(a));
    }
    // The input is read, never written.
    expect(Buffer.compare(readFileSync(plain), cap)).toBe(0);
  });
});

describe('NetMon frame tables with bad entries, through analyze', () => {
  /** The blocked-port sample as NetMon, with `bad` table entries (0-based) pointing past the end. */
  async function withBadEntries(bad: (n: number) => number[], name: string): Promise<{ path: string; tableOff: number; n: number }> {
    const frames = await sampleFrames('rpc-nonstandard-port-blocked.pcap');
    const cap = writeNetmon(frames, 1);
    const v = new DataView(cap.buffer, cap.byteOffset, cap.byteLength);
    const tableOff = v.getUint32(24, true);
    for (const i of bad(frames.length)) v.setUint32(tableOff + i * 4, 0xfffffff0, true);
    const path = join(dir, name);
    writeFileSync(path, cap);
    writeFileSync(`${path}.gz`, gzipSync(cap));
    return { path, tableOff, n: frames.length };
  }

  it('exits 2 when every entry is bad: the file could not be read, whatever the input path', async () => {
    const { path, tableOff, n } = await withBadEntries((k) => Array.from({ length: k }, (_, i) => i), 'all-bad.cap');
    for (const p of [path, `${path}.gz`]) {
      const r = await cli(['analyze', '--format', 'json', '--fail-on', 'none', p]);
      expect(r.code, p).toBe(2);
      const f = JSON.parse(r.out).files[0];
      expect(f).toMatchObject({ format: 'netmon', frames: 0, complete: false });
      expect(f.errors).toEqual([{ code: 'bad-frame-table', severity: 'error', offset: tableOff, message: expect.stringContaining(`all ${n} frame table entries`) }]);
      expect(f.warnings[0]).toMatchObject({ code: 'bad-frame-table', offset: tableOff });
      const t = await cli(['analyze', p]);
      expect(t.code).toBe(2);
      expect(t.out.replace(/\s+/g, ' ')).toContain(`${p}: error at offset ${tableOff}: netmon: all ${n} frame table entries`);
    }
  });

  it('reads the rest when only some entries are bad: warnings, complete, exit code from the findings', async () => {
    const { path, tableOff } = await withBadEntries(() => [0], 'one-bad.cap');
    for (const p of [path, `${path}.gz`]) {
      const r = await cli(['analyze', '--format', 'json', '--fail-on', 'none', p]);
      expect(r.code, p).toBe(0);
      const f = JSON.parse(r.out).files[0];
      expect(f.complete).toBe(true);
      expect(f.errors).toEqual([]);
      expect(f.frames).toBeGreaterThan(0);
      expect(f.warnings).toEqual([expect.objectContaining({ code: 'bad-frame-table', severity: 'warning', offset: tableOff })]);
      expect((await cli(['analyze', p])).code).toBe(1); // the blocked port is still found: an error finding
    }
  });
});

// ---- pipes, FIFOs, /dev/stdin ----------------------------------------------------------

const SPAWN_TIMEOUT = 30_000;
const BIN = join(ROOT, 'bin', 'rpctrace.js');
const JSON_ARGS = ['analyze', '--format', 'json', '--fail-on', 'none'];

let fifoN = 0;
/** A new named pipe in `where` (Node has no mkfifo). */
function mkfifo(where = dir): string {
  const p = join(where, `fifo-${fifoN++}`);
  const r = spawnSync('mkfifo', [p], { timeout: SPAWN_TIMEOUT });
  if (r.status !== 0) throw new Error(`mkfifo failed: ${String(r.stderr)}`);
  return p;
}

/** Copies the file `src` into the FIFO `fifo` from a separate process (cat). */
function feed(fifo: string, src: string): Promise<number | null> {
  const child = spawn('sh', ['-c', 'cat "$1" > "$2"', 'sh', src, fifo], { stdio: 'ignore', timeout: SPAWN_TIMEOUT });
  return new Promise((resolve) => child.on('close', resolve));
}

/** The one file report of a spawned `analyze --format json`, with its exit code. */
function spawned(r: SpawnSyncReturns<string>): { code: number | null; file: Record<string, unknown> } {
  if (r.error !== undefined) throw r.error;
  expect(r.stderr).toBe('');
  return { code: r.status, file: JSON.parse(r.stdout).files[0] };
}

describe('named pipes, process substitution and /dev/stdin work like -', () => {
  it('--help says so', async () => {
    const h = await cli(['--help']);
    expect(h.out).toContain("'-' reads standard input, and named pipes (<(zcat x.pcap.gz), /dev/stdin, FIFOs) are read like it.");
  });

  const pcapPath = join(SAMPLES, 'rpc-nonstandard-port-blocked.pcap');
  const gzPath = join(dir, 'blocked.pcap.gz');
  writeFileSync(gzPath, gzipSync(readFileSync(pcapPath)));
  let want: Record<string, unknown>;

  it('a FIFO named explicitly is read once, front to back, plain or gzip', async () => {
    want = facts(JSON.parse((await cli([...JSON_ARGS, pcapPath])).out).files[0]);
    expect(want.frames).toBeGreaterThan(10);
    for (const src of [pcapPath, gzPath]) {
      const fifo = mkfifo();
      const writer = feed(fifo, src);
      const r = await cli([...JSON_ARGS, fifo]);
      expect(await writer).toBe(0);
      expect(r.code).toBe(0);
      const f = JSON.parse(r.out).files[0];
      expect(f.path).toBe(fifo);
      expect(f.compression).toBe(src === gzPath ? 'gzip' : null);
      expect(facts(f)).toEqual(want);
    }
  }, SPAWN_TIMEOUT);

  it('a FIFO inside a directory is listed as skipped, never opened (nobody writes to it)', async () => {
    const folder = join(dir, 'with-fifo');
    mkdirSync(folder);
    writeFileSync(join(folder, 'a.pcap'), readFileSync(pcapPath));
    const fifo = mkfifo(folder);
    const r = await cli([...JSON_ARGS, folder]);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.out);
    expect(doc.files.map((f: { path: string }) => f.path)).toEqual([join(folder, 'a.pcap')]);
    expect(doc.skipped).toEqual([{ path: fifo, reason: 'not read: a named pipe (FIFO), not a regular file (name it explicitly to read it)' }]);
    const t = await cli(['analyze', '--fail-on', 'none', folder]);
    expect(t.out).toContain(`${fifo}: not read: a named pipe (FIFO)`);
  }, SPAWN_TIMEOUT);

  it('/dev/stdin redirected from a file, from a pipe, and from a socket (Node\'s stdio)', () => {
    // `< file`: standard input is the regular file itself.
    const fd = openSync(gzPath, 'r');
    try {
      const r = spawned(spawnSync(process.execPath, [BIN, ...JSON_ARGS, '/dev/stdin'], { stdio: [fd, 'pipe', 'pipe'], encoding: 'utf8', timeout: SPAWN_TIMEOUT }));
      expect(r.code).toBe(0);
      expect(r.file).toMatchObject({ path: '/dev/stdin', compression: 'gzip' });
      expect(facts(r.file)).toEqual(want);
    } finally {
      closeSync(fd);
    }
    // `cat file | rpctrace analyze /dev/stdin`: a pipe.
    const p = spawned(spawnSync('sh', ['-c', 'f="$1"; shift; cat "$f" | "$@"', 'sh', pcapPath, process.execPath, BIN, ...JSON_ARGS, '/dev/stdin'], { encoding: 'utf8', timeout: SPAWN_TIMEOUT }));
    expect(p.code).toBe(0);
    expect(facts(p.file)).toEqual(want);
    // Node's `input` is a UNIX socket: Linux refuses to open it by name (ENXIO).
    const s = spawned(spawnSync(process.execPath, [BIN, ...JSON_ARGS, '/dev/stdin'], { input: readFileSync(pcapPath), encoding: 'utf8', timeout: SPAWN_TIMEOUT }));
    expect(s.code).toBe(0);
    expect(facts(s.file)).toEqual(want);
  }, SPAWN_TIMEOUT * 3);

  it('process substitution: rpctrace analyze <(gzip -dc x.pcap.gz)', () => {
    const r = spawnSync('bash', ['-c', '"$1" "$2" analyze --format json --fail-on none <(gzip -dc "$3")', 'bash', process.execPath, BIN, gzPath], { encoding: 'utf8', timeout: SPAWN_TIMEOUT });
    const { code, file } = spawned(r);
    expect(code).toBe(0);
    expect(file.path).toMatch(/^\/dev\/fd\/\d+$/);
    expect(facts(file)).toEqual(want);
  }, SPAWN_TIMEOUT);
});
