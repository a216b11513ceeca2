/**
 * `rpctrace scan` over a tree as users collect them: nested folders, gzip, a zip with folders
 * (a gzip capture, a nested zip, an encrypted member, notes), cut files, empty files, notes, a
 * symlink loop, a link out of the tree, a broken link, a damaged zip. Every capture is reported
 * and every skipped file is listed with its reason, in the same order whatever the number of
 * jobs; exit codes, --output, CSV and terminal inertness, a worker crash, and the progress bar
 * through a pseudo-terminal.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../../../src/cli/main.js';
import { scanCommand, type ScanOptions } from '../../../src/cli/scan-command.js';
import { inProcessRunner, workerRunner, type RunnerFactory } from '../../../src/cli/scan-pool.js';
import { ROOT, SAMPLES } from '../../helpers/corpus.js';
import { EXTERNAL_CALL_MS, EXTERNAL_TEST_MS } from '../../helpers/external.js';
import { zipFile } from '../../helpers/zip.js';

const sample = (name: string): Buffer => readFileSync(join(SAMPLES, name));
const blocked = sample('rpc-nonstandard-port-blocked.pcap');
const healthy = sample('rpc-healthy.pcap');
const pcapng = sample('rpc-nonstandard-port-blocked.pcapng');
const netmon = sample('rpc-nonstandard-port-blocked.cap');
const refused = sample('epm-refused-reset.pcap');

const base = mkdtempSync(join(tmpdir(), 'rpctrace-scan-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

/** The tree every test reads; `damaged` adds a zip cut short (an input that cannot be read: exit 2). */
function makeTree(name: string, damaged: boolean): string {
  const root = join(base, name);
  mkdirSync(join(root, 'site-a', 'dc01'), { recursive: true });
  mkdirSync(join(root, 'site-b'), { recursive: true });
  writeFileSync(join(root, 'site-a', 'dc01', 'blocked.pcap'), blocked);
  writeFileSync(join(root, 'site-a', 'dc01', 'blocked.pcapng.gz'), gzipSync(pcapng));
  writeFileSync(join(root, 'site-a', 'trace.etl'), netmon); // NetMon, whatever the name
  writeFileSync(join(root, 'site-a', 'cut.pcap'), blocked.subarray(0, blocked.length - 10));
  writeFileSync(join(root, 'site-a', 'empty.pcap'), new Uint8Array(0));
  writeFileSync(join(root, 'site-b', 'notes.txt'), 'collected by the customer\n');
  writeFileSync(join(root, 'site-b', 'healthy.pcap'), healthy);
  writeFileSync(join(root, 'ticket.zip'), zipFile([
    { name: 'dc02/', data: new Uint8Array(0), method: 0 },
    { name: 'dc02/refused.pcap', data: refused },
    { name: 'dc02/blocked.pcap.gz', data: gzipSync(blocked), method: 0 },
    { name: 'locked.pcap', data: blocked, encrypted: true },
    { name: 'inner.zip', data: zipFile([{ name: 'x.pcap', data: healthy }]) },
    { name: 'readme.md', data: new TextEncoder().encode('# notes\n') },
  ]));
  symlinkSync('..', join(root, 'site-a', 'dc01', 'loop'));
  symlinkSync(tmpdir(), join(root, 'site-b', 'tmp-link'));
  symlinkSync(join(root, 'nowhere'), join(root, 'site-b', 'broken'));
  if (damaged) writeFileSync(join(root, 'site-b', 'download.zip'), zipFile([{ name: 'a.pcap', data: blocked }]).subarray(0, 200));
  return root;
}

const tree = makeTree('tree', false);
const damagedTree = makeTree('damaged', true);

const DEFAULTS: ScanOptions = {
  dynamicRanges: [[49152, 65535]], followWindowSeconds: 120, format: 'json', failOn: 'error', recursive: true, jobs: 1, quiet: true, output: null,
};

