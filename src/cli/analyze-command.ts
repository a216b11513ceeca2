/**
 * `rpctrace analyze`: every input through the pipeline; each file's report written as soon as it
 * is done, or, with several files, after a summary that names their findings. With --evidence a
 * second pass per file copies the frames that back its findings; with --redact every output
 * shows pseudonyms. Those two load their modules only when asked for.
 */
import { statSync } from 'node:fs';
import { basename } from 'node:path';
import { analyzeFile, type AnalyzeOptions, type FileAnalysis } from '../analysis/pipeline.js';
import type { ExtractedEvidence } from '../evidence/extract.js';
import type { EvidenceWriter } from '../evidence/write.js';
import { SEVERITY_RANK } from '../model/finding-catalog.js';
import { SCHEMA_VERSION, type FileReport } from '../model/report.js';
import { visible } from '../model/visible.js';
import type { FrameRedactor, RedactFrame } from '../redact/frame.js';
import type { Pseudonymizer } from '../redact/pseudonyms.js';
import { BufferedSink, REPORT_WRITERS, type DocumentMeta, type OutputFormat, type Skipped } from '../report/index.js';
import { ExitCode } from './exit-codes.js';
import { expandInputs } from './inputs.js';
import type { Io } from './main.js';
import { engineOptions, type EngineOptions } from './engine-options.js';
import type { FailOn } from './options.js';
import type { ColorWhen } from './output-options.js';
import { clashWithInputs, FileOutput, TextSpool, useColor, widthFor } from './output.js';
import { VERSION } from './version.js';

/** The frames of an evidence section, read back from its spool, for the redactor to learn from. */
function* spooledFrames(ev: ExtractedEvidence): Generator<RedactFrame> {
  for (const f of ev.frames) {
    const bytes = new Uint8Array(f.capLen);
    ev.spool.readAt(bytes, 0, f.capLen, f.at);
    yield { frame: f.frame, linkType: f.linkType, bytes };
  }
}

/** True for a regular file (a capture that can be read twice). */
function isRegularFile(path: string): boolean {
  if (path === '-') return false;
  try { return statSync(path).isFile(); } catch { return true; /* missing: the reader reports it */ }
}

/** Problems that mean "this is not a capture" rather than "this capture is damaged". */
const NOT_CAPTURE = new Set(['not-a-capture', 'empty-file']);

export type { EngineOptions } from './engine-options.js';

/** The head of every document a command writes. */
export const DOCUMENT_META: DocumentMeta = { schemaVersion: SCHEMA_VERSION, tool: { name: 'rpctrace', version: VERSION } };

/**
 * Analyzes every input in order and hands each file's report to `onFile` as soon as it is done;
 * directory entries that are not captures are skipped, not reported. Returns the skipped files
 * and whether an input could not even be listed. `expanded` are the inputs already listed
 * (analyze lists them first, to check its outputs against them).
 */
export async function forEachInput(
  captures: readonly string[], opts: EngineOptions, io: Io, onFile: (f: FileReport, analysis: FileAnalysis) => void | Promise<void>,
  expanded: ReturnType<typeof expandInputs> = expandInputs(captures),
): Promise<{ skipped: Skipped[]; inputProblems: boolean }> {
  const { inputs, problems, subfolders } = expanded;
  // A path is text from the user's file system: its control characters are shown escaped.
  for (const p of problems) io.err.write(`rpctrace: ${visible(p)}\n`);
  // Subfolders are not read here (documented); say so, and where they are read, rather than skip them in silence.
  for (const s of subfolders) {
    const n = `${s.count} subfolder${s.count === 1 ? '' : 's'}`;
    io.err.write(`rpctrace: note: ${visible(s.dir)} has ${n}, not read: this command reads the files directly inside a folder; 'rpctrace scan ${visible(s.dir)}' reads subfolders and .zip archives too\n`);
  }
  const base: AnalyzeOptions = engineOptions(opts);
  const skipped: Skipped[] = [];
  for (const input of inputs) {
    if (input.skip !== undefined) { skipped.push({ path: input.path, reason: input.skip }); continue; }
    const analysis = await analyzeFile(input.path, io.stdin !== undefined ? { ...base, stdin: io.stdin } : base);
    const f = analysis.report;
    if (input.fromDirectory && f.format === null && f.errors.every((e) => NOT_CAPTURE.has(e.code))) {
      skipped.push({ path: input.path, reason: f.errors[0]?.message ?? 'not a capture' });
      continue;
    }
    await onFile(f, analysis);
  }
  let inputProblems = problems.length > 0;
  if (inputs.length === 0 && problems.length === 0) {
    io.err.write('rpctrace: no capture files found in the given directories\n');
    inputProblems = true;
  }
  return { skipped, inputProblems };
}

