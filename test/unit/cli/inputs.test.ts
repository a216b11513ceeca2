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
