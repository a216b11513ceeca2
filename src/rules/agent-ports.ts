/**
 * Required ports (`--require`, by default what the Operations Manager agent needs), judged per
 * client and server: TCP from the connection attempts, UDP from the transactions (and, for ports
 * no decoder reads, from the datagrams each way). A pair whose every attempt failed is blocked;
 * for UDP, only when the same server answered the same client otherwise, since a silent UDP
 * server may just be down (that is UDP_NO_RESPONSE, rules/agent-services.ts).
 */
import type { RequiredPortSummary, Transaction, Transport, UdpFlow } from '../model/agent.js';
import type { Attempt } from '../model/connections.js';
import { evidenceList, type AnyFindingFacts, type Evidence, type PortContext, type RequestStory, type RequiredPortNeed } from '../model/finding.js';
import type { RuleContext } from './context.js';
import { UDP_ANSWER_SECONDS, roleOf, type AgentContext } from './agent-context.js';
import { answerEvidence, decisive, groupBy, pairKey, round, story, synEvidence } from './derive.js';
import { maxOf } from '../model/lists.js';

/** What a port is to the agent. */
export function needOf(port: number): RequiredPortNeed {
  switch (port) {
    case 5723: return 'agent-channel';
    case 88: return 'kerberos';
    case 389: return 'ldap';
    case 53: return 'dns';
    case 135: return 'rpc';
    default: return 'other';
  }
}

const FAILED = new Set(['no-answer', 'reset', 'icmp-refused']);

/** True when a UDP transaction was not answered and the client or the capture waited long enough to say so. */
export function unanswered(t: Transaction, captureSeconds: number): boolean {
  if (t.answerFrame !== null || t.requestFrames.length === 0) return false;
  return t.requestFrames.length > 1 || captureSeconds - t.requestTimes[t.requestTimes.length - 1]! >= UDP_ANSWER_SECONDS;
}

/** The request story of a group of UDP transactions. */
export function requestStory(ts: readonly Transaction[], captureSeconds: number): RequestStory {
  const frames = ts.flatMap((t) => t.requestFrames);
  const last = maxOf(ts.map((t) => t.requestTimes[t.requestTimes.length - 1] ?? 0));
  return {
    requests: ts.length,
    datagrams: frames.length,
    asked: ts.slice(0, 5).map(asked),
    frames: frames.slice(0, 10),
    lastObservedSeconds: round(Math.max(0, captureSeconds - last)),
  };
}

/** `SRV _ldap._tcp.dc._msdcs.corp.example`, `AS-REQ krbtgt/CORP.EXAMPLE`, `LDAP ping DnsDomain=corp.example`. */
function asked(t: Transaction): string {
  if (t.dns !== null) return `${t.dns.qtypeName} ${t.dns.qname}`;
  if (t.kerberos !== null) return `${t.kerberos.request === 12 ? 'TGS-REQ' : 'AS-REQ'}${t.kerberos.sname !== null ? ` ${t.kerberos.sname}` : ''}`;
  if (t.cldap !== null) return `LDAP ping${t.cldap.filter.length > 0 ? ` ${t.cldap.filter.filter((f) => !f.startsWith('NtVer=')).join(' ')}` : ''}`;
  return 'request';
}

/** The request frames of a transaction as evidence. */
export function requestEvidence(t: Transaction): Evidence[] {
  return t.requestFrames.map((frame, i): Evidence => ({ frame, role: i === 0 ? 'request' : 'request-retransmission', time: round(t.requestTimes[i]!) }));
}

/** The nearest answer from `server` to `client` outside `protocol`/`port` (or on it over the other transport), as context. */
function answeredElsewhere(ctx: RuleContext, client: string, server: string, protocol: Transport, port: number, at: number): { c: PortContext; e: Evidence } | null {
  const seen: { protocol: Transport; port: number; frame: number; time: number }[] = [];
  for (const t of ctx.obs.agent?.transactions ?? []) {
    if (t.client !== client || t.server !== server || t.answerFrame === null) continue;
    if (t.transport === protocol && t.serverPort === port) continue;
    seen.push({ protocol: t.transport, port: t.serverPort, frame: t.answerFrame, time: t.answerTime });
  }
  ctx.attempts.forEach((a, i) => {
    if (a.client !== client || a.server !== server || a.outcome !== 'established' || (protocol === 'tcp' && a.serverPort === port)) return;
    const r = ctx.records[i]!;
    seen.push({ protocol: 'tcp', port: a.serverPort, frame: r.synAckFrames[0]!, time: r.synAckTimes[0]! });
  });
  if (seen.length === 0) return null;
  // The same port over the other transport says most; then the nearest in time.
  seen.sort((x, y) => Number(y.port === port) - Number(x.port === port) || Math.abs(x.time - at) - Math.abs(y.time - at));
  const b = seen[0]!;
  return {
    c: { kind: 'answered-elsewhere', protocol: b.protocol, port: b.port, frame: b.frame, seconds: round(at - b.time) },
    e: { frame: b.frame, role: 'related-answer', time: round(b.time) },
  };
}