/** `analyze` options beyond the engine's. */
export interface AnalyzeFlags {
  format: OutputFormat;
  failOn: FailOn;
  /** Write the report here instead of standard output. */
  output?: string;
  color: ColorWhen;
  /** Write the frames that back the findings to this pcapng file. */
  evidence?: string;
  /** Replace addresses, MACs, host names and capture text by keyed pseudonyms in every output. */
  redact?: boolean;
  /** The key of the pseudonyms (stable across runs); a random one per run without it. */
  redactKey?: string;
}

export async function analyzeCommand(captures: string[], opts: EngineOptions & AnalyzeFlags, io: Io): Promise<ExitCode> {
  const expanded = expandInputs(captures);
  const paths = expanded.inputs.map((i) => i.path);
  if (opts.output !== undefined) {
    const clash = clashWithInputs('--output', opts.output, paths);
    if (clash !== null) return usage(io, clash);
  }
  if (opts.evidence !== undefined) {
    const clash = clashWithInputs('--evidence', opts.evidence, paths, opts.output !== undefined ? [{ option: '--output', path: opts.output }] : []);
    if (clash !== null) return usage(io, clash);
    // The evidence frames are read in a second pass: only a file can be read twice.
    const stream = expanded.inputs.find((i) => i.skip === undefined && !isRegularFile(i.path));
    if (stream !== undefined) {
      return usage(io, `--evidence reads each capture a second time, which ${stream.path === '-' ? 'standard input' : stream.path} (not a regular file) does not allow; save the capture to a file first`);
    }
  }
  let file: FileOutput | null = null;
  let evidenceFile: FileOutput | null = null;
  try {
    if (opts.output !== undefined) file = new FileOutput(opts.output);
  } catch (e) {
    return usage(io, `--output ${opts.output}: cannot write: ${e instanceof Error ? e.message : String(e)}`);
  }
  try {
    if (opts.evidence !== undefined) evidenceFile = new FileOutput(opts.evidence);
  } catch (e) {
    file?.abandon();
    return usage(io, `--evidence ${opts.evidence}: cannot write: ${e instanceof Error ? e.message : String(e)}`);
  }
  const ev = opts.evidence !== undefined
    ? { ...(await import('../evidence/extract.js')), ...(await import('../evidence/select.js')), ...(await import('../evidence/write.js')) } : null;
  const evidence: EvidenceWriter | null = evidenceFile === null || ev === null ? null : new ev.EvidenceWriter(evidenceFile, `rpctrace ${VERSION}`);
  const key = opts.redactKey ?? io.env?.RPCTRACE_REDACT_KEY;
  const redact = opts.redact === true || opts.redactKey !== undefined
    ? { ...(await import('../redact/pseudonyms.js')), ...(await import('../redact/report.js')), ...(await import('../redact/frame.js')) } : null;
  const pseudonyms: Pseudonymizer | null = redact === null ? null : new redact.Pseudonymizer(key !== undefined && key !== '' ? key : undefined);
  const redactor: FrameRedactor | null = redact === null || pseudonyms === null ? null : new redact.FrameRedactor(pseudonyms);
  let evidenceFrames = 0;
  let evidenceFiles = 0;
  const terminal = file === null ? (io.terminal ?? null) : null;
  // With several inputs the summary comes first: sections wait in a spool (memory, then a temporary file).
  const spool = expanded.inputs.length > 1 && opts.format !== 'json' ? new TextSpool() : undefined;
  const out = file === null ? io.out : new BufferedSink(file);
  try {
    const writer = (await REPORT_WRITERS[opts.format]())(out, DOCUMENT_META, {
      width: widthFor(terminal),
      color: useColor(opts.color, terminal !== null, io.env ?? {}),
      ...(spool !== undefined ? { spool } : {}),
      settings: [...settingsShown(opts), ...(pseudonyms !== null ? [['redaction', `addresses, MACs, host names, file names and capture text replaced by ${key !== undefined && key !== '' ? 'keyed' : 'random-key'} pseudonyms`] as [string, string]] : [])],
    });
    const exit = new ExitStatus(opts.failOn);
    const { skipped, inputProblems } = await forEachInput(captures, opts, io, async (f) => {
      exit.add(f);
      // Redacted first: every address and name of the report is then known to the frame rewriter too.
      const shown = pseudonyms !== null && redact !== null ? redact.redactReport(f, pseudonyms) : f;
      if (evidence !== null && ev !== null && f.format !== null) {
        // From the report as analyzed: original frame numbers, original addresses.
        const kept = await ev.extractEvidence(f.path, ev.selectEvidence(f));
        try {
          redactor?.learn(spooledFrames(kept));
          evidenceFrames += evidence.section(pseudonyms !== null ? pseudonyms.path(f.path) : basename(f.path), kept, redactor);
          evidenceFiles++;
        } finally {
          kept.spool.close();
        }
      }
      writer.file(shown);
    }, expanded);
    writer.end(pseudonyms === null ? skipped : skipped.map((x) => ({ path: pseudonyms.path(x.path), reason: pseudonyms.scrub(x.reason) })));
    if (file !== null) {
      (out as BufferedSink).flush();
      file.commit();
      file = null;
    }
    if (evidenceFile !== null) {
      evidenceFile.commit();
      evidenceFile = null;
      io.err.write(`rpctrace: evidence: ${evidenceFrames} frame(s) from ${evidenceFiles} capture(s) written to ${visible(opts.evidence ?? '')}\n`);
    }
    return exit.code(inputProblems);
  } finally {
    file?.abandon();
    evidenceFile?.abandon();
    spool?.close();
  }
}

