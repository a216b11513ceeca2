/**
 * `npm run bench`: throughput and peak memory of `rpctrace analyze` on a synthetic ~1 GiB pcap,
 * next to three references, each timed as a whole process:
 *
 *   rpctrace     node bin/rpctrace.js analyze --format json FILE      (the thing under test)
 *   pcap-parser  the pcap-parser npm package, read-only pass          (a JS library baseline)
 *   tcpdump      tcpdump -r FILE -w /dev/null 'tcp[tcpflags] & tcp-syn != 0'   (libpcap, C)
 *   floor        node loop hopping record header to header             (least possible work)
 *
 * The capture is generated once (see traffic.ts) and cached under .bench/ with a .meta.json;
 * results go to .bench/results.json. Not part of `npm test` (vitest runs *.test.ts only).
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
import { DEFAULT_SEED, GENERATOR_VERSION, ensureCapture, type CaptureMeta, type ExpectedCounts } from './traffic.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const HERE = fileURLToPath(new URL('./', import.meta.url));
const BENCH_DIR = join(ROOT, '.bench');
const RSS_HOOK = pathToFileURL(join(HERE, 'rss-hook.mjs')).href;

/** The issue's target for `rpctrace analyze` on the 1 GiB file. */
const TARGET_MBPS = 1000;
const TARGET_RSS_MB = 200;

const TOOL_IDS = ['rpctrace', 'pcap-parser', 'tcpdump', 'floor'] as const;
type ToolId = (typeof TOOL_IDS)[number];

/** How a tool's peak RSS is obtained. */
type RssMethod = 'node-hook' | 'gnu-time' | 'proc-poll';
const RSS_METHOD_TEXT: Record<RssMethod, string> = {
  'node-hook': 'getrusage(RUSAGE_SELF) ru_maxrss and user+system time in the child, via node --import rss-hook.mjs at exit',
  'gnu-time': "GNU time -f '%M %U %S' (wait4 rusage of the child: ru_maxrss, user+system time)",
  'proc-poll': 'VmHWM from /proc/PID/status polled every 10 ms (a lower bound: growth in the last 10 ms can be missed); no CPU time',
};
const RSS_METHOD_SHORT: Record<RssMethod, string> = { 'node-hook': 'rusage (hook)', 'gnu-time': 'GNU time', 'proc-poll': 'VmHWM poll' };

interface ToolSpec {
  id: ToolId;
  what: string;
  command: string;
  args: string[];
  rss: RssMethod;
  /** Exit statuses of a successful run (default [0]). */
  okExit?: readonly number[];
  /** Checks one run's output; returns a problem, or null when it is right. */
  check(stdout: string, stderr: string, meta: CaptureMeta): string | null;
  /** Extra, non-fatal observations (counts that differ from the generator's), first run only. */
  notes?(stdout: string, meta: CaptureMeta): string[];
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
  id: ToolId;
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