/** The KDC's KRB_ERR_RESPONSE_TOO_BIG to this client before `at`, the nearest one. */
function tooBig(ctx: RuleContext, client: string, server: string, at: number): { c: PortContext; e: Evidence } | null {
  let best: Transaction | null = null;
  for (const t of ctx.obs.agent?.transactions ?? []) {
    if (t.kerberos?.errorCode !== 52 || t.client !== client || t.server !== server || t.answerFrame === null || t.answerTime > at) continue;
    if (best === null || t.answerTime > best.answerTime) best = t;
  }
  if (best === null) return null;
  return {
    c: { kind: 'krb-too-big', frame: best.answerFrame!, seconds: round(at - best.answerTime) },
    e: { frame: best.answerFrame!, role: 'error-answer', time: round(best.answerTime) },
  };
}

/** REQUIRED_PORT_BLOCKED over TCP: runs before the unanswered rules, and explains the attempts it reports. */
export function requiredTcpRules(ctx: RuleContext): AnyFindingFacts[] {
  const a = ctx.agent;
  if (a === null) return [];
  const ports = new Set(a.settings.required.filter((r) => r.protocol === 'tcp').map((r) => r.port));
  const out: AnyFindingFacts[] = [];
  const open = ctx.attempts.map((x, i) => [x, i] as const).filter(([x, i]) => ports.has(x.serverPort) && !ctx.explained.has(i));
  for (const g of groupBy(open, ([x]) => `${x.client}|${x.server}|${x.serverPort}`)) {
    const all = g.map(([x]) => x);
    // A pair with a working connection is not blocked: its failed attempts (a lost SYN, a server
    // restarting) are counted in the report's required-ports table, not reported one by one.
    if (all.some((x) => x.outcome === 'established')) {
      g.forEach(([x, i]) => { if (x.outcome !== 'answered-not-completed') ctx.explained.add(i); });
      continue;
    }
    if (all.some((x) => x.outcome === 'answered-not-completed')) continue;
    if (!all.some((x) => FAILED.has(x.outcome))) continue;
    const first = all[0]!;
    if (ctx.oneSided.has(pairKey(first.client, first.server))) continue;
    g.forEach(([, i]) => ctx.explained.add(i));
    const last = decisive(all);
    const recs = g.map(([, i]) => ctx.records[i]!);
    const at = ctx.records[g[0]![1]]!.firstSyn;
    const context: { c: PortContext; e: Evidence }[] = [];
    const big = first.serverPort === 88 ? tooBig(ctx, first.client, first.server, at) : null;
    const elsewhere = answeredElsewhere(ctx, first.client, first.server, 'tcp', first.serverPort, at);
    // The KDC's RESPONSE_TOO_BIG is itself the UDP answer that shows the server is up: said once.
    if (elsewhere !== null && elsewhere.e.frame !== big?.e.frame) context.push(elsewhere);
    if (big !== null) context.push(big);
    out.push({
      id: 'REQUIRED_PORT_BLOCKED', severity: 'error', protocol: 'tcp', client: first.client, server: first.server, port: first.serverPort,
      ...evidenceList([
        ...recs.flatMap((r) => synEvidence(r)), ...recs.flatMap((r) => answerEvidence(r, { rst: true, icmp: true })), ...context.map((x) => x.e),
      ]),
      inferred: false, folded: null,
      params: {
        need: needOf(first.serverPort), clientRole: roleOf(a, first.client), serverRole: roleOf(a, first.server),
        how: last.outcome as 'no-answer' | 'reset' | 'icmp-refused', story: story(all), requests: null,
        refusal: refusalOf(last),
        context: context.map((x) => x.c),
      },
    });
  }
  return out;
}

function refusalOf(a: Attempt): { kind: 'reset'; frame: number } | { kind: 'icmp'; frame: number; from: string; type: number; code: number; meaning: string } | null {
  if (a.outcome === 'reset') return { kind: 'reset', frame: a.rstFrames[0]! };
  if (a.outcome === 'icmp-refused' && a.icmp !== null) return { kind: 'icmp', frame: a.icmp.frame, from: a.icmp.from, type: a.icmp.type, code: a.icmp.code, meaning: a.icmp.meaning };
  return null;
}

/** True when `server` answered `client` anywhere in the capture (a UDP answer, an established connection, a datagram back). */
export function serverAnswers(ctx: RuleContext, client: string, server: string, except: { protocol: Transport; port: number }): boolean {
  return answeredElsewhere(ctx, client, server, except.protocol, except.port, 0) !== null
    || (ctx.obs.agent?.udpFlows ?? []).some((f) => f.client === client && f.server === server && f.answers > 0 && f.port !== except.port);
}

