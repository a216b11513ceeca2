/**
 * Each port the endpoint mapper or DCOM advertised (per client, server and port): how the
 * client's follow-up attempts fared. Blocked, refused, reached (inside or outside the expected
 * range), never attempted, or left unfinished by the end of the capture.
 */
import type { Attempt, Endpoint } from '../model/connections.js';
import type { Advertised, AnyFindingFacts, BlockedStep, RangeHint } from '../model/finding.js';
import { evidenceList, type Evidence } from '../model/finding.js';
import type { RuleContext } from './context.js';
import { answerEvidence, decisive, groupBy, key, pairKey, round, story, synEvidence, unique } from './derive.js';
import { captureEnded, handshakeNotCompleted } from './attempt-findings.js';

/** An answer followed by no attempt is only worth a warning when the capture went on this long. */
const NO_ATTEMPT_GRACE_SECONDS = 5;

const DRSUAPI = 'e3514235-4b06-11d1-ab04-00c04fc2dcd2';
const NETLOGON = '12345678-1234-abcd-ef00-01234567cffb';
const FRS = 'f5cc59b4-4264-101a-8c59-08002b2f8426';
const DFSR = '897e2e5f-93f3-4376-9c9c-fd2277495c27';

/** Known cases a port number and the answers suggest. */
export function rangeHints(port: number, g: readonly Endpoint[]): RangeHint[] {
  const hints: RangeHint[] = [];
  if (port === 24158) hints.push('wmi-24158');
  if (port >= 1025 && port <= 5000) hints.push('legacy-range');
  const names = g.map((e) => e.interfaceName ?? '');
  const exchangeOrUnknown = g.length === 0 || names.some((n) => n === '' || n.startsWith('Exchange'));
  if (port >= 6005 && port <= 59530 && exchangeOrUnknown) hints.push('exchange-6005');
  if (g.some((e) => e.source === 'dcom')) hints.push('dcom-restricted');
  if (g.some((e) => e.interfaceUuid === DRSUAPI || e.interfaceUuid === NETLOGON || e.interfaceUuid === FRS || e.interfaceUuid === DFSR)) hints.push('ad-pinned');
  if (hints.length === 0) hints.push('registry-range');
  return hints;
}

/** Remediation a blocked port adds: pinned AD ports, DCOM or WMI port settings. */
export function blockedSteps(port: number, g: readonly Endpoint[]): BlockedStep[] {
  const steps: BlockedStep[] = [];
  const uuids = new Set(g.map((e) => e.interfaceUuid));
  if (uuids.has(DRSUAPI)) steps.push('ntds-pinned');
  if (uuids.has(NETLOGON)) steps.push('netlogon-pinned');
  if (g.some((e) => e.source === 'dcom') || port === 24158) steps.push('dcom-wmi');
  return steps;
}

function advertisedOf(g: readonly Endpoint[], ranges: [number, number][]): Advertised {
  const first = g[0]!;
  return {
    client: first.client, server: first.server, port: first.port,
    answerFrames: g.map((e) => e.frame),
    source: first.source,
    operations: unique(g.map((e) => e.operation)),
    interfaces: unique(g.map((e) => e.interfaceName ?? e.interfaceUuid ?? (e.source === 'dcom' ? 'a DCOM object' : 'an interface'))),
    inRange: first.inRange,
    dynamicRanges: ranges,
    hints: rangeHints(first.port, g),
  };
}

