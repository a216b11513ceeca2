/** `rpctrace ports`: per file, how connection attempts fared per server port. */
import type { PortsReport } from '../model/ports-report.js';
import { renderJson } from '../report/json.js';
import { renderPortsMarkdown, renderPortsTable } from '../report/ports.js';
import { analyzeInputs, couldNotRead, type EngineOptions } from './analyze-command.js';
import { ExitCode } from './exit-codes.js';
import type { Io } from './main.js';

/** `ports` renderers by `--format` name. */
export const PORTS_RENDERERS = { table: renderPortsTable, json: renderJson, md: renderPortsMarkdown } as const satisfies Record<string, (r: PortsReport) => string>;

export async function portsCommand(captures: string[], opts: EngineOptions & { format: keyof typeof PORTS_RENDERERS }, io: Io): Promise<ExitCode> {
  const { report, inputProblems } = await analyzeInputs(captures, opts, io);
  const doc: PortsReport = {
    schemaVersion: report.schemaVersion,
    tool: report.tool,
    files: report.files.map((f) => ({
      path: f.path,
      ports: f.ports,
      dynamicRanges: f.settings.dynamicRanges,
      errors: f.errors,
    })),
  };
  io.out.write(PORTS_RENDERERS[opts.format](doc));
  return inputProblems || report.files.some(couldNotRead) ? ExitCode.Usage : ExitCode.Ok;
}