async function scan(args: string[], o: Partial<ScanOptions> = {}, runner: RunnerFactory = inProcessRunner): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await scanCommand(args, { ...DEFAULTS, ...o }, { out: { write: (s: string) => { out += s; } }, err: { write: (s: string) => { err += s; } } }, { runner });
  return { code, out, err };
}

const built = join(ROOT, 'dist', 'bundle', 'scan-worker.js');
const HAVE_BUILD = existsSync(built);
const BUILD_SKIP = HAVE_BUILD ? '' : ' (skipped: dist/bundle is missing; npm test builds it)';
const pool = workerRunner(pathToFileURL(built));

const p = (...parts: string[]): string => join(tree, ...parts);

describe('rpctrace scan: what it finds in a tree', () => {
  it('reports every capture and lists every skipped file with its reason, in walk order', async () => {
    const r = await scan([tree]);
    expect(r.code).toBe(1); // error findings; nothing unreadable
    const doc = JSON.parse(r.out);
    expect(doc.schemaVersion).toBe(1);
    expect(doc.files.map((f: { path: string }) => f.path)).toEqual([
      p('site-a', 'cut.pcap'),
      p('site-a', 'dc01', 'blocked.pcap'),
      p('site-a', 'dc01', 'blocked.pcapng.gz'),
      p('site-a', 'trace.etl'),
      p('site-b', 'healthy.pcap'),
      p('ticket.zip', 'dc02', 'refused.pcap'),
      p('ticket.zip', 'dc02', 'blocked.pcap.gz'),
    ]);
    const byPath = new Map<string, { format: string; compression: string | null; complete: boolean; frames: number }>(doc.files.map((f: { path: string }) => [f.path, f]));
    expect(byPath.get(p('site-a', 'cut.pcap'))).toMatchObject({ format: 'pcap', complete: false });
    expect(byPath.get(p('site-a', 'dc01', 'blocked.pcapng.gz'))).toMatchObject({ format: 'pcapng', compression: 'gzip', complete: true });
    expect(byPath.get(p('site-a', 'trace.etl'))).toMatchObject({ format: 'netmon', complete: true });
    expect(byPath.get(p('ticket.zip', 'dc02', 'blocked.pcap.gz'))).toMatchObject({ format: 'pcap', compression: 'gzip', frames: 13 });
    const skipped = Object.fromEntries(doc.skipped.map((s: { path: string; reason: string }) => [s.path.slice(tree.length + 1), s.reason]));
    expect(Object.keys(skipped)).toEqual([
      'site-a/dc01/loop', 'site-a/empty.pcap', 'site-b/broken', 'site-b/notes.txt', 'site-b/tmp-link',
      'ticket.zip/locked.pcap', 'ticket.zip/inner.zip', 'ticket.zip/readme.md',
    ]);
    expect(skipped['site-a/dc01/loop']).toMatch(/already scanned .*a loop/);
    expect(skipped['site-a/empty.pcap']).toMatch(/empty/);
    expect(skipped['site-b/broken']).toMatch(/broken symbolic link/);
    expect(skipped['site-b/notes.txt']).toMatch(/not a capture/);
    expect(skipped['site-b/tmp-link']).toMatch(/outside the folder scanned/);
    expect(skipped['ticket.zip/locked.pcap']).toMatch(/encrypted/);
    expect(skipped['ticket.zip/inner.zip']).toMatch(/zip archive inside a zip archive/);
    expect(skipped['ticket.zip/readme.md']).toMatch(/not a capture/);
  });

  it('aggregates findings by id and by target; capture-wide findings count by id only', async () => {
    const doc = JSON.parse((await scan([tree])).out);
    const a = doc.aggregate;
    expect(a).toMatchObject({ files: 7, unreadable: 0, internalErrors: 0, skipped: 8, targetsOmitted: 0 });
    const blockedId = a.byFinding.find((x: { id: string }) => x.id === 'NONSTANDARD_RPC_PORT_BLOCKED');
    // blocked.pcap, its pcapng, the NetMon copy, the cut file (frames before the cut) and the zip member.
    expect(blockedId).toEqual({ id: 'NONSTANDARD_RPC_PORT_BLOCKED', severity: 'error', files: 5, count: 5 });
    expect(a.byTarget[0]).toEqual({
      server: '10.1.1.10', protocol: 'tcp', port: 15595, files: 5,
      findings: [{ id: 'NONSTANDARD_RPC_PORT_BLOCKED', severity: 'error', files: 5, count: 5 }],
    });
    for (const t of a.byTarget) expect(t.protocol).not.toBeNull();
    // Most severe first.
    const ranks = a.byFinding.map((x: { severity: string }) => ({ error: 3, warning: 2, info: 1 })[x.severity]);
    expect([...ranks].sort((x: number, y: number) => y - x)).toEqual(ranks);
  });

  it('with --no-recursive reads only the files directly inside, and lists the subfolders as skipped', async () => {
    const doc = JSON.parse((await scan([join(tree, 'site-a')], { recursive: false })).out);
    expect(doc.files.map((f: { path: string }) => f.path)).toEqual([p('site-a', 'cut.pcap'), p('site-a', 'trace.etl')]);
    expect(doc.skipped).toContainEqual({ path: p('site-a', 'dc01'), reason: expect.stringContaining('--no-recursive') });
  });

  it('exits 2 when an input cannot be read at all (a zip cut short), and 0 with --fail-on none otherwise', async () => {
    const r = await scan([damagedTree]);
    expect(r.code).toBe(2);
    const f = JSON.parse(r.out).files.find((x: { path: string }) => x.path.endsWith('download.zip'));
    expect(f).toMatchObject({ frames: 0, errors: [{ code: 'io-error', message: expect.stringContaining('cut short or damaged') }] });
    expect((await scan([damagedTree], { failOn: 'none' })).code).toBe(2);
    expect((await scan([tree], { failOn: 'none' })).code).toBe(0);
    expect((await scan([join(tree, 'site-b')], { failOn: 'warning' })).code).toBe(0); // healthy: info only
    expect((await scan([join(tree, 'site-b')], { failOn: 'info' })).code).toBe(1);
    expect((await scan([join(tree, 'missing')])).code).toBe(2);
    const std = await scan(['-']);
    expect(std.code).toBe(2);
    expect(std.err).toMatch(/standard input/);
  });

  it('reads a zip archive named on the command line, and calls a named non-capture an error as analyze does', async () => {
    const r = await scan([p('ticket.zip'), p('site-b', 'notes.txt')]);
    expect(r.code).toBe(2);
    const doc = JSON.parse(r.out);
    expect(doc.files.map((f: { path: string }) => f.path)).toEqual([p('ticket.zip', 'dc02', 'refused.pcap'), p('ticket.zip', 'dc02', 'blocked.pcap.gz'), p('site-b', 'notes.txt')]);
    expect(doc.files[2].errors[0].code).toBe('not-a-capture');
  });
});