/** REQUIRED_PORT_BLOCKED over UDP: every request unanswered although the server answers this client otherwise. */
export function requiredUdpRules(ctx: RuleContext): AnyFindingFacts[] {
  const a = ctx.agent;
  if (a === null || ctx.obs.agent === null) return [];
  const ports = new Set(a.settings.required.filter((r) => r.protocol === 'udp').map((r) => r.port));
  const cs = ctx.obs.captureSeconds;
  const out: AnyFindingFacts[] = [];
  const udp = ctx.obs.agent.transactions.filter((t) => t.transport === 'udp' && ports.has(t.serverPort) && t.requestFrames.length > 0 && !a.explained.has(t));
  for (const g of groupBy(udp, (t) => `${t.client}|${t.server}|${t.serverPort}`)) {
    const t0 = g[0]!;
    if (g.some((t) => t.answerFrame !== null)) continue;
    const lost = g.filter((t) => unanswered(t, cs));
    if (lost.length === 0 || !serverAnswers(ctx, t0.client, t0.server, { protocol: 'udp', port: t0.serverPort })) continue;
    for (const t of g) a.explained.add(t);
    const elsewhere = answeredElsewhere(ctx, t0.client, t0.server, 'udp', t0.serverPort, t0.requestTimes[0]!)!;
    out.push(udpBlocked(a, t0.client, t0.server, t0.serverPort, requestStory(lost, cs), [...lost.flatMap(requestEvidence), elsewhere.e], [elsewhere.c]));
  }
  for (const f of ctx.obs.agent.udpFlows) {
    if (f.answers > 0 || cs - f.lastRequestTime < UDP_ANSWER_SECONDS && f.requests < 2) continue;
    if (!serverAnswers(ctx, f.client, f.server, { protocol: 'udp', port: f.port })) continue;
    const elsewhere = answeredElsewhere(ctx, f.client, f.server, 'udp', f.port, f.firstTime);
    out.push(udpBlocked(a, f.client, f.server, f.port, flowStory(f, cs), [{ frame: f.firstFrame, role: 'request', time: round(f.firstTime) }, ...(elsewhere !== null ? [elsewhere.e] : [])], elsewhere !== null ? [elsewhere.c] : []));
  }
  return out;
}

function flowStory(f: UdpFlow, cs: number): RequestStory {
  return { requests: f.requests, datagrams: f.requests, asked: [], frames: [f.firstFrame], lastObservedSeconds: round(Math.max(0, cs - f.lastRequestTime)) };
}

function udpBlocked(a: AgentContext, client: string, server: string, port: number, requests: RequestStory, evidence: Evidence[], context: PortContext[]): AnyFindingFacts {
  return {
    id: 'REQUIRED_PORT_BLOCKED', severity: 'error', protocol: 'udp', client, server, port,
    ...evidenceList(evidence), inferred: false, folded: null,
    params: { need: needOf(port), clientRole: roleOf(a, client), serverRole: roleOf(a, server), how: 'unanswered', story: null, requests, refusal: null, context },
  };
}

/** Every client -> server pair on a required port, with how its attempts or requests ended. */
export function requiredPortSummary(ctx: RuleContext): RequiredPortSummary[] {
  const a = ctx.agent;
  if (a === null) return [];
  const cs = ctx.obs.captureSeconds;
  const rows = new Map<string, RequiredPortSummary>();
  const row = (client: string, server: string, protocol: Transport, port: number): RequiredPortSummary => {
    const k = `${client}|${server}|${protocol}|${port}`;
    let r = rows.get(k);
    if (r === undefined) rows.set(k, (r = { client, server, protocol, port, attempts: 0, answered: 0, failed: 0, incomplete: 0 }));
    return r;
  };
  for (const req of a.settings.required) {
    if (req.protocol === 'tcp') {
      for (const x of ctx.attempts) {
        if (x.serverPort !== req.port) continue;
        const r = row(x.client, x.server, 'tcp', x.serverPort);
        r.attempts++;
        if (x.outcome === 'established') r.answered++;
        else if (x.outcome === 'incomplete') r.incomplete++;
        else r.failed++;
      }
      continue;
    }
    for (const t of ctx.obs.agent?.transactions ?? []) {
      if (t.transport !== 'udp' || t.serverPort !== req.port || t.requestFrames.length === 0) continue;
      const r = row(t.client, t.server, 'udp', t.serverPort);
      r.attempts++;
      if (t.answerFrame !== null) r.answered++;
      else if (unanswered(t, cs)) r.failed++;
      else r.incomplete++;
    }
    for (const f of ctx.obs.agent?.udpFlows ?? []) {
      if (f.port !== req.port) continue;
      const r = row(f.client, f.server, 'udp', f.port);
      r.attempts += f.requests;
      if (f.answers > 0) r.answered += f.requests;
      else if (cs - f.lastRequestTime >= UDP_ANSWER_SECONDS || f.requests > 1) r.failed += f.requests;
      else r.incomplete += f.requests;
    }
  }
  return [...rows.values()].sort((x, y) => x.port - y.port || cmp(x.protocol, y.protocol) || cmp(x.client, y.client) || cmp(x.server, y.server));
}

/** Text order without locale. */
export function cmp(x: string, y: string): number {
  return x < y ? -1 : x > y ? 1 : 0;
}
