/**
 * What the agent checks' rules share: whether they run at all (the profile, and for `auto` the
 * 5723 traffic that switches them on), which hosts the capture shows as agents, gateways,
 * management servers, domain controllers and DNS servers and why, the names DNS answers give
 * them, and which transactions an earlier agent rule already explained.
 */
import type { AgentSettings, HostName, HostRole, Transaction } from '../model/agent.js';
import { AGENT_PORT } from '../model/agent.js';
import type { Attempt } from '../model/connections.js';
import type { Observations } from '../model/observations.js';
import { isIpLiteral } from './derive.js';
import { minOf } from '../model/lists.js';

/** The agent checks' settings as the rules get them. */
export interface AgentRuleSettings extends AgentSettings {
  /** The profile asked for (`rpc` never reaches the agent rules). */
  profile: 'auto' | 'scom';
  /** `auto`: run when the capture shows 5723 traffic; `always`: an option asked for them (`forcedBy` says which). */
  checks: 'when-detected' | 'always';
  /** `--profile scom`, `--require ...` or `--server ...`, when an option forced the checks. */
  forcedBy: string | null;
}

/**
 * A UDP request counts as unanswered when the client sent it again, or when the capture goes on
 * this many seconds after it (the Windows DNS client waits 1 s, then 2 s; Kerberos and the DC
 * locator less): sooner, the capture may simply have ended before the answer.
 */
export const UDP_ANSWER_SECONDS = 3;

/** The order roles are listed in, and the one a host is named by when it has several. */
const ROLE_ORDER: readonly HostRole[] = ['gateway', 'management-server', 'domain-controller', 'dns-server', 'agent'];

/** A host's roles and the first frames that show each. */
interface Roles {
  roles: Set<HostRole>;
  why: { role: HostRole; text: string; frame: number | null }[];
}

/** The agent checks' view of one capture. */
export interface AgentContext {
  settings: AgentRuleSettings;
  /** Why the checks run, and the frame that showed it (null when an option forced them). */
  reason: string;
  reasonFrame: number | null;
  /** Address to name, from DNS answers. */
  names: ReadonlyMap<string, string>;
  nameList: readonly HostName[];
  hosts: ReadonlyMap<string, Roles>;
  /** Transactions a finding already accounts for. */
  explained: Set<Transaction>;
}

/** The role a host is known by: its first role in ROLE_ORDER, or null. */
export function roleOf(a: AgentContext, address: string): HostRole | null {
  const r = a.hosts.get(address);
  if (r === undefined) return null;
  return ROLE_ORDER.find((x) => r.roles.has(x)) ?? null;
}

/** True when `address` has `role`. */
export const hasRole = (a: AgentContext, address: string, role: HostRole): boolean => a.hosts.get(address)?.roles.has(role) ?? false;

/** Addresses with `role`. */
export function withRole(a: AgentContext, role: HostRole): string[] {
  return [...a.hosts].filter(([, r]) => r.roles.has(role)).map(([addr]) => addr);
}

