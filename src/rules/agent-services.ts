/**
 * What the domain controllers' services answered the agent: UDP requests without an answer, DNS
 * errors for the names an agent needs, Kerberos errors (the management server's SPN on its
 * own), and DNS names outside the Kerberos realm. Normal exchanges are not findings:
 * KDC_ERR_PREAUTH_REQUIRED opens almost every logon, KRB_ERR_RESPONSE_TOO_BIG sends the client to
 * TCP 88 (a finding only when no TCP attempt follows; when TCP 88 fails, REQUIRED_PORT_BLOCKED
 * tells it), KDC_ERR_WRONG_REALM is a referral.
 */
import type { Transaction } from '../model/agent.js';
import { evidenceList, type AnyFindingFacts, type Evidence, type FindingParams, type KerberosErrorFacts } from '../model/finding.js';
import type { RuleContext } from './context.js';
import { LOCATOR, hasRole, roleOf, withRole, type AgentContext } from './agent-context.js';
import { requestEvidence, requestStory, serverAnswers, unanswered } from './agent-ports.js';
import { groupBy, isIpLiteral, round } from './derive.js';

/** UDP_NO_RESPONSE: requests of one client to one server and port, none answered, the server silent otherwise too. */
export function udpNoResponseRules(ctx: RuleContext): AnyFindingFacts[] {
  const a = ctx.agent;
  const o = ctx.obs.agent;
  if (a === null || o === null) return [];
  const cs = ctx.obs.captureSeconds;
  const out: AnyFindingFacts[] = [];
  const open = o.transactions.filter((t) => t.transport === 'udp' && t.requestFrames.length > 0 && !a.explained.has(t));
  for (const g of groupBy(open, (t) => `${t.client}|${t.server}|${t.serverPort}|${t.app}`)) {
    if (g.some((t) => t.answerFrame !== null)) continue;
    const lost = g.filter((t) => unanswered(t, cs));
    if (lost.length === 0) continue;
    for (const t of g) a.explained.add(t);
    const t0 = lost[0]!;
    const strays = lost.filter((t) => t.strayFrames.length > 0);
    const strayFrames = strays.flatMap((t) => t.strayFrames);
    out.push({
      id: 'UDP_NO_RESPONSE', severity: 'warning', protocol: 'udp', client: t0.client, server: t0.server, port: t0.serverPort,
      ...evidenceList([...lost.flatMap(requestEvidence), ...strays.flatMap((t) => t.strayFrames.map((frame): Evidence => ({ frame, role: 'stray-answer', time: round(t.requestTimes[0]!) })))]),
      inferred: false, folded: null,
      params: { app: t0.app, requests: requestStory(lost, cs), stray: strays.length === 0 ? null : { from: strays[0]!.strayFrom!, frames: strayFrames.slice(0, 10) } },
    });
  }
  for (const f of o.udpFlows) {
    if (f.answers > 0 || (cs - f.lastRequestTime < 3 && f.requests < 2)) continue;
    if (serverAnswers(ctx, f.client, f.server, { protocol: 'udp', port: f.port })) continue; // REQUIRED_PORT_BLOCKED
    out.push({
      id: 'UDP_NO_RESPONSE', severity: 'warning', protocol: 'udp', client: f.client, server: f.server, port: f.port,
      ...evidenceList([{ frame: f.firstFrame, role: 'request', time: round(f.firstTime) }]), inferred: false, folded: null,
      params: { app: 'udp', requests: { requests: f.requests, datagrams: f.requests, asked: [], frames: [f.firstFrame], lastObservedSeconds: round(Math.max(0, cs - f.lastRequestTime)) }, stray: null },
    });
  }
  return out;
}

/** DNS error codes that make a name unusable. */
const DNS_ERRORS = new Set([1, 2, 3, 4, 5]);

type Need = FindingParams['DNS_FAILURE']['need'];

/** Names the agent needs, by kind: management servers, domain controllers, domains. */
interface Needed {
  servers: Set<string>;
  dcs: Set<string>;
  domains: Set<string>;
}

