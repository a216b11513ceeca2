/**
 * The command line as a user meets it: exit codes, messages that name the file and offset,
 * directories, standard input, and the two commands' output. Runs `run(argv, io)` in process
 * with string sinks; one test runs the real bin shim.
 */
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { run } from '../../../src/cli/main.js';
import { exitCodeFor } from '../../../src/cli/analyze-command.js';
import { ROOT, SAMPLES } from '../../helpers/corpus.js';
import { EXTERNAL_CALL_MS, EXTERNAL_TEST_MS } from '../../helpers/external.js';
import { ethSyn, pcapFile } from '../../helpers/frame.js';

async function cli(argv: string[], stdin?: Uint8Array): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io = {
    out: { write: (s: string) => { out += s; } },
    err: { write: (s: string) => { err += s; } },
    ...(stdin !== undefined ? { stdin: (async function* () { yield stdin; })() } : {}),
  };
  const code = await run(argv, io);
  return { code, out, err };
}

const dir = mkdtempSync(join(tmpdir(), 'rpctrace-cli-'));
/** Three SYNs on one 4-tuple: the first, its retransmission, then a new ISN (a new attempt). */
const synPcap = pcapFile([
  { data: ethSyn(1), tsSec: 1700000000, tsFrac: 0 },
  { data: ethSyn(1), tsSec: 1700000003, tsFrac: 0 },
  { data: ethSyn(77), tsSec: 1700000030, tsFrac: 0 },
]);
const good = join(dir, 'good.pcap');
writeFileSync(good, synPcap);
const cut = join(dir, 'cut.pcap');
writeFileSync(cut, synPcap.subarray(0, synPcap.length - 10));
const text = join(dir, 'notes.txt');
writeFileSync(text, 'not a capture, just notes\n');
const folder = join(dir, 'folder');
mkdirSync(folder);
writeFileSync(join(folder, 'a.pcap'), synPcap);
writeFileSync(join(folder, 'b.pcap.gz'), gzipSync(synPcap));
writeFileSync(join(folder, 'readme.txt'), 'notes');
mkdirSync(join(folder, 'sub'));
writeFileSync(join(folder, 'sub', 'c.pcap'), synPcap);

