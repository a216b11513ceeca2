/**
 * Attempts no earlier rule explained that failed anyway: unanswered per server and port, the
 * ones the end of the capture cut short, and handshakes whose SYN-ACK never reached the client.
 */
import type { AnyFindingFacts } from '../model/finding.js';
import { evidenceList } from '../model/finding.js';
import type { RuleContext } from './context.js';
import { handshakeNotCompleted } from './attempt-findings.js';
import { groupBy, key, pairKey, story, synEvidence, unique } from './derive.js';

/** Unanswered attempts a finding names one by one; the rest are counted. */
const NAMED = 5;

export function unansweredRules(ctx: RuleContext): AnyFindingFacts[] {
  const out: AnyFindingFacts[] = [];
  const rest = ctx.attempts.map((a, i) => [a, i] as const).filter(([, i]) => !ctx.explained.has(i));
  const silent = rest.filter(([a]) => a.outcome === 'no-answer' && !ctx.oneSided.has(pairKey(a.client, a.server)));
  for (const g of groupBy(silent, ([a]) => `${a.server}|${a.serverPort}`)) {
    const all = g.map(([a]) => a);
    const a = all[0]!;
    const clients = unique(all.map((x) => x.client));
    out.push({
      id: 'CONNECTION_UNANSWERED', severity: 'warning', protocol: 'tcp', client: clients.length === 1 ? clients[0]! : null, server: a.server, port: a.serverPort,
      ...evidenceList(g.flatMap(([, i]) => synEvidence(ctx.records[i]!))), inferred: false, folded: null,
      params: { kind: 'unanswered', story: story(all), clientCount: clients.length, clients: clients.slice(0, NAMED) },
    });
  }
  const unfinished = rest.filter(([x]) => x.outcome === 'incomplete' && x.serverPort !== 135);
  if (unfinished.length > 0) {
    out.push({
      id: 'CONNECTION_UNANSWERED', severity: 'info', protocol: 'tcp', client: null, server: null, port: null,
      ...evidenceList(unfinished.flatMap(([, i]) => synEvidence(ctx.records[i]!))), inferred: false, folded: null,
      params: {
        kind: 'capture-ended-many', count: unfinished.length,
        attempts: unfinished.slice(0, NAMED).map(([a]) => ({ client: a.client, server: a.server, port: a.serverPort, synFrame: a.synFrames[0]! })),
      },
    });
  }
  const open = rest.filter(([a, i]) => a.outcome === 'answered-not-completed' && ctx.records[i]!.clientRstFrame === null);
  for (const g of groupBy(open, ([a]) => key(a.client, a.server, a.serverPort))) {
    const [a, i] = g[g.length - 1]!;
    out.push(handshakeNotCompleted(a, ctx.records[i]!, [g[0]![0].serverPort]));
  }
  return out;
}