export function advertisedPortRules(ctx: RuleContext): AnyFindingFacts[] {
  const out: AnyFindingFacts[] = [];
  const followOf = new Map(ctx.endpoints.map((x) => [x.endpoint, x] as const));
  const endpoints = ctx.endpoints.map((x) => x.endpoint);
  // Connections on which the server refused a bind (not an alter_context).
  const refusedConnections = new Set(ctx.obs.rpc.bindRejects.filter((r) => !r.alter).map(connectionKey));
  for (const g of groupBy(endpoints, (e) => key(e.client, e.server, e.port))) {
    const first = g[0]!;
    const att = unique(g.flatMap((e) => followOf.get(e)!.follow));
    att.forEach((i) => ctx.explained.add(i));
    const advertised = advertisedOf(g, ctx.settings.dynamicRanges);
    const answers: Evidence[] = g.map((e) => ({ frame: e.frame, role: 'endpoint-answer', time: e.time }));
    const base = { protocol: 'tcp' as const, client: first.client, server: first.server, port: first.port, inferred: false, folded: null };
    const reuse = g.map((e) => followOf.get(e)!.existing).find((c) => c !== null) ?? null;
    if (att.length === 0 && reuse !== null) {
      const params = {
        advertised, synFrame: null, synAckFrame: null, answerSeconds: null,
        existing: { clientPort: reuse.clientPort, firstFrame: reuse.first.frame, lastFrame: reuse.last.frame },
      };
      const ev = evidenceList([...answers,
        { frame: reuse.first.frame, role: 'existing-connection', time: round(reuse.first.time) },
        { frame: reuse.last.frame, role: 'existing-connection', time: round(reuse.last.time) }]);
      out.push(first.inRange
        ? { ...base, id: 'RPC_PORT_OK', severity: 'info', ...ev, params }
        : { ...base, id: 'NONSTANDARD_RPC_RANGE', severity: 'warning', ...ev, params });
      continue;
    }
    if (att.length === 0) {
      // An enumeration lists every endpoint; no client is expected to follow what it lists.
      if (g.every((e) => e.enumeration)) continue;
      const observed = ctx.obs.captureSeconds - g[g.length - 1]!.time;
      out.push({
        ...base, id: 'ADVERTISED_PORT_NOT_ATTEMPTED', severity: observed < NO_ATTEMPT_GRACE_SECONDS ? 'info' : 'warning',
        ...evidenceList(answers), params: { advertised, observedSeconds: round(Math.max(0, observed)) },
      });
      continue;
    }
    const outs: Attempt[] = att.map((i) => ctx.attempts[i]!);
    const recs = att.map((i) => ctx.records[i]!);
    const okAt = outs.findIndex((a) => a.outcome === 'established');
    // Connected, but the server refused every bind on those connections: RPC_BIND_REJECTED tells
    // that story, and "the port answered" would read as a success.
    const refused = okAt >= 0 && first.inRange && outs.every((a) => a.outcome !== 'established' || refusedConnections.has(connectionKey(a)));
    if (refused) continue;
    if (okAt >= 0) {
      const ok = outs[okAt]!;
      const r = recs[okAt]!;
      const params = { advertised, synFrame: ok.synFrames[0]!, synAckFrame: ok.synAckFrames[0]!, answerSeconds: ok.answerSeconds, existing: null };
      const ev = evidenceList([...answers, ...synEvidence(r), ...answerEvidence(r, { synAck: true, ack: true })]);
      out.push(first.inRange
        ? { ...base, id: 'RPC_PORT_OK', severity: 'info', ...ev, params }
        : { ...base, id: 'NONSTANDARD_RPC_RANGE', severity: 'warning', ...ev, params });
      continue;
    }
    const last = decisive(outs);
    const lastRec = recs[outs.indexOf(last)]!;
    const syns = recs.flatMap((r) => synEvidence(r));
    if (last.outcome === 'no-answer') {
      if (ctx.oneSided.has(pairKey(first.client, first.server))) continue; // the capture cannot show answers between these hosts: reported below
      const params = { advertised, story: story(outs), steps: blockedSteps(first.port, g) };
      const ev = evidenceList([...answers, ...syns]);
      out.push(first.inRange
        ? { ...base, id: 'RPC_DYNAMIC_PORT_BLOCKED', severity: 'error', ...ev, params }
        : { ...base, id: 'NONSTANDARD_RPC_PORT_BLOCKED', severity: 'error', ...ev, params });
    } else if (last.outcome === 'reset' || last.outcome === 'icmp-refused') {
      const refusal = last.outcome === 'reset'
        ? { kind: 'reset' as const, frame: last.rstFrames[0]! }
        : { kind: 'icmp' as const, frame: last.icmp!.frame, from: last.icmp!.from, type: last.icmp!.type, code: last.icmp!.code, meaning: last.icmp!.meaning };
      out.push({
        ...base, id: 'RPC_PORT_REFUSED', severity: 'error',
        ...evidenceList([...answers, ...syns, ...recs.flatMap((r) => answerEvidence(r, { rst: true })), ...recs.flatMap((r) => answerEvidence(r, { icmp: true }))]),
        params: { advertised, story: story(outs), refusal },
      });
    } else if (last.outcome === 'answered-not-completed') {
      out.push(handshakeNotCompleted(last, lastRec, [first.server === first.client ? first.port : 135, first.port], recs.filter((_, k) => outs[k]!.outcome === 'answered-not-completed')));
    } else {
      out.push(captureEnded(last, lastRec, advertised, recs));
    }
  }
  return out;
}

/** A TCP connection's key: both ends. */
const connectionKey = (c: { client: string; clientPort: number; server: string; serverPort: number }): string => `${c.client}|${c.clientPort}|${c.server}|${c.serverPort}`;
