/**
 * A file's report with every address, host name, file name and text from the capture replaced
 * by its pseudonym (pseudonyms.ts), before any renderer sees it: what a redacted report shows
 * in every format. Findings are facts plus words; the facts are pseudonymised and the words made
 * again from them (describeFinding), never edited as text.
 */
import { isIPv4, isIPv6 } from 'node:net';
import type { AgentReport } from '../model/agent.js';
import { describeFinding } from '../model/finding-text.js';
import { AGENT_FINDING_IDS, type AnyFindingFacts, type Finding } from '../model/finding.js';
import type { FileReport } from '../model/report.js';
import { learnName } from './frame.js';
import type { Pseudonymizer } from './pseudonyms.js';

const BINDING = /^(.+)\[(\d{1,5})\]$/;

/** Learns the host names a report names (DCOM bindings, hosts written in answers), so that they are known wherever they appear. */
export function learnNames(f: FileReport, p: Pseudonymizer): void {
  const host = (h: string | null): void => { if (h !== null && h !== '' && !isIPv4(h) && !isIPv6(h)) p.host(h); };
  for (const e of f.endpoints) {
    host(e.advertisedHost);
    for (const b of e.bindings) host(BINDING.exec(b)?.[1] ?? null);
  }
  for (const x of f.findings) if (x.id === 'TOWER_ADDRESS_MISMATCH' && 'advertisedHost' in x.params) host(x.params.advertisedHost);
  if (f.agent !== undefined) learnAgentNames(f.agent, f.findings, p);
}

/**
 * Learns every name the agent checks report: hosts named by DNS answers, the names asked for
 * (`SRV _ldap._tcp.dc._msdcs.corp.example`, `AS-REQ krbtgt/CORP.EXAMPLE`), realms, principals.
 */
function learnAgentNames(a: AgentReport, findings: readonly Finding[], p: Pseudonymizer): void {
  for (const n of a.names) learnName(n.name, p);
  for (const h of a.hosts) if (h.name !== null) learnName(h.name, p);
  for (const s of a.settings.servers) learnName(s, p);
  const asked = (q: string): void => {
    const what = q.slice(q.indexOf(' ') + 1);
    if (what.includes('/') || what.includes('@') || what.endsWith('$')) learnName(what, p, true);
    else learnName(what, p);
  };
  for (const x of findings) {
    if (!(AGENT_FINDING_IDS as readonly string[]).includes(x.id)) continue;
    const v = x.params as Record<string, unknown>;
    for (const k of ['qname', 'realm', 'host', 'name', 'domain']) if (typeof v[k] === 'string') learnName(v[k], p);
    for (const k of ['principal', 'client']) if (typeof v[k] === 'string') learnName(v[k], p, true);
    const requests = (v.requests ?? null) as { asked?: unknown } | null;
    if (requests !== null && typeof requests === 'object' && Array.isArray(requests.asked)) for (const q of requests.asked) if (typeof q === 'string') asked(q);
  }
}

/** Keys of the agent checks' values that hold names inside text (`SRV _ldap._tcp.dc._msdcs.corp.example`, principals, reasons). */
const TEXT_KEYS = new Set(['asked', 'qname', 'principal', 'realm', 'client', 'host', 'name', 'domain', 'text', 'reason', 'servers']);

/**
 * The agent checks' values pseudonymised: every address and known name (as `pseudonymise`), and
 * in the fields that hold names inside text, every known name wherever it stands. Other strings
 * (roles, codes, names of errors) are left whole: a learned label such as `server` must not turn
 * `management-server` into something else.
 */
function redactAgentValue<T>(v: T, p: Pseudonymizer, text = false): T {
  if (typeof v === 'string') return (isIPv4(v) || isIPv6(v) || !text ? pseudonymise(v, p) : p.scrub(v)) as T;
  if (Array.isArray(v)) return v.map((x: unknown) => redactAgentValue(x, p, text)) as T;
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = redactAgentValue(x, p, TEXT_KEYS.has(k));
    return out as T;
  }
  return v;
}

/** A value with every string that is an address, a binding or a known name replaced; anything else as it was. */
export function pseudonymise<T>(v: T, p: Pseudonymizer): T {
  if (typeof v === 'string') {
    if (isIPv4(v)) return p.ipv4(v) as T;
    if (isIPv6(v)) return p.ipv6(v) as T;
    const b = BINDING.exec(v);
    if (b !== null) return `${p.host(b[1]!)}[${b[2]}]` as T;
    if (p.knowsName(v) || (v.includes('.') && v.split('.').every((l) => l === '' || p.knowsName(l)))) return p.name(v) as T;
    return v;
  }
  if (Array.isArray(v)) return v.map((x: unknown) => pseudonymise(x, p)) as T;
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = pseudonymise(x, p);
    return out as T;
  }
  return v;
}

/** A finding's facts pseudonymised and described again, hosts named as the redacted report names them. */
function redactFinding(x: Finding, p: Pseudonymizer, names: ReadonlyMap<string, string> | undefined): Finding {
  const agent = (AGENT_FINDING_IDS as readonly string[]).includes(x.id);
  const facts = {
    id: x.id, severity: x.severity, protocol: x.protocol,
    client: pseudonymise(x.client, p), server: pseudonymise(x.server, p), port: x.port,
    evidence: x.evidence, evidenceTotal: x.evidenceTotal, inferred: x.inferred,
    params: agent ? redactAgentValue(x.params, p) : pseudonymise(x.params, p), folded: pseudonymise(x.folded, p),
  } as AnyFindingFacts;
  return describeFinding(facts, names);
}

/** The report as a redacted run shows it. */
export function redactReport(f: FileReport, p: Pseudonymizer): FileReport {
  learnNames(f, p);
  const agent = f.agent === undefined ? undefined : redactAgentValue(f.agent, p);
  const names = agent === undefined ? undefined : new Map(agent.names.map((n) => [n.address, n.name]));
  return {
    ...f,
    path: p.path(f.path),
    warnings: f.warnings.map((w) => ({ ...w, message: p.scrub(w.message) })),
    errors: f.errors.map((w) => ({ ...w, message: p.scrub(w.message) })),
    comments: f.comments.map((c) => ({ frame: c.frame, text: p.text('comment', c.text) })),
    interfaces: f.interfaces.map((i) => ({ ...i, name: i.name === null ? null : p.text('if', i.name), description: i.description === null ? null : p.text('ifdesc', i.description) })),
    findings: f.findings.map((x) => redactFinding(x, p, names)),
    attempts: pseudonymise(f.attempts, p),
    endpoints: pseudonymise(f.endpoints, p),
    ...(agent !== undefined ? { agent } : {}),
  };
}