describe('rpctrace scan: output formats', () => {
  it('jsonl: one record per line, files and skipped files, the summary last', async () => {
    const r = await scan([tree], { format: 'jsonl' });
    const lines = r.out.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.filter((l) => l.record === 'file')).toHaveLength(7);
    expect(lines.filter((l) => l.record === 'skipped')).toHaveLength(8);
    const last = lines[lines.length - 1];
    expect(last).toMatchObject({ record: 'summary', schemaVersion: 1, aggregate: { files: 7, skipped: 8 } });
    const json = JSON.parse((await scan([tree])).out);
    expect(new Set(lines.filter((l) => l.record === 'file').map((l) => l.path))).toEqual(new Set(json.files.map((f: { path: string }) => f.path)));
    expect(lines.find((l) => l.record === 'file' && l.path === p('site-a', 'dc01', 'blocked.pcap'))).toEqual({ record: 'file', ...json.files[1] });
  });

  it('csv: a header, one row per file and per skipped file, RFC 4180 quoting', async () => {
    const r = await scan([tree], { format: 'csv' });
    const rows = r.out.split('\r\n').filter((l) => l !== '');
    expect(rows[0]).toBe('"path","status","format","compression","frames","complete","errors","warnings","error_findings","warning_findings","info_findings","worst_finding","worst_severity","worst_target","worst_title","problem"');
    expect(rows).toHaveLength(1 + 7 + 8);
    expect(rows).toContain(`"${p('site-a', 'dc01', 'blocked.pcap')}","read","pcap",,13,true,0,0,1,0,0,"NONSTANDARD_RPC_PORT_BLOCKED","error","10.1.1.50 -> 10.1.1.10:15595","TCP 15595 on 10.1.1.10 (DRSUAPI (AD replication), advertised) is blocked: 3 SYN(s) from 10.1.1.50 unanswered",`);
    expect(rows.find((l) => l.includes('cut.pcap'))).toMatch(/^"[^"]+","read-partly",/);
  });

  it('table and md: the summary first (one row per file), then findings and targets across files, then the skipped files', async () => {
    const t = (await scan([tree], { format: 'table' })).out;
    const flat = t.replace(/\s+/g, ' ');
    expect(t.indexOf('Files (7)')).toBeLessThan(t.indexOf('Findings across files'));
    expect(t.indexOf('Findings across files')).toBeLessThan(t.indexOf('Targets across files'));
    expect(t.indexOf('Targets across files')).toBeLessThan(t.indexOf('Skipped 8 files'));
    expect(flat).toContain('10.1.1.10 TCP 15595 │ NONSTANDARD_RPC_PORT_BLOCKED in 5 traces');
    expect(flat).toContain('7 files read');
    for (const line of t.split('\n')) expect(line.length, line).toBeLessThanOrEqual(100);
    const md = (await scan([tree], { format: 'md' })).out;
    expect(md).toContain('| `10.1.1.10 TCP 15595` | `NONSTANDARD_RPC_PORT_BLOCKED` in 5 traces | 5 |');
    expect(md).toContain('### Findings across files');
  });

  it('makes hostile file names inert: control characters escaped, spreadsheet formulas neutralised', async () => {
    const dir = join(base, 'hostile');
    mkdirSync(dir);
    writeFileSync(join(dir, "=HYPERLINK(\"http:x\")\u001b[2J.pcap"), blocked);
    writeFileSync(join(dir, '@SUM(1).pcap'), blocked);
    const csv = (await scan([dir], { format: 'csv' })).out;
    // Control characters escaped, quotes doubled; these cells start with the folder ('/').
    expect(csv).toContain(`"${dir}/=HYPERLINK(""http:x"")\\x1b[2J.pcap"`);
    expect(csv).not.toContain('\u001b');
    // A cell that starts like a formula gets a leading quote:
    const rel = await (async () => {
      const cwd = process.cwd();
      process.chdir(dir);
      try { return (await scan(['@SUM(1).pcap'], { format: 'csv' })).out; } finally { process.chdir(cwd); }
    })();
    expect(rel.split('\r\n')[1]).toMatch(/^"'@SUM\(1\)\.pcap","read"/);
    for (const format of ['table', 'md'] as const) {
      const out = (await scan([dir], { format })).out;
      expect(out, format).not.toContain('\u001b');
      expect(out, format).toContain('\\x1b[2J');
    }
    expect((await scan([dir], { format: 'json' })).out).toContain('\\u001b[2J');
  });
});

