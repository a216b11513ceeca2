/**
 * What every rule reads: the observations, the attempts with their outcomes (same index as the
 * attempt records), the endpoints with their follow-ups, the host pairs the capture saw one way
 * only, and which attempts an earlier rule already explained. Rules run in a fixed order
 * (rules/index.ts); a rule that explains an attempt marks it, so later, more general rules do
 * not report it again.
 */
import type { Attempt } from '../model/connections.js';
import type { AttemptRecord, Observations, OneSidedPair } from '../model/observations.js';
import { followEndpoints, pairKey, toAttempt, type FollowedEndpoint, type RuleSettings } from './derive.js';
import { agentContext, type AgentContext } from './agent-context.js';

export interface RuleContext {
  readonly obs: Observations;
  readonly settings: RuleSettings;
  /** Every attempt, in frame order, with its outcome; `records[i]` is the same attempt as seen on the wire. */
  readonly attempts: readonly Attempt[];
  readonly records: readonly AttemptRecord[];
  readonly endpoints: readonly FollowedEndpoint[];
  /** One-sided host pairs by `pairKey`. */
  readonly oneSided: ReadonlyMap<string, OneSidedPair>;
  /** Indexes of attempts a finding already accounts for. */
  readonly explained: Set<number>;
  /** The agent checks' view (roles, names), or null when they do not run. */
  readonly agent: AgentContext | null;
}

export function ruleContext(obs: Observations, settings: RuleSettings): RuleContext {
  const attempts = obs.attempts.map((a) => toAttempt(a, obs.captureSeconds));
  return {
    obs, settings, attempts, records: obs.attempts,
    endpoints: followEndpoints(obs.rpc.endpoints, attempts, obs.existing, settings),
    oneSided: new Map(obs.oneSided.map((p) => [pairKey(p.sender, p.receiver), p])),
    explained: new Set(),
    agent: agentContext(obs, attempts, settings.agent),
  };
}
