/**
 * `rpctrace scan`: every capture in a tree of folders and .zip archives, analyzed in parallel
 * (scan-pool.ts), written in input order (jsonl: as each file is done), summary first.
 *
 * Order and memory: files are handed to the pool in batches of small files, in walk order. A
 * finished file waits in a reorder buffer until every file before it is written; new batches are
 * handed out only while fewer than REORDER_BATCHES x jobs batches are open, so the buffer is
 * bounded by the pool size, whatever the number of files. A zip archive is recognised by the
 * worker that opened it (by content, like captures), then listed here; its members take its
 * place in the order and go to the pool before anything else.
 */
import { closeSync, fstatSync, openSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { listZip } from '../capture/zip.js';
import { SEVERITY_RANK } from '../model/finding-catalog.js';
import type { ScanRow, ScanSkipped } from '../model/scan.js';
import { SCAN_WRITERS, type ScanWriter } from '../report/index.js';
import { visible } from '../model/visible.js';
import { BufferedSink, type Sink } from '../report/writer.js';
import { DOCUMENT_META, checksShown } from './analyze-command.js';
import { engineOptions, type EngineOptions } from './engine-options.js';
import { ExitCode } from './exit-codes.js';
import { useColor, widthFor } from './output.js';
import type { ColorWhen } from './output-options.js';
import type { Io } from './main.js';
import type { FailOn } from './options.js';
import { Aggregator } from './scan-aggregate.js';
import { emptyReport, fileResult, internalErrorResult, type FileTask, type JobResult, type JobSettings, type ScanFormat } from './scan-job.js';
import { defaultRunner, type Runner, type RunnerFactory } from './scan-pool.js';
import { walk } from './scan-walk.js';
import { pushAll } from '../model/lists.js';

/** Files of at most this many bytes travel to a worker together (one message for many small files). */
export const BATCH_BYTES = 1024 * 1024;
/** Files in one batch at most. */
export const BATCH_FILES = 16;
/** Open batches (handed out, not yet written) per job: the bound of the reorder buffer. */
export const REORDER_BATCHES = 3;
/**
 * Batches handed to the pool per job: the second waits in the pool's queue, so a worker that
 * finishes gets its next batch at once instead of after a round trip through this thread.
 */
export const IN_FLIGHT_PER_JOB = 2;

/** `scan`'s options; `memoryBudgetMiB` (EngineOptions) is per file analyzed at once. */
export interface ScanOptions extends EngineOptions {
  format: ScanFormat;
  failOn: FailOn;
  recursive: boolean;
  jobs: number;
  quiet: boolean;
  output: string | null;
  /** Colour severities in the table (`auto`: on a terminal only); default `auto`. */
  color?: ColorWhen;
  /** --redact: pseudonyms for addresses, names and file names in every output; `redactKey` keeps them across runs. */
  redact?: boolean;
  redactKey?: string;
}

/** An absolute path inside a message: `/srv/traces/a`, `C:\\traces\\a`, up to a space, colon, comma or parenthesis. */
const PATH_IN_TEXT = /(?:[A-Za-z]:)?[\\/][^\s:,()]+/g;

/** The default of `--jobs`: the cores Node may use. */
export const defaultJobs = (): number => Math.max(1, availableParallelism());

/** One thing in output order: a file to analyze, or something already known. */
interface Entry {
  task: FileTask | null;
  size: number;
  /** The batch it went out in (null until dispatched, or when it needs no worker). */
  batch: Batch | null;
  done: Done | null;
  /** A zip archive's members, in its place; set once it is listed. */
  children: Entry[] | null;
  /** Waiting for its archive listing. */
  listing: boolean;
}

type Done = { kind: 'file'; row: ScanRow; text: string | null } | { kind: 'skip'; skip: ScanSkipped };

interface Batch {
  open: number;
}

export async function scanCommand(args: readonly string[], opts: ScanOptions, io: Io, deps: { runner?: RunnerFactory } = {}): Promise<ExitCode> {
  if (args.includes('-')) {
    io.err.write("rpctrace: scan reads files and folders, not standard input; use 'rpctrace analyze -' for a stream\n");
    return ExitCode.Usage;
  }
  const redacting = opts.redact === true || opts.redactKey !== undefined;
  const settings: JobSettings = { ...engineOptions(opts), format: opts.format, ...(redacting ? { redact: true } : {}) };
  const { items, fileIds } = walk(args, opts.recursive);

  let target: OutputTarget | null = null;
  if (opts.output !== null) {
    const t = openOutput(opts.output, fileIds);
    if ('error' in t) {
      io.err.write(`rpctrace: --output ${visible(opts.output)}: ${t.error}\n`);
      return ExitCode.Usage;
    }
    target = t;
  }
  const sink: Sink = target !== null ? target.sink : io.out;
  let writer: ScanWriter;
  let runner: Runner | null = null;
  let progress: Progress | null = null;
  try {
    const terminal = target === null ? io.terminal ?? null : null;
    // Redaction happens here, in the main thread: one pseudonymizer for the run keeps every
    // pseudonym one to one across files and workers (a worker's own would not know the others').
    const key = opts.redactKey ?? io.env?.RPCTRACE_REDACT_KEY;
    const keyed = key !== undefined && key !== '';
    const redact = redacting ? { ...(await import('../redact/pseudonyms.js')), ...(await import('../redact/report.js')) } : null;
    const pseudonyms = redact === null ? null : new redact.Pseudonymizer(keyed ? key : undefined);
    // A reason may name other paths (a link's target, the folder a loop leads to): those go too.
    const skipShown = (s: ScanSkipped): ScanSkipped => (pseudonyms === null ? s : {
      path: pseudonyms.path(s.path),
      reason: pseudonyms.scrub(s.reason.replace(PATH_IN_TEXT, (m) => pseudonyms.path(m))),
    });
    // A failure while redacting a report is a bug on that file (exit 3), not the end of the scan.
    const resultShown = (r: JobResult): JobResult => {
      if (r.kind !== 'report') return r;
      try {
        return fileResult(redact !== null && pseudonyms !== null ? redact.redactReport(r.report, pseudonyms) : r.report, settings, true);
      } catch (e) {
        const failed = internalErrorResult(pseudonyms !== null ? pseudonyms.path(r.report.path) : r.report.path, e, settings);
        return failed.kind === 'report' ? fileResult(failed.report, settings, true) : failed;
      }
    };
    writer = (await SCAN_WRITERS[opts.format]())(sink, DOCUMENT_META, {
      width: widthFor(terminal),
      color: useColor(opts.color ?? 'auto', terminal !== null, io.env ?? {}),
      settings: [...scanSettingsShown(opts), ...(pseudonyms !== null ? [['redaction', `addresses, MACs, host names, file names and capture text replaced by ${keyed ? 'keyed' : 'random-key'} pseudonyms`] as [string, string]] : [])],
    });
    const aggregate = new Aggregator();
    let inputProblems = false;
    let unreadable = false;
    let internal = false;
    let findings = false;
    const min = opts.failOn === 'none' ? Infinity : SEVERITY_RANK[opts.failOn];
    const ordered = opts.format !== 'jsonl';

    // The tree of entries in output order, the dispatch queues, and the emitter's cursor.
    const top: Entry[] = [];
    for (const it of items) {
      if (it.kind === 'file') top.push(entry({ kind: 'path', path: it.path, named: it.named }, it.size));
      else if (it.kind === 'skip') top.push(known({ kind: 'skip', skip: skipShown({ path: it.path, reason: it.reason }) }));
      else {
        inputProblems = true;
        io.err.write(`rpctrace: ${visible(it.path)}: ${it.message}\n`);
        top.push(known({ kind: 'skip', skip: skipShown({ path: it.path, reason: it.message }) }));
      }
    }
    if (!opts.quiet) progress = await Progress.start(io, opts, top.filter((e) => e.task !== null).length, top.reduce((s, e) => s + e.size, 0));
    if (!items.some((i) => i.kind === 'file')) {
      io.err.write('rpctrace: no files found to scan\n');
      inputProblems = true;
    }
    if (!ordered) for (const e of top) if (e.done?.kind === 'skip') writer.skipped(e.done.skip);

    runner = (deps.runner ?? defaultRunner())(opts.jobs);
    const run = runner;
    const priority: Entry[] = [];
    let nextTop = 0;
    let inFlight = 0;
    let openBatches = 0;
    let listings = 0;
    const cursor: { list: Entry[]; i: number }[] = [{ list: top, i: 0 }];
    let finished: () => void = () => {};
    let failed: (e: unknown) => void = () => {};
    const allDone = new Promise<void>((resolve, reject) => { finished = resolve; failed = reject; });

    const emit = (d: Done): void => {
      if (d.kind === 'skip') {
        aggregate.skip();
        if (ordered) writer.skipped(d.skip);
        return;
      }
      const r = d.row;
      aggregate.add(r);
      if (r.internalError) internal = true;
      else if (r.unreadable) unreadable = true;
      if (r.byFinding.some((f) => SEVERITY_RANK[f.severity] >= min)) findings = true;
      if (ordered) writer.file(r, d.text);
    };

    /** Writes every entry that is ready, in order; true when all are written. */
    const drain = (): boolean => {
      while (cursor.length > 0) {
        const c = cursor[cursor.length - 1]!;
        if (c.i >= c.list.length) { cursor.pop(); continue; }
        const e = c.list[c.i]!;
        if (e.children !== null) { c.i++; cursor.push({ list: e.children, i: 0 }); continue; }
        if (e.done === null) return false;
        emit(e.done);
        c.list[c.i] = DRAINED;
        c.i++;
        if (e.batch !== null && --e.batch.open === 0) openBatches--;
      }
      return true;
    };

    const nextUndispatched = (): Entry | null => {
      while (priority.length > 0) {
        const e = priority.shift()!;
        if (e.task !== null && e.batch === null && e.done === null) return e;
      }
      while (nextTop < top.length) {
        const e = top[nextTop++]!;
        if (e.task !== null && e.done === null) return e;
      }
      return null;
    };

    const pump = (): void => {
      try {
        while (inFlight < IN_FLIGHT_PER_JOB * opts.jobs && (openBatches < REORDER_BATCHES * opts.jobs || inFlight === 0)) {
          const first = nextUndispatched();
          if (first === null) break;
          const batch: Batch = { open: 0 };
          const members: Entry[] = [first];
          let bytes = first.size;
          while (members.length < BATCH_FILES && bytes < BATCH_BYTES) {
            while (priority.length === 0 && nextTop < top.length && top[nextTop]!.task === null) nextTop++;
            const peek = priority.length > 0 ? priority[0]! : top[nextTop];
            if (peek === undefined || peek.task === null || peek.size + bytes > BATCH_BYTES) break;
            const e = nextUndispatched();
            if (e === null) break;
            members.push(e);
            bytes += e.size;
          }
          for (const e of members) e.batch = batch;
          batch.open = members.length;
          openBatches++;
          inFlight++;
          run.run({ settings, files: members.map((e) => e.task!) }).then((results) => {
            inFlight--;
            results.forEach((r, i) => settle(members[i]!, r));
            pump();
          }, (e: unknown) => failed(e));
        }
        if (drain() && inFlight === 0 && listings === 0) finished();
      } catch (e) {
        failed(e);
      }
    };

    const settle = (e: Entry, job: JobResult): void => {
      const path = e.task!.kind === 'path' ? e.task!.path : e.task!.display;
      const r = resultShown(job);
      if (r.kind === 'archive') {
        progress?.fileDone(e.size, -1);
        e.listing = true;
        listings++;
        void expand(e, path).then(() => { listings--; pump(); }, failed);
        return;
      }
      progress?.fileDone(e.size, 0);
      const done = doneOf(r, path, skipShown);
      // Written now when unordered (jsonl): the entry keeps only what the bookkeeping needs.
      e.done = ordered || done.kind === 'skip' ? done : { ...done, text: null };
      if (!ordered) {
        if (done.kind === 'skip') writer.skipped(done.skip);
        else writer.file(done.row, done.text);
      }
    };

    /** Lists an archive; its members take its place (its batch slot is given back). */
    const expand = async (e: Entry, path: string): Promise<void> => {
      const listed = await listZip(path);
      const children: Entry[] = [];
      if ('error' in listed) {
        children.push(known(doneFile(resultShown(fileResult(emptyReport(path, { code: 'io-error', severity: 'error', offset: 0, message: listed.error }, settings), settings)))));
      } else if (listed.entries.length === 0) {
        children.push(known({ kind: 'skip', skip: skipShown({ path, reason: 'a zip archive without files' }) }));
      } else {
        for (const m of listed.entries) {
          const display = `${path}/${m.kind === 'member' ? m.member.name : m.name}`;
          if (m.kind === 'member') children.push(entry({ kind: 'member', zip: path, member: m.member, display }, m.member.compressedSize));
          else if (m.kind === 'skip') children.push(known({ kind: 'skip', skip: skipShown({ path: display, reason: m.reason }) }));
          else children.push(known(doneFile(resultShown(fileResult(emptyReport(display, { code: 'io-error', severity: 'error', offset: 0, message: m.message }, settings), settings)))));
        }
      }
      const work = children.filter((c) => c.task !== null);
      progress?.addTotal(work.length, work.reduce((s, c) => s + c.size, 0));
      if (!ordered) {
        for (const c of children) {
          if (c.done?.kind === 'skip') writer.skipped(c.done.skip);
          else if (c.done?.kind === 'file') writer.file(c.done.row, c.done.text);
        }
      }
      // The archive's own slot in its batch is done: its members are counted on their own.
      if (e.batch !== null && --e.batch.open === 0) openBatches--;
      e.batch = null;
      e.children = children;
      e.listing = false;
      pushAll(priority, work);
    };

    pump();
    await allDone;
    progress?.stop();
    // The workers go before the summary is drawn: their heaps are not needed any more, and the
    // summary of thousands of rows is the main thread's largest piece of work.
    await run.close();
    runner = null;
    writer.end(aggregate.result());
    if (target !== null) {
      target.sink.flush();
      target.commit();
      target = null;
    }
    if (internal) return ExitCode.Internal;
    if (inputProblems || unreadable) return ExitCode.Usage;
    return findings ? ExitCode.Findings : ExitCode.Ok;
  } finally {
    progress?.stop();
    target?.abort();
    await runner?.close();
  }
}

/** Stands in for a written entry, so the tree does not keep what was written. */
const DRAINED: Entry = { task: null, size: 0, batch: null, done: null, children: null, listing: false };

const entry = (task: FileTask, size: number): Entry => ({ task, size, batch: null, done: null, children: null, listing: false });
const known = (done: Done): Entry => ({ task: null, size: 0, batch: null, done, children: null, listing: false });
const doneFile = (r: JobResult): Done => {
  if (r.kind !== 'file') throw new Error('expected a file result');
  return { kind: 'file', row: r.row, text: r.text };
};

// ---- --output ---------------------------------------------------------------------------------

interface OutputTarget {
  sink: BufferedSink;
  commit(): void;
  abort(): void;
}

/**
 * Opens `path` for the output: refused when it is one of the inputs (same file: device and
 * inode, so also through a link) or a folder. A regular file (or a new one) is written to a
 * temporary file beside it, renamed over it at the end, and removed if the scan fails; anything
 * else (`/dev/null`, a FIFO) is written directly.
 */
function openOutput(path: string, inputs: ReadonlySet<string>): OutputTarget | { error: string } {
  let existing: ReturnType<typeof statSync> | null = null;
  try {
    existing = statSync(path);
  } catch {
    existing = null;
  }
  if (existing !== null) {
    if (existing.isDirectory()) return { error: 'is a folder' };
    if (inputs.has(`${existing.dev}:${existing.ino}`)) return { error: 'refusing to write over one of the inputs' };
  }
  try {
    if (existing !== null && !existing.isFile()) {
      const fd = openSync(path, 'w');
      let closed = false;
      const close = (): void => { if (!closed) { closed = true; closeSync(fd); } };
      return { sink: new BufferedSink({ write: (s: string) => writeSync(fd, s) }), commit: close, abort: close };
    }
    const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
    const fd = openSync(tmp, 'wx', existing !== null ? existing.mode & 0o777 : 0o666);
    if (!fstatSync(fd).isFile()) throw new Error('temporary file is not a regular file');
    let closed = false;
    return {
      sink: new BufferedSink({ write: (s: string) => writeSync(fd, s) }),
      commit: () => {
        closed = true;
        closeSync(fd);
        renameSync(tmp, path);
      },
      abort: () => {
        if (closed) return;
        closed = true;
        closeSync(fd);
        try { unlinkSync(tmp); } catch { /* already gone */ }
      },
    };
  } catch (e) {
    return { error: `cannot write: ${e instanceof Error ? e.message : String(e)}` };
  }
}

// ---- progress ---------------------------------------------------------------------------------

/**
 * Files and bytes done, rate and ETA on standard error (cli-progress), only when standard error
 * is a terminal, and not when standard output is the same terminal and the format writes as it
 * goes (json, jsonl, csv): the bar would tear its lines.
 */
class Progress {
  private files = 0;
  private totalFiles = 0;
  private bytes = 0;
  private totalBytes = 0;
  private readonly t0 = Date.now();
  private stopped = false;

  private constructor(private readonly bar: { start(total: number, value: number, payload: object): void; update(value: number, payload: object): void; setTotal(total: number): void; stop(): void }) {}

  static async start(io: Io, opts: ScanOptions, files: number, bytes: number): Promise<Progress | null> {
    const err = io.err as { isTTY?: boolean };
    const out = io.out as { isTTY?: boolean };
    if (err.isTTY !== true) return null;
    if (out.isTTY === true && opts.output === null && opts.format !== 'table' && opts.format !== 'md') return null;
    const { SingleBar } = (await import('cli-progress')).default;
    const bar = new SingleBar({
      stream: io.err as NodeJS.WritableStream,
      format: 'scan {bar} {percentage}% | {files}/{totalFiles} files | {mb}/{totalMb} MB | {rate} MB/s | ETA {eta_formatted}',
      barsize: 24,
      hideCursor: true,
      clearOnComplete: true,
      etaBuffer: 50,
      fps: 5,
    });
    const p = new Progress(bar);
    p.totalFiles = files;
    p.totalBytes = bytes;
    bar.start(Math.max(1, bytes), 0, p.payload());
    return p;
  }

  private payload(): object {
    const s = Math.max(0.001, (Date.now() - this.t0) / 1000);
    return { files: this.files, totalFiles: this.totalFiles, mb: (this.bytes / 1e6).toFixed(1), totalMb: (this.totalBytes / 1e6).toFixed(1), rate: (this.bytes / 1e6 / s).toFixed(1) };
  }

  addTotal(files: number, bytes: number): void {
    this.totalFiles += files;
    this.totalBytes += bytes;
    this.bar.setTotal(Math.max(1, this.totalBytes));
    this.bar.update(this.bytes, this.payload());
  }

  /** A file is done (`files` -1: it was an archive, counted through its members). */
  fileDone(bytes: number, files: 0 | -1): void {
    if (files === -1) this.totalFiles--;
    else this.files++;
    this.bytes += bytes;
    this.bar.update(this.bytes, this.payload());
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.bar.stop();
  }
}

/** The settings the HTML page's header lists. */
function scanSettingsShown(opts: ScanOptions): [string, string][] {
  return [
    ['expected dynamic range', opts.dynamicRanges.map(([a, b]) => `${a}-${b}`).join(', ')],
    ['follow-up window', `${opts.followWindowSeconds} s`],
    checksShown(opts),
    ['fail on', opts.failOn],
    ['subfolders', opts.recursive ? 'read' : 'not read'],
  ];
}

/** What a settled job becomes in the output: a file's row and entry, or a skipped file. */
function doneOf(r: JobResult, path: string, skipShown: (s: ScanSkipped) => ScanSkipped): Done {
  if (r.kind === 'skip') return { kind: 'skip', skip: skipShown({ path, reason: r.reason }) };
  if (r.kind !== 'file') throw new Error(`unexpected job result ${r.kind}`);
  return { kind: 'file', row: r.row, text: r.text };
}