describe('rpctrace CLI', () => {
  it('prints its version and help with exit code 0', async () => {
    const v = await cli(['--version']);
    expect(v.code).toBe(0);
    expect(v.out.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const h = await cli(['--help']);
    expect(h.code).toBe(0);
    expect(h.out).toContain('analyze');
    expect(h.out).toContain('syn');
    expect(h.out).toContain('Exit codes');
    // What is decoded, and what is reported when it is not.
    expect(h.out).toMatch(/ERSPAN I\/II\/III/);
    expect(h.out).toContain('undecoded-encapsulation');
  });

  it('exits 2 on a usage error and says what was wrong', async () => {
    const r = await cli(['analyse', good]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/unknown command/);
    const f = await cli(['analyze', '--format', 'xml', good]);
    expect(f.code).toBe(2);
    expect(f.err).toMatch(/xml/);
    const none = await cli(['analyze']);
    expect(none.code).toBe(2);
  });

  it('reports a summary of a readable capture, and exits 1 for its error finding', async () => {
    // good.pcap: SYNs to 135 that nobody answers: the endpoint mapper is unreachable.
    const r = await cli(['analyze', '--format', 'json', good]);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out).files[0].findings.map((x: { id: string }) => x.id)).toContain('EPM_UNREACHABLE');
    const doc = JSON.parse(r.out);
    expect(doc.schemaVersion).toBe(1);
    expect(doc.files).toHaveLength(1);
    const f = doc.files[0];
    expect(f).toMatchObject({ path: good, format: 'pcap', compression: null, frames: 3, complete: true, errors: [], warnings: [] });
    expect(f.linkTypes).toEqual([{ linkType: 1, name: 'ETHERNET', frames: 3, decoded: true }]);
    expect(f.stats).toMatchObject({ ipv4: 3, tcp: 3, tcpSyn: 3, tcpSynRetransmissions: 1, tcpSynAck: 0 });
    expect(f.firstTimestamp).toBe('2023-11-14T22:13:20.000000000Z');
    const t = await cli(['analyze', '--fail-on', 'none', good]);
    expect(t.code).toBe(0);
    expect(t.out).toContain('3 (1 retransmitted)');
  });

  it('names the file and byte offset of a cut record, analyzes the frames before it, and does not call it unreadable', async () => {
    // The two frames before the cut are a SYN to 135 and its retransmission 3 s later: the
    // verdict (EPM unreachable, exit 1) still comes out of a damaged file; the damage alone is not exit 2.
    const r = await cli(['analyze', '--format', 'json', cut]);
    expect(r.code).toBe(1);
    expect((await cli(['analyze', '--fail-on', 'none', cut])).code).toBe(0);
    const f = JSON.parse(r.out).files[0];
    expect(f.findings.map((x: { id: string }) => x.id)).toEqual(['EPM_UNREACHABLE', 'CAPTURE_INCOMPLETE']);
    expect(f.frames).toBe(2);
    expect(f.complete).toBe(false);
    expect(f.errors).toHaveLength(1);
    expect(f.errors[0]).toMatchObject({ code: 'truncated-record', severity: 'error', offset: 24 + 2 * (16 + 60) });
    const t = await cli(['analyze', cut]);
    // The terminal wraps the line; the words stay in order.
    expect(t.out.replace(/\s+/g, ' ')).toContain(`- ${cut}: error at offset 176: pcap: file ends inside record 3`);
  });

  it('exits 2 for a missing file or a named non-capture, and still reports the other inputs', async () => {
    const r = await cli(['analyze', '--format', 'json', join(dir, 'missing.pcap'), text, good]);
    expect(r.code).toBe(2);
    const doc = JSON.parse(r.out);
    expect(doc.files.map((f: { path: string }) => f.path)).toEqual([join(dir, 'missing.pcap'), text, good]);
    expect(doc.files[0].errors[0]).toMatchObject({ code: 'io-error', offset: 0 });
    expect(doc.files[0].errors[0].message).toContain('no such file');
    expect(doc.files[1].errors[0]).toMatchObject({ code: 'not-a-capture', offset: 0 });
    expect(doc.files[2].frames).toBe(3);
  });

  it('reads the files directly inside a directory, in name order, skipping non-captures', async () => {
    const r = await cli(['analyze', '--fail-on', 'none', '--format', 'json', folder]);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.out);
    expect(doc.files.map((f: { path: string }) => f.path)).toEqual([join(folder, 'a.pcap'), join(folder, 'b.pcap.gz')]);
    expect(doc.files[1].compression).toBe('gzip');
    expect(doc.files[1].frames).toBe(3);
    expect(doc.skipped).toEqual([{ path: join(folder, 'readme.txt'), reason: expect.stringContaining('not a capture') }]);
  });

  it('reads standard input, plain or gzip-compressed', async () => {
    for (const bytes of [synPcap, gzipSync(synPcap)]) {
      const r = await cli(['analyze', '--fail-on', 'none', '--format', 'json', '-'], bytes);
      expect(r.code).toBe(0);
      expect(JSON.parse(r.out).files[0]).toMatchObject({ path: '-', frames: 3 });
    }
  });

  it('lists SYNs with the frame each retransmission repeats', async () => {
    const r = await cli(['syn', good]);
    expect(r.code).toBe(0);
    const lines = r.out.trim().split('\n');
    expect(lines[1]).toMatch(/^\s+1\s+\+0\.000000\s+10\.0\.0\.1:49152 -> 10\.0\.0\.2:135\s+TCP:Flags=\.\.\.\.\.\.S\., SrcPort=49152, DstPort=135, Seq=1$/);
    expect(lines[2]).toContain('TCP:[SynReTransmit #1] Flags=......S.');
    expect(lines[2]).toContain('+3.000000');
    expect(lines[3]).toContain('[new ISN on a reused port, attempt 2]');
    expect(lines[4]).toBe('3 SYN(s), 1 retransmission(s)');
    const j = JSON.parse((await cli(['syn', '--format', 'json', good])).out);
    expect(j.syns.map((s: { retransmitOf: number | null; attempt: number }) => [s.retransmitOf, s.attempt])).toEqual([[null, 1], [1, 1], [null, 2]]);
  });

  it('never prints a stack trace for garbage input', async () => {
    const junk = join(dir, 'junk.pcap');
    writeFileSync(junk, Uint8Array.of(0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0xff, 0xff, 0xff));
    const r = await cli(['analyze', junk]);
    expect(r.code).toBe(2);
    expect(r.out + r.err).not.toMatch(/\n\s+at /);
    expect(r.out.replace(/\s+/g, ' ')).toContain('file ends inside the 24-byte file header');
  });

  it('runs as a program through bin/rpctrace.js', { timeout: EXTERNAL_TEST_MS }, () => {
    const out = execFileSync(process.execPath, [join(ROOT, 'bin', 'rpctrace.js'), 'syn', good], { encoding: 'utf8', timeout: EXTERNAL_CALL_MS });
    expect(out).toContain('[SynReTransmit #1]');
  });

  it('prints from the bundle exactly what the sources print (scripts/bundle.mjs changes no output)', { timeout: EXTERNAL_TEST_MS }, async () => {
    // The bundle replaces strip-ansi and skips a debug-only computation in cli-table3.
    const names = ['busy-healthy.pcap', 'rpc-nonstandard-port-blocked.pcap', 'dcom-activation-blocked.pcap', 'epm-multiple-towers.pcap'];
    for (const format of ['table', 'md', 'json']) {
      const args = ['analyze', '--format', format, ...names.map((n) => join(SAMPLES, n))];
      const inProcess = await cli(args);
      let bundled = '';
      try {
        bundled = execFileSync(process.execPath, [join(ROOT, 'bin', 'rpctrace.js'), ...args], { encoding: 'utf8', timeout: EXTERNAL_CALL_MS });
      } catch (e) {
        bundled = (e as { stdout: string }).stdout; // exit code 1: findings at error level
      }
      expect(bundled, format).toBe(inProcess.out);
    }
  });

  it('stops quietly when the reader of its output goes away (`| head`), keeping the exit code', { timeout: EXTERNAL_TEST_MS }, async () => {
    const { spawn } = await import('node:child_process');
    const blocked = join(SAMPLES, 'rpc-nonstandard-port-blocked.pcap');
    // Far more output than a pipe buffers (64 KiB), so writes go on after the pipe is closed.
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'rpctrace.js'), 'analyze', ...Array<string>(60).fill(blocked)], { stdio: ['ignore', 'pipe', 'pipe'], timeout: EXTERNAL_CALL_MS });
    let err = '';
    child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    // Like `head -1`: take the first chunk, then close the pipe.
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(err).toBe('');
    expect(code).toBe(1);
  });
});

