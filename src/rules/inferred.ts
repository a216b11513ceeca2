/**
 * The pattern without a visible answer: a session to TCP 135, then failures to a high port on
 * the same server within the follow window. Inferred, and labelled so.
 */
import type { Attempt } from '../model/connections.js';
import type { AnyFindingFacts } from '../model/finding.js';
import { evidenceList } from '../model/finding.js';
import type { RuleContext } from './context.js';
import { blockedSteps, rangeHints } from './advertised-ports.js';
import { answerEvidence, groupBy, inRanges, key, pairKey, round, story, synEvidence } from './derive.js';

export function inferredRules(ctx: RuleContext): AnyFindingFacts[] {
  const out: AnyFindingFacts[] = [];
  // Sessions to 135 by client and server, in frame order (looked up per group of failures).
  const epmSessions = new Map<string, number[]>();
  ctx.attempts.forEach((a, i) => {
    if (a.serverPort !== 135 || (a.outcome !== 'established' && a.outcome !== 'answered-not-completed')) return;
    const k = `${a.client}>${a.server}`;
    const l = epmSessions.get(k);
    if (l === undefined) epmSessions.set(k, [i]);
    else l.push(i);
  });
  const answeredPairs = new Set(ctx.obs.rpc.endpoints.map((e) => pairKey(e.client, e.server)));
  const candidates = ctx.attempts.map((a, i) => [a, i] as const).filter(([a, i]) => !ctx.explained.has(i) && a.serverPort >= 1024 && a.serverPort !== 135 && (a.outcome === 'no-answer' || a.outcome === 'reset' || a.outcome === 'icmp-refused'));
  for (const g of groupBy(candidates, ([a]) => key(a.client, a.server, a.serverPort))) {
    const [a] = g[0]!;
    const sessionAt = epmSessions.get(`${a.client}>${a.server}`)?.find((s) => {
      const x: Attempt = ctx.attempts[s]!;
      return x.relativeTime <= a.relativeTime && a.relativeTime - x.relativeTime <= ctx.settings.followWindowSeconds;
    });
    if (sessionAt === undefined || answeredPairs.has(pairKey(a.client, a.server))) continue;
    if (a.outcome === 'no-answer' && ctx.oneSided.has(pairKey(a.client, a.server))) continue;
    g.forEach(([, i]) => ctx.explained.add(i));
    const session = ctx.attempts[sessionAt]!;
    const sessionRec = ctx.records[sessionAt]!;
    const recs = g.map(([, i]) => ctx.records[i]!);
    const inRange = inRanges(a.serverPort, ctx.settings.dynamicRanges);
    out.push({
      id: 'INFERRED_RPC_PORT_BLOCKED', severity: 'warning', protocol: 'tcp', client: a.client, server: a.server, port: a.serverPort,
      ...evidenceList([
        ...synEvidence(sessionRec, 'epm-syn').slice(0, 1),
        ...answerEvidence(sessionRec, { synAck: true }).slice(0, 1).map((e) => ({ ...e, role: 'epm-syn-ack' as const })),
        ...recs.flatMap((r) => synEvidence(r)),
        ...recs.flatMap((r) => answerEvidence(r, { rst: true })),
      ]),
      inferred: true, folded: null,
      params: {
        epmSynFrame: session.synFrames[0]!, delaySeconds: round(a.relativeTime - session.relativeTime), refused: a.outcome !== 'no-answer',
        story: story(g.map(([x]) => x)), inRange, dynamicRanges: ctx.settings.dynamicRanges,
        hints: inRange ? [] : rangeHints(a.serverPort, []), steps: blockedSteps(a.serverPort, []),
      },
    });
  }
  return out;
}
