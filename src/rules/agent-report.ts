/** The `agent` section of a file report: the hosts and their roles, required ports, heartbeats, transactions, settings. */
import { notableTransaction as notable, requiredText, type AgentReport, type HostRole, type TransactionApp } from '../model/agent.js';
import type { RuleContext } from './context.js';
import { hostsInOrder } from './agent-context.js';
import { requiredPortSummary, unanswered } from './agent-ports.js';
import { heartbeatSummary } from './agent-heartbeats.js';

const ROLE_ORDER: readonly HostRole[] = ['gateway', 'management-server', 'domain-controller', 'dns-server', 'agent'];

/** The section, or null when the agent checks did not run. */
export function agentReport(ctx: RuleContext): AgentReport | null {
  const a = ctx.agent;
  const o = ctx.obs.agent;
  if (a === null || o === null) return null;
  const cs = ctx.obs.captureSeconds;
  const transactions = {} as AgentReport['transactions'];
  for (const app of ['dns', 'kerberos', 'cldap'] as const satisfies readonly TransactionApp[]) {
    const kept = o.transactions.filter((t) => t.app === app);
    transactions[app] = {
      requests: o.counts[app].requests, answered: o.counts[app].answered,
      unanswered: kept.filter((t) => unanswered(t, cs)).length,
      errors: kept.filter((t) => t.answerFrame !== null && notable(t) && t.strayFrames.length === 0).length,
    };
  }
  const s = a.settings;
  return {
    profile: s.profile, reason: a.reason, reasonFrame: a.reasonFrame,
    hosts: hostsInOrder(a).map(([address, r]) => ({
      address, name: a.names.get(address) ?? null, roles: ROLE_ORDER.filter((x) => r.roles.has(x)), why: r.why,
    })),
    names: [...a.nameList],
    requiredPorts: requiredPortSummary(ctx),
    heartbeats: heartbeatSummary(ctx),
    transactions,
    drops: o.drops,
    settings: { heartbeatIntervalSeconds: s.heartbeatIntervalSeconds, missedHeartbeats: s.missedHeartbeats, required: s.required.map(requiredText), servers: s.servers },
  };
}
