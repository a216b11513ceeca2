/**
 * A file's report with every address, host name, file name and text from the capture replaced
 * by its pseudonym (pseudonyms.ts), before any renderer sees it: what a redacted report shows
 * in every format. Findings are facts plus words; the facts are pseudonymised and the words made
 * again from them (describeFinding), never edited as text.
 */
import { isIPv4, isIPv6 } from 'node:net';
import { describeFinding } from '../model/finding-text.js';
import type { AnyFindingFacts, Finding } from '../model/finding.js';
import type { FileReport } from '../model/report.js';
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

/** A finding's facts pseudonymised and described again. */
function redactFinding(x: Finding, p: Pseudonymizer): Finding {
  const facts = {
    id: x.id, severity: x.severity, protocol: x.protocol,
    client: pseudonymise(x.client, p), server: pseudonymise(x.server, p), port: x.port,
    evidence: x.evidence, evidenceTotal: x.evidenceTotal, inferred: x.inferred,
    params: pseudonymise(x.params, p), folded: pseudonymise(x.folded, p),
  } as AnyFindingFacts;
  return describeFinding(facts);
}

/** The report as a redacted run shows it. */
export function redactReport(f: FileReport, p: Pseudonymizer): FileReport {
  learnNames(f, p);
  return {
    ...f,
    path: p.path(f.path),
    warnings: f.warnings.map((w) => ({ ...w, message: p.scrub(w.message) })),
    errors: f.errors.map((w) => ({ ...w, message: p.scrub(w.message) })),
    comments: f.comments.map((c) => ({ frame: c.frame, text: p.text('comment', c.text) })),
    interfaces: f.interfaces.map((i) => ({ ...i, name: i.name === null ? null : p.text('if', i.name), description: i.description === null ? null : p.text('ifdesc', i.description) })),
    findings: f.findings.map((x) => redactFinding(x, p)),
    attempts: pseudonymise(f.attempts, p),
    endpoints: pseudonymise(f.endpoints, p),
  };
}
