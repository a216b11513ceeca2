/** `rpctrace analyze`: every input through the pipeline, one report, rendered. */
import { analyzeFile, type AnalyzeOptions } from '../analysis/pipeline.js';
import { SEVERITY_RANK } from '../model/finding-catalog.js';
import { SCHEMA_VERSION, type FileReport, type Report } from '../model/report.js';
import { RENDERERS, type OutputFormat } from '../report/index.js';
import { ExitCode } from './exit-codes.js';
import { expandInputs } from './inputs.js';
import type { Io } from './main.js';
import type { FailOn } from './options.js';
import { VERSION } from './version.js';

/** Problems that mean "this is not a capture" rather than "this capture is damaged". */
const NOT_CAPTURE = new Set(['not-a-capture', 'empty-file']);

/** Options of `analyze` (and, without format and failOn, of `ports`). */
export interface EngineOptions {
  dynamicRanges: [number, number][];
  followWindowSeconds: number;
}

/** Analyzes every input; directory entries that are not captures are skipped, not reported. */
export async function analyzeInputs(captures: string[], opts: EngineOptions, io: Io): Promise<{ report: Report; inputProblems: boolean }> {
  const { inputs, problems } = expandInputs(captures);
  for (const p of problems) io.err.write(`rpctrace: ${p}\n`);
  const report: Report = { schemaVersion: SCHEMA_VERSION, tool: { name: 'rpctrace', version: VERSION }, files: [], skipped: [] };
  const base: AnalyzeOptions = { dynamicRanges: opts.dynamicRanges, followWindowSeconds: opts.followWindowSeconds };
  for (const input of inputs) {
    if (input.skip !== undefined) { report.skipped.push({ path: input.path, reason: input.skip }); continue; }
    const { report: f } = await analyzeFile(input.path, io.stdin !== undefined ? { ...base, stdin: io.stdin } : base);
    if (input.fromDirectory && f.format === null && f.errors.every((e) => NOT_CAPTURE.has(e.code))) {
      report.skipped.push({ path: input.path, reason: f.errors[0]?.message ?? 'not a capture' });
      continue;
    }
    report.files.push(f);
  }
  let inputProblems = problems.length > 0;
  if (inputs.length === 0 && problems.length === 0) {
    io.err.write('rpctrace: no capture files found in the given directories\n');
    inputProblems = true;
  }
  return { report, inputProblems };
}

export async function analyzeCommand(captures: string[], opts: EngineOptions & { format: OutputFormat; failOn: FailOn }, io: Io): Promise<ExitCode> {
  const { report, inputProblems } = await analyzeInputs(captures, opts, io);
  const render = await RENDERERS[opts.format]();
  io.out.write(render(report));
  return exitCodeFor(report.files, opts.failOn, inputProblems);
}

/**
 * The exit code of `analyze`: 2 when an input could not be read at all (or could not even be
 * listed), else 1 when a finding is at or above `failOn`, else 0. 2 wins over 1: a verdict on
 * the files that were read is no substitute for the file that was not.
 */
export function exitCodeFor(files: readonly FileReport[], failOn: FailOn, inputProblems = false): ExitCode {
  if (inputProblems || files.some(couldNotRead)) return ExitCode.Usage;
  if (failOn !== 'none') {
    const min = SEVERITY_RANK[failOn];
    if (files.some((f) => f.findings.some((x) => SEVERITY_RANK[x.severity] >= min))) return ExitCode.Findings;
  }
  return ExitCode.Ok;
}

/** An input counts as unreadable when no frame of it could be analyzed because of an error. */
export function couldNotRead(f: FileReport): boolean {
  return f.errors.length > 0 && f.frames === 0;
}
