/** `rpctrace analyze`: every input through the pipeline, each file's report written as soon as it is done. */
import { analyzeFile, type AnalyzeOptions } from '../analysis/pipeline.js';
import { SEVERITY_RANK } from '../model/finding-catalog.js';
import { SCHEMA_VERSION, type FileReport } from '../model/report.js';
import { REPORT_WRITERS, type DocumentMeta, type OutputFormat, type Skipped } from '../report/index.js';
import { ExitCode } from './exit-codes.js';
import { expandInputs } from './inputs.js';
import type { Io } from './main.js';
import type { FailOn } from './options.js';
import { VERSION } from './version.js';
import type { AgentSettings, Profile } from '../model/agent.js';

/** Problems that mean "this is not a capture" rather than "this capture is damaged". */
const NOT_CAPTURE = new Set(['not-a-capture', 'empty-file']);

/** Options of `analyze` (and, without format, failOn and the agent checks' options, of `ports`). */
export interface EngineOptions {
  dynamicRanges: [number, number][];
  followWindowSeconds: number;
  profile?: Profile;
  agent?: AgentSettings;
  agentForcedBy?: string | null;
}

/** The head of every document a command writes. */
export const DOCUMENT_META: DocumentMeta = { schemaVersion: SCHEMA_VERSION, tool: { name: 'rpctrace', version: VERSION } };

/**
 * Analyzes every input in order and hands each file's report to `onFile` as soon as it is done;
 * directory entries that are not captures are skipped, not reported. Returns the skipped files
 * and whether an input could not even be listed.
 */
export async function forEachInput(captures: readonly string[], opts: EngineOptions, io: Io, onFile: (f: FileReport) => void): Promise<{ skipped: Skipped[]; inputProblems: boolean }> {
  const { inputs, problems } = expandInputs(captures);
  for (const p of problems) io.err.write(`rpctrace: ${p}\n`);
  const base: AnalyzeOptions = {
    dynamicRanges: opts.dynamicRanges, followWindowSeconds: opts.followWindowSeconds,
    ...(opts.profile !== undefined ? { profile: opts.profile } : {}), ...(opts.agent !== undefined ? { agent: opts.agent } : {}),
    ...(opts.agentForcedBy !== undefined ? { agentForcedBy: opts.agentForcedBy } : {}),
  };
  const skipped: Skipped[] = [];
  for (const input of inputs) {
    if (input.skip !== undefined) { skipped.push({ path: input.path, reason: input.skip }); continue; }
    const { report: f } = await analyzeFile(input.path, io.stdin !== undefined ? { ...base, stdin: io.stdin } : base);
    if (input.fromDirectory && f.format === null && f.errors.every((e) => NOT_CAPTURE.has(e.code))) {
      skipped.push({ path: input.path, reason: f.errors[0]?.message ?? 'not a capture' });
      continue;
    }
    onFile(f);
  }
  let inputProblems = problems.length > 0;
  if (inputs.length === 0 && problems.length === 0) {
    io.err.write('rpctrace: no capture files found in the given directories\n');
    inputProblems = true;
  }
  return { skipped, inputProblems };
}

export async function analyzeCommand(captures: string[], opts: EngineOptions & { format: OutputFormat; failOn: FailOn }, io: Io): Promise<ExitCode> {
  const writer = (await REPORT_WRITERS[opts.format]())(io.out, DOCUMENT_META);
  const exit = new ExitStatus(opts.failOn);
  const { skipped, inputProblems } = await forEachInput(captures, opts, io, (f) => {
    exit.add(f);
    writer.file(f);
  });
  writer.end(skipped);
  return exit.code(inputProblems);
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