describe('rpctrace scan --output', () => {
  it('writes the same bytes as standard output, through a temporary file that does not remain', async () => {
    const out = join(base, 'report.json');
    const a = await scan([tree], { output: out });
    expect(a.out).toBe('');
    expect(readFileSync(out, 'utf8')).toBe((await scan([tree])).out);
    expect(readdirSync(base).filter((n) => n.includes('.tmp'))).toEqual([]);
  });

  it('refuses to write over an input (also through a symbolic link) or a folder, and writes nothing', async () => {
    const before = readFileSync(p('site-b', 'healthy.pcap'));
    const r = await scan([tree], { output: p('site-b', 'healthy.pcap') });
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/refusing to write over one of the inputs/);
    expect(Buffer.compare(readFileSync(p('site-b', 'healthy.pcap')), before)).toBe(0);
    const link = join(base, 'link-to-input.pcap');
    symlinkSync(p('site-a', 'dc01', 'blocked.pcap'), link);
    expect((await scan([tree], { output: link })).code).toBe(2);
    expect((await scan([tree], { output: base })).err).toMatch(/is a folder/);
  });
});

describe('rpctrace scan in worker threads (built code)', () => {
  it.skipIf(!HAVE_BUILD)(`gives, with 2 jobs, exactly what one job in this thread gives, in every format${BUILD_SKIP}`, { timeout: EXTERNAL_TEST_MS }, async () => {
    for (const format of ['json', 'csv', 'table', 'md'] as const) {
      const one = await scan([tree, damagedTree], { format }, inProcessRunner);
      const two = await scan([tree, damagedTree], { format, jobs: 2 }, pool);
      expect(two.out, format).toBe(one.out);
      expect(two.code).toBe(one.code);
    }
  });

  it.skipIf(!HAVE_BUILD)(`reports a worker crash for the file that caused it (exit 3) and reads the others${BUILD_SKIP}`, { timeout: EXTERNAL_TEST_MS }, async () => {
    const dir = join(base, 'crash');
    mkdirSync(dir);
    for (const n of ['a.pcap', 'b-crash-me.pcap', 'c.pcap', 'd.pcap']) writeFileSync(join(dir, n), blocked);
    const crashing = workerRunner(pathToFileURL(join(ROOT, 'test', 'unit', 'cli', 'fixtures', 'crash-worker.mjs')));
    const r = await scan([dir], { jobs: 2 }, crashing);
    expect(r.code).toBe(3);
    const doc = JSON.parse(r.out);
    expect(doc.files.map((f: { path: string; frames: number }) => [f.path.slice(dir.length + 1), f.frames])).toEqual([['a.pcap', 13], ['b-crash-me.pcap', 0], ['c.pcap', 13], ['d.pcap', 13]]);
    expect(doc.files[1].errors).toEqual([{ code: 'internal-error', severity: 'error', offset: 0, message: expect.stringContaining('simulated worker crash') }]);
    expect(doc.aggregate.internalErrors).toBe(1);
  });
});

