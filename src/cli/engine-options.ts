/**
 * The engine's options as every command that analyzes captures takes them, apart from the
 * command-line parsing (options.ts): a scan's worker threads load this module, not commander.
 */
import type { AgentSettings, Profile } from '../model/agent.js';

/** Options of `analyze` (and, without format, failOn and the agent checks' options, of `ports`). */
export interface EngineOptions {
  dynamicRanges: [number, number][];
  followWindowSeconds: number;
  /** `--memory-budget`, MiB; default 160. */
  memoryBudgetMiB?: number;
  profile?: Profile;
  agent?: AgentSettings;
  agentForcedBy?: string | null;
}

/**
 * The engine's options out of a command's (`analyze`, `scan`, a scan job's settings), as plain
 * data (a scan copies them to its workers), the optional ones only when given.
 */
export function engineOptions(o: EngineOptions): EngineOptions {
  return {
    dynamicRanges: o.dynamicRanges, followWindowSeconds: o.followWindowSeconds,
    ...(o.memoryBudgetMiB !== undefined ? { memoryBudgetMiB: o.memoryBudgetMiB } : {}),
    ...(o.profile !== undefined ? { profile: o.profile } : {}), ...(o.agent !== undefined ? { agent: o.agent } : {}),
    ...(o.agentForcedBy !== undefined ? { agentForcedBy: o.agentForcedBy } : {}),
  };
}
