/**
 * Folds findings that differ only by client (same id, server and port) into one when there are
 * many: a SYN flood from spoofed sources or a scan must not bury the report under thousands of
 * copies. The folded finding keeps the first one's facts, merges the evidence, and says how many
 * other clients it stands for.
 */
import { evidenceList, type AnyFindingFacts } from '../model/finding.js';
import { groupBy } from './derive.js';

/** Findings of one id about one server and port, one per client, at most; more are folded into one. */
export const MAX_PER_CLIENT_FINDINGS = 10;
/** Other clients a folded finding names; the rest are counted. */
const NAMED_CLIENTS = 5;

export function foldPerClient(findings: readonly AnyFindingFacts[]): AnyFindingFacts[] {
  const groups = groupBy(findings.map((f, i) => [f, i] as const), ([f, i]) => (f.client === null ? `#${i}` : `${f.id}|${f.server}|${f.port}`));
  const out: [AnyFindingFacts, number][] = [];
  for (const g of groups) {
    if (g.length <= MAX_PER_CLIENT_FINDINGS) {
      for (const [f, i] of g) out.push([f, i]);
      continue;
    }
    const [first, at] = g[0]!;
    const others = g.slice(1).map(([f]) => f.client!);
    out.push([{
      ...first,
      client: null,
      ...evidenceList(g.flatMap(([f]) => f.evidence)),
      folded: { count: others.length, clients: others.slice(0, NAMED_CLIENTS) },
    } as AnyFindingFacts, at]);
  }
  return out.sort((a, b) => a[1] - b[1]).map(([f]) => f);
}