describe('rpctrace analyze exit code 1 and --fail-on', () => {
  const blocked = join(SAMPLES, 'rpc-nonstandard-port-blocked.pcap');
  const healthy = join(SAMPLES, 'rpc-healthy.pcap');
  const towers = join(SAMPLES, 'epm-multiple-towers.pcap');

  it('exits 1 when a finding is at or above --fail-on (error by default), 0 below it', async () => {
    expect((await cli(['analyze', blocked])).code).toBe(1);
    expect((await cli(['analyze', '--fail-on', 'error', blocked])).code).toBe(1);
    expect((await cli(['analyze', '--fail-on', 'none', blocked])).code).toBe(0);
    expect((await cli(['analyze', towers])).code).toBe(0);
    expect((await cli(['analyze', '--fail-on', 'warning', towers])).code).toBe(1);
    expect((await cli(['analyze', healthy])).code).toBe(0);
    expect((await cli(['analyze', '--fail-on', 'warning', healthy])).code).toBe(0);
    expect((await cli(['analyze', '--fail-on', 'info', healthy])).code).toBe(1);
  });

  it('exits 1 in every output format, and 2 wins over 1 when another input cannot be read', async () => {
    for (const format of ['table', 'json', 'md']) expect((await cli(['analyze', '--format', format, blocked])).code).toBe(1);
    expect((await cli(['analyze', blocked, join(dir, 'missing.pcap')])).code).toBe(2);
  });

  it('computes the code from the reports alone (exitCodeFor)', async () => {
    const doc = JSON.parse((await cli(['analyze', '--format', 'json', '--fail-on', 'none', blocked, healthy])).out);
    expect(exitCodeFor(doc.files, 'error')).toBe(1);
    expect(exitCodeFor(doc.files, 'none')).toBe(0);
    expect(exitCodeFor([doc.files[1]], 'warning')).toBe(0);
    expect(exitCodeFor([doc.files[1]], 'info')).toBe(1);
    expect(exitCodeFor(doc.files, 'error', true)).toBe(2);
    const unreadable = { ...doc.files[0], frames: 0, errors: [{ code: 'io-error', severity: 'error', offset: 0, message: 'x' }] };
    expect(exitCodeFor([unreadable, doc.files[0]], 'error')).toBe(2);
  });
});

