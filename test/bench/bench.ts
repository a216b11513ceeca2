/**
 * `npm run bench`: throughput and peak memory of `rpctrace analyze` on a synthetic ~1 GiB capture,
 * written as a classic pcap and as a pcapng holding the same frames, next to references, each
 * timed as a whole process:
 *
 *   rpctrace     node bin/rpctrace.js analyze --format json FILE      (the thing under test; pcap and pcapng)
 *   pcap-parser  the pcap-parser npm package, read-only pass          (a JS library baseline; pcap)
 *   tcpdump      tcpdump -r FILE -w /dev/null 'tcp[tcpflags] & tcp-syn != 0'   (libpcap, C; pcap and pcapng)
 *   tshark       tshark -r SLICE -Y 'tcp.flags.syn==1'                (Wireshark's full dissection, on the
 *                                                                      first 64 MiB only: it is slow; MB/s scaled)
 *   floor        node loop hopping record header to header             (least possible work; pcap)
 *
 * Then the invariance check: rpctrace's findings, attempts and endpoints must be the same for the
 * pcap and the pcapng, and for the pcap read in-process with 64 KiB, 1 MiB and 16 MiB chunks.
 * `--only shapes` (part of the default) times the traffic shapes of issue 10 (shapes.ts) against
 * tcpdump's filter pass, each in the same run, with peak RSS and the caps each report names.
 * `--big` adds a 10x concatenation (memory on ~10 GiB), `--flood` a capture of 10 million
 * half-open SYNs (bounded state). The captures are generated once and cached under .bench/ with a
 * .meta.json; results go to .bench/results.json. Not part of `npm test` (vitest runs *.test.ts only).
 *
 *   npm run bench                                   1 GiB, 3 runs each
 *   npx tsx test/bench/bench.ts --size 64 --runs 1  quick development run
 *   npx tsx test/bench/bench.ts --help              all options
 */
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, freemem, loadavg, totalmem, release, arch, platform } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import Table from 'cli-table3';
import { ensureSlice, writeCopies, type SliceMeta } from './derived.js';
import { MAX_FLOOD_SYNS, ensureFlood } from './flood.js';
import { compareReports, failedComparison, type InvarianceResult } from './invariance.js';
import { ensureScanTree } from './scan-tree.js';
import { SHAPE_IDS, ensureShape, type ShapeId, type ShapeMeta } from './shapes.js';
import { DEFAULT_SEED, GENERATOR_VERSION, ensureCapture, type CaptureMeta, type ExpectedCounts, type Outcome } from './traffic.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const HERE = fileURLToPath(new URL('./', import.meta.url));
const BENCH_DIR = join(ROOT, '.bench');
const RSS_HOOK = pathToFileURL(join(HERE, 'rss-hook.mjs')).href;

/** The issue's target for `rpctrace analyze` on the 1 GiB file (and, for memory, on 10 GiB). */
const TARGET_MBPS = 1000;
const TARGET_RSS_MB = 200;
/** The issue's memory target for a flood of half-open SYNs. */
const FLOOD_TARGET_RSS_MB = 300;
/** `--big` concatenates the capture's records this many times. */
const BIG_COPIES = 10;

/** Chunk sizes the invariance check reads the pcap with, in-process (1 MiB is rpctrace's default). */
const CHUNK_SIZES: readonly { bytes: number; label: string }[] = [
  { bytes: 64 * 1024, label: '64 KiB' },
  { bytes: 1024 * 1024, label: '1 MiB (default)' },
  { bytes: 16 * 1024 * 1024, label: '16 MiB' },
];

const TOOL_IDS = ['rpctrace', 'pcap-parser', 'tcpdump', 'tshark', 'floor', 'scan', 'shapes'] as const;
type ToolId = (typeof TOOL_IDS)[number];
/** The ids of the timed table on the 1 GiB capture (`scan` and `shapes` are sections of their own). */
const isCaptureTool = (t: ToolId): boolean => t !== 'scan' && t !== 'shapes';

/** Issue 10's targets for the shapes: peak RSS of every run, and churn's speed against tcpdump. */
const SHAPE_TARGET_RSS_MB = 256;
const CHURN_TARGET_RATIO = 0.8;

/** The issue's targets for `rpctrace scan` on the folder of 2,640 captures (scan-tree.ts). */
const SCAN_TARGET_RATIO = 1.6;
const SCAN_TARGET_RSS_MB = 256;

/** How a tool's peak RSS is obtained. */
type RssMethod = 'node-hook' | 'gnu-time' | 'proc-poll';
const RSS_METHOD_TEXT: Record<RssMethod, string> = {
  'node-hook': 'VmHWM of the child (/proc/self/status; getrusage ru_maxrss where there is no procfs) and its user+system time, via node --import rss-hook.mjs at exit',
  'gnu-time': "GNU time -f '%M %U %S' (wait4 rusage of the child: ru_maxrss, user+system time)",
  'proc-poll': 'VmHWM from /proc/PID/status polled every 10 ms (a lower bound: growth in the last 10 ms can be missed); no CPU time',
};
const RSS_METHOD_SHORT: Record<RssMethod, string> = { 'node-hook': 'VmHWM (hook)', 'gnu-time': 'GNU time', 'proc-poll': 'VmHWM poll' };

/** A file a tool reads. */
interface Input {
  /** Shown in the table: `pcap`, `pcapng`, `pcap, first 64 MiB`. */
  label: string;
  format: 'pcap' | 'pcapng';
  path: string;
  bytes: number;
  frames: number;
}

interface ToolSpec {
  /** Row id: the tool, plus `-pcapng` for a second format (`rpctrace-pcapng`), unique per run. */
  id: string;
  tool: ToolId;
  input: Input;
  what: string;
  command: string;
  args: string[];
  rss: RssMethod;
  /** Exit statuses of a successful run (default [0]). */
  okExit?: readonly number[];
  /** Checks one run's output; returns a problem, or null when it is right. */
  check(stdout: string, stderr: string): string | null;
  /** Extra, non-fatal observations (counts that differ from the generator's), first run only. */
  notes?(stdout: string): string[];
}

interface RunResult {
  seconds: number;
  /** Peak RSS in KiB, null when it could not be measured. */
  maxRssKiB: number | null;
  /** User + system CPU seconds of the child, null when not measured (VmHWM polling). */
  cpuSeconds: number | null;
  exitCode: number | null;
  signal: string | null;
  problem: string | null;
}

interface ToolResult {
  id: string;
  tool: ToolId;
  input: Input | null;
  what: string;
  commandLine: string;
  rssMethod: RssMethod | null;
  skipped: string | null;
  runs: RunResult[];
  medianSeconds: number | null;
  /** Fastest run: on a busy machine closer to what the code can do than the median. */
  minSeconds: number | null;
  /** Median CPU seconds (user + system) over the runs, null when not measured. */
  medianCpuSeconds: number | null;
  mbPerSecond: number | null;
  framesPerSecond: number | null;
  peakRssMB: number | null;
  notes: string[];
}

// ---- options -------------------------------------------------------------------------------

const HELP = `usage: npx tsx test/bench/bench.ts [options]   (npm run bench -- [options] builds first)

  --size <MiB>       size of the synthetic capture (default 1024); cached per size under .bench/
  --runs <n>         timed runs per tool, median reported (default 3)
  --seed <n>         generator seed (default ${DEFAULT_SEED}); a new seed regenerates the files
  --only <ids>       comma-separated subset of: ${TOOL_IDS.join(', ')}; or 'none' to time nothing
                     (with --big or --flood). The invariance check runs when rpctrace is timed.
                     scan: 'rpctrace scan' of a folder of 240 small-to-medium and 2,400 small
                     captures, --jobs 1 against --jobs 2 in the same run (target >= ${SCAN_TARGET_RATIO}x), and
                     the peak RSS of the 2,400 small ones (target <= ${SCAN_TARGET_RSS_MB} MB)
                     shapes: the captures of issue 10 (shapes.ts): high churn, a busy domain
                     controller, 135-heavy, ept_map floods, a fragment flood, SYN floods and 2,000
                     small files; each timed against tcpdump's filter pass in the same run, with
                     peak RSS, exit status and the STATE_LIMIT_REACHED kinds the report names
                     (targets: exit 0 or 1, peak RSS <= ${SHAPE_TARGET_RSS_MB} MB, churn >= ${CHURN_TARGET_RATIO}x tcpdump)
  --shapes <ids>     with --only shapes: comma-separated subset of ${SHAPE_IDS.join(', ')}
  --slice <MiB>      size of the head slice tshark reads (default 64)
  --big              also: concatenate the capture ${BIG_COPIES} times (10 GiB for --size 1024) into a
                     temporary file, analyze it once, report peak RSS (target < ${TARGET_RSS_MB} MB) and MB/s
  --flood            also: analyze a capture of ${(10_000_000).toLocaleString('en-US')} half-open SYNs, each a new 4-tuple
                     (~700 MB, cached), once; report peak RSS (target < ${FLOOD_TARGET_RSS_MB} MB) and
                     whether STATE_LIMIT_REACHED is reported
  --flood-syns <n>   SYNs in the --flood capture (default 10000000, at most ${MAX_FLOOD_SYNS})
  --regen            regenerate the captures even when the cached ones are current
  --keep             keep each run's stdout/stderr under .bench/runs/ (default: last run only, in .bench/tmp/)
  --clean            delete the generated captures (and their meta) when done
  --profile          afterwards, run rpctrace once under --cpu-prof and print the hottest functions
  --help             this text

Exit status: 0 when every tool ran, its output checked out and the invariance check passed
(PASS/FAIL against the targets is informative), 1 when a tool crashed or gave a wrong answer or
reports differed, 2 for a usage error.`;

interface Options {
  sizeMiB: number;
  runs: number;
  seed: number;
  only: ToolId[];
  shapes: ShapeId[];
  sliceMiB: number;
  big: boolean;
  flood: boolean;
  floodSyns: number;
  regen: boolean;
  keep: boolean;
  clean: boolean;
  profile: boolean;
}

