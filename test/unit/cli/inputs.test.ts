/**
 * Inputs as a user hands them to the command line: the same capture plain, gzip-compressed or
 * on standard input gives the same report. Runs `run(argv, io)` in process.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { run } from '../../../src/cli/main.js';
import { writeNetmon, type NetmonFrame } from '../../../samples/gen/netmon-writer.js';
import { SAMPLES } from '../../helpers/corpus.js';
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
      expect(t.out).toContain(`${p}: offset ${tableOff}: netmon: all ${n} frame table entries`);
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
