/**
 * From observations to verdicts. Each rule family turns plain values into findings as facts;
 * they run in this order because a rule marks the attempts it explained, and the later, more
 * general rules (inferred, unanswered) skip those. The words come later, from the catalog
 * (model/finding-text.ts).
 */
import type { Attempt, Endpoint, PortSummary } from '../model/connections.js';
import type { AnyFindingFacts, Severity } from '../model/finding.js';
import type { Observations } from '../model/observations.js';
import { advertisedPortRules } from './advertised-ports.js';
import { captureQualityRules, clockRules, readStopRules, stateLimitRules } from './capture-quality.js';
import { ruleContext, type RuleContext } from './context.js';
import { listedAttempts, portSummary, type RuleSettings } from './derive.js';
import { endpointMapperRules, notRegisteredRules } from './endpoint-mapper.js';
import { foldPerClient } from './fold.js';
import { inferredRules } from './inferred.js';
import { rpcAnswerRules } from './rpc-answers.js';
import { unansweredRules } from './unanswered.js';

export type { RuleSettings } from './derive.js';

/** A rule family: findings from the context, in the order they are found. */
export type Rule = (ctx: RuleContext) => AnyFindingFacts[];

/** The rules of the RPC checks, in the order they must run. */
export const RPC_RULES: readonly Rule[] = [
  advertisedPortRules,
  notRegisteredRules,
  endpointMapperRules,
  inferredRules,
  unansweredRules,
  captureQualityRules,
  rpcAnswerRules,
  stateLimitRules,
  readStopRules,
  clockRules,
];

/** Everything the rules add to a file report. */
export interface Verdicts {
  /** Attempts listed in the report (all of them up to MAX_LISTED_ATTEMPTS; failures are kept first). */
  attempts: Attempt[];
  /** Attempts analyzed but left out of `attempts`. */
  attemptsOmitted: number;
  endpoints: Endpoint[];
  /** Most severe first; equal severities by first evidence frame. */
  findings: AnyFindingFacts[];
  ports: PortSummary[];
}

const SEVERITY_ORDER: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

/** Runs `rules` (by default the RPC checks) over one capture's observations. */
export function runRules(obs: Observations, settings: RuleSettings, rules: readonly Rule[] = RPC_RULES): Verdicts {
  const ctx = ruleContext(obs, settings);
  const findings = foldPerClient(rules.flatMap((r) => r(ctx)));
  findings.sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] || (a.evidence[0]?.frame ?? 0) - (b.evidence[0]?.frame ?? 0));
  const endpoints = ctx.endpoints.map((x) => x.endpoint);
  const listed = listedAttempts(ctx.attempts, ctx.endpoints.flatMap((x) => x.follow));
  return { attempts: listed, attemptsOmitted: ctx.attempts.length - listed.length, endpoints, findings, ports: portSummary(ctx.attempts, endpoints, settings.dynamicRanges) };
}