  --size <MiB>     size of the synthetic capture (default 1024); cached per size under .bench/
  --runs <n>       timed runs per tool, median reported (default 3)
  --seed <n>       generator seed (default ${DEFAULT_SEED}); a new seed regenerates the file
  --only <ids>     comma-separated subset of: ${TOOL_IDS.join(', ')}
  --regen          regenerate the capture even when the cached one is current
  --keep           keep each run's stdout/stderr under .bench/runs/ (default: last run only, in .bench/tmp/)
  --clean          delete the generated capture (and its meta) when done
  --profile        afterwards, run rpctrace once under --cpu-prof and print the hottest functions
  --help           this text

Exit status: 0 when every tool ran and its output checked out (PASS/FAIL against the target is
informative), 1 when a tool crashed or gave a wrong answer, 2 for a usage error.`;

interface Options {
  sizeMiB: number;
  runs: number;
  seed: number;
  only: ToolId[];
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
  if (!Number.isInteger(sizeMiB) || sizeMiB < 1 || sizeMiB > 16384) return `--size must be an integer number of MiB, 1..16384 (got ${v.size})`;
  if (!Number.isInteger(runs) || runs < 1 || runs > 100) return `--runs must be 1..100 (got ${v.runs})`;
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) return `--seed must be an integer 0..4294967295 (got ${v.seed})`;
  const only: ToolId[] = [];
  for (const s of String(v.only).split(',').map((x) => x.trim()).filter((x) => x !== '')) {
    const id = TOOL_IDS.find((t) => t === s);
    if (id === undefined) return `--only: unknown tool '${s}' (known: ${TOOL_IDS.join(', ')})`;
    only.push(id);
  }
  return { sizeMiB, runs, seed, only, regen: v.regen === true, keep: v.keep === true, clean: v.clean === true, profile: v.profile === true };
}

// ---- environment probes ----------------------------------------------------------------------

/** Path of a working tcpdump, or the reason there is none. */
function findTcpdump(): { path: string; version: string } | { reason: string } {
  for (const p of ['tcpdump', '/usr/sbin/tcpdump', '/usr/bin/tcpdump', '/usr/local/sbin/tcpdump', '/usr/local/bin/tcpdump']) {
    const r = spawnSync(p, ['--version'], { encoding: 'utf8' });
    if (r.error === undefined && r.status === 0) {
      const version = `${r.stdout}${r.stderr}`.split('\n')[0]?.trim() ?? '';
      return { path: p, version };
    }
  }
  return { reason: 'tcpdump not found on PATH or in /usr/sbin, /usr/bin, /usr/local/{s,}bin' };
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
async function runOnce(spec: ToolSpec, meta: CaptureMeta, outDir: string, tag: string): Promise<RunResult & { stdout: string; stderr: string }> {
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
  else problem = spec.check(stdout, stderr, meta);
  const usage = spec.rss === 'proc-poll' ? { maxRssKiB: polled, cpuSeconds: null } : readUsage(rssPath);
  return { seconds, ...usage, exitCode: code, signal, problem, stdout, stderr };
}

// ---- tools --------------------------------------------------------------------------------------

interface FrameCount {
  frames: number;
  bytes: number;
}

function checkFrameCount(stdout: string, meta: CaptureMeta): string | null {
  let r: FrameCount;
  try {
    r = JSON.parse(stdout) as FrameCount;
  } catch {
    return `output is not JSON: ${stdout.slice(0, 200)}`;
  }
  if (r.frames !== meta.expected.frames) return `counted ${r.frames} frames, the generator wrote ${meta.expected.frames}`;
  return null;
}

/** The subset of rpctrace's JSON report the bench reads. */
interface RpctraceJson {
  files: {
    frames: number;
    complete: boolean;
    errors: unknown[];
    stats: Partial<Record<keyof ExpectedCounts, number>>;
    attempts?: { outcome: string }[];
  }[];
}

function toolSpecs(file: string, tcpdump: { path: string } | null, gnuTime: boolean): ToolSpec[] {
  const node = process.execPath;
  const specs: ToolSpec[] = [
    {
      id: 'rpctrace',
      what: 'rpctrace analyze --format json',
      command: node,
      args: [join(ROOT, 'bin/rpctrace.js'), 'analyze', '--format', 'json', file],
      rss: 'node-hook',
      // 1 = findings at or above --fail-on (error): expected, the file holds blocked RPC ports.
      okExit: [0, 1],
      check(stdout, _stderr, meta) {
        let r: RpctraceJson;
        try {
          r = JSON.parse(stdout) as RpctraceJson;
        } catch {
          return `stdout is not JSON: ${stdout.slice(0, 200)}`;
        }
        const f = r.files[0];
        if (f === undefined) return 'report has no file';
        if (f.frames !== meta.expected.frames) return `reported ${f.frames} frames, the generator wrote ${meta.expected.frames}`;
        if (!f.complete || f.errors.length > 0) return `report says the file is incomplete: ${JSON.stringify(f.errors).slice(0, 300)}`;
        return null;
      },
      notes(stdout, meta) {
        const f = (JSON.parse(stdout) as RpctraceJson).files[0];
        if (f === undefined) return [];
        const out: string[] = [];
        for (const [k, want] of Object.entries(meta.expected) as [keyof ExpectedCounts, number][]) {
          const got = f.stats[k];
          if (got !== undefined && got !== want) out.push(`stats.${k} = ${got}, generator wrote ${want}`);
        }
        // Connection attempts by outcome (reports that have them): each generated failure
        // scenario should appear once with its outcome.
        if (Array.isArray(f.attempts)) {
          const n = (o: string): number => f.attempts!.filter((a) => a.outcome === o).length;
          const sc = meta.scenarios;
          const parts = [['no-answer', sc.noAnswer], ['reset', sc.reset], ['icmp-refused', sc.icmpRefused]] as const;
          const line = parts.map(([o, want]) => `${o} ${n(o)}/${want}`).join(', ');
          const same = parts.every(([o, want]) => n(o) === want);
          out.push(`failed attempts found vs generated scenarios: ${line}${same ? '' : '  (MISMATCH)'}`);
        }
        return out;
      },
    },
    {
      id: 'pcap-parser',
      what: 'pcap-parser 0.2 npm package, read-only pass',
      command: node,
      args: ['--no-deprecation', join(HERE, 'pcap-parser-pass.cjs'), file],
      rss: 'node-hook',
      check: (stdout, _e, meta) => checkFrameCount(stdout, meta),
    },
  ];
  if (tcpdump !== null) {
    specs.push({
      id: 'tcpdump',
      what: "tcpdump -r -w /dev/null 'tcp[tcpflags] & tcp-syn != 0'",
      command: tcpdump.path,
      args: ['-r', file, '-w', '/dev/null', 'tcp[tcpflags] & tcp-syn != 0'],
      rss: gnuTime ? 'gnu-time' : 'proc-poll',
      // tcpdump prints nothing countable with -w; a clean exit and no complaint is the check.
      check: (_o, stderr) => (/truncated|error|bogus/i.test(stderr) ? `tcpdump complained: ${stderr.trim().slice(0, 300)}` : null),
    });
  }
  specs.push({
    id: 'floor',
    what: 'node loop over record headers (8 MiB readSync)',
    command: node,
    args: [join(HERE, 'header-walk.mjs'), file],
    rss: 'node-hook',
    check: (stdout, _e, meta) => checkFrameCount(stdout, meta),
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

function summarize(spec: ToolSpec, runs: RunResult[], meta: CaptureMeta, notes: string[]): ToolResult {
  const ok = runs.filter((r) => r.problem === null);
  const med = ok.length === runs.length && runs.length > 0 ? median(runs.map((r) => r.seconds)) : null;
  const rss = runs.map((r) => r.maxRssKiB).filter((x): x is number => x !== null);
  const cpu = runs.map((r) => r.cpuSeconds).filter((x): x is number => x !== null);
  return {
    id: spec.id,
    what: spec.what,
    commandLine: [spec.command, ...spec.args].join(' '),
    rssMethod: spec.rss,
    skipped: null,
    runs,
    medianSeconds: med,
    minSeconds: med === null ? null : Math.min(...runs.map((r) => r.seconds)),
    medianCpuSeconds: cpu.length === runs.length && cpu.length > 0 ? median(cpu) : null,
    mbPerSecond: med === null ? null : meta.fileBytes / 1e6 / med,
    framesPerSecond: med === null ? null : meta.expected.frames / med,
    peakRssMB: rss.length === 0 ? null : (Math.max(...rss) * 1024) / 1e6,
    notes,
  };
}

function renderTable(results: ToolResult[], fileBytes: number): string {
  const t = new Table({
    head: ['tool', 'runs (s)', 'median (s)', 'MB/s', 'frames/s', 'best run MB/s', 'MB per CPU-s', 'peak RSS (MB)', 'RSS, CPU via'],
    colAligns: ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'left'],
    style: { head: [], border: [] },
  });
  for (const r of results) {
    if (r.skipped !== null) {
      t.push([r.id, { colSpan: 8, content: `skipped: ${r.skipped}` }]);
      continue;
    }
    const failed = r.runs.find((x) => x.problem !== null);
    t.push([
      r.id,
      r.runs.map((x) => x.seconds.toFixed(2)).join(' '),
      failed !== undefined ? 'FAILED' : fmt(r.medianSeconds, 3),
      fmt(r.mbPerSecond),
      r.framesPerSecond === null ? '-' : `${(r.framesPerSecond / 1e6).toFixed(2)} M`,
      r.minSeconds === null ? '-' : fmt(fileBytes / 1e6 / r.minSeconds),
      r.medianCpuSeconds === null ? '-' : fmt(fileBytes / 1e6 / r.medianCpuSeconds),
      fmt(r.peakRssMB, 1),
      r.rssMethod === null ? '-' : RSS_METHOD_SHORT[r.rssMethod],
    ]);
  }
  return t.toString();
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
  if (!existsSync(join(ROOT, 'dist/cli/main.js'))) {
    process.stderr.write('bench: dist/ is missing; run `npm run build` first (npm run bench does)\n');
    return 2;
  }
  const tmp = join(BENCH_DIR, 'tmp');
  mkdirSync(tmp, { recursive: true });
  const log = (s: string): boolean => process.stderr.write(`${s}\n`);

  log(`bench: capture ${opts.sizeMiB} MiB, seed ${opts.seed}, generator v${GENERATOR_VERSION}`);
  const cap = ensureCapture(BENCH_DIR, opts.sizeMiB, opts.seed, opts.regen);
  const meta = cap.meta;
  log(cap.generated
    ? `bench: generated ${relative(ROOT, cap.pcap)} in ${meta.generateSeconds.toFixed(2)} s`
    : `bench: using cached ${relative(ROOT, cap.pcap)} (delete it or pass --regen to rebuild)`);
  const mem = freemem();
  if (meta.fileBytes > mem * 0.8) log(`bench: warning: the file (${(meta.fileBytes / 1e9).toFixed(2)} GB) may not fit the page cache (${(mem / 1e9).toFixed(1)} GB free): runs may read from disk`);
  const warm = warmCache(cap.pcap);
  log(`bench: page cache warmed (${(meta.fileBytes / 1e6 / warm).toFixed(0)} MB/s cached read in-process)`);

  const tcpdump = findTcpdump();
  const gnuTime = hasGnuTime(tmp);
  const specs = toolSpecs(cap.pcap, 'path' in tcpdump ? tcpdump : null, gnuTime).filter((s) => opts.only.includes(s.id));
  const outDir = opts.keep ? join(BENCH_DIR, 'runs') : tmp;
  mkdirSync(outDir, { recursive: true });

  const loadBefore = loadavg()[0]!;
  const cores = cpus().length;
  if (loadBefore > cores * 0.5) log(`bench: warning: load average ${loadBefore.toFixed(2)} on ${cores} cores before the runs: other processes compete, expect noisy times`);

  // Startup cost, for reading small-file numbers: node plus rpctrace's CLI, no capture.
  const startup: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t0 = process.hrtime.bigint();
    spawnSync(process.execPath, [join(ROOT, 'bin/rpctrace.js'), '--version'], { stdio: 'ignore' });
    startup.push(Number(process.hrtime.bigint() - t0) / 1e9);
  }
  const startupSeconds = median(startup);

  // Round-robin so drift (thermal, other load) spreads over every tool alike.
  const runs = new Map<ToolId, RunResult[]>(specs.map((s) => [s.id, []]));
  const notes = new Map<ToolId, string[]>(specs.map((s) => [s.id, []]));
  let broken = false;
  for (let i = 0; i < opts.runs; i++) {
    for (const s of specs) {
      const r = await runOnce(s, meta, outDir, opts.keep ? `.run${i + 1}` : '');
      const { stdout, stderr: _stderr, ...result } = r;
      runs.get(s.id)!.push(result);
      if (i === 0 && r.problem === null && s.notes !== undefined) notes.get(s.id)!.push(...s.notes(stdout, meta));
      if (r.problem !== null) broken = true;
      log(`bench: run ${i + 1}/${opts.runs} ${s.id.padEnd(11)} ${r.seconds.toFixed(3)} s${r.maxRssKiB === null ? '' : `, ${((r.maxRssKiB * 1024) / 1e6).toFixed(1)} MB`}${r.problem === null ? '' : `  PROBLEM: ${r.problem}`}`);
    }
  }

  const loadAfter = loadavg()[0]!;
  const results: ToolResult[] = [];
  for (const id of opts.only) {
    const spec = specs.find((s) => s.id === id);
    if (spec === undefined) {
      const reason = id === 'tcpdump' && 'reason' in tcpdump ? tcpdump.reason : 'not available';
      results.push({ id, what: '', commandLine: '', rssMethod: null, skipped: reason, runs: [], medianSeconds: null, minSeconds: null, medianCpuSeconds: null, mbPerSecond: null, framesPerSecond: null, peakRssMB: null, notes: [] });
      continue;
    }
    results.push(summarize(spec, runs.get(id)!, meta, notes.get(id)!));
  }

  const by = (id: ToolId): ToolResult | undefined => results.find((r) => r.id === id && r.mbPerSecond !== null);
  const rp = by('rpctrace');
  const ratio = (other: ToolId): number | null => {
    const o = by(other);
    return rp?.mbPerSecond != null && o?.mbPerSecond != null ? rp.mbPerSecond / o.mbPerSecond : null;
  };
  const ratios = { vsTcpdump: ratio('tcpdump'), vsPcapParser: ratio('pcap-parser'), vsFloor: ratio('floor') };
  const pass = rp?.mbPerSecond != null && rp.peakRssMB !== null ? rp.mbPerSecond >= TARGET_MBPS && rp.peakRssMB < TARGET_RSS_MB : null;

  const out: string[] = [];
  const m = machineInfo();
  out.push('');
  out.push(`rpctrace benchmark: ${relative(ROOT, cap.pcap)}, ${fmt(meta.fileBytes)} bytes (${(meta.fileBytes / 1e6).toFixed(0)} MB), ${fmt(meta.expected.frames)} frames, ${meta.connections} TCP connections, ${meta.scenarios.noAnswer + meta.scenarios.reset + meta.scenarios.icmpRefused} RPC failure scenarios`);
  out.push(`machine: ${String(m.cpuModel)}, ${String(m.cores)} cores, node ${process.version}; ${opts.runs} run(s) per tool, round-robin, warm page cache; 1-min load average ${loadBefore.toFixed(2)} before, ${loadAfter.toFixed(2)} after`);
  out.push(renderTable(results, meta.fileBytes));
  out.push('MB = 10^6 bytes of file per second of wall time (process start to exit, node start-up included:');
  out.push(`  'node bin/rpctrace.js --version' takes ${startupSeconds.toFixed(3)} s here). frames/s = frames in the file / median wall time.`);
  out.push('best run MB/s: the fastest run. MB per CPU-s: file MB / median user+system CPU seconds of the process');
  out.push('  (all its threads). On a busy machine both are nearer to what the code can do than the median wall time.');
  out.push('Peak RSS: max over runs, MB = 10^6 bytes.');
  for (const meth of new Set(results.map((r) => r.rssMethod).filter((x): x is RssMethod => x !== null))) out.push(`  ${RSS_METHOD_SHORT[meth]}: ${RSS_METHOD_TEXT[meth]}`);
  out.push('');
  const rtxt = (x: number | null, what: string): string => (x === null ? `rpctrace / ${what}: n/a` : `rpctrace / ${what}: ${x.toFixed(2)}x`);
  out.push(`Throughput ratios (MB/s): ${rtxt(ratios.vsTcpdump, 'tcpdump')}; ${rtxt(ratios.vsPcapParser, 'pcap-parser')}; ${rtxt(ratios.vsFloor, 'floor')}`);
  const targetLine = `Target (issue): rpctrace analyze >= ${TARGET_MBPS} MB/s with peak RSS < ${TARGET_RSS_MB} MB on the 1 GiB file`;
  if (pass === null) out.push(`${targetLine}: not measured`);
  else out.push(`${targetLine}: ${pass ? 'PASS' : 'FAIL'} (measured ${fmt(rp!.mbPerSecond)} MB/s, ${fmt(rp!.peakRssMB, 1)} MB${opts.sizeMiB !== 1024 ? `; this run used ${opts.sizeMiB} MiB, where start-up weighs more` : ''})`);
  for (const r of results) for (const n of r.notes) out.push(`note (${r.id}): ${n}`);
  for (const r of results) {
    const bad = r.runs.find((x) => x.problem !== null);
    if (bad !== undefined) out.push(`PROBLEM (${r.id}): ${bad.problem}`);
  }

  let profile: Record<string, unknown> | null = null;
  process.stdout.write(`${out.join('\n')}\n`);
  if (opts.profile) {
    try {
      profile = await profileRpctrace(cap.pcap);
    } catch (e) {
      log(`bench: profile failed: ${e instanceof Error ? e.message : String(e)}`);
      broken = true;
    }
  }

  const doc = {
    generatedAt: new Date().toISOString(),
    machine: m,
    file: { path: relative(ROOT, cap.pcap), bytes: meta.fileBytes, frames: meta.expected.frames, sizeMiB: meta.sizeMiB, seed: meta.seed, generatorVersion: meta.generatorVersion, meta },
    method: {
      runsPerTool: opts.runs,
      timing: 'wall time of the whole child process (spawn to exit), median of runs, round-robin order, warm page cache',
      mbDefinition: 'file bytes / 1e6 / median seconds',
      startupSeconds,
      loadAverage1m: { before: loadBefore, after: loadAfter },
      rss: Object.fromEntries(Object.entries(RSS_METHOD_TEXT)),
    },
    tools: Object.fromEntries(results.map((r) => [r.id, {
      what: r.what,
      command: r.commandLine,
      skipped: r.skipped,
      runsSeconds: r.runs.map((x) => x.seconds),
      runsPeakRssMB: r.runs.map((x) => (x.maxRssKiB === null ? null : (x.maxRssKiB * 1024) / 1e6)),
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
    }])),
    tcpdump: 'path' in tcpdump ? tcpdump : { skipped: tcpdump.reason },
    ratios,
    target: { mbPerSecond: TARGET_MBPS, peakRssMB: TARGET_RSS_MB, pass, measuredOnSizeMiB: opts.sizeMiB },
    profile,
  };
  writeFileSync(join(BENCH_DIR, 'results.json'), `${JSON.stringify(doc, null, 2)}\n`);
  log(`bench: results written to ${relative(ROOT, join(BENCH_DIR, 'results.json'))}`);

  if (opts.clean) {
    rmSync(cap.pcap, { force: true });
    rmSync(cap.pcap.replace(/\.pcap$/, '.meta.json'), { force: true });
    log('bench: capture deleted (--clean)');
  }
  return broken ? 1 : 0;
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
