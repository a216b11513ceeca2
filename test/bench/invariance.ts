/**
 * The invariance check: the same frames must give the same verdicts whatever the container
 * format or the read chunk size. Compares two file reports after removing what legitimately
 * differs (`path`, `format`, `formatInfo`) and names the first field that differs.
 */

/** Fields of a file report that may differ between reads of the same frames. */
export const IGNORED_FIELDS = ['path', 'format', 'formatInfo'] as const;
/** The parts that must be identical; anything else that differs is reported as a note. */
export const REQUIRED_PARTS = ['findings', 'attempts', 'endpoints'] as const;

/** Outcome of one comparison. */
export interface InvarianceResult {
  name: string;
  pass: boolean;
  /** Sizes of the required parts in the reference report. */
  compared: Record<(typeof REQUIRED_PARTS)[number], number>;
  /** First difference in findings, attempts or endpoints, as `path: a vs b`; null when equal. */
  firstDifference: string | null;
  /** First difference anywhere else in the report (stats, ports, warnings, ...); null when equal. */
  otherDifference: string | null;
  /** Set when a report could not be produced or read; the check then fails. */
  error: string | null;
}

function show(v: unknown): string {
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 160 ? `${s.slice(0, 157)}...` : s;
}

/** Path and values of the first difference between two JSON values, depth first; null when equal. */
export function firstDifference(a: unknown, b: unknown, path: string): string | null {
  if (Object.is(a, b)) return null;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object' || Array.isArray(a) !== Array.isArray(b)) {
    return `${path}: ${show(a)} vs ${show(b)}`;
  }
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    const n = Math.min(a.length, bb.length);
    for (let i = 0; i < n; i++) {
      const d = firstDifference(a[i], bb[i], `${path}[${i}]`);
      if (d !== null) return d;
    }
    return a.length === bb.length ? null : `${path}.length: ${a.length} vs ${bb.length}`;
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  for (const k of new Set([...Object.keys(ao), ...Object.keys(bo)])) {
    const p = path === '' ? k : `${path}.${k}`;
    if (!(k in bo)) return `${p}: ${show(ao[k])} vs (missing)`;
    if (!(k in ao)) return `${p}: (missing) vs ${show(bo[k])}`;
    const d = firstDifference(ao[k], bo[k], p);
    if (d !== null) return d;
  }
  return null;
}

/** A file report without the fields that may differ. */
function normalize(r: Record<string, unknown>): Record<string, unknown> {
  const out = { ...r };
  for (const k of IGNORED_FIELDS) delete out[k];
  return out;
}

/** Compares `other` with `reference` (both file reports as parsed JSON). */
export function compareReports(name: string, reference: unknown, other: unknown): InvarianceResult {
  const count = (r: Record<string, unknown>, k: string): number => (Array.isArray(r[k]) ? (r[k] as unknown[]).length : 0);
  if (reference === null || typeof reference !== 'object' || other === null || typeof other !== 'object') {
    return { name, pass: false, compared: { findings: 0, attempts: 0, endpoints: 0 }, firstDifference: null, otherDifference: null, error: 'a report is missing' };
  }
  const a = normalize(reference as Record<string, unknown>);
  const b = normalize(other as Record<string, unknown>);
  let first: string | null = null;
  for (const k of REQUIRED_PARTS) {
    first = firstDifference(a[k], b[k], k);
    if (first !== null) break;
  }
  const restA = { ...a };
  const restB = { ...b };
  for (const k of REQUIRED_PARTS) {
    delete restA[k];
    delete restB[k];
  }
  return {
    name,
    pass: first === null,
    compared: { findings: count(a, 'findings'), attempts: count(a, 'attempts'), endpoints: count(a, 'endpoints') },
    firstDifference: first,
    otherDifference: firstDifference(restA, restB, ''),
    error: null,
  };
}

/** A failed comparison for a report that could not be produced. */
export function failedComparison(name: string, error: string): InvarianceResult {
  return { name, pass: false, compared: { findings: 0, attempts: 0, endpoints: 0 }, firstDifference: null, otherDifference: null, error };
}
