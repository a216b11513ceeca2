/**
 * The endpoint mapper itself: answers without a usable endpoint, and TCP 135 unreachable,
 * refused, never completed or cut off by the end of the capture.
 */
import type { AnyFindingFacts, Evidence } from '../model/finding.js';
import { evidenceList } from '../model/finding.js';
import { interfaceName } from '../model/interfaces.js';
import type { RuleContext } from './context.js';
import { captureEnded, handshakeNotCompleted } from './attempt-findings.js';
import { answerEvidence, decisive, groupBy, key, pairKey, round, story, synEvidence } from './derive.js';

/** EPM answers that name no TCP endpoint for the interface asked for. */
export function notRegisteredRules(ctx: RuleContext): AnyFindingFacts[] {
  const out: AnyFindingFacts[] = [];
  for (const g of groupBy(ctx.obs.rpc.noEndpoints, (e) => `${key(e.client, e.server, 0)}|${e.interfaceUuid ?? ''}|${e.status}`)) {
    const e = g[0]!;
    const ev: Evidence[] = g.flatMap((x): Evidence[] => [
      ...(x.requestFrame !== null ? [{ frame: x.requestFrame, role: 'endpoint-request' as const, time: round(x.requestTime) }] : []),
      { frame: x.frame, role: 'epm-error', time: round(x.time) },
    ]);
    out.push({
      id: 'ENDPOINT_NOT_REGISTERED', severity: 'error', protocol: 'tcp', client: e.client, server: e.server, port: 135,
      ...evidenceList(ev), inferred: false, folded: null,
      params: { frame: e.frame, operation: e.operation, status: e.status, interfaceUuid: e.interfaceUuid, interfaceName: e.interfaceUuid !== null ? interfaceName(e.interfaceUuid) : null },
    });
  }
  return out;
}

/**
 * Attempts to TCP 135, per host pair: not completed, unreachable, refused, or cut off by the end
 * of the capture. With a working session to 135 beside them, failed attempts are left to the
 * general rules, which say that other attempts were answered.
 */
export function endpointMapperRules(ctx: RuleContext): AnyFindingFacts[] {
  const out: AnyFindingFacts[] = [];
  const epm = ctx.attempts.map((a, i) => [a, i] as const).filter(([a]) => a.serverPort === 135);
  for (const g of groupBy(epm, ([a]) => pairKey(a.client, a.server))) {
    const working = g.some(([a]) => a.outcome === 'established');
    g.forEach(([a, i]) => { if (a.outcome === 'established') ctx.explained.add(i); });
    // The endpoint mapper answered, but the client never completed the handshake: the same
    // asymmetric-path verdict as on any other port.
    const open = g.filter(([a, i]) => a.outcome === 'answered-not-completed' && ctx.records[i]!.clientRstFrame === null);
    const lastOpen = open[open.length - 1];
    if (lastOpen !== undefined) {
      out.push(handshakeNotCompleted(lastOpen[0], ctx.records[lastOpen[1]]!, [135], open.map(([, j]) => ctx.records[j]!)));
      open.forEach(([, i]) => ctx.explained.add(i));
    }
    if (working) continue;
    const failed = g.filter(([a]) => a.outcome === 'no-answer' || a.outcome === 'reset' || a.outcome === 'icmp-refused');
    if (failed.length > 0) {
      failed.forEach(([, i]) => ctx.explained.add(i));
      const all = failed.map(([a]) => a);
      const recs = failed.map(([, i]) => ctx.records[i]!);
      const last = decisive(all);
      const base = { protocol: 'tcp' as const, client: last.client, server: last.server, port: 135, inferred: false, folded: null };
      if (last.outcome === 'no-answer') {
        if (ctx.oneSided.has(pairKey(last.client, last.server))) continue;
        out.push({ ...base, id: 'EPM_UNREACHABLE', severity: 'error', ...evidenceList(recs.flatMap((r) => synEvidence(r))), params: { story: story(all) } });
      } else {
        const refusal = last.outcome === 'reset'
          ? { kind: 'reset' as const, frame: last.rstFrames[0]! }
          : { kind: 'icmp' as const, frame: last.icmp!.frame, from: last.icmp!.from, type: last.icmp!.type, code: last.icmp!.code, meaning: last.icmp!.meaning };
        out.push({
          ...base, id: 'EPM_REFUSED', severity: 'error',
          ...evidenceList([...recs.flatMap((r) => synEvidence(r)), ...recs.flatMap((r) => answerEvidence(r, { rst: true, icmp: true }))]),
          params: { story: story(all), refusal },
        });
      }
      continue;
    }
    // Only SYNs the end of the capture cut short: nothing can be concluded but that.
    const cut = g.filter(([a]) => a.outcome === 'incomplete');
    const lastCut = cut[cut.length - 1];
    if (lastCut !== undefined && lastOpen === undefined) {
      cut.forEach(([, i]) => ctx.explained.add(i));
      out.push(captureEnded(lastCut[0], ctx.records[lastCut[1]]!, null, cut.map(([, j]) => ctx.records[j]!)));
    }
  }
  return out;
}