describe('rpctrace --dynamic-range and --follow-window', () => {
  const blocked = join(SAMPLES, 'rpc-nonstandard-port-blocked.pcap');

  it.each([
    ['70000-80000', /between 1 and 65535/],
    ['0-100', /between 1 and 65535/],
    ['6000-5000', /start \(6000\) is above the end \(5000\)/],
    ['49152', /not a port range/],
    ['abc', /not a port range/],
    ['1-2,x', /"x" is not a port range/],
    ['', /not a port range/],
  ])('refuses --dynamic-range %j with exit code 2', async (value, message) => {
    for (const command of ['analyze', 'ports']) {
      const r = await cli([command, '--dynamic-range', value, blocked]);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/--dynamic-range/);
      expect(r.err).toMatch(message);
      expect(r.out).toBe('');
    }
  });

  it.each(['0', '-5', 'soon', ''])('refuses --follow-window %j with exit code 2', async (value) => {
    const r = await cli(['analyze', '--follow-window', value, blocked]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--follow-window/);
  });

  it('passes repeated and comma-separated ranges and the window to the engine', async () => {
    const d = JSON.parse((await cli(['analyze', '--format', 'json', blocked])).out);
    expect(d.files[0].settings).toEqual({ dynamicRanges: [[49152, 65535]], followWindowSeconds: 120 });
    const r = await cli(['analyze', '--format', 'json', '--dynamic-range', '1025-5000,6005-65534', '--dynamic-range', '24158-24158', '--follow-window', '30.5', blocked]);
    const doc = JSON.parse(r.out);
    expect(doc.files[0].settings).toEqual({ dynamicRanges: [[1025, 5000], [6005, 65534], [24158, 24158]], followWindowSeconds: 30.5 });
    expect(doc.files[0].findings.map((f: { id: string }) => f.id)).toContain('RPC_DYNAMIC_PORT_BLOCKED');
  });
});

describe('rpctrace analyze: --profile, --server, --require, --heartbeat-interval, --missed-heartbeats', () => {
  const scom = join(SAMPLES, 'scom-agent-5723-unanswered.pcap');
  const healthyRpc = join(SAMPLES, 'rpc-healthy.pcap');
  const json = async (argv: string[]): Promise<{ code: number; file: { findings: { id: string; severity: string }[]; agent?: Record<string, unknown> } }> => {
    const r = await cli(['analyze', '--format', 'json', ...argv]);
    return { code: r.code, file: JSON.parse(r.out).files[0] };
  };

  it('auto (the default) runs the agent checks on a 5723 capture: a blocked 5723 is an error, exit 1', async () => {
    const r = await json([scom]);
    expect([r.code, r.file.findings.map((f) => `${f.id}:${f.severity}`)]).toEqual([1, ['REQUIRED_PORT_BLOCKED:error']]);
    expect(r.file.agent).toMatchObject({ profile: 'auto', reasonFrame: 42 });
  });

  it('rpc limits the run to the RPC checks: the report is what it was (a warning, exit 0)', async () => {
    const r = await json(['--profile', 'rpc', scom]);
    expect([r.code, r.file.findings.map((f) => f.id), 'agent' in r.file]).toEqual([0, ['CONNECTION_UNANSWERED'], false]);
  });

  it('scom, --server and --require force the agent checks and say so', async () => {
    expect((await json(['--profile', 'scom', healthyRpc])).file.agent).toMatchObject({ profile: 'scom', reason: '--profile scom' });
    expect((await json(['--server', 'scom01.corp.example', scom])).file.agent).toMatchObject({
      reason: '--server scom01.corp.example; the capture shows TCP 5723 from 10.1.1.50 to scom01.corp.example (10.1.1.30)',
      settings: { servers: ['scom01.corp.example'] },
    });
    const req = await json(['--require', 'tcp/5723', '--require', 'UDP/53,tcp/5723', healthyRpc]);
    expect(req.file.agent).toMatchObject({ reason: '--require tcp/5723,udp/53', settings: { required: ['tcp/5723', 'udp/53'] } });
  });

  it('passes the heartbeat settings to the engine', async () => {
    const r = await json(['--heartbeat-interval', '120', '--missed-heartbeats', '2', join(SAMPLES, 'agent-heartbeat-gap-unreachable.pcap')]);
    expect(r.file.agent).toMatchObject({ settings: { heartbeatIntervalSeconds: 120, missedHeartbeats: 2 } });
    // The 318 s silence is over 120 s x 2 (a gap) and under 120 s x 4 (none).
    expect(r.file.findings.map((f) => f.id)).toContain('HEARTBEAT_GAP');
    const lax = await json(['--heartbeat-interval', '120', join(SAMPLES, 'agent-heartbeat-gap-unreachable.pcap')]);
    expect(lax.file.findings.map((f) => f.id)).toEqual([]);
  });

  it.each([
    [['--profile', 'nope'], /--profile/],
    [['--require', 'tcp/0'], /between 1 and 65535/],
    [['--require', 'sctp/5723'], /tcp\/PORT or udp\/PORT/],
    [['--heartbeat-interval', '0'], /--heartbeat-interval/],
    [['--missed-heartbeats', '2.5'], /whole number/],
    [['--server', 'a b'], /not a host name or address/],
    [['--profile', 'rpc', '--server', '10.1.1.30'], /--profile rpc runs the RPC checks only/],
    [['--profile', 'rpc', '--require', 'tcp/5723'], /--require asks for the agent checks/],
  ])('refuses %j with exit code 2', async (args, message) => {
    const r = await cli(['analyze', ...args, scom]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
    expect(r.out).toBe('');
  });
});