describe('rpctrace scan as a program', () => {
  const bin = join(ROOT, 'bin', 'rpctrace.js');
  const hasScript = spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;

  it('is in --help with its options', async () => {
    let out = '';
    const code = await run(['scan', '--help'], { out: { write: (s: string) => { out += s; } }, err: { write: () => {} } });
    expect(code).toBe(0);
    for (const o of ['--no-recursive', '--jobs', '--format', 'jsonl', 'csv', '--output', '--quiet', '--fail-on']) expect(out).toContain(o);
    const bad = await run(['scan', '--jobs', '0', tree], { out: { write: () => {} }, err: { write: () => {} } });
    expect(bad).toBe(2);
  });

  it.skipIf(!HAVE_BUILD || !hasScript)(`draws a progress bar on a terminal (a pseudo-terminal through script(1)), not on a pipe, not with --quiet${BUILD_SKIP}`, { timeout: EXTERNAL_TEST_MS }, () => {
    const out = join(base, 'pty-out.txt');
    const cmd = (extra: string): string => `${JSON.stringify(process.execPath)} ${JSON.stringify(bin)} scan --jobs 2 --fail-on none ${extra} ${JSON.stringify(tree)} > ${JSON.stringify(out)}`;
    const tty = spawnSync('script', ['-qec', cmd(''), '/dev/null'], { encoding: 'utf8', timeout: EXTERNAL_CALL_MS });
    expect(tty.status).toBe(0);
    expect(tty.stdout).toMatch(/scan [=-]+ \d+% \| \d+\/\d+ files \| [\d.]+\/[\d.]+ MB \| [\d.]+ MB\/s \| ETA/);
    expect(readFileSync(out, 'utf8')).toContain('Files (7)');
    const quiet = spawnSync('script', ['-qec', cmd('--quiet'), '/dev/null'], { encoding: 'utf8', timeout: EXTERNAL_CALL_MS });
    expect(quiet.stdout).not.toMatch(/files \|/);
    const piped = spawnSync(process.execPath, [bin, 'scan', '--fail-on', 'none', tree], { encoding: 'utf8', timeout: EXTERNAL_CALL_MS });
    expect(piped.status).toBe(0);
    expect(piped.stderr).toBe('');
    expect(piped.stdout).toBe(readFileSync(out, 'utf8'));
  });
});

