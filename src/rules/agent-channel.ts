/**
 * The 5723 channel itself: a TLS alert in the certificate handshake between a gateway (or an
 * agent using certificates) and a management server, and a server that closes the channel right
 * after the agent authenticated, again and again (the agent's event 20070).
 */
import type { ChannelConversation } from '../model/agent.js';
import { evidenceList, type AnyFindingFacts, type Evidence } from '../model/finding.js';
import type { RuleContext } from './context.js';
import { hasRole } from './agent-context.js';
import { groupBy, round } from './derive.js';

/** Alerts that end a session normally: close_notify (0), user_canceled (90), no_renegotiation (100). */
const NORMAL_ALERTS = new Set([0, 90, 100]);
/** A server close this soon after the conversation began, after data both ways, is "right after authentication". */
const EARLY_CLOSE_SECONDS = 30;
/** Server closes needed to call it a pattern rather than one restart. */
const MIN_CLOSES = 2;

/** AGENT_CHANNEL_TLS_ALERT: the first plaintext alert that is not a normal close, per client and server. */
export function channelAlertRules(ctx: RuleContext): AnyFindingFacts[] {
  const a = ctx.agent;
  const o = ctx.obs.agent;
  if (a === null || o === null) return [];
  const out: AnyFindingFacts[] = [];
  const withAlerts = o.channel.filter((c) => c.alerts.some((x) => x.description >= 0 && !NORMAL_ALERTS.has(x.description)));
  for (const g of groupBy(withAlerts, (c) => `${c.client}|${c.server}`)) {
    const alerts = g.flatMap((c) => c.alerts.filter((x) => x.description >= 0 && !NORMAL_ALERTS.has(x.description)));
    const x = alerts[0]!;
    const c = g[0]!;
    out.push({
      id: 'AGENT_CHANNEL_TLS_ALERT', severity: 'error', protocol: 'tcp', client: c.client, server: c.server, port: c.serverPort,
      ...evidenceList(alerts.map((y): Evidence => ({ frame: y.frame, role: 'tls-alert', time: round(y.time) }))), inferred: false, folded: null,
      params: {
        from: x.from, to: x.to, level: x.level, description: x.description, descriptionName: x.name,
        frame: x.frame, count: alerts.length, gateway: hasRole(a, c.client, 'gateway'),
      },
    });
  }
  return out;
}

/** A conversation the server closed right after data went both ways. */
const closedEarly = (c: ChannelConversation): boolean =>
  c.closedBy === 'server' && c.clientPayloads > 0 && c.serverPayloads > 0 && c.closeTime - c.firstTime <= EARLY_CLOSE_SECONDS && c.alerts.length === 0;

/** AGENT_CHANNEL_CLOSED: every conversation of an agent with a server closed by the server right after it began, at least twice. */
export function channelClosedRules(ctx: RuleContext): AnyFindingFacts[] {
  const a = ctx.agent;
  const o = ctx.obs.agent;
  if (a === null || o === null) return [];
  const out: AnyFindingFacts[] = [];
  for (const g of groupBy(o.channel, (c) => `${c.client}|${c.server}`)) {
    const early = g.filter(closedEarly);
    // One close is a restart; a channel that also ran normally is not rejected.
    if (early.length < MIN_CLOSES || early.length !== g.filter((c) => c.clientPayloads > 0).length) continue;
    const c = early[0]!;
    out.push({
      id: 'AGENT_CHANNEL_CLOSED', severity: 'error', protocol: 'tcp', client: c.client, server: c.server, port: c.serverPort,
      ...evidenceList(early.flatMap((x): Evidence[] => [
        { frame: x.lastServerPayloadFrame, role: 'channel-data', time: round(x.lastServerPayloadTime) },
        { frame: x.closeFrame, role: 'server-close', time: round(x.closeTime) },
      ])),
      inferred: true, folded: null,
      params: {
        closes: early.length, kind: c.closeKind ?? 'fin', seconds: early.slice(0, 5).map((x) => round(x.closeTime - x.firstTime)),
        closeFrames: early.slice(0, 5).map((x) => x.closeFrame), clientPayloads: c.clientPayloads, serverPayloads: c.serverPayloads,
      },
    });
  }
  return out;
}
