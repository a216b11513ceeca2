/** `rpctrace explain [ID]`: what a finding means and what to do about it. */
import { FINDING_IDS } from '../model/finding.js';
import { FINDING_CATALOG, findFinding } from '../model/finding-catalog.js';
import { renderExplain, renderExplainList } from '../report/explain.js';
import { ExitCode } from './exit-codes.js';
import type { Io } from './main.js';
import { visible } from '../model/visible.js';

export function explainCommand(id: string | undefined, io: Io): ExitCode {
  if (id === undefined) {
    io.out.write(renderExplainList(FINDING_IDS.map((x) => [x, FINDING_CATALOG[x]] as const)));
    return ExitCode.Ok;
  }
  const hit = findFinding(id);
  if (hit === null) {
    io.err.write(`rpctrace: unknown finding id "${visible(id)}". Known ids:\n${FINDING_IDS.map((x) => `  ${x}`).join('\n')}\n`);
    return ExitCode.Usage;
  }
  io.out.write(renderExplain(hit.id, hit.info));
  return ExitCode.Ok;
}
