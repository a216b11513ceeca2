/**
 * `--evidence`: the frames that back the findings, read back with tshark (frames, original
 * times, packet comments naming finding, role and original frame number) and with rpctrace's
 * own reader (the bytes are the original frames' bytes). Refused for a stream, and never
 * written over an input.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.js';
import { openCapture } from '../../src/capture/open.js';
import { forEachRecord } from '../../src/capture/reader.js';
import { SAMPLES } from '../helpers/corpus.js';
import { EXTERNAL_CALL_MS, EXTERNAL_TEST_MS } from '../helpers/external.js';
import { HAVE_TSHARK, TSHARK_SKIP_REASON } from '../helpers/tshark.js';

const dir = mkdtempSync(join(tmpdir(), 'rpctrace-evidence-'));

async function cli(argv: string[], stdin?: Uint8Array): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await run(argv, {
    out: { write: (s: string) => { out += s; } }, err: { write: (s: string) => { err += s; } }, env: {},
    ...(stdin !== undefined ? { stdin: (async function* () { yield stdin; })() } : {}),
  });
  return { code, out, err };
}

/** Every frame of a capture as rpctrace reads it: number, time, bytes (hex). */
async function framesOf(path: string): Promise<{ frame: number; time: string; hex: string }[]> {
  const o = await openCapture(path);
  if (!('reader' in o)) throw new Error(o.message);
  const out: { frame: number; time: string; hex: string }[] = [];
  try {
    await forEachRecord(o.reader, o.win, (r) => {
      if (r.isPacket) out.push({ frame: r.frame, time: `${r.tsSec}.${String(r.tsNsec).padStart(9, '0')}`, hex: Buffer.from(r.buf.subarray(r.off, r.off + r.capLen)).toString('hex') });
    });
  } finally {
    o.close();
  }
  return out;
}

/** tshark's view of the evidence file: frame number, time, comments (one string per packet). */
function tsharkComments(path: string): { frame: number; time: string; comments: string[] }[] {
  const r = spawnSync('tshark', ['-n', '-r', path, '-T', 'fields', '-E', 'separator=\t', '-E', 'occurrence=a', '-E', 'aggregator=\u0001', '-e', 'frame.number', '-e', 'frame.time_epoch', '-e', 'frame.comment'], { encoding: 'utf8', timeout: EXTERNAL_CALL_MS });
  if (r.status !== 0) throw new Error(`tshark: ${r.stderr}`);
  return r.stdout.split('\n').filter((l) => l !== '').map((l) => {
    const [frame = '', time = '', comments = ''] = l.split('\t');
    return { frame: Number(frame), time, comments: comments === '' ? [] : comments.split('\u0001') };
  });
}

const CASES = [
  { sample: 'rpc-nonstandard-port-blocked.pcap', frames: [7, 11, 12, 13] },
  // The endpoint mapper's answer came in two segments: both are kept.
  { sample: 'epm-response-split-segments.pcap', frames: [7, 8, 13, 14, 15] },
  { sample: 'rpc-dynamic-port-icmp-prohibited.pcap', frames: null },
  { sample: 'rpc-nonstandard-port-blocked.cap', frames: [7, 11, 12, 13] },
  { sample: 'rpc-nonstandard-port-blocked.pcap.gz', frames: [7, 11, 12, 13] },
  { sample: 'rpc-nonstandard-port-blocked-ipv6.pcap', frames: [7, 11, 12, 13] },
];

describe.skipIf(!HAVE_TSHARK)(`evidence capture read back by tshark${TSHARK_SKIP_REASON}`, () => {
  for (const c of CASES) {
    it(`${c.sample}: the frames that back the findings, in order, original times and bytes, commented`, async () => {
      const input = join(SAMPLES, c.sample);
      const out = join(dir, `${c.sample}.evidence.pcapng`);
      const r = await cli(['analyze', '--format', 'json', '--evidence', out, input]);
      expect(r.code).toBe(1);
      const report = JSON.parse(r.out) as { files: { findings: { id: string; evidence: { frame: number }[] }[] }[] };
      const backing = [...new Set(report.files[0]!.findings.flatMap((f) => f.evidence.map((e) => e.frame)))].sort((a, b) => a - b);
      const originals = await framesOf(input);
      const read = tsharkComments(out);
      const kept = read.map((p) => Number(/original frame (\d+)$/.exec(p.comments.at(-1) ?? '')?.[1]));
      expect(kept).toEqual([...kept].sort((a, b) => a - b));
      if (c.frames !== null) expect(kept).toEqual(c.frames);
      for (const f of backing) expect(kept).toContain(f);
      const ours = await framesOf(out);
      read.forEach((p, i) => {
        const orig = originals.find((o) => o.frame === kept[i])!;
        expect(p.frame).toBe(i + 1);
        expect(p.time).toBe(orig.time);
        expect(ours[i]!.hex).toBe(orig.hex);
        for (const line of p.comments) expect(line).toMatch(/^[A-Z_]+: .+, original frame \d+$/);
        for (const id of report.files[0]!.findings.filter((f) => f.evidence.some((e) => e.frame === kept[i])).map((f) => f.id)) {
          expect(p.comments.some((l) => l.startsWith(`${id}: `))).toBe(true);
        }
      });
      expect(read.some((p) => p.comments.some((l) => /SYN retransmission 2 of frame \d+, original frame \d+/.test(l))) || c.sample.includes('icmp')).toBe(true);
    }, EXTERNAL_TEST_MS);
  }

  it('several captures: one section each; the packet comment of the capture comes along', async () => {
    const out = join(dir, 'two.pcapng');
    const r = await cli(['analyze', '--evidence', out, join(SAMPLES, 'rpc-nonstandard-port-blocked.pcap'), join(SAMPLES, 'rpc-nonstandard-port-blocked.pcapng')]);
    expect(r.code).toBe(1);
    expect(r.err).toContain('evidence: 8 frame(s) from 2 capture(s)');
    expect(tsharkComments(out)).toHaveLength(8);
  }, EXTERNAL_TEST_MS);
});

describe('evidence capture refusals', () => {
  it('refuses standard input and pipes: they cannot be read twice', async () => {
    const r = await cli(['analyze', '--evidence', join(dir, 'x.pcapng'), '-'], readFileSync(join(SAMPLES, 'rpc-nonstandard-port-blocked.pcap')));
    expect(r.code).toBe(2);
    expect(r.err).toContain('--evidence reads each capture a second time');
  });

  it('never writes over an input, nor over the report', async () => {
    const copy = join(dir, 'in.pcap');
    copyFileSync(join(SAMPLES, 'rpc-nonstandard-port-blocked.pcap'), copy);
    const before = readFileSync(copy);
    expect((await cli(['analyze', '--evidence', copy, copy])).code).toBe(2);
    const same = await cli(['analyze', '--output', join(dir, 'r.txt'), '--evidence', join(dir, 'r.txt'), copy]);
    expect(same.code).toBe(2);
    expect(same.err).toContain('also given to --output');
    expect(readFileSync(copy).equals(before)).toBe(true);
  });
});