function parseOptions(argv: string[]): Options | string {
  let v;
  try {
    v = parseArgs({
      args: argv,
      options: {
        size: { type: 'string', default: '1024' },
        runs: { type: 'string', default: '3' },
        seed: { type: 'string', default: String(DEFAULT_SEED) },
        only: { type: 'string', default: TOOL_IDS.join(',') },
        slice: { type: 'string', default: '64' },
        shapes: { type: 'string', default: SHAPE_IDS.join(',') },
        big: { type: 'boolean', default: false },
        flood: { type: 'boolean', default: false },
        'flood-syns': { type: 'string', default: '10000000' },
        regen: { type: 'boolean', default: false },
        keep: { type: 'boolean', default: false },
        clean: { type: 'boolean', default: false },
        profile: { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
  if (v.help === true) return '';
  const sizeMiB = Number(v.size);
  const runs = Number(v.runs);
  const seed = Number(v.seed);
  const sliceMiB = Number(v.slice);
  const floodSyns = Number(v['flood-syns']);
  if (!Number.isInteger(sizeMiB) || sizeMiB < 1 || sizeMiB > 16384) return `--size must be an integer number of MiB, 1..16384 (got ${v.size})`;
  if (!Number.isInteger(runs) || runs < 1 || runs > 100) return `--runs must be 1..100 (got ${v.runs})`;
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) return `--seed must be an integer 0..4294967295 (got ${v.seed})`;
  if (!Number.isInteger(sliceMiB) || sliceMiB < 1 || sliceMiB > 4096) return `--slice must be an integer number of MiB, 1..4096 (got ${v.slice})`;
  if (!Number.isInteger(floodSyns) || floodSyns < 1 || floodSyns > MAX_FLOOD_SYNS) return `--flood-syns must be 1..${MAX_FLOOD_SYNS} (got ${v['flood-syns']})`;
  const only: ToolId[] = [];
  if (String(v.only).trim() !== 'none') {
    for (const s of String(v.only).split(',').map((x) => x.trim()).filter((x) => x !== '')) {
      const id = TOOL_IDS.find((t) => t === s);
      if (id === undefined) return `--only: unknown tool '${s}' (known: ${TOOL_IDS.join(', ')}, or none)`;
      only.push(id);
    }
  }
  if (only.length === 0 && v.big !== true && v.flood !== true) return '--only none leaves nothing to do without --big or --flood';
  const shapes: ShapeId[] = [];
  for (const x of String(v.shapes).split(',').map((y) => y.trim()).filter((y) => y !== '')) {
    const id = SHAPE_IDS.find((t) => t === x);
    if (id === undefined) return `--shapes: unknown shape '${x}' (known: ${SHAPE_IDS.join(', ')})`;
    shapes.push(id);
  }
  return {
    sizeMiB, runs, seed, only, shapes, sliceMiB, floodSyns,
    big: v.big === true, flood: v.flood === true, regen: v.regen === true, keep: v.keep === true, clean: v.clean === true, profile: v.profile === true,
  };
}

// ---- environment probes ----------------------------------------------------------------------

/** Path and version line of the first working `name` among the usual places, or the reason there is none. */
function findTool(name: string): { path: string; version: string } | { reason: string } {
  const dirs = ['', '/usr/sbin/', '/usr/bin/', '/usr/local/sbin/', '/usr/local/bin/'];
  for (const d of dirs) {
    const r = spawnSync(`${d}${name}`, ['--version'], { encoding: 'utf8' });
    if (r.error === undefined && r.status === 0) {
      const version = `${r.stdout}${r.stderr}`.split('\n').find((l) => l.trim() !== '' && !/running as user/i.test(l))?.trim() ?? '';
      return { path: `${d}${name}`, version };
    }
  }
  return { reason: `${name} not found on PATH or in /usr/sbin, /usr/bin, /usr/local/{s,}bin` };
}

/** True when /usr/bin/time is GNU time and reports %M into a file. */
function hasGnuTime(tmp: string): boolean {
  const out = join(tmp, 'gnu-time-probe');
  const r = spawnSync('/usr/bin/time', ['-f', '%M', '-o', out, 'true'], { encoding: 'utf8' });
  if (r.error !== undefined || r.status !== 0 || !existsSync(out)) return false;
  return /^\d+\s*$/.test(readFileSync(out, 'utf8'));
}

function machineInfo(): Record<string, unknown> {
  const c = cpus();
  return {
    cpuModel: c[0]?.model.trim() ?? 'unknown',
    cores: c.length,
    totalMemoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    os: `${platform()} ${release()} ${arch()}`,
  };
}

/** The commit dist/ was built from, and src/ files that differ from it (the build includes them). */
function sourceState(): { commit: string | null; uncommittedSrc: string[] } {
  const git = (args: string[]): string | null => {
    const r = spawnSync('git', args, { cwd: ROOT, encoding: 'utf8' });
    return r.error === undefined && r.status === 0 ? r.stdout : null;
  };
  const commit = git(['rev-parse', '--short', 'HEAD'])?.trim() ?? null;
  const status = git(['status', '--porcelain', '--', 'src']) ?? '';
  return { commit, uncommittedSrc: status.split('\n').filter((l) => l.trim() !== '').map((l) => l.slice(3)) };
}

/** Reads the file once so every tool starts from a warm page cache. Returns seconds. */
function warmCache(path: string): number {
  const t0 = process.hrtime.bigint();
  const fd = openSync(path, 'r');
  const buf = Buffer.allocUnsafe(8 * 1024 * 1024);
  try {
    while (readSync(fd, buf, 0, buf.length, null) > 0) {
      // discard
    }
  } finally {
    closeSync(fd);
  }
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

// ---- running ----------------------------------------------------------------------------------

/** Reads "<maxrss KiB> <user s> <sys s>" (rss-hook.mjs, or GNU time -f '%M %U %S': last line). */
function readUsage(path: string): { maxRssKiB: number | null; cpuSeconds: number | null } {
  if (!existsSync(path)) return { maxRssKiB: null, cpuSeconds: null };
  const lines = readFileSync(path, 'utf8').trim().split('\n');
  const [m, u, s] = (lines[lines.length - 1] ?? '').trim().split(/\s+/).map(Number);
  const ok = (x: number | undefined): x is number => x !== undefined && Number.isFinite(x);
  return {
    maxRssKiB: ok(m) && m > 0 ? m : null,
    cpuSeconds: ok(u) && ok(s) ? u + s : null,
  };
}

/** VmHWM of a live process in KiB, or null once it is gone. */
function vmHwmKiB(pid: number): number | null {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m === null ? null : Number(m[1]);
  } catch {
    return null;
  }
}

/** Runs one tool once as a child process; wall time is spawn to exit, measured here. */
async function runOnce(spec: ToolSpec, outDir: string, tag: string): Promise<RunResult & { stdout: string; stderr: string }> {
  const stdoutPath = join(outDir, `${spec.id}${tag}.stdout`);
  const stderrPath = join(outDir, `${spec.id}${tag}.stderr`);
  const rssPath = join(outDir, `${spec.id}${tag}.rss`);
  rmSync(rssPath, { force: true });
  let command = spec.command;
  let args = spec.args;
  const env: NodeJS.ProcessEnv = { ...process.env };
  if (spec.rss === 'node-hook') {
    args = ['--import', RSS_HOOK, ...args];
    env.RPCTRACE_BENCH_RSS_FILE = rssPath;
  } else if (spec.rss === 'gnu-time') {
    args = ['-f', '%M %U %S', '-o', rssPath, command, ...args];
    command = '/usr/bin/time';
  }
  const outFd = openSync(stdoutPath, 'w');
  const errFd = openSync(stderrPath, 'w');
  let polled: number | null = null;
  const t0 = process.hrtime.bigint();
  const child = spawn(command, args, { stdio: ['ignore', outFd, errFd], env, cwd: ROOT });
  let timer: NodeJS.Timeout | null = null;
  if (spec.rss === 'proc-poll' && child.pid !== undefined) {
    const pid = child.pid;
    timer = setInterval(() => {
      const v = vmHwmKiB(pid);
      if (v !== null && (polled === null || v > polled)) polled = v;
    }, 10);
  }
  const { code, signal, error } = await new Promise<{ code: number | null; signal: string | null; error: Error | null }>((resolve) => {
    child.once('error', (e) => resolve({ code: null, signal: null, error: e }));
    child.once('exit', (c, s) => resolve({ code: c, signal: s, error: null }));
  });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (timer !== null) clearInterval(timer);
  closeSync(outFd);
  closeSync(errFd);
  const stdout = readFileSync(stdoutPath, 'utf8');
  const stderr = readFileSync(stderrPath, 'utf8');
  let problem: string | null = null;
  if (error !== null) problem = `could not start: ${error.message}`;
  else if (signal !== null) problem = `killed by ${signal}`;
  else if (!(spec.okExit ?? [0]).includes(code ?? -1)) problem = `exit status ${code}: ${stderr.trim().split('\n').slice(-3).join(' | ')}`;
  else problem = spec.check(stdout, stderr);
  const usage = spec.rss === 'proc-poll' ? { maxRssKiB: polled, cpuSeconds: null } : readUsage(rssPath);
  return { seconds, ...usage, exitCode: code, signal, problem, stdout, stderr };
}

// ---- tools --------------------------------------------------------------------------------------

interface FrameCount {
  frames: number;
  bytes: number;
}

function checkFrameCount(stdout: string, frames: number): string | null {
  let r: FrameCount;
  try {
    r = JSON.parse(stdout) as FrameCount;
  } catch {
    return `output is not JSON: ${stdout.slice(0, 200)}`;
  }
  if (r.frames !== frames) return `counted ${r.frames} frames, the file holds ${frames}`;
  return null;
}

/** The subset of rpctrace's JSON report the bench reads. */
interface RpctraceFile {
  frames: number;
  complete: boolean;
  errors: unknown[];
  stats: Partial<Record<keyof ExpectedCounts, number>>;
  findings?: { id: string; title: string }[];
  attempts?: { outcome: string }[];
}
interface RpctraceJson {
  files: RpctraceFile[];
}

/** The file report of rpctrace's JSON output, or the reason there is none. */
function rpctraceFile(stdout: string): RpctraceFile | string {
  let r: RpctraceJson;
  try {
    r = JSON.parse(stdout) as RpctraceJson;
  } catch {
    return `stdout is not JSON: ${stdout.slice(0, 200)}`;
  }
  return r.files[0] ?? 'report has no file';
}

/** Counts of `xs` by `key`, keys sorted. */
function countBy<T>(xs: readonly T[], key: (x: T) => string): Record<string, number> {
  const m: Record<string, number> = {};
  for (const x of xs) m[key(x)] = (m[key(x)] ?? 0) + 1;
  return Object.fromEntries(Object.entries(m).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** `rpctrace analyze --format json` on `input`; checks the frame count and that the file was read to the end. */
function rpctraceSpec(id: string, input: Input): ToolSpec {
  return {
    id,
    tool: 'rpctrace',
    input,
    what: `rpctrace analyze --format json (${input.label})`,
    command: process.execPath,
    args: [join(ROOT, 'bin/rpctrace.js'), 'analyze', '--format', 'json', input.path],
    rss: 'node-hook',
    // 1 = findings at or above --fail-on (error): expected, the files hold blocked RPC ports.
    okExit: [0, 1],
    check(stdout) {
      const f = rpctraceFile(stdout);
      if (typeof f === 'string') return f;
      if (f.frames !== input.frames) return `reported ${f.frames} frames, the file holds ${input.frames}`;
      if (!f.complete || f.errors.length > 0) return `report says the file is incomplete: ${JSON.stringify(f.errors).slice(0, 300)}`;
      return null;
    },
  };
}

/** Differences between rpctrace's report and what the generator wrote (non-fatal notes). */
function generatorNotes(stdout: string, meta: CaptureMeta): string[] {
  const f = rpctraceFile(stdout);
  if (typeof f === 'string') return [];
  const out: string[] = [];
  for (const [k, want] of Object.entries(meta.expected) as [keyof ExpectedCounts, number][]) {
    const got = f.stats[k];
    if (got !== undefined && got !== want) out.push(`stats.${k} = ${got}, generator wrote ${want}`);
  }
  // Attempts by outcome: every attempt the generator wrote (the report lists all when there are
  // at most 20,000), and findings by id: exactly those the scenarios are built to produce.
  if (Array.isArray(f.attempts)) {
    const got = countBy(f.attempts, (a) => a.outcome);
    const want = meta.expectedOutcomes as Record<Outcome, number>;
    const keys = [...new Set([...Object.keys(want), ...Object.keys(got)])];
    const same = keys.every((k) => (got[k] ?? 0) === (want[k as Outcome] ?? 0));
    out.push(`attempts by outcome, found/generated: ${keys.map((k) => `${k} ${got[k] ?? 0}/${want[k as Outcome] ?? 0}`).join(', ')}${same ? '' : '  (MISMATCH)'}`);
  }
  if (Array.isArray(f.findings)) {
    const got = countBy(f.findings, (x) => x.id);
    const want = meta.expectedFindings;
    const keys = [...new Set([...Object.keys(want), ...Object.keys(got)])].sort();
    const same = keys.every((k) => (got[k] ?? 0) === (want[k] ?? 0));
    out.push(`findings by id, found/generated: ${keys.map((k) => `${k} ${got[k] ?? 0}/${want[k] ?? 0}`).join(', ')}${same ? '' : '  (MISMATCH)'}`);
  }
  return out;
}

interface Inputs {
  pcap: Input;
  pcapng: Input;
  slice: (Input & { synMatches: number }) | null;
}

function toolSpecs(inputs: Inputs, meta: CaptureMeta, tcpdump: { path: string } | null, tshark: { path: string } | null, gnuTime: boolean): ToolSpec[] {
  const node = process.execPath;
  const specs: ToolSpec[] = [
    { ...rpctraceSpec('rpctrace', inputs.pcap), notes: (stdout) => generatorNotes(stdout, meta) },
    rpctraceSpec('rpctrace-pcapng', inputs.pcapng),
    {
      id: 'pcap-parser',
      tool: 'pcap-parser',
      input: inputs.pcap,
      what: 'pcap-parser 0.2 npm package, read-only pass',
      command: node,
      args: ['--no-deprecation', join(HERE, 'pcap-parser-pass.cjs'), inputs.pcap.path],
      rss: 'node-hook',
      check: (stdout) => checkFrameCount(stdout, inputs.pcap.frames),
    },
  ];
  if (tcpdump !== null) {
    for (const input of [inputs.pcap, inputs.pcapng]) {
      specs.push({
        id: input.format === 'pcap' ? 'tcpdump' : 'tcpdump-pcapng',
        tool: 'tcpdump',
        input,
        what: `tcpdump -r -w /dev/null 'tcp[tcpflags] & tcp-syn != 0' (${input.label})`,
        command: tcpdump.path,
        args: ['-r', input.path, '-w', '/dev/null', 'tcp[tcpflags] & tcp-syn != 0'],
        rss: gnuTime ? 'gnu-time' : 'proc-poll',
        // tcpdump prints nothing countable with -w; a clean exit and no complaint is the check.
        check: (_o, stderr) => (/truncated|error|bogus/i.test(stderr) ? `tcpdump complained: ${stderr.trim().slice(0, 300)}` : null),
      });
    }
  }
  if (tshark !== null && inputs.slice !== null) {
    const slice = inputs.slice;
    specs.push({
      id: 'tshark',
      tool: 'tshark',
      input: slice,
      what: `tshark -r -Y 'tcp.flags.syn==1' (${slice.label})`,
      command: tshark.path,
      args: ['-r', slice.path, '-Y', 'tcp.flags.syn==1'],
      rss: gnuTime ? 'gnu-time' : 'proc-poll',
      // One summary line per matching frame; the slicer counted them.
      check(stdout, stderr) {
        if (/cut short|error|malformed/i.test(stderr)) return `tshark complained: ${stderr.trim().slice(0, 300)}`;
        const lines = stdout.split('\n').filter((l) => l.trim() !== '').length;
        return lines === slice.synMatches ? null : `printed ${lines} frames, the slice holds ${slice.synMatches} that match tcp.flags.syn==1`;
      },
    });
  }
  specs.push({
    id: 'floor',
    tool: 'floor',
    input: inputs.pcap,
    what: 'node loop over record headers (8 MiB readSync)',
    command: node,
    args: [join(HERE, 'header-walk.mjs'), inputs.pcap.path],
    rss: 'node-hook',
    check: (stdout) => checkFrameCount(stdout, inputs.pcap.frames),
  });
  return specs;
}

// ---- statistics and output --------------------------------------------------------------------

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

const fmt = (x: number | null, digits = 0): string => (x === null ? '-' : x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }));
const mb = (kib: number | null): number | null => (kib === null ? null : (kib * 1024) / 1e6);

function summarize(spec: ToolSpec, runs: RunResult[], notes: string[]): ToolResult {
  const ok = runs.filter((r) => r.problem === null);
  const med = ok.length === runs.length && runs.length > 0 ? median(runs.map((r) => r.seconds)) : null;
  const rss = runs.map((r) => r.maxRssKiB).filter((x): x is number => x !== null);
  const cpu = runs.map((r) => r.cpuSeconds).filter((x): x is number => x !== null);
  return {
    id: spec.id,
    tool: spec.tool,
    input: spec.input,
    what: spec.what,
    commandLine: [spec.command, ...spec.args].join(' '),
    rssMethod: spec.rss,
    skipped: null,
    runs,
    medianSeconds: med,
    minSeconds: med === null ? null : Math.min(...runs.map((r) => r.seconds)),
    medianCpuSeconds: cpu.length === runs.length && cpu.length > 0 ? median(cpu) : null,
    mbPerSecond: med === null ? null : spec.input.bytes / 1e6 / med,
    framesPerSecond: med === null ? null : spec.input.frames / med,
    peakRssMB: rss.length === 0 ? null : mb(Math.max(...rss)),
    notes,
  };
}

function renderTable(results: ToolResult[]): string {
  const t = new Table({
    head: ['tool', 'input', 'runs (s)', 'median (s)', 'MB/s', 'frames/s', 'best run MB/s', 'MB per CPU-s', 'peak RSS (MB)', 'RSS, CPU via'],
    colAligns: ['left', 'left', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'left'],
    style: { head: [], border: [] },
  });
  for (const r of results) {
    if (r.skipped !== null || r.input === null) {
      t.push([r.id, { colSpan: 9, content: `skipped: ${r.skipped ?? 'no input'}` }]);
      continue;
    }
    const bytes = r.input.bytes;
    const failed = r.runs.find((x) => x.problem !== null);
    t.push([
      r.id,
      r.input.label,
      r.runs.map((x) => x.seconds.toFixed(2)).join(' '),
      failed !== undefined ? 'FAILED' : fmt(r.medianSeconds, 3),
      fmt(r.mbPerSecond),
      r.framesPerSecond === null ? '-' : `${(r.framesPerSecond / 1e6).toFixed(2)} M`,
      r.minSeconds === null ? '-' : fmt(bytes / 1e6 / r.minSeconds),
      r.medianCpuSeconds === null ? '-' : fmt(bytes / 1e6 / r.medianCpuSeconds),
      fmt(r.peakRssMB, 1),
      r.rssMethod === null ? '-' : RSS_METHOD_SHORT[r.rssMethod],
    ]);
  }
  return t.toString();
}

// ---- invariance ---------------------------------------------------------------------------------

/** One in-process read of the pcap: options given to analyzeFile, time, memory, outcome. */
interface InProcessRun {
  label: string;
  options: Record<string, number | boolean>;
  seconds: number;
  peakRssMB: number | null;
  problem: string | null;
}

/**
 * Reads the pcap in a child running analyze-in-process.mjs (analyzeFile from dist/) with
 * `options`; returns the file report as parsed JSON, or the problem.
 */
async function analyzeInProcess(label: string, options: Record<string, number | boolean>, input: Input, outDir: string): Promise<{ run: InProcessRun; report: unknown }> {
  const id = `in-process-${label.replace(/[^A-Za-z0-9]+/g, '-').replace(/-+$/, '')}`;
  const spec: ToolSpec = {
    id,
    tool: 'rpctrace',
    input,
    what: `analyzeFile(${JSON.stringify(options)})`,
    command: process.execPath,
    args: [join(HERE, 'analyze-in-process.mjs'), input.path, JSON.stringify(options)],
    rss: 'node-hook',
    check(stdout) {
      try {
        const r = JSON.parse(stdout) as { frames?: number };
        return r.frames === input.frames ? null : `reported ${String(r.frames)} frames, the file holds ${input.frames}`;
      } catch {
        return `stdout is not JSON: ${stdout.slice(0, 200)}`;
      }
    },
  };
  const r = await runOnce(spec, outDir, '');
  const run: InProcessRun = { label, options, seconds: r.seconds, peakRssMB: mb(r.maxRssKiB), problem: r.problem };
  return { run, report: r.problem === null ? (JSON.parse(r.stdout) as unknown) : null };
}

interface InvarianceSummary {
  checks: InvarianceResult[];
  inProcessRuns: InProcessRun[];
}

/**
 * Compares the pcapng report with the pcap one (both from the CLI's first timed run), then the
 * pcap read in-process at each chunk size, and without the bulk path, with the CLI's pcap report.
 */
async function invariance(cliPcap: string | null, cliPcapng: string | null, pcap: Input, outDir: string, log: (s: string) => void): Promise<InvarianceSummary> {
  const fileOf = (stdout: string | null): unknown => {
    if (stdout === null) return null;
    const f = rpctraceFile(stdout);
    return typeof f === 'string' ? null : f;
  };
  const reference = fileOf(cliPcap);
  const checks: InvarianceResult[] = [];
  const pcapng = fileOf(cliPcapng);
  checks.push(reference === null || pcapng === null
    ? failedComparison('pcap vs pcapng (same frames), CLI', 'a timed rpctrace run failed, nothing to compare')
    : compareReports('pcap vs pcapng (same frames), CLI', reference, pcapng));
  const runs: InProcessRun[] = [];
  const variants: { label: string; options: Record<string, number | boolean> }[] = [
    ...CHUNK_SIZES.map((c) => ({ label: `chunk ${c.label}`, options: { chunkSize: c.bytes } })),
    // Every frame through the general path: the bulk path must not change a thing.
    { label: 'without the bulk path', options: { bulkPath: false } },
  ];
  for (const v of variants) {
    log(`bench: invariance: analyzeFile in-process, ${v.label}`);
    const { run, report } = await analyzeInProcess(v.label, v.options, pcap, outDir);
    runs.push(run);
    const name = `pcap in-process, ${v.label} vs CLI`;
    if (run.problem !== null) checks.push(failedComparison(name, run.problem));
    else if (reference === null) checks.push(failedComparison(name, 'the timed rpctrace run on the pcap failed, nothing to compare with'));
    else checks.push(compareReports(name, reference, report));
  }
  return { checks, inProcessRuns: runs };
}

function renderInvariance(s: InvarianceSummary): string[] {
  const out = ['Invariance: findings, attempts and endpoints must be identical (path, format, formatInfo removed):'];
  for (const c of s.checks) {
    const what = `${fmt(c.compared.findings)} findings, ${fmt(c.compared.attempts)} attempts, ${fmt(c.compared.endpoints)} endpoints`;
    if (c.error !== null) out.push(`  FAIL ${c.name}: ${c.error}`);
    else if (c.pass) out.push(`  PASS ${c.name}: ${what} identical`);
    else out.push(`  FAIL ${c.name}: first difference at ${c.firstDifference}`);
    if (c.error === null && c.otherDifference !== null) out.push(`       other fields differ too, first: ${c.otherDifference}`);
  }
  if (s.inProcessRuns.length > 0) {
    out.push(`  in-process reads (one each): ${s.inProcessRuns.map((r) => `${r.label} ${r.seconds.toFixed(2)} s, ${fmt(r.peakRssMB, 1)} MB`).join('; ')}`);
  }
  return out;
}

// ---- --big and --flood ------------------------------------------------------------------------

/** One rpctrace run on a large file, as recorded in results.json. */
interface SingleRun {
  measuredAt: string;
  file: { path: string; bytes: number; frames: number; deleted?: boolean };
  command: string;
  seconds: number;
  mbPerSecond: number;
  framesPerSecond: number;
  peakRssMB: number | null;
  cpuSeconds: number | null;
  problem: string | null;
}

async function singleRun(spec: ToolSpec, outDir: string): Promise<{ run: SingleRun; stdout: string }> {
  const r = await runOnce(spec, outDir, '');
  return {
    stdout: r.stdout,
    run: {
      measuredAt: new Date().toISOString(),
      file: { path: relative(ROOT, spec.input.path), bytes: spec.input.bytes, frames: spec.input.frames },
      command: [spec.command, ...spec.args].join(' '),
      seconds: r.seconds,
      mbPerSecond: spec.input.bytes / 1e6 / r.seconds,
      framesPerSecond: spec.input.frames / r.seconds,
      peakRssMB: mb(r.maxRssKiB),
      cpuSeconds: r.cpuSeconds,
      problem: r.problem,
    },
  };
}

const passText = (p: boolean | null): string => (p === null ? 'not measured' : p ? 'PASS' : 'FAIL');

/**
 * `--big`: the capture's records BIG_COPIES times in one temporary file (copy k shifted by k
 * times the capture's span plus a minute, so time runs forward), analyzed once, then deleted.
 * Flows repeat in every copy, so connection state does not grow with the copies: this measures
 * memory that grows with the file (buffers, counters, lists), --flood the state bounds.
 */
async function bigCheck(pcap: string, meta: CaptureMeta, outDir: string, log: (s: string) => void): Promise<{ result: Record<string, unknown>; lines: string[]; broken: boolean }> {
  const path = join(BENCH_DIR, `big-${BIG_COPIES * meta.sizeMiB}MiB.tmp.pcap`);
  const shift = Math.ceil(meta.durationSeconds) + 60;
  const need = BIG_COPIES * meta.fileBytes;
  if (need > freemem() * 0.8) log(`bench: warning: the ${(need / 1e9).toFixed(1)} GB file may not fit the page cache (${(freemem() / 1e9).toFixed(1)} GB free): the run may read from disk`);
  log(`bench: --big: writing ${relative(ROOT, path)} (${BIG_COPIES} copies of the pcap's records)`);
  try {
    const t0 = process.hrtime.bigint();
    const w = writeCopies(pcap, path, BIG_COPIES, shift);
    const writeSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
    log(`bench: --big: wrote ${fmt(w.bytes)} bytes in ${writeSeconds.toFixed(1)} s; analyzing once`);
    const input: Input = { label: `pcap, ${BIG_COPIES} copies`, format: 'pcap', path, bytes: w.bytes, frames: w.frames };
    const { run } = await singleRun(rpctraceSpec('rpctrace-big', input), outDir);
    run.file.deleted = true;
    const rssPass = run.problem === null && run.peakRssMB !== null ? run.peakRssMB < TARGET_RSS_MB : null;
    const mbpsPass = run.problem === null ? run.mbPerSecond >= TARGET_MBPS : null;
    const lines = [
      `--big: ${relative(ROOT, path)} (deleted), ${fmt(w.bytes)} bytes (${(w.bytes / 2 ** 30).toFixed(1)} GiB), ${fmt(w.frames)} frames: the ${meta.sizeMiB} MiB pcap's records ${BIG_COPIES} times, copy k shifted by k x ${shift} s`,
      `  rpctrace analyze: ${run.seconds.toFixed(2)} s, ${fmt(run.mbPerSecond)} MB/s, ${(run.framesPerSecond / 1e6).toFixed(2)} M frames/s, peak RSS ${fmt(run.peakRssMB, 1)} MB${run.problem === null ? '' : `  PROBLEM: ${run.problem}`}`,
      `  Target: peak RSS < ${TARGET_RSS_MB} MB: ${passText(rssPass)}; throughput >= ${TARGET_MBPS} MB/s: ${passText(mbpsPass)}`,
      '  (flows repeat in every copy, so connection state does not grow with the file; --flood checks that)',
    ];
    return { result: { ...run, copies: BIG_COPIES, shiftSeconds: shift, writeSeconds, target: { peakRssMB: TARGET_RSS_MB, mbPerSecond: TARGET_MBPS, rssPass, mbpsPass } }, lines, broken: run.problem !== null };
  } finally {
    rmSync(path, { force: true });
  }
}

/** `--flood`: the cached SYN flood analyzed once; peak RSS against its target, and the limit finding. */
async function floodCheck(opts: Options, outDir: string, log: (s: string) => void): Promise<{ result: Record<string, unknown>; lines: string[]; broken: boolean }> {
  const f = ensureFlood(BENCH_DIR, opts.floodSyns, opts.seed, opts.regen);
  log(f.generated ? `bench: generated ${relative(ROOT, f.pcap)} in ${f.meta.generateSeconds.toFixed(2)} s` : `bench: using cached ${relative(ROOT, f.pcap)}`);
  const warm = warmCache(f.pcap);
  log(`bench: --flood: page cache warmed (${(f.meta.fileBytes / 1e6 / warm).toFixed(0)} MB/s); analyzing once`);
  const input: Input = { label: 'pcap, SYN flood', format: 'pcap', path: f.pcap, bytes: f.meta.fileBytes, frames: f.meta.syns };
  const spec = rpctraceSpec('rpctrace-flood', input);
  const base = spec.check;
  spec.check = (stdout, stderr) => {
    const p = base(stdout, stderr);
    if (p !== null) return p;
    const file = rpctraceFile(stdout) as RpctraceFile;
    return file.stats.tcpSyn === f.meta.syns ? null : `reported ${String(file.stats.tcpSyn)} SYNs, the file holds ${f.meta.syns}`;
  };
  const { run, stdout } = await singleRun(spec, outDir);
  let limit: { id: string; title: string } | null = null;
  let findings: Record<string, number> = {};
  if (run.problem === null) {
    const file = rpctraceFile(stdout) as RpctraceFile;
    limit = file.findings?.find((x) => x.id === 'STATE_LIMIT_REACHED') ?? null;
    findings = countBy(file.findings ?? [], (x) => x.id);
  }
  const rssPass = run.problem === null && run.peakRssMB !== null ? run.peakRssMB < FLOOD_TARGET_RSS_MB : null;
  const lines = [
    `--flood: ${relative(ROOT, f.pcap)}, ${fmt(f.meta.fileBytes)} bytes, ${fmt(f.meta.syns)} SYNs, each a new 4-tuple, none answered (${f.meta.durationSeconds.toFixed(0)} s of capture)`,
    `  rpctrace analyze: ${run.seconds.toFixed(2)} s, ${fmt(run.mbPerSecond)} MB/s, ${(run.framesPerSecond / 1e6).toFixed(2)} M frames/s, peak RSS ${fmt(run.peakRssMB, 1)} MB${run.problem === null ? '' : `  PROBLEM: ${run.problem}`}`,
    `  Target: peak RSS < ${FLOOD_TARGET_RSS_MB} MB: ${passText(rssPass)}; STATE_LIMIT_REACHED: ${run.problem !== null ? 'not known' : limit !== null ? `present ("${limit.title}")` : 'MISSING'}`,
    `  findings: ${Object.entries(findings).map(([k, n]) => `${k} ${n}`).join(', ') || '-'}`,
  ];
  return {
    result: { ...run, meta: f.meta, target: { peakRssMB: FLOOD_TARGET_RSS_MB, rssPass }, stateLimitReached: limit !== null, stateLimitTitle: limit?.title ?? null, findings },
    lines,
    broken: run.problem !== null,
  };
}

// ---- profile ----------------------------------------------------------------------------------

interface CpuProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: CpuProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/** Self and total (inclusive, recursion counted once) time per function, and self time per file. */
function analyzeProfile(p: CpuProfile): { total: number; functions: { name: string; selfMs: number; totalMs: number }[]; files: { file: string; selfMs: number }[] } {
  const byId = new Map<number, CpuProfileNode>();
  for (const n of p.nodes) byId.set(n.id, n);
  const self = new Map<number, number>();
  for (let i = 0; i < p.samples.length; i++) {
    const id = p.samples[i]!;
    self.set(id, (self.get(id) ?? 0) + (p.timeDeltas[i] ?? 0));
  }
  const keyOf = (n: CpuProfileNode): string => {
    const f = n.callFrame;
    const url = f.url.startsWith('file://') ? relative(ROOT, fileURLToPath(f.url)) : f.url;
    return `${f.functionName === '' ? '(anonymous)' : f.functionName} ${url === '' ? '' : `${url}:${f.lineNumber + 1}`}`.trim();
  };
  const fileOf = (n: CpuProfileNode): string => {
    const url = n.callFrame.url;
    if (url === '') return n.callFrame.functionName.startsWith('(') ? n.callFrame.functionName : '(native)';
    return url.startsWith('file://') ? relative(ROOT, fileURLToPath(url)) : url;
  };
  const fnSelf = new Map<string, number>();
  const fnTotal = new Map<string, number>();
  const fileSelf = new Map<string, number>();
  // Inclusive time: walk the tree; a function already on the stack is not counted twice.
  const root = p.nodes[0];
  const onStack = new Map<string, number>();
  const walk = (n: CpuProfileNode): number => {
    const k = keyOf(n);
    const s = self.get(n.id) ?? 0;
    fnSelf.set(k, (fnSelf.get(k) ?? 0) + s);
    fileSelf.set(fileOf(n), (fileSelf.get(fileOf(n)) ?? 0) + s);
    onStack.set(k, (onStack.get(k) ?? 0) + 1);
    let sub = s;
    for (const c of n.children ?? []) {
      const child = byId.get(c);
      if (child !== undefined) sub += walk(child);
    }
    const depth = onStack.get(k)! - 1;
    onStack.set(k, depth);
    if (depth === 0) fnTotal.set(k, (fnTotal.get(k) ?? 0) + sub);
    return sub;
  };
  const total = root === undefined ? 0 : walk(root);
  const functions = [...fnSelf.entries()]
    .map(([name, s]) => ({ name, selfMs: s / 1000, totalMs: (fnTotal.get(name) ?? 0) / 1000 }))
    .sort((a, b) => b.selfMs - a.selfMs);
  const files = [...fileSelf.entries()].map(([file, s]) => ({ file, selfMs: s / 1000 })).sort((a, b) => b.selfMs - a.selfMs);
  return { total: total / 1000, functions, files };
}

async function profileRpctrace(file: string): Promise<Record<string, unknown>> {
  const dir = join(BENCH_DIR, 'profile');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const r = spawnSync(process.execPath, ['--cpu-prof', '--cpu-prof-dir', dir, '--cpu-prof-interval', '200', join(ROOT, 'bin/rpctrace.js'), 'analyze', '--format', 'json', file], { stdio: ['ignore', 'ignore', 'inherit'], cwd: ROOT });
  // 1 = findings, as in the timed runs.
  if (r.status !== 0 && r.status !== 1) throw new Error(`profiled run failed with status ${r.status}`);
  const name = readdirSync(dir).find((n) => n.endsWith('.cpuprofile'));
  if (name === undefined) throw new Error('no .cpuprofile written');
  const p = JSON.parse(readFileSync(join(dir, name), 'utf8')) as CpuProfile;
  const a = analyzeProfile(p);
  const t = new Table({ head: ['function (dist/ location)', 'self ms', 'self %', 'total %'], colAligns: ['left', 'right', 'right', 'right'], style: { head: [], border: [] } });
  for (const f of a.functions.slice(0, 20)) t.push([f.name, fmt(f.selfMs), `${((100 * f.selfMs) / a.total).toFixed(1)}`, `${((100 * f.totalMs) / a.total).toFixed(1)}`]);
  const tf = new Table({ head: ['file', 'self ms', 'self %'], colAligns: ['left', 'right', 'right'], style: { head: [], border: [] } });
  for (const f of a.files.slice(0, 12)) tf.push([f.file, fmt(f.selfMs), `${((100 * f.selfMs) / a.total).toFixed(1)}`]);
  process.stdout.write(`\nCPU profile of one rpctrace run (${fmt(a.total)} ms sampled, 200 us interval; ${relative(ROOT, join(dir, name))}):\n${t.toString()}\nSelf time by file:\n${tf.toString()}\n`);
  return { profile: relative(ROOT, join(dir, name)), sampledMs: a.total, topFunctions: a.functions.slice(0, 30), files: a.files.slice(0, 20) };
}

// ---- main -------------------------------------------------------------------------------------

/** Top-level keys of results.json that describe the run itself, never carried over. */
const RUN_KEYS = new Set(['generatedAt', 'machine', 'source', 'carriedOver']);

function previousResults(): Record<string, unknown> {
  try {
    return JSON.parse(readFileSync(join(BENCH_DIR, 'results.json'), 'utf8')) as Record<string, unknown>;
  } catch {
    return {};
  }
}

async function main(): Promise<number> {
  const opts = parseOptions(process.argv.slice(2));
  if (typeof opts === 'string') {
    if (opts === '') {
      process.stdout.write(`${HELP}\n`);
      return 0;
    }
    process.stderr.write(`bench: ${opts}\n\n${HELP}\n`);
    return 2;
  }
  if (!existsSync(join(ROOT, 'dist/bundle/main.js'))) {
    process.stderr.write('bench: dist/ is missing; run `npm run build` first (npm run bench does)\n');
    return 2;
  }
  const tmp = join(BENCH_DIR, 'tmp');
  mkdirSync(tmp, { recursive: true });
  const log = (s: string): boolean => process.stderr.write(`${s}\n`);
  const outDir = opts.keep ? join(BENCH_DIR, 'runs') : tmp;
  mkdirSync(outDir, { recursive: true });
  const m = machineInfo();
  const previous = previousResults();
  const source = sourceState();
  const doc: Record<string, unknown> = { generatedAt: new Date().toISOString(), machine: m, source };
  if (source.uncommittedSrc.length > 0) log(`bench: note: dist/ was built with uncommitted changes in ${source.uncommittedSrc.join(', ')} (HEAD ${source.commit ?? '?'})`);
  let broken = false;
  const out: string[] = [];
  const print = (): void => {
    process.stdout.write(`${out.join('\n')}\n`);
    out.length = 0;
  };

  const needCapture = opts.only.some(isCaptureTool) || opts.big;
  let cap: ReturnType<typeof ensureCapture> | null = null;
  if (needCapture) {
    log(`bench: capture ${opts.sizeMiB} MiB, seed ${opts.seed}, generator v${GENERATOR_VERSION}`);
    cap = ensureCapture(BENCH_DIR, opts.sizeMiB, opts.seed, opts.regen);
    log(cap.generated
      ? `bench: generated ${relative(ROOT, cap.pcap)} and ${relative(ROOT, cap.pcapng)} in ${cap.meta.generateSeconds.toFixed(2)} s`
      : `bench: using cached ${relative(ROOT, cap.pcap)} and .pcapng (delete them or pass --regen to rebuild)`);
  }

  if (cap !== null && opts.only.some(isCaptureTool)) {
    const meta = cap.meta;
    const gnuTime = hasGnuTime(tmp);
    const tcpdump = opts.only.includes('tcpdump') ? findTool('tcpdump') : { reason: 'not selected' };
    const tshark = opts.only.includes('tshark') ? findTool('tshark') : { reason: 'not selected' };
    let slice: SliceMeta | null = null;
    let slicePath = '';
    if ('path' in tshark) {
      const s = ensureSlice(cap.pcap, meta, opts.sliceMiB, opts.regen);
      slice = s.meta;
      slicePath = s.path;
      log(`bench: ${s.generated ? 'cut' : 'using cached'} ${relative(ROOT, s.path)} (${fmt(s.meta.fileBytes)} bytes, ${fmt(s.meta.frames)} frames) for tshark`);
    }
    const inputs: Inputs = {
      pcap: { label: 'pcap', format: 'pcap', path: cap.pcap, bytes: meta.fileBytes, frames: meta.expected.frames },
      pcapng: { label: 'pcapng', format: 'pcapng', path: cap.pcapng, bytes: meta.pcapngBytes, frames: meta.expected.frames },
      slice: slice === null ? null : {
        label: slice.whole ? 'pcap (whole)' : `pcap, first ${slice.sliceMiB} MiB`,
        format: 'pcap', path: slicePath, bytes: slice.fileBytes, frames: slice.frames, synMatches: slice.synMatches,
      },
    };
    const files = meta.fileBytes + meta.pcapngBytes + (slice?.fileBytes ?? 0);
    if (files > freemem() * 0.8) log(`bench: warning: the files (${(files / 1e9).toFixed(2)} GB) may not fit the page cache (${(freemem() / 1e9).toFixed(1)} GB free): runs may read from disk`);
    for (const i of [inputs.pcap, inputs.pcapng, ...(inputs.slice === null ? [] : [inputs.slice])]) {
      const warm = warmCache(i.path);
      log(`bench: page cache warmed for ${relative(ROOT, i.path)} (${(i.bytes / 1e6 / warm).toFixed(0)} MB/s cached read in-process)`);
    }
    const specs = toolSpecs(inputs, meta, 'path' in tcpdump ? tcpdump : null, 'path' in tshark ? tshark : null, gnuTime).filter((s) => opts.only.includes(s.tool));

    const loadBefore = loadavg()[0]!;
    const cores = cpus().length;
    if (loadBefore > cores * 0.5) log(`bench: warning: load average ${loadBefore.toFixed(2)} on ${cores} cores before the runs: other processes compete, expect noisy times`);

    // Start-up costs, for reading small-file numbers: node plus rpctrace's CLI with no capture;
    // tshark reading a pcap with no records (dissector registration dominates it).
    const startupOf = (command: string, args: string[]): number => {
      const times: number[] = [];
      for (let i = 0; i < 3; i++) {
        const t0 = process.hrtime.bigint();
        spawnSync(command, args, { stdio: 'ignore' });
        times.push(Number(process.hrtime.bigint() - t0) / 1e9);
      }
      return median(times);
    };
    const startupSeconds = startupOf(process.execPath, [join(ROOT, 'bin/rpctrace.js'), '--version']);
    let tsharkStartup: number | null = null;
    if ('path' in tshark && specs.some((s) => s.tool === 'tshark')) {
      const empty = join(tmp, 'empty.pcap');
      writeFileSync(empty, pcapHeaderOnly());
      tsharkStartup = startupOf(tshark.path, ['-r', empty, '-Y', 'tcp.flags.syn==1']);
    }

    // Round-robin so drift (thermal, other load) spreads over every tool alike.
    const runs = new Map<string, RunResult[]>(specs.map((s) => [s.id, []]));
    const notes = new Map<string, string[]>(specs.map((s) => [s.id, []]));
    const firstStdout = new Map<string, string>();
    for (let i = 0; i < opts.runs; i++) {
      for (const s of specs) {
        const r = await runOnce(s, outDir, opts.keep ? `.run${i + 1}` : '');
        const { stdout, stderr: _stderr, ...result } = r;
        runs.get(s.id)!.push(result);
        if (i === 0 && r.problem === null) {
          if (s.notes !== undefined) notes.get(s.id)!.push(...s.notes(stdout));
          if (s.tool === 'rpctrace') firstStdout.set(s.id, stdout);
        }
        if (r.problem !== null) broken = true;
        log(`bench: run ${i + 1}/${opts.runs} ${s.id.padEnd(15)} ${r.seconds.toFixed(3)} s${r.maxRssKiB === null ? '' : `, ${fmt(mb(r.maxRssKiB), 1)} MB`}${r.problem === null ? '' : `  PROBLEM: ${r.problem}`}`);
      }
    }
    const loadAfter = loadavg()[0]!;

    const results: ToolResult[] = [];
    const rowIds = [...specs.map((s) => s.id)];
    for (const id of opts.only.filter(isCaptureTool)) {
      if (specs.some((s) => s.tool === id)) continue;
      const found = id === 'tcpdump' ? tcpdump : id === 'tshark' ? tshark : null;
      results.push({
        id, tool: id, input: null, what: '', commandLine: '', rssMethod: null,
        skipped: found !== null && 'reason' in found ? found.reason : 'not available',
        runs: [], medianSeconds: null, minSeconds: null, medianCpuSeconds: null, mbPerSecond: null, framesPerSecond: null, peakRssMB: null, notes: [],
      });
    }
    for (const id of rowIds) results.push(summarize(specs.find((s) => s.id === id)!, runs.get(id)!, notes.get(id)!));

    const by = (id: string): ToolResult | undefined => results.find((r) => r.id === id && r.mbPerSecond !== null);
    const rp = by('rpctrace');
    const rpng = by('rpctrace-pcapng');
    const ts = by('tshark');
    const ratio = (a: ToolResult | undefined, b: ToolResult | undefined): number | null => (a?.mbPerSecond != null && b?.mbPerSecond != null ? a.mbPerSecond / b.mbPerSecond : null);
    // tshark read only the slice: its MB/s there stands for the whole file. Its start-up weighs
    // on a slice far more than on the whole file, so the ratio is also given without it.
    const tsharkNoStartup = ts?.medianSeconds != null && tsharkStartup !== null && ts.medianSeconds > tsharkStartup && ts.input !== null
      ? ts.input.bytes / 1e6 / (ts.medianSeconds - tsharkStartup) : null;
    const ratios = {
      vsTcpdump: ratio(rp, by('tcpdump')),
      pcapngVsTcpdumpPcapng: ratio(rpng, by('tcpdump-pcapng')),
      vsTshark: ratio(rp, ts),
      vsTsharkWithoutStartup: rp?.mbPerSecond != null && tsharkNoStartup !== null ? rp.mbPerSecond / tsharkNoStartup : null,
      vsPcapParser: ratio(rp, by('pcap-parser')),
      vsFloor: ratio(rp, by('floor')),
      /** Same frames, so frames/s: how much slower the pcapng read is. */
      pcapngVsPcapFrames: rp?.framesPerSecond != null && rpng?.framesPerSecond != null ? rpng.framesPerSecond / rp.framesPerSecond : null,
    };
    const pass = rp?.mbPerSecond != null && rp.peakRssMB !== null ? rp.mbPerSecond >= TARGET_MBPS && rp.peakRssMB < TARGET_RSS_MB : null;
    const passNg = rpng?.mbPerSecond != null && rpng.peakRssMB !== null ? rpng.mbPerSecond >= TARGET_MBPS && rpng.peakRssMB < TARGET_RSS_MB : null;

    const scenarioTotal = Object.values(meta.scenarios).reduce((a, b) => a + b, 0);
    out.push('');
    out.push(`rpctrace benchmark: ${relative(ROOT, cap.pcap)} (${fmt(meta.fileBytes)} bytes) and ${relative(ROOT, cap.pcapng)} (${fmt(meta.pcapngBytes)} bytes), the same ${fmt(meta.expected.frames)} frames; ${meta.connections} TCP connections, ${scenarioTotal} RPC scenarios of ${Object.keys(meta.scenarios).length} kinds`);
    out.push(`machine: ${String(m.cpuModel)}, ${String(m.cores)} cores, node ${process.version}; ${opts.runs} run(s) per tool, round-robin, warm page cache; 1-min load average ${loadBefore.toFixed(2)} before, ${loadAfter.toFixed(2)} after`);
    out.push(`rpctrace: HEAD ${source.commit ?? '?'}${source.uncommittedSrc.length > 0 ? ` plus uncommitted changes in ${source.uncommittedSrc.length} src file(s), built into dist/` : ''}`);
    out.push(renderTable(results));
    out.push('MB = 10^6 bytes of the input file per second of wall time (process start to exit, start-up included:');
    out.push(`  'node bin/rpctrace.js --version' takes ${startupSeconds.toFixed(3)} s here). frames/s = frames in the input / median wall time.`);
    out.push('  A pcapng is larger than the pcap of the same frames (32-byte block headers), so compare formats by frames/s.');
    out.push('best run MB/s: the fastest run. MB per CPU-s: input MB / median user+system CPU seconds of the process');
    out.push('  (all its threads). On a busy machine both are nearer to what the code can do than the median wall time.');
    out.push('Peak RSS: max over runs, MB = 10^6 bytes.');
    for (const meth of new Set(results.map((r) => r.rssMethod).filter((x): x is RssMethod => x !== null))) out.push(`  ${RSS_METHOD_SHORT[meth]}: ${RSS_METHOD_TEXT[meth]}`);
    if (ts?.mbPerSecond != null && ts.input !== null) {
      out.push(`tshark read only ${ts.input.label} (${fmt(ts.input.bytes)} bytes); scaled at ${fmt(ts.mbPerSecond)} MB/s the ${fmt(meta.fileBytes / 1e6)} MB pcap would take ~${fmt(meta.fileBytes / 1e6 / ts.mbPerSecond)} s.`);
      if (tsharkStartup !== null) out.push(`  tshark start-up (a pcap with no records): ${tsharkStartup.toFixed(3)} s; without it ${fmt(tsharkNoStartup)} MB/s on the slice.`);
    }
    out.push('');
    const rtxt = (x: number | null, what: string): string => (x === null ? `${what}: n/a` : `${what}: ${x.toFixed(2)}x`);
    out.push(`Throughput ratios, same run (MB/s): ${rtxt(ratios.vsTcpdump, 'rpctrace / tcpdump')}; ${rtxt(ratios.vsTshark, 'rpctrace / tshark')} (${rtxt(ratios.vsTsharkWithoutStartup, 'tshark start-up excluded')});`);
    out.push(`  ${rtxt(ratios.pcapngVsTcpdumpPcapng, 'rpctrace / tcpdump on the pcapng')}; ${rtxt(ratios.vsPcapParser, 'rpctrace / pcap-parser')}; ${rtxt(ratios.vsFloor, 'rpctrace / floor')}; ${rtxt(ratios.pcapngVsPcapFrames, 'rpctrace pcapng / pcap (frames/s)')}`);
    const targetLine = (what: string, p: boolean | null, r: ToolResult | undefined): string => {
      const line = `Target (issue): rpctrace analyze >= ${TARGET_MBPS} MB/s with peak RSS < ${TARGET_RSS_MB} MB on the 1 GiB ${what}`;
      if (p === null || r === undefined) return `${line}: not measured`;
      return `${line}: ${p ? 'PASS' : 'FAIL'} (measured ${fmt(r.mbPerSecond)} MB/s, ${fmt(r.peakRssMB, 1)} MB${opts.sizeMiB !== 1024 ? `; this run used ${opts.sizeMiB} MiB, where start-up weighs more` : ''})`;
    };
    out.push(targetLine('pcap', pass, rp));
    out.push(targetLine('pcapng', passNg, rpng));
    for (const r of results) for (const n of r.notes) out.push(`note (${r.id}): ${n}`);
    for (const r of results) {
      const bad = r.runs.find((x) => x.problem !== null);
      if (bad !== undefined) out.push(`PROBLEM (${r.id}): ${bad.problem}`);
    }
    print();

    let inv: InvarianceSummary | null = null;
    if (opts.only.includes('rpctrace')) {
      inv = await invariance(firstStdout.get('rpctrace') ?? null, firstStdout.get('rpctrace-pcapng') ?? null, inputs.pcap, outDir, log);
      if (inv.checks.some((c) => !c.pass)) broken = true;
      out.push('', ...renderInvariance(inv));
      print();
    }

    doc.file = { path: relative(ROOT, cap.pcap), bytes: meta.fileBytes, frames: meta.expected.frames, sizeMiB: meta.sizeMiB, seed: meta.seed, generatorVersion: meta.generatorVersion, meta };
    doc.files = {
      pcap: { path: relative(ROOT, cap.pcap), bytes: meta.fileBytes, frames: meta.expected.frames },
      pcapng: { path: relative(ROOT, cap.pcapng), bytes: meta.pcapngBytes, frames: meta.expected.frames },
      slice: slice === null ? null : { path: relative(ROOT, slicePath), ...slice },
    };
    doc.method = {
      runsPerTool: opts.runs,
      timing: 'wall time of the whole child process (spawn to exit), median of runs, round-robin order, warm page cache',
      mbDefinition: 'input file bytes / 1e6 / median seconds',
      startupSeconds,
      tsharkStartupSeconds: tsharkStartup,
      tsharkScaling: 'tshark reads the head slice only; its MB/s there stands for the whole file',
      loadAverage1m: { before: loadBefore, after: loadAfter },
      rss: Object.fromEntries(Object.entries(RSS_METHOD_TEXT)),
    };
    doc.tools = Object.fromEntries(results.map((r) => [r.id, {
      tool: r.tool,
      format: r.input?.format ?? null,
      input: r.input === null ? null : { label: r.input.label, path: relative(ROOT, r.input.path), bytes: r.input.bytes, frames: r.input.frames },
      what: r.what,
      command: r.commandLine,
      skipped: r.skipped,
      runsSeconds: r.runs.map((x) => x.seconds),
      runsPeakRssMB: r.runs.map((x) => mb(x.maxRssKiB)),
      problems: r.runs.map((x) => x.problem).filter((x) => x !== null),
      medianSeconds: r.medianSeconds,
      minSeconds: r.minSeconds,
      runsCpuSeconds: r.runs.map((x) => x.cpuSeconds),
      medianCpuSeconds: r.medianCpuSeconds,
      mbPerSecond: r.mbPerSecond,
      framesPerSecond: r.framesPerSecond,
      peakRssMB: r.peakRssMB,
      rssMethod: r.rssMethod === null ? null : RSS_METHOD_TEXT[r.rssMethod],
      notes: r.notes,
      ...(r.id === 'tshark' && r.mbPerSecond !== null ? { scaledFullFileSeconds: meta.fileBytes / 1e6 / r.mbPerSecond, mbPerSecondWithoutStartup: tsharkNoStartup } : {}),
    }]));
    doc.tcpdump = 'path' in tcpdump ? tcpdump : { skipped: tcpdump.reason };
    doc.tshark = 'path' in tshark ? tshark : { skipped: tshark.reason };
    doc.ratios = ratios;
    doc.target = { mbPerSecond: TARGET_MBPS, peakRssMB: TARGET_RSS_MB, pass, passPcapng: passNg, measuredOnSizeMiB: opts.sizeMiB };
    doc.invariance = inv === null ? null : {
      ignoredFields: ['path', 'format', 'formatInfo'],
      required: ['findings', 'attempts', 'endpoints'],
      pass: inv.checks.every((c) => c.pass),
      checks: inv.checks,
      inProcessRuns: inv.inProcessRuns,
    };
    if (opts.profile) {
      try {
        doc.profile = await profileRpctrace(cap.pcap);
      } catch (e) {
        log(`bench: profile failed: ${e instanceof Error ? e.message : String(e)}`);
        broken = true;
      }
    }
  }

  if (opts.only.includes('scan')) {
    const sc = await scanCheck(opts, outDir, log);
    out.push('', ...sc.lines);
    print();
    doc.scan = sc.result;
    if (sc.broken) broken = true;
  }
  if (opts.only.includes('shapes')) {
    const sh = await shapesCheck(opts, outDir, log);
    out.push('', ...sh.lines);
    print();
    doc.shapes = sh.result;
    if (sh.broken) broken = true;
  }
  if (opts.big && cap !== null) {
    const b = await bigCheck(cap.pcap, cap.meta, outDir, log);
    out.push('', ...b.lines);
    print();
    doc.big = b.result;
    if (b.broken) broken = true;
  }
  if (opts.flood) {
    const f = await floodCheck(opts, outDir, log);
    out.push('', ...f.lines);
    print();
    doc.flood = f.result;
    if (f.broken) broken = true;
  }
  // Sections this run did not produce (the timed table with --only none, --big and --flood when
  // not asked for) keep their last measurement; `carriedOver` says when each was taken.
  const carried: Record<string, string> = {};
  const before = (previous.carriedOver ?? {}) as Record<string, string>;
  for (const [k, v] of Object.entries(previous)) {
    if (RUN_KEYS.has(k) || doc[k] !== undefined || v === null) continue;
    doc[k] = v;
    carried[k] = before[k] ?? String(previous.generatedAt);
  }
  doc.carriedOver = carried;

  writeFileSync(join(BENCH_DIR, 'results.json'), `${JSON.stringify(doc, null, 2)}\n`);
  log(`bench: results written to ${relative(ROOT, join(BENCH_DIR, 'results.json'))}`);

  if (opts.clean) {
    if (cap !== null) {
      for (const p of [cap.pcap, cap.pcapng, cap.pcap.replace(/\.pcap$/, '.meta.json')]) rmSync(p, { force: true });
      for (const n of readdirSync(BENCH_DIR)) if (n.startsWith(`traffic-${opts.sizeMiB}MiB.head-`)) rmSync(join(BENCH_DIR, n), { force: true });
    }
    if (opts.flood) for (const n of readdirSync(BENCH_DIR)) if (n.startsWith(`flood-${opts.floodSyns}.`)) rmSync(join(BENCH_DIR, n), { force: true });
    log('bench: captures deleted (--clean)');
  }
  return broken ? 1 : 0;
}

// ---- scan ---------------------------------------------------------------------------------------

/** Reads every file under `dir` once, so the runs find them in the page cache. */
function warmTree(dir: string): number {
  let files = 0;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!e.isFile()) continue;
    warmCache(join(e.parentPath, e.name));
    files++;
  }
  return files;
}

/**
 * `rpctrace scan` of the generated folder (scan-tree.ts): the whole tree with --jobs 1 and with
 * --jobs 2, and the 2,400 small files with --jobs 2 for peak RSS, round-robin, `--runs` times.
 * The ratio of the two medians is the speed-up of a second job; CPU seconds show whether work
 * was added (a serialised or start-up dominated scan would not gain wall time).
 */
async function scanCheck(opts: Options, outDir: string, log: (s: string) => void): Promise<{ result: Record<string, unknown>; lines: string[]; broken: boolean }> {
  const t = ensureScanTree(BENCH_DIR, opts.seed, opts.regen);
  log(t.generated ? `bench: generated ${relative(ROOT, t.root)} in ${t.meta.generateSeconds.toFixed(1)} s` : `bench: using cached ${relative(ROOT, t.root)}`);
  const all = t.meta.mediumFiles + t.meta.smallFiles;
  log(`bench: scan: page cache warmed for ${warmTree(t.root)} files`);
  const bin = join(ROOT, 'bin', 'rpctrace.js');
  const spec = (id: string, jobs: number, dir: string, files: number, bytes: number): ToolSpec => ({
    id, tool: 'scan',
    input: { label: `${fmt(files)} captures`, format: 'pcap', path: dir, bytes, frames: 0 },
    what: `rpctrace scan --jobs ${jobs}`,
    command: process.execPath,
    args: [bin, 'scan', '--fail-on', 'none', '--jobs', String(jobs), dir],
    rss: 'node-hook',
    check: (stdout) => (stdout.includes(`${fmt(files)} files read`) && !stdout.includes('could not be read') ? null : `the summary does not say "${fmt(files)} files read": ${stdout.split('\n').slice(0, 4).join(' | ')}`),
  });
  const specs = [
    spec('scan-jobs1', 1, t.root, all, t.meta.mediumBytes + t.meta.smallBytes),
    spec('scan-jobs2', 2, t.root, all, t.meta.mediumBytes + t.meta.smallBytes),
    spec('scan-small-jobs2', 2, t.small, t.meta.smallFiles, t.meta.smallBytes),
  ];
  const loadBefore = loadavg()[0]!;
  const runs = new Map<string, RunResult[]>(specs.map((s) => [s.id, []]));
  let broken = false;
  for (let i = 0; i < opts.runs; i++) {
    for (const s of specs) {
      const { stdout: _o, stderr: _e, ...r } = await runOnce(s, outDir, opts.keep ? `.run${i + 1}` : '');
      runs.get(s.id)!.push(r);
      if (r.problem !== null) broken = true;
      log(`bench: run ${i + 1}/${opts.runs} ${s.id.padEnd(17)} ${r.seconds.toFixed(3)} s${r.maxRssKiB === null ? '' : `, ${fmt(mb(r.maxRssKiB), 1)} MB`}${r.cpuSeconds === null ? '' : `, ${r.cpuSeconds.toFixed(2)} CPU s`}${r.problem === null ? '' : `  PROBLEM: ${r.problem}`}`);
    }
  }
  const loadAfter = loadavg()[0]!;
  const ok = (id: string): RunResult[] => runs.get(id)!.filter((r) => r.problem === null);
  const med = (id: string): number | null => (ok(id).length === 0 ? null : median(ok(id).map((r) => r.seconds)));
  const min = (id: string): number | null => (ok(id).length === 0 ? null : Math.min(...ok(id).map((r) => r.seconds)));
  const cpu = (id: string): number | null => {
    const c = ok(id).map((r) => r.cpuSeconds).filter((x): x is number => x !== null);
    return c.length === 0 ? null : median(c);
  };
  const rss = (id: string): number | null => {
    const c = runs.get(id)!.map((r) => r.maxRssKiB).filter((x): x is number => x !== null);
    return c.length === 0 ? null : mb(Math.max(...c));
  };
  const m1 = med('scan-jobs1');
  const m2 = med('scan-jobs2');
  const ratio = m1 !== null && m2 !== null ? m1 / m2 : null;
  const n1 = min('scan-jobs1');
  const n2 = min('scan-jobs2');
  const bestRatio = n1 !== null && n2 !== null ? n1 / n2 : null;
  const smallRss = rss('scan-small-jobs2');
  const ratioPass = ratio === null ? null : ratio >= SCAN_TARGET_RATIO;
  const rssPass = smallRss === null ? null : smallRss <= SCAN_TARGET_RSS_MB;
  const lines = [
    `scan: ${relative(ROOT, t.root)}: ${fmt(t.meta.mediumFiles)} captures of 64 KiB to 4 MiB (${fmt(t.meta.mediumBytes / 1e6)} MB) and ${fmt(t.meta.smallFiles)} of 1 to 32 KiB (${fmt(t.meta.smallBytes / 1e6, 1)} MB): pcap, pcapng, half gzip; ${opts.runs} run(s), round-robin; 1-min load average ${loadBefore.toFixed(2)} before, ${loadAfter.toFixed(2)} after`,
    ...specs.map((s) => `  ${s.what.padEnd(24)} ${s.input.label.padEnd(16)} median ${fmt(med(s.id), 2)} s, best ${fmt(min(s.id), 2)} s, CPU ${fmt(cpu(s.id), 2)} s, peak RSS ${fmt(rss(s.id), 1)} MB`),
    `  --jobs 2 against --jobs 1, same run: ${ratio === null ? 'n/a' : `${ratio.toFixed(2)}x`} (medians), ${bestRatio === null ? 'n/a' : `${bestRatio.toFixed(2)}x`} (best runs)`,
    `  Target: --jobs 2 >= ${SCAN_TARGET_RATIO}x --jobs 1: ${passText(ratioPass)}; peak RSS for ${fmt(t.meta.smallFiles)} files <= ${SCAN_TARGET_RSS_MB} MB: ${passText(rssPass)}`,
  ];
  if (loadBefore > cpus().length * 0.5) lines.push(`  note: load average ${loadBefore.toFixed(2)} on ${cpus().length} cores before the runs: other processes took cores the second job needed`);
  const result = {
    measuredAt: new Date().toISOString(),
    tree: { path: relative(ROOT, t.root), ...t.meta },
    runs: Object.fromEntries(specs.map((s) => [s.id, { command: [s.command, ...s.args].join(' '), seconds: runs.get(s.id)!.map((r) => r.seconds), peakRssMB: runs.get(s.id)!.map((r) => mb(r.maxRssKiB)), cpuSeconds: runs.get(s.id)!.map((r) => r.cpuSeconds), problems: runs.get(s.id)!.map((r) => r.problem).filter((x) => x !== null) }])),
    medianSeconds: { jobs1: m1, jobs2: m2, smallJobs2: med('scan-small-jobs2') },
    ratio, bestRatio, peakRssMB: { jobs1: rss('scan-jobs1'), jobs2: rss('scan-jobs2'), smallJobs2: smallRss },
    loadAverage1m: { before: loadBefore, after: loadAfter },
    target: { ratio: SCAN_TARGET_RATIO, peakRssMB: SCAN_TARGET_RSS_MB, ratioPass, rssPass },
  };
  return { result, lines, broken };
}

// ---- shapes -------------------------------------------------------------------------------------

/** One shape's outcome: rpctrace and tcpdump medians, peak RSS, exit status, the caps named. */
interface ShapeResult {
  id: ShapeId;
  what: string;
  bytes: number;
  frames: number;
  files: number;
  rpctrace: { seconds: number[]; peakRssMB: (number | null)[]; exitCodes: (number | null)[]; problems: string[] };
  tcpdump: { seconds: number[]; peakRssMB: (number | null)[]; problems: string[] } | null;
  rpctraceMedian: number | null;
  tcpdumpMedian: number | null;
  /** tcpdump's median over rpctrace's: >= 1 means rpctrace was as fast. */
  ratio: number | null;
  peakRssMB: number | null;
  /** STATE_LIMIT_REACHED kinds the report named, with the finding's notKept + released. */
  caps: Record<string, number>;
  findings: Record<string, number>;
}

/** The files of a rpctrace JSON report (one per input). */
function rpctraceFiles(stdout: string): (RpctraceFile & { findings?: { id: string; title: string; params?: Record<string, unknown> }[] })[] | string {
  try {
    return (JSON.parse(stdout) as RpctraceJson).files;
  } catch {
    return `stdout is not JSON: ${stdout.slice(0, 200)}`;
  }
}

/**
 * `--only shapes`: each shape of shapes.ts analyzed by rpctrace (`analyze --format json`, the
 * default memory budget) and read by tcpdump's filter pass, round-robin, `--runs` times, in the
 * same run. A run is right when rpctrace exits 0 or 1 and reports every frame of every file.
 */
async function shapesCheck(opts: Options, outDir: string, log: (s: string) => void): Promise<{ result: Record<string, unknown>; lines: string[]; broken: boolean }> {
  const tcpdump = findTool('tcpdump');
  const gnuTime = hasGnuTime(join(BENCH_DIR, 'tmp'));
  const bin = join(ROOT, 'bin', 'rpctrace.js');
  const results: ShapeResult[] = [];
  let broken = false;
  const loadBefore = loadavg()[0]!;
  for (const id of opts.shapes) {
    const m: ShapeMeta & { generated: boolean } = ensureShape(BENCH_DIR, id, opts.seed, opts.regen);
    log(m.generated ? `bench: shapes: generated ${relative(ROOT, m.path)} in ${m.generateSeconds.toFixed(1)} s` : `bench: shapes: using cached ${relative(ROOT, m.path)}`);
    if (m.files > 1) warmTree(m.path); else warmCache(m.path);
    const input: Input = { label: id, format: 'pcap', path: m.path, bytes: m.bytes, frames: m.frames };
    const rp: ToolSpec = {
      id: `shape-${id}`, tool: 'rpctrace', input, what: 'rpctrace analyze --format json',
      command: process.execPath, args: [bin, 'analyze', '--format', 'json', m.path], rss: 'node-hook', okExit: [0, 1],
      check(stdout) {
        const files = rpctraceFiles(stdout);
        if (typeof files === 'string') return files;
        if (files.length !== m.files) return `reported ${files.length} files, there are ${m.files}`;
        let frames = 0;
        for (const f of files) {
          frames += f.frames;
          if (!f.complete || f.errors.length > 0) return `a report says its file is incomplete: ${JSON.stringify(f.errors).slice(0, 300)}`;
        }
        return frames === m.frames ? null : `reported ${frames} frames, the shape holds ${m.frames}`;
      },
    };
    const filter = 'tcp[tcpflags] & tcp-syn != 0';
    const td: ToolSpec | null = !('path' in tcpdump) ? null : {
      id: `shape-${id}-tcpdump`, tool: 'tcpdump', input, what: `tcpdump -r -w /dev/null '${filter}'`,
      ...(m.files > 1
        ? { command: '/bin/sh', args: ['-c', `for f in "$1"/*.pcap; do "$2" -r "$f" -w /dev/null "$3" 2>/dev/null || exit 1; done`, 'sh', m.path, tcpdump.path, filter] }
        : { command: tcpdump.path, args: ['-r', m.path, '-w', '/dev/null', filter] }),
      rss: gnuTime ? 'gnu-time' : 'proc-poll',
      // Its "reading from file NAME" line names the shape (epm-bogus): only the other lines count.
      check: (_o, stderr) => {
        const said = stderr.split('\n').filter((l) => !l.startsWith('reading from file')).join('\n');
        return /truncated|error|bogus/i.test(said) ? `tcpdump complained: ${said.trim().slice(0, 300)}` : null;
      },
    };
    const rpRuns: RunResult[] = [];
    const tdRuns: RunResult[] = [];
    let lastOk = '';
    for (let i = 0; i < opts.runs; i++) {
      for (const spec of td === null ? [rp] : [rp, td]) {
        const { stdout, stderr: _e, ...r } = await runOnce(spec, outDir, opts.keep ? `.run${i + 1}` : '');
        (spec === rp ? rpRuns : tdRuns).push(r);
        if (spec === rp && r.problem === null) lastOk = stdout;
        if (r.problem !== null) broken = true;
        log(`bench: shapes: run ${i + 1}/${opts.runs} ${spec.id.padEnd(28)} ${r.seconds.toFixed(3)} s${r.maxRssKiB === null ? '' : `, ${fmt(mb(r.maxRssKiB), 1)} MB`}${spec === rp ? `, exit ${String(r.exitCode)}` : ''}${r.problem === null ? '' : `  PROBLEM: ${r.problem}`}`);
      }
    }
    const caps: Record<string, number> = {};
    let findings: Record<string, number> = {};
    const files = lastOk === '' ? [] : rpctraceFiles(lastOk);
    if (typeof files !== 'string') {
      const all = files.flatMap((f) => f.findings ?? []);
      findings = countBy(all, (x) => x.id);
      for (const f of all) {
        if (f.id !== 'STATE_LIMIT_REACHED') continue;
        const p = f.params ?? {};
        const kind = typeof p.kind === 'string' ? p.kind : '?';
        caps[kind] = (caps[kind] ?? 0) + Number(p.notKept ?? 0) + Number(p.released ?? 0);
      }
    }
    const medOf = (rs: RunResult[]): number | null => (rs.length > 0 && rs.every((r) => r.problem === null) ? median(rs.map((r) => r.seconds)) : null);
    const rMed = medOf(rpRuns);
    const tMed = medOf(tdRuns);
    const rss = rpRuns.map((r) => r.maxRssKiB).filter((x): x is number => x !== null);
    results.push({
      id, what: m.what, bytes: m.bytes, frames: m.frames, files: m.files,
      rpctrace: { seconds: rpRuns.map((r) => r.seconds), peakRssMB: rpRuns.map((r) => mb(r.maxRssKiB)), exitCodes: rpRuns.map((r) => r.exitCode), problems: rpRuns.map((r) => r.problem).filter((x): x is string => x !== null) },
      tcpdump: td === null ? null : { seconds: tdRuns.map((r) => r.seconds), peakRssMB: tdRuns.map((r) => mb(r.maxRssKiB)), problems: tdRuns.map((r) => r.problem).filter((x): x is string => x !== null) },
      rpctraceMedian: rMed, tcpdumpMedian: tMed, ratio: rMed !== null && tMed !== null ? tMed / rMed : null,
      peakRssMB: rss.length === 0 ? null : mb(rss.reduce((a, b) => Math.max(a, b), 0)),
      caps, findings,
    });
  }
  const loadAfter = loadavg()[0]!;
  const t = new Table({
    head: ['shape', 'size (MB)', 'frames', 'rpctrace median (s)', 'tcpdump median (s)', 'vs tcpdump', 'peak RSS (MB)', 'exit', 'caps named (STATE_LIMIT_REACHED kind: count)'],
    colAligns: ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'left'],
    style: { head: [], border: [] },
  });
  for (const r of results) {
    t.push([
      r.files > 1 ? `${r.id} (${fmt(r.files)} files)` : r.id, fmt(r.bytes / 1e6, 1), fmt(r.frames), fmt(r.rpctraceMedian, 2), fmt(r.tcpdumpMedian, 2),
      r.ratio === null ? '-' : `${r.ratio.toFixed(2)}x`, fmt(r.peakRssMB, 1), [...new Set(r.rpctrace.exitCodes)].join(' '),
      Object.entries(r.caps).map(([k, n]) => `${k}: ${fmt(n)}`).join(', ') || '-',
    ]);
  }
  const rssPass = results.every((r) => r.peakRssMB !== null && r.peakRssMB <= SHAPE_TARGET_RSS_MB);
  const exitPass = results.every((r) => r.rpctrace.problems.length === 0);
  const churn = results.find((r) => r.id === 'churn');
  const churnPass = churn === undefined || churn.ratio === null ? null : churn.ratio >= CHURN_TARGET_RATIO;
  const lines = [
    `shapes (issue 10; test/bench/shapes.ts): ${opts.runs} run(s) each, rpctrace and tcpdump round-robin; 1-min load average ${loadBefore.toFixed(2)} before, ${loadAfter.toFixed(2)} after`,
    t.toString(),
    `  Targets: exit 0 or 1 with every frame reported: ${passText(exitPass)}; peak RSS <= ${SHAPE_TARGET_RSS_MB} MB: ${passText(rssPass)}; churn >= ${CHURN_TARGET_RATIO}x tcpdump: ${passText(churnPass)}`,
    ...results.flatMap((r) => [...r.rpctrace.problems, ...(r.tcpdump?.problems ?? [])].slice(0, 1).map((p) => `  PROBLEM (${r.id}): ${p}`)),
  ];
  return {
    result: { measuredAt: new Date().toISOString(), runs: opts.runs, loadAverage1m: { before: loadBefore, after: loadAfter }, target: { peakRssMB: SHAPE_TARGET_RSS_MB, churnRatio: CHURN_TARGET_RATIO, rssPass, exitPass, churnPass }, shapes: results },
    lines,
    broken,
  };
}

/** A classic pcap file header with no records (microseconds, Ethernet). */
function pcapHeaderOnly(): Buffer {
  const b = Buffer.alloc(24);
  b.writeUInt32LE(0xa1b2c3d4, 0);
  b.writeUInt16LE(2, 4);
  b.writeUInt16LE(4, 6);
  b.writeUInt32LE(262144, 16);
  b.writeUInt32LE(1, 20);
  return b;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`bench: crashed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 1;
  },
);