/** The settings a document's header lists (HTML). */
function settingsShown(opts: EngineOptions & AnalyzeFlags): [string, string][] {
  return [
    ['expected dynamic range', opts.dynamicRanges.map(([a, b]) => `${a}-${b}`).join(', ')],
    ['follow-up window', `${opts.followWindowSeconds} s`],
    checksShown(opts),
    ['fail on', opts.failOn],
  ];
}

/** Which checks run (`--profile`, and what forced the agent checks), for a document's header. */
export function checksShown(opts: EngineOptions): [string, string] {
  const forced = opts.agentForcedBy ?? null;
  if (opts.profile === 'rpc') return ['checks', 'RPC only (--profile rpc)'];
  if (opts.profile === 'scom') return ['checks', 'RPC and agent (--profile scom)'];
  // The option only, not the servers it names: the header is not redacted (--redact).
  if (forced !== null) return ['checks', `RPC and agent (${forced.startsWith('--server') ? '--server' : forced})`];
  return ['checks', 'RPC, and agent when a capture shows traffic on 5723'];
}

function usage(io: Io, message: string): ExitCode {
  io.err.write(`rpctrace: ${visible(message)}\n`);
  return ExitCode.Usage;
}

/**
 * The exit code of `analyze`, file by file: 2 when an input could not be read at all (or could
 * not even be listed), else 1 when a finding is at or above `failOn`, else 0. 2 wins over 1: a
 * verdict on the files that were read is no substitute for the file that was not.
 */
export class ExitStatus {
  private unreadable = false;
  private findings = false;
  constructor(private readonly failOn: FailOn) {}

  add(f: FileReport): void {
    if (couldNotRead(f)) this.unreadable = true;
    if (this.failOn !== 'none') {
      const min = SEVERITY_RANK[this.failOn];
      if (f.findings.some((x) => SEVERITY_RANK[x.severity] >= min)) this.findings = true;
    }
  }

  code(inputProblems = false): ExitCode {
    if (inputProblems || this.unreadable) return ExitCode.Usage;
    return this.findings ? ExitCode.Findings : ExitCode.Ok;
  }
}

/** The exit code of `analyze` over whole reports (see ExitStatus). */
export function exitCodeFor(files: readonly FileReport[], failOn: FailOn, inputProblems = false): ExitCode {
  const s = new ExitStatus(failOn);
  for (const f of files) s.add(f);
  return s.code(inputProblems);
}

/** An input counts as unreadable when no frame of it could be analyzed because of an error. */
export function couldNotRead(f: FileReport): boolean {
  return f.errors.length > 0 && f.frames === 0;
}
