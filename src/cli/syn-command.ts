/** `rpctrace syn`: every SYN of one capture, retransmissions marked. */
import { analyzeFile } from '../analysis/pipeline.js';
import { SCHEMA_VERSION, type SynReport } from '../model/report.js';
import { renderJson } from '../report/json.js';
import { renderSynText } from '../report/syn.js';
import { ExitCode } from './exit-codes.js';
import { couldNotRead } from './analyze-command.js';
import type { Io } from './main.js';
import { VERSION } from './version.js';

export async function synCommand(capture: string, opts: { format: 'text' | 'json' }, io: Io): Promise<ExitCode> {
  const { report: f, syns, synsOmitted } = await analyzeFile(capture, io.stdin !== undefined ? { keepSyns: true, stdin: io.stdin } : { keepSyns: true });
  const r: SynReport = { schemaVersion: SCHEMA_VERSION, tool: { name: 'rpctrace', version: VERSION }, path: capture, syns, omitted: synsOmitted, warnings: f.warnings, errors: f.errors };
  io.out.write(opts.format === 'json' ? renderJson(r) : renderSynText(r, io.terminal ?? null));
  return couldNotRead(f) ? ExitCode.Usage : ExitCode.Ok;
}
