/** `rpctrace analyze`: every input through the pipeline, one report, rendered. */
import { analyzeFile } from '../analysis/pipeline.js';
import { SCHEMA_VERSION, type FileReport, type Report } from '../model/report.js';
import { renderJson } from '../report/json.js';
import { renderTable } from '../report/table.js';
import { ExitCode } from './exit-codes.js';
import { expandInputs } from './inputs.js';
import type { Io } from './main.js';
import { VERSION } from './version.js';

/** Problems that mean "this is not a capture" rather than "this capture is damaged". */
const NOT_CAPTURE = new Set(['not-a-capture', 'empty-file']);

export async function analyzeCommand(captures: string[], opts: { format: 'table' | 'json'; failOn: string }, io: Io): Promise<ExitCode> {
  const { inputs, problems } = expandInputs(captures);
  for (const p of problems) io.err.write(`rpctrace: ${p}\n`);
  const report: Report = { schemaVersion: SCHEMA_VERSION, tool: { name: 'rpctrace', version: VERSION }, files: [], skipped: [] };
  let unreadable = problems.length > 0;
  for (const input of inputs) {
    const { report: f } = await analyzeFile(input.path, io.stdin !== undefined ? { stdin: io.stdin } : {});
    if (input.fromDirectory && f.format === null && f.errors.every((e) => NOT_CAPTURE.has(e.code))) {
      report.skipped.push({ path: input.path, reason: f.errors[0]?.message ?? 'not a capture' });
      continue;
    }
    if (couldNotRead(f)) unreadable = true;
    report.files.push(f);
  }
  if (inputs.length === 0 && problems.length === 0) {
    io.err.write('rpctrace: no capture files found in the given directories\n');
    unreadable = true;
  }
  io.out.write(opts.format === 'json' ? renderJson(report) : renderTable(report));
  // Findings (and so exit code 1) arrive with the RPC engine; until then the exit code only
  // says whether every input could be read.
  return unreadable ? ExitCode.Usage : ExitCode.Ok;
}

/** An input counts as unreadable when no frame of it could be analyzed because of an error. */
export function couldNotRead(f: FileReport): boolean {
  return f.errors.length > 0 && f.frames === 0;
}
