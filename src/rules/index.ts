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
import { requiredTcpRules, requiredUdpRules } from './agent-ports.js';
import { disjointNamespaceRules, dnsFailureRules, kerberosRules, udpNoResponseRules } from './agent-services.js';
import { heartbeatRules } from './agent-heartbeats.js';
import { channelAlertRules, channelClosedRules } from './agent-channel.js';
import { agentReport } from './agent-report.js';
import type { AgentReport } from '../model/agent.js';
import { ITEM_BYTES, KIND_SHARE } from '../model/memory-budget.js';
import { round } from './derive.js';

export type { RuleSettings } from './derive.js';
export type { AgentRuleSettings } from './agent-context.js';

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

/**
 * The RPC checks and the agent checks, in the order they must run: required TCP ports before
 * the unanswered rules (a blocked 5723 is REQUIRED_PORT_BLOCKED, not CONNECTION_UNANSWERED), and
 * blocked UDP ports before UDP_NO_RESPONSE (each explains what it reports).
 */
export const AGENT_RULES: readonly Rule[] = [
  ...RPC_RULES.slice(0, RPC_RULES.indexOf(unansweredRules)),
  requiredTcpRules,
  ...RPC_RULES.slice(RPC_RULES.indexOf(unansweredRules)),
  requiredUdpRules,
  udpNoResponseRules,
  dnsFailureRules,
  kerberosRules,
  heartbeatRules,
  channelAlertRules,
  channelClosedRules,
  disjointNamespaceRules,
];

/** Rule sets by name: a run uses `agent` when the agent checks run for its capture (rules/agent-context.ts), else `rpc`. */
export const RULE_SETS = { rpc: RPC_RULES, agent: AGENT_RULES } as const;

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
  /** The agent checks' section, or null when they did not run. */
  agent: AgentReport | null;
}

const SEVERITY_ORDER: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

/**
 * The findings the memory budget's share for them holds, most severe first; when there are more,
 * or the analysis already left some out (one-sided host pairs past the share), a
 * STATE_LIMIT_REACHED of kind `findings` says how many were not listed and from which frame.
 */
function capFindings(sorted: AnyFindingFacts[], obs: Observations): AnyFindingFacts[] {
  const max = Math.max(1, Math.floor((obs.budget.limitBytes * KIND_SHARE.findings) / ITEM_BYTES.finding));
  const before = obs.budget.accounts.find((a) => a.kind === 'findings') ?? null;
  if (sorted.length <= max && before === null) return sorted;
  const kept = sorted.length <= max ? sorted : sorted.slice(0, max);
  const left = sorted.length - kept.length + (before?.notKept ?? 0);
  const firstLeft = sorted.length > max ? (sorted[max]!.evidence[0] ?? null) : null;
  const from = before !== null && (firstLeft === null || before.fromFrame < firstLeft.frame) ? { frame: before.fromFrame, time: before.fromTime } : firstLeft;
  kept.push({
    id: 'STATE_LIMIT_REACHED', severity: 'warning', protocol: null, client: null, server: null, port: null, inferred: false, folded: null,
    evidence: from === null ? [] : [{ frame: from.frame, role: 'state-dropped', time: round(from.time) }], evidenceTotal: from === null ? 0 : 1,
    params: {
      kind: 'findings', budgetMiB: Math.round((obs.budget.limitBytes / (1024 * 1024)) * 100) / 100, notKept: left, released: 0,
      fromFrame: from?.frame ?? 0, trackedAttempts: 0, untrackedSyns: 0, untrackedPackets: 0, maxAttempts: 0, maxConversations: 0, topPorts: [],
    },
  });
  return kept;
}

/**
 * Runs `rules` over one capture's observations; by default the agent set when the agent checks
 * run for this capture (settings.agent and what the capture shows), else the RPC checks.
 */
export function runRules(obs: Observations, settings: RuleSettings, rules?: readonly Rule[]): Verdicts {
  const ctx = ruleContext(obs, settings);
  const set = rules ?? (ctx.agent !== null ? RULE_SETS.agent : RULE_SETS.rpc);
  const order = (a: AnyFindingFacts, b: AnyFindingFacts): number => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] || (a.evidence[0]?.frame ?? 0) - (b.evidence[0]?.frame ?? 0);
  const findings = capFindings(foldPerClient(set.flatMap((r) => r(ctx))).sort(order), obs);
  findings.sort(order);
  const endpoints = ctx.endpoints.map((x) => x.endpoint);
  const listed = listedAttempts(ctx.attempts, ctx.endpoints.flatMap((x) => x.follow));
  return {
    attempts: listed, attemptsOmitted: ctx.attempts.length - listed.length, endpoints, findings, ports: portSummary(ctx.attempts, endpoints, settings.dynamicRanges),
    agent: agentReport(ctx),
  };
}