/** Hosts in report order: by their first role, then by address. */
export function hostsInOrder(a: AgentContext): [string, Roles][] {
  const rank = (r: Roles): number => minOf([...r.roles].map((x) => ROLE_ORDER.indexOf(x)));
  return [...a.hosts].sort((x, y) => rank(x[1]) - rank(y[1]) || (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
}

/** The first 5723 traffic: a SYN, a TCP conversation or a UDP datagram from an agent to a server. */
interface ChannelSeen {
  client: string;
  server: string;
  transport: 'tcp' | 'udp';
  frame: number;
}

/** The agent checks' context, or null when they do not run for this capture. */
export function agentContext(obs: Observations, attempts: readonly Attempt[], s: AgentRuleSettings | undefined): AgentContext | null {
  const o = obs.agent;
  if (s === undefined || o === null) return null;
  const channel: ChannelSeen[] = [
    ...attempts.filter((a) => a.serverPort === AGENT_PORT).map((a): ChannelSeen => ({ client: a.client, server: a.server, transport: 'tcp', frame: a.synFrames[0]! })),
    ...o.channel.map((c): ChannelSeen => ({ client: c.client, server: c.server, transport: 'tcp', frame: c.firstFrame })),
    ...o.heartbeats.filter((h) => h.transport === 'udp').map((h): ChannelSeen => ({ client: h.agent, server: h.server, transport: 'udp', frame: h.firstFrame })),
  ].sort((x, y) => x.frame - y.frame);
  const first = channel[0];
  if (s.checks === 'when-detected' && first === undefined) return null;
  const names = new Map(o.names.map((n) => [n.address, n.name]));
  const h = (addr: string): string => { const n = names.get(addr); return n === undefined ? addr : `${n} (${addr})`; };
  const hosts = new Map<string, Roles>();
  const add = (addr: string, role: HostRole, text: string, frame: number | null): void => {
    let r = hosts.get(addr);
    if (r === undefined) hosts.set(addr, (r = { roles: new Set(), why: [] }));
    if (!r.roles.has(role)) {
      r.roles.add(role);
      r.why.push({ role, text, frame });
    }
  };
  const T = (t: 'tcp' | 'udp'): string => t.toUpperCase();
  for (const c of channel) {
    add(c.client, 'agent', `${T(c.transport)} ${AGENT_PORT} to ${h(c.server)}`, c.frame);
    add(c.server, 'management-server', `${T(c.transport)} ${AGENT_PORT} from ${h(c.client)}`, c.frame);
  }
  // A host that serves agents on 5723 and is itself a client of a management server is a
  // gateway: that one role says both.
  for (const c of channel) {
    const r = hosts.get(c.client)!;
    if (!r.roles.has('management-server') || r.roles.has('gateway')) continue;
    const served = r.why.find((w) => w.role === 'management-server')!;
    r.roles = new Set(['gateway']);
    r.why = [{ role: 'gateway', text: `${served.text} (frame ${served.frame}), and itself ${T(c.transport)} ${AGENT_PORT} to ${h(c.server)}`, frame: c.frame }];
  }
  for (const given of s.servers) {
    const matches = isIpLiteral(given) ? [given] : [...names].filter(([, n]) => n === given.toLowerCase() || n.startsWith(`${given.toLowerCase()}.`)).map(([a]) => a);
    for (const addr of matches) add(addr, 'management-server', `named with --server ${given}`, null);
  }
  for (const t of o.transactions) domainRoles(t, h, add);
  for (const a of attempts) {
    if (a.serverPort === 88 || a.serverPort === 389 || a.serverPort === 3268) add(a.server, 'domain-controller', `TCP ${a.serverPort} (${a.serverPort === 88 ? 'Kerberos' : 'LDAP'}) from ${h(a.client)}`, a.synFrames[0]!);
  }
  locatorTargets(o.transactions, names, add);
  const reason = s.checks === 'always' && s.forcedBy !== null
    ? `${s.forcedBy}${first !== undefined ? `; the capture shows ${T(first.transport)} ${AGENT_PORT} from ${h(first.client)} to ${h(first.server)}` : ''}`
    : `the capture shows ${T(first!.transport)} ${AGENT_PORT} from ${h(first!.client)} to ${h(first!.server)}`;
  return {
    settings: s, reason, reasonFrame: first?.frame ?? null, names, nameList: o.names, hosts, explained: new Set(),
  };
}

/** Kerberos and LDAP-ping servers are domain controllers; DNS servers are what they are. */
function domainRoles(t: Transaction, h: (a: string) => string, add: (addr: string, role: HostRole, text: string, frame: number | null) => void): void {
  const T = t.transport.toUpperCase();
  const frame = t.requestFrames[0] ?? t.answerFrame;
  const how = t.answerFrame !== null ? `answered ${h(t.client)}` : `asked by ${h(t.client)}`;
  if (t.app === 'kerberos') add(t.server, 'domain-controller', `Kerberos on ${T} ${t.serverPort}, ${how}`, frame);
  else if (t.app === 'cldap') add(t.server, 'domain-controller', `the DC locator's LDAP ping on UDP ${t.serverPort}, ${how}`, frame);
  else add(t.server, 'dns-server', `DNS on ${T} ${t.serverPort}, ${how}`, frame);
}

/** The DC locator's SRV answers name domain controllers; their addresses come from the same answers' A records. */
function locatorTargets(ts: readonly Transaction[], names: ReadonlyMap<string, string>, add: (addr: string, role: HostRole, text: string, frame: number | null) => void): void {
  const byName = new Map<string, string[]>();
  for (const [addr, n] of names) {
    let l = byName.get(n);
    if (l === undefined) byName.set(n, (l = []));
    l.push(addr);
  }
  for (const t of ts) {
    const d = t.dns;
    if (d === null || d.qtype !== 33 || d.rcode !== 0 || !LOCATOR.test(d.qname)) continue;
    for (const ans of d.answers) {
      const target = ans.replace(/:\d+$/, '');
      for (const addr of byName.get(target) ?? []) add(addr, 'domain-controller', `named ${target} in the SRV answer for ${d.qname}`, t.answerFrame);
    }
  }
}

/** SRV names of the DC locator (MS-ADTS §6.3.6.1 and the Kerberos records). */
export const LOCATOR = /^_(ldap|kerberos|kpasswd|gc)\._(tcp|udp)\./;