function needed(a: AgentContext, ts: readonly Transaction[]): Needed {
  const named = (role: 'management-server' | 'gateway' | 'domain-controller'): string[] => withRole(a, role).map((x) => a.names.get(x)).filter((n): n is string => n !== undefined);
  const servers = new Set([...named('management-server'), ...named('gateway'), ...a.settings.servers.filter((s) => !isIpLiteral(s)).map((s) => s.toLowerCase())]);
  const dcs = new Set(named('domain-controller'));
  const domains = new Set<string>();
  for (const t of ts) {
    const k = t.kerberos;
    if (k !== null) {
      if (k.realm !== null) domains.add(k.realm.toLowerCase());
      if (k.sname !== null && /^msomhsvc\//i.test(k.sname)) servers.add(k.sname.slice(9).toLowerCase());
    }
    for (const f of t.cldap?.filter ?? []) if (f.startsWith('DnsDomain=')) domains.add(f.slice(10).toLowerCase());
    const d = t.dns;
    if (d !== null && d.qtype === 33 && LOCATOR.test(d.qname)) {
      domains.add(d.qname.replace(/^_[a-z]+\._[a-z]+\.(?:[^.]+\._sites\.)?(?:(?:dc|gc|pdc)\._msdcs\.)?/, ''));
      if (d.rcode === 0) for (const ans of d.answers) dcs.add(ans.replace(/:\d+$/, ''));
    }
  }
  return { servers, dcs, domains };
}

/** Why the agent needs `qname`, or null for a name it does not (a workstation asks for many that do not exist). */
function needOfName(qname: string, qtype: number, n: Needed): Need | null {
  if (qtype === 33 || qtype === 255) {
    if (/^_gc\._tcp\./.test(qname) || /\.gc\._msdcs\./.test(qname)) return 'gc-locator';
    if (/^_ldap\._tcp\./.test(qname)) return 'dc-locator';
    if (/^_(kerberos|kpasswd)\._(tcp|udp)\./.test(qname)) return 'kerberos-locator';
    return null;
  }
  if (qtype !== 1 && qtype !== 28 && qtype !== 255) return null;
  if (n.servers.has(qname)) return 'management-server';
  if (n.dcs.has(qname)) return 'domain-controller';
  if (n.domains.has(qname)) return 'domain';
  return null;
}

/** DNS_FAILURE: an error answer for a name the agent needs, not followed by a successful answer for the same need. */
export function dnsFailureRules(ctx: RuleContext): AnyFindingFacts[] {
  const a = ctx.agent;
  const o = ctx.obs.agent;
  if (a === null || o === null) return [];
  const n = needed(a, o.transactions);
  const failed: [Transaction, Need][] = [];
  const dns = o.transactions.filter((t) => t.dns !== null && t.answerFrame !== null);
  for (const t of dns) {
    const d = t.dns!;
    if (d.rcode === null || !DNS_ERRORS.has(d.rcode)) continue;
    const need = needOfName(d.qname, d.qtype, n);
    if (need === null) continue;
    const key = need.endsWith('locator') ? need : `${need}|${d.qname}`;
    const later = dns.some((x) => x.answerFrame! > t.answerFrame! && x.dns!.rcode === 0 && x.dns!.answers.length > 0 && (() => {
      const nx = needOfName(x.dns!.qname, x.dns!.qtype, n);
      return nx !== null && (nx.endsWith('locator') ? nx : `${nx}|${x.dns!.qname}`) === key;
    })());
    if (!later) failed.push([t, need]);
  }
  return groupBy(failed, ([t]) => `${t.client}|${t.server}|${t.dns!.qname}|${t.dns!.qtype}|${t.dns!.rcode}`).map((g): AnyFindingFacts => {
    const [t, need] = g[0]!;
    const d = t.dns!;
    return {
      id: 'DNS_FAILURE', severity: 'error', protocol: t.transport, client: t.client, server: t.server, port: t.serverPort,
      ...evidenceList(g.flatMap(([x]) => [...requestEvidence(x), { frame: x.answerFrame!, role: 'error-answer' as const, time: round(x.answerTime) }])),
      inferred: false, folded: null,
      params: {
        qname: d.qname, qtype: d.qtypeName, rcode: d.rcode!, rcodeName: d.rcodeName ?? `RCODE${d.rcode}`, need,
        frame: t.answerFrame!, requestFrame: t.requestFrames[0] ?? null, count: g.length,
      },
    };
  });
}

/** Error codes that are part of normal exchanges (see the module comment). */
const NORMAL_KRB = new Set([25, 68]);
/** Errors for the MSOMHSvc principal that mean its SPN is missing or duplicated. */
const SPN_ERRORS = new Set([7, 8, 41]);
/** Seconds after KRB_ERR_RESPONSE_TOO_BIG within which the client's TCP 88 attempt counts as its follow-up. */
const TOO_BIG_FOLLOW = 60;

/** KERBEROS_ERROR and AGENT_SPN_ERROR. */
export function kerberosRules(ctx: RuleContext): AnyFindingFacts[] {
  const a = ctx.agent;
  const o = ctx.obs.agent;
  if (a === null || o === null) return [];
  const errors = o.transactions.filter((t) => t.kerberos?.reply === 30 && t.kerberos.errorCode !== null && t.answerFrame !== null && !NORMAL_KRB.has(t.kerberos.errorCode));
  const out: AnyFindingFacts[] = [];
  for (const g of groupBy(errors, (t) => `${t.client}|${t.server}|${t.kerberos!.errorCode}|${t.kerberos!.sname ?? ''}`)) {
    const t = g[0]!;
    const k = t.kerberos!;
    const code = k.errorCode!;
    const facts = krbFacts(t, g.length);
    const evidence = evidenceList(g.flatMap((x) => [...requestEvidence(x).slice(0, 1), { frame: x.answerFrame!, role: 'error-answer' as const, time: round(x.answerTime) }]));
    const base = { protocol: t.transport, client: t.client, server: t.server, port: t.serverPort, ...evidence, inferred: false, folded: null };
    if (code === 52) {
      const followed = ctx.attempts.some((x) => x.client === t.client && x.serverPort === 88 && x.relativeTime >= t.answerTime - 1 && x.relativeTime <= t.answerTime + TOO_BIG_FOLLOW);
      if (followed || t.transport === 'tcp') continue;
      out.push({ ...base, id: 'KERBEROS_ERROR', severity: 'warning', params: { ...facts, noTcpFollowUp: true } });
    } else if (k.sname !== null && /^msomhsvc\//i.test(k.sname) && SPN_ERRORS.has(code)) {
      out.push({ ...base, id: 'AGENT_SPN_ERROR', severity: 'error', params: { ...facts, host: k.sname.slice(9) } });
    } else {
      out.push({ ...base, id: 'KERBEROS_ERROR', severity: code === 13 ? 'warning' : 'error', params: { ...facts, noTcpFollowUp: false } });
    }
  }
  return out;
}

function krbFacts(t: Transaction, count: number): KerberosErrorFacts {
  const k = t.kerberos!;
  const code = k.errorCode!;
  const skewing = code === 37 && k.stime !== null && (k.ctime !== null || k.captureTime !== null);
  const skew = skewing ? round(k.stime! - (k.ctime ?? k.captureTime!)) : null;
  return {
    code, name: k.errorName ?? `error ${code}`, request: k.request === 10 ? 'AS-REQ' : k.request === 12 ? 'TGS-REQ' : null,
    principal: k.sname, realm: k.realm, client: k.cname, frame: t.answerFrame!, requestFrame: t.requestFrames[0] ?? null, count,
    skewSeconds: skew, skewAgainst: skewing ? (k.ctime !== null ? 'client-time' : 'capture-clock') : null,
    serverTime: code === 37 && k.stime !== null ? new Date(Math.round(k.stime * 1000)).toISOString() : null,
  };
}

/** DISJOINT_NAMESPACE: a host with a role whose DNS name lies outside every Kerberos realm of the capture. */
export function disjointNamespaceRules(ctx: RuleContext): AnyFindingFacts[] {
  const a = ctx.agent;
  const o = ctx.obs.agent;
  if (a === null || o === null) return [];
  const realms = new Map<string, { realm: string; frame: number; time: number }>();
  for (const t of o.transactions) {
    const r = t.kerberos?.realm;
    const frame = t.requestFrames[0] ?? t.answerFrame;
    if (r == null || frame === null || realms.has(r.toLowerCase())) continue;
    realms.set(r.toLowerCase(), { realm: r, frame, time: t.requestTimes[0] ?? t.answerTime });
  }
  if (realms.size === 0) return [];
  const first = [...realms.values()].sort((x, y) => x.frame - y.frame)[0]!;
  const out: AnyFindingFacts[] = [];
  for (const n of o.names) {
    if (!(['agent', 'gateway', 'management-server', 'domain-controller'] as const).some((r) => hasRole(a, n.address, r))) continue;
    const dot = n.name.indexOf('.');
    if (dot < 0) continue;
    const domain = n.name.slice(dot + 1);
    if ([...realms.keys()].some((r) => domain === r || domain.endsWith(`.${r}`))) continue;
    const role = roleOf(a, n.address);
    const dnsTime = o.transactions.find((t) => t.answerFrame === n.frame)?.answerTime ?? 0;
    out.push({
      id: 'DISJOINT_NAMESPACE', severity: 'warning', protocol: null, client: null, server: n.address, port: null,
      ...evidenceList([{ frame: n.frame, role: 'answer', time: round(dnsTime) }, { frame: first.frame, role: 'request', time: round(first.time) }]),
      inferred: false, folded: null,
      params: { realm: first.realm, name: n.name, address: n.address, domain, role, dnsFrame: n.frame, kerberosFrame: first.frame },
    });
  }
  return out;
}
