/** `rpctrace ports`: per file, how connection attempts fared per server port. */
import { PORTS_WRITERS, type OutputFormat } from '../report/index.js';
import { DOCUMENT_META, forEachInput, couldNotRead, type EngineOptions } from './analyze-command.js';
import { ExitCode } from './exit-codes.js';
import type { Io } from './main.js';
import { widthFor } from './output.js';

export async function portsCommand(captures: string[], opts: EngineOptions & { format: OutputFormat }, io: Io): Promise<ExitCode> {
  const writer = (await PORTS_WRITERS[opts.format]())(io.out, DOCUMENT_META, { width: widthFor(io.terminal ?? null) });
  let unreadable = false;
  const { inputProblems } = await forEachInput(captures, opts, io, (f) => {
    if (couldNotRead(f)) unreadable = true;
    writer.file({ path: f.path, ports: f.ports, dynamicRanges: f.settings.dynamicRanges, errors: f.errors });
  });
  writer.end();
  return inputProblems || unreadable ? ExitCode.Usage : ExitCode.Ok;
}