describe('rpctrace scan: the agent checks options, as analyze takes them', () => {
  const dir = join(base, 'agents');
  mkdirSync(dir);
  writeFileSync(join(dir, 'agent.pcap'), readFileSync(join(SAMPLES, 'agent-5723-dropped.pcap')));
  writeFileSync(join(dir, 'rpc.pcap'), readFileSync(join(SAMPLES, 'rpc-healthy.pcap')));
  const io = (): { io: { out: { write: (s: string) => void }; err: { write: (s: string) => void } }; text: () => string } => {
    let out = '';
    return { io: { out: { write: (s: string) => { out += s; } }, err: { write: () => {} } }, text: () => out };
  };
  const files = (json: string): Record<string, { agent?: { reason: string }; findings: { id: string }[] }> =>
    Object.fromEntries((JSON.parse(json) as { files: { path: string; agent?: { reason: string }; findings: { id: string }[] }[] }).files.map((f) => [f.path.split('/').pop()!, f]));

  it('auto runs them where a capture shows 5723, --profile rpc never, --profile scom on every file', async () => {
    const runs: Record<string, ReturnType<typeof files>> = {};
    for (const profile of ['auto', 'rpc', 'scom']) {
      const o = io();
      expect(await run(['scan', '--quiet', '--format', 'json', '--fail-on', 'none', '--jobs', '1', '--profile', profile, dir], o.io)).toBe(0);
      runs[profile] = files(o.text());
    }
    expect(runs.auto!['agent.pcap']!.findings.map((f) => f.id)).toContain('REQUIRED_PORT_BLOCKED');
    expect(runs.auto!['rpc.pcap']!.agent).toBeUndefined();
    expect(runs.rpc!['agent.pcap']!.agent).toBeUndefined();
    expect(runs.rpc!['agent.pcap']!.findings.map((f) => f.id)).not.toContain('REQUIRED_PORT_BLOCKED');
    expect(runs.scom!['rpc.pcap']!.agent?.reason).toMatch(/--profile scom/);
  });

  it('--server names the management server; with --profile rpc it is a usage error', async () => {
    const o = io();
    await run(['scan', '--quiet', '--format', 'json', '--fail-on', 'none', '--jobs', '1', '--server', '10.1.1.30', dir], o.io);
    expect(files(o.text())['rpc.pcap']!.agent?.reason).toMatch(/--server 10\.1\.1\.30/);
    expect(await run(['scan', '--profile', 'rpc', '--server', '10.1.1.30', dir], io().io)).toBe(2);
  });

  it('the HTML header says which checks ran, without the servers named (it is redacted output too)', async () => {
    const o = io();
    await run(['scan', '--quiet', '--format', 'html', '--fail-on', 'none', '--jobs', '1', '--redact', '--server', '10.1.1.30', dir], o.io);
    expect(o.text()).toContain('RPC and agent (--server)');
    expect(o.text()).not.toContain('10.1.1.30');
  });
});

