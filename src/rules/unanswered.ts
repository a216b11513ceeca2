/**
 * Attempts no earlier rule explained that failed anyway: unanswered per server and port (with
 * what else the capture shows about that server), refused per server and port, the ones the end
 * of the capture cut short, and handshakes whose SYN-ACK never reached the client. Together with
 * the earlier rules, every failed attempt belongs to some finding; an attempt the client itself
 * reset after the SYN-ACK (a SYN scan, a connection given up) was answered and is no failure.
 */
import type { Attempt } from '../model/connections.js';
import type { AnyFindingFacts, Contrast, Evidence } from '../model/finding.js';
import { evidenceList } from '../model/finding.js';
import type { RuleContext } from './context.js';
import { handshakeNotCompleted } from './attempt-findings.js';
import { answerEvidence, decisive, groupBy, key, pairKey, round, story, synEvidence, unique } from './derive.js';
import { pushAll } from '../model/lists.js';

/** Unanswered attempts a finding names one by one; the rest are counted. */
const NAMED = 5;

/** Refused ports per server above which the refusals are one finding (a scan), not one per port. */
const SCAN_PORTS = 10;

/**
 * What else the capture shows about `server`: answered attempts to `port` and to its other
 * ports, and a UDP datagram or echo reply from it; with the frames that show it, as evidence.
 */
function contrast(ctx: RuleContext, answered: ReadonlyMap<string, readonly number[]>, server: string, port: number): { contrast: Contrast; evidence: Evidence[] } {
  let samePortAnswered = 0;
  let samePortExample: Contrast['samePortExample'] = null;
  const otherPorts: number[] = [];
  let otherPortsFrame: number | null = null;
  const evidence: Evidence[] = [];
  for (const i of answered.get(server) ?? []) {
    const a = ctx.attempts[i]!;
    if (a.serverPort === port) {
      samePortAnswered++;
      if (samePortExample !== null) continue;
      samePortExample = { client: a.client, synAckFrame: a.synAckFrames[0]! };
    } else if (otherPorts.length < NAMED && !otherPorts.includes(a.serverPort)) {
      otherPorts.push(a.serverPort);
      if (otherPortsFrame !== null) continue;
      otherPortsFrame = a.synAckFrames[0]!;
    } else {
      continue;
    }
    evidence.push({ frame: a.synAckFrames[0]!, role: 'answered-elsewhere', time: round(ctx.records[i]!.synAckTimes[0]!) });
  }
  const h = ctx.obs.heard.from(server);
  if (h !== null) evidence.push({ frame: h.frame, role: 'answered-elsewhere', time: round(h.time) });
  return { contrast: { samePortAnswered, samePortExample, otherPorts, otherPortsFrame, heard: h === null ? null : { frame: h.frame, what: h.what, port: h.port } }, evidence };
}

/** Indexes of the answered attempts (a SYN-ACK seen) by server, in attempt order. */
function answeredByServer(ctx: RuleContext): Map<string, number[]> {
  const m = new Map<string, number[]>();
  ctx.attempts.forEach((a, i) => {
    if (a.synAckFrames.length === 0) return;
    const list = m.get(a.server);
    if (list === undefined) m.set(a.server, [i]);
    else list.push(i);
  });
  return m;
}

export function unansweredRules(ctx: RuleContext): AnyFindingFacts[] {
  const out: AnyFindingFacts[] = [];
  const rest = ctx.attempts.map((a, i) => [a, i] as const).filter(([, i]) => !ctx.explained.has(i));
  const silent = rest.filter(([a]) => a.outcome === 'no-answer' && !ctx.oneSided.has(pairKey(a.client, a.server)));
  const answered = answeredByServer(ctx);
  for (const g of groupBy(silent, ([a]) => `${a.server}|${a.serverPort}`)) {
    const all = g.map(([a]) => a);
    const a = all[0]!;
    const clients = unique(all.map((x) => x.client));
    const { contrast: c, evidence } = contrast(ctx, answered, a.server, a.serverPort);
    out.push({
      id: 'CONNECTION_UNANSWERED', severity: 'warning', protocol: 'tcp', client: clients.length === 1 ? clients[0]! : null, server: a.server, port: a.serverPort,
      ...evidenceList([...g.flatMap(([, i]) => synEvidence(ctx.records[i]!)), ...evidence]), inferred: false, folded: null,
      params: { kind: 'unanswered', story: story(all), clientCount: clients.length, clients: clients.slice(0, NAMED), contrast: c },
    });
  }
  pushAll(out, refusedRules(ctx, rest.filter(([a]) => a.outcome === 'reset' || a.outcome === 'icmp-refused')));
  const unfinished = rest.filter(([x]) => x.outcome === 'incomplete');
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
    out.push(handshakeNotCompleted(a, ctx.records[i]!, [g[0]![0].serverPort], g.map(([, j]) => ctx.records[j]!)));
  }
  return out;
}

/**
 * Attempts refused (RST, ICMP) that no rule about RPC explained: one finding per server and port,
 * or, when a server refused many ports (a scan), one finding for the server.
 */
function refusedRules(ctx: RuleContext, refused: readonly (readonly [Attempt, number])[]): AnyFindingFacts[] {
  const out: AnyFindingFacts[] = [];
  for (const byServer of groupBy(refused, ([a]) => a.server)) {
    const byPort = groupBy(byServer, ([a]) => String(a.serverPort));
    const groups = byPort.length > SCAN_PORTS ? [byServer] : byPort;
    for (const g of groups) {
      const all = g.map(([a]) => a);
      const a = all[0]!;
      const last = decisive(all);
      const clients = unique(all.map((x) => x.client));
      const ports = unique(all.map((x) => x.serverPort));
      const recs = g.map(([, i]) => ctx.records[i]!);
      out.push({
        id: 'CONNECTION_REFUSED', severity: 'warning', protocol: 'tcp', client: clients.length === 1 ? clients[0]! : null, server: a.server, port: ports.length === 1 ? a.serverPort : null,
        ...evidenceList([...recs.flatMap((r) => synEvidence(r)), ...recs.flatMap((r) => answerEvidence(r, { rst: true, icmp: true }))]), inferred: false, folded: null,
        params: {
          story: story(all), clientCount: clients.length, clients: clients.slice(0, NAMED),
          refusal: last.outcome === 'reset'
            ? { kind: 'reset', frame: last.rstFrames[0]! }
            : { kind: 'icmp', frame: last.icmp!.frame, from: last.icmp!.from, type: last.icmp!.type, code: last.icmp!.code, meaning: last.icmp!.meaning },
          ports: ports.length === 1 ? null : { count: ports.length, first: [...ports].sort((x, y) => x - y).slice(0, 20) },
        },
      });
    }
  }
  return out;
}