describe('analyze DIR points to scan for subfolders', () => {
  it('says on standard error which folder has subfolders it did not read', async () => {
    let err = '';
    const code = await run(['analyze', '--format', 'json', '--fail-on', 'none', join(tree, 'site-a')], { out: { write: () => {} }, err: { write: (s: string) => { err += s; } } });
    expect(code).toBe(0);
    expect(err).toContain(`${join(tree, 'site-a')} has 1 subfolder, not read`);
    expect(err).toContain(`'rpctrace scan ${join(tree, 'site-a')}'`);
  });
});

describe.skipIf(!HAVE_BUILD)(`rpctrace scan --redact${BUILD_SKIP}`, () => {
  const originals = ['10.1.1.10', '10.1.1.50', '10.1.1.30', 'site-a', 'site-b', 'dc01', 'dc02', 'blocked.pcap', 'healthy.pcap', 'ticket.zip', 'trace.etl', 'corp', 'scom01', 'ws50'];
  const agentTree = mkdtempSync(join(base, 'agent-'));
  writeFileSync(join(agentTree, 'ws50-agent.pcap'), sample('agent-ldap-kerberos-tcp-blocked.pcap'));

  it('leaves no address, name or file name in any format, and one pseudonym per original across files and workers', async () => {
    for (const format of ['table', 'json', 'jsonl', 'csv', 'md', 'html'] as const) {
      const r = await scan([tree, agentTree], { format, jobs: 2, redact: true, redactKey: 'k' }, pool);
      expect(r.code, format).toBe(1);
      for (const o of originals) expect(r.out.toLowerCase().includes(o), `${o} in ${format}`).toBe(false);
    }
    const doc = JSON.parse((await scan([tree, agentTree], { jobs: 2, redact: true, redactKey: 'k' }, pool)).out);
    // The five files that show the blocked port still meet under one (pseudonymous) target.
    const top = doc.aggregate.byTarget[0];
    expect(top).toMatchObject({ protocol: 'tcp', port: 15595, files: 5 });
    expect(top.server).not.toBe('10.1.1.10');
    // Every file's findings name that server by the same pseudonym.
    const servers = new Set(doc.files.flatMap((f: { findings: { id: string; server: string }[] }) => f.findings.filter((x) => x.id === 'NONSTANDARD_RPC_PORT_BLOCKED').map((x) => x.server)));
    expect([...servers]).toEqual([top.server]);
    // Skipped files are listed under pseudonyms too, with their reasons.
    expect(doc.skipped).toHaveLength(8);
    for (const s of doc.skipped) expect(s.path).toMatch(/^capture-[0-9a-f]{8}/);
  }, EXTERNAL_TEST_MS);

  it('the same key gives the same output; without a key the pseudonyms change', async () => {
    const a = await scan([tree], { format: 'csv', redact: true, redactKey: 'k' });
    const b = await scan([tree], { format: 'csv', redact: true, redactKey: 'k' });
    const c = await scan([tree], { format: 'csv', redact: true });
    expect(a.out).toBe(b.out);
    expect(c.out).not.toBe(a.out);
  });
});

describe('rpctrace scan --redact: a failure on one report', () => {
  it('is that file internal error (exit 3), under its pseudonym; the scan goes on', async () => {
    const { vi } = await import('vitest');
    let calls = 0;
    vi.doMock('../../../src/redact/report.js', async (load) => {
      const real = await load<typeof import('../../../src/redact/report.js')>();
      return { ...real, redactReport: (...a: Parameters<typeof real.redactReport>) => { if (calls++ === 0) throw new Error('redaction bug'); return real.redactReport(...a); } };
    });
    try {
      const r = await scan([p('site-a', 'dc01')], { redact: true, redactKey: 'k' });
      expect(r.code).toBe(3);
      const doc = JSON.parse(r.out);
      expect(doc.files).toHaveLength(2);
      expect(doc.files[0].errors[0]).toMatchObject({ code: 'internal-error' });
      expect(doc.files[0].path).toMatch(/^capture-[0-9a-f]{8}\.pcap$/);
      expect(doc.files[1].findings.length).toBeGreaterThan(0);
    } finally {
      vi.doUnmock('../../../src/redact/report.js');
    }
  });
});
