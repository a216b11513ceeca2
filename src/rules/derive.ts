/**
 * Plain values the rules share, derived once per capture: each attempt's outcome, each
 * advertised endpoint with the attempts that followed it, the per-port summary, and the
 * evidence and story pieces that several findings use. Nothing here is on the per-packet path.
 */
import type { Attempt, AttemptOutcome, Endpoint, PortSummary } from '../model/connections.js';
import type { AttemptStory, Evidence } from '../model/finding.js';
import { interfaceName } from '../model/interfaces.js';
import type { AttemptRecord, EndpointEvent, ExistingConnection } from '../model/observations.js';
import type { AgentRuleSettings } from './agent-context.js';

/**
 * Windows retransmits an unanswered SYN after 3 s and 6 s more (TcpMaxConnectRetransmissions
 * = 2) and gives up about 21 s after the first; Linux starts at 1 s. An unanswered SYN with no
 * retransmission is judged only when the capture lasts at least this long after it.
 */
export const FIRST_RETRY_SECONDS = 3;

/** The settings verdicts depend on. */
export interface RuleSettings {
  /** Expected dynamic RPC port ranges, inclusive. */
  dynamicRanges: [number, number][];
  /** Seconds after an EPM/DCOM answer during which the client's attempts count as its follow-up. */
  followWindowSeconds: number;
  /** The agent checks, when the profile may run them (rules/agent-context.ts); absent: never. */
  agent?: AgentRuleSettings;
}

/** Seconds rounded to the microsecond, as the report writes them. */
export const round = (x: number): number => Math.round(x * 1e6) / 1e6;

export const key = (c: string, s: string, p: number): string => `${c}|${s}|${p}`;
/** The same key for (a, b) and (b, a). */
export const pairKey = (a: string, b: string): string => (a < b ? `${a}|${b}` : `${b}|${a}`);

/** Groups `xs` by `k`, groups in order of their first member. */
export function groupBy<T>(xs: readonly T[], k: (x: T) => string): T[][] {
  const m = new Map<string, T[]>();
  for (const x of xs) {
    const kk = k(x);
    let l = m.get(kk);
    if (l === undefined) m.set(kk, (l = []));
    l.push(x);
  }
  return [...m.values()];
}

export function unique<T>(xs: readonly T[]): T[] {
  return [...new Set(xs)];
}

export const isIpLiteral = (h: string): boolean => /^\d{1,3}(\.\d{1,3}){3}$/.test(h) || (/^[0-9a-f:]+$/i.test(h) && h.includes(':'));

/** An attempt's outcome and the figures the report lists (model/connections.ts). */
export function toAttempt(a: AttemptRecord, captureSeconds: number): Attempt {
  const observed = Math.max(0, captureSeconds - a.firstSyn);
  let outcome: AttemptOutcome;
  if (a.ackFrame !== null) outcome = 'established';
  else if (a.synAckFrames.length > 0) outcome = 'answered-not-completed';
  else if (a.icmp !== null) outcome = 'icmp-refused';
  else if (a.rstFrames.length > 0) outcome = 'reset';
  else if (a.synFrames.length > 1 || observed >= FIRST_RETRY_SECONDS) outcome = 'no-answer';
  else outcome = 'incomplete';
  return {
    client: a.client, clientPort: a.clientPort, server: a.server, serverPort: a.serverPort, isn: a.isn,
    synFrames: [...a.synFrames], retransmissions: a.synFrames.length - 1,
    synOffsets: a.synTimes.map((x) => round(x - a.firstSyn)), synAckFrames: [...a.synAckFrames],
    ackFrame: a.ackFrame, inferred: a.handshakeInferred, rstFrames: [...a.rstFrames], icmp: a.icmp, outcome,
    time: a.isoTime, relativeTime: round(a.firstSyn),
    answerSeconds: Number.isNaN(a.answeredAt) ? null : round(a.answeredAt - a.firstSyn),
    retrySeconds: round(a.lastSyn - a.firstSyn),
    observedSeconds: round(observed),
  };
}

/**
 * The attempt whose outcome speaks for a group: the last one, unless it is `incomplete` (the
 * capture ended on it) and an earlier one ended clearly.
 */
export function decisive<T extends { outcome: AttemptOutcome }>(outs: readonly T[]): T {
  for (let i = outs.length - 1; i >= 0; i--) if (outs[i]!.outcome !== 'incomplete') return outs[i]!;
  return outs[outs.length - 1]!;
}

/** Attempts by client|server|port, in frame order, for follow-up lookups. */
export function attemptsByTarget(attempts: readonly Attempt[]): Map<string, number[]> {
  const byTarget = new Map<string, number[]>();
  attempts.forEach((a, i) => {
    const k = key(a.client, a.server, a.serverPort);
    let l = byTarget.get(k);
    if (l === undefined) byTarget.set(k, (l = []));
    l.push(i);
  });
  return byTarget;
}

/**
 * An advertised endpoint, the indexes (into the attempts) of the client's follow-ups, and the
 * connection already open to it that the client went on using, when it made no new one.
 */
export interface FollowedEndpoint {
  endpoint: Endpoint;
  follow: number[];
  existing: ExistingConnection | null;
}

/**
 * Every answer with its follow-up attempts, which end at the next answer offering the same port
 * to the same client (the corpus's rule), or when the follow window closes. One pass from the end
 * finds each answer's successor: a capture with many answers must not cost their square.
 */
export function followEndpoints(events: readonly EndpointEvent[], attempts: readonly Attempt[], existing: readonly ExistingConnection[], s: RuleSettings): FollowedEndpoint[] {
  const byTarget = attemptsByTarget(attempts);
  const open = new Map<string, ExistingConnection[]>();
  for (const c of existing) {
    const k = key(c.client, c.server, c.serverPort);
    let l = open.get(k);
    if (l === undefined) open.set(k, (l = []));
    l.push(c);
  }
  const nextSame: number[] = new Array<number>(events.length);
  const seen = new Map<string, number>();
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i]!;
    const k = key(e.client, e.server, e.port);
    nextSame[i] = seen.get(k) ?? Number.POSITIVE_INFINITY;
    seen.set(k, e.frame);
  }
  return events.map((e, i) => followed(e, nextSame[i]!, attempts, byTarget, open, s));
}

function followed(e: EndpointEvent, limit: number, attempts: readonly Attempt[], byTarget: Map<string, number[]>, open: Map<string, ExistingConnection[]>, s: RuleSettings): FollowedEndpoint {
  // The client connects to the address it already uses, or (DCOM) to an address of a binding.
  const hosts = new Set([e.server]);
  for (const h of [e.advertisedHost, ...e.bindings.map((x) => x.replace(/\[\d+\]$/, ''))]) {
    if (h !== null && isIpLiteral(h) && h !== '0.0.0.0') hosts.add(h);
  }
  const follow: number[] = [];
  for (const h of hosts) {
    for (const ai of byTarget.get(key(e.client, h, e.port)) ?? []) {
      const a = attempts[ai]!;
      const f = a.synFrames[0]!;
      if (f > e.frame && f < limit && a.relativeTime - e.time <= s.followWindowSeconds) follow.push(ai);
    }
  }
  follow.sort((x, y) => attempts[x]!.synFrames[0]! - attempts[y]!.synFrames[0]!);
  // No new connection: a capture started mid-stream may show the client going on with one it
  // opened before (traffic both ways after the answer), which proves the port reachable.
  let existing: ExistingConnection | null = null;
  if (follow.length === 0) {
    for (const h of hosts) {
      for (const c of open.get(key(e.client, h, e.port)) ?? []) if (c.last.frame > e.frame && (existing === null || c.first.frame < existing.first.frame)) existing = c;
    }
  }
  const outs = follow.map((x) => attempts[x]!.outcome);
  const followUp = existing !== null ? 'existing-connection' : outs.length === 0 ? 'no-attempt' : outs.includes('established') ? 'established' : outs[outs.length - 1]!;
  const endpoint: Endpoint = {
    frame: e.frame, requestFrame: e.requestFrame, source: e.source, operation: e.operation,
    client: e.client, server: e.server, advertisedHost: e.advertisedHost, bindings: e.bindings, port: e.port,
    interfaceUuid: e.interfaceUuid, interfaceName: e.interfaceUuid !== null ? interfaceName(e.interfaceUuid) : null, enumeration: e.enumeration,
    inRange: inRanges(e.port, s.dynamicRanges), followUpSynFrames: follow.map((x) => attempts[x]!.synFrames[0]!), followUp,
    existingConnection: existing === null ? null : { clientPort: existing.clientPort, firstFrame: existing.first.frame, lastFrame: existing.last.frame },
    time: round(e.time),
  };
  return { endpoint, follow, existing };
}

/** Whether `port` lies in one of the inclusive `ranges`. */
export const inRanges = (port: number, ranges: readonly (readonly [number, number])[]): boolean => ranges.some(([lo, hi]) => port >= lo && port <= hi);

/** Per server port: attempts and how they ended, ascending by port. */
export function portSummary(attempts: readonly Attempt[], endpoints: readonly Endpoint[], ranges: readonly (readonly [number, number])[]): PortSummary[] {
  const m = new Map<number, PortSummary & { serverSet: Set<string> }>();
  const advertised = new Set(endpoints.map((e) => e.port));
  for (const a of attempts) {
    let s = m.get(a.serverPort);
    if (s === undefined) m.set(a.serverPort, (s = { port: a.serverPort, attempts: 0, established: 0, failed: 0, incomplete: 0, servers: 0, advertised: advertised.has(a.serverPort), inRange: inRanges(a.serverPort, ranges), serverSet: new Set() }));
    s.attempts++;
    if (a.outcome === 'established') s.established++;
    else if (a.outcome === 'incomplete') s.incomplete++;
    else s.failed++;
    s.serverSet.add(a.server);
  }
  return [...m.values()].sort((a, b) => a.port - b.port).map(({ serverSet, ...s }) => ({ ...s, servers: serverSet.size }));
}

/** Attempts listed in a report, at most; more would make the report itself the problem. */
export const MAX_LISTED_ATTEMPTS = 20_000;

/**
 * The attempts a report lists, in frame order: all of them when few; otherwise the ones
 * endpoints cite and every unsuccessful one first, then established ones up to the cap.
 */
export function listedAttempts(all: readonly Attempt[], cited: readonly number[]): Attempt[] {
  if (all.length <= MAX_LISTED_ATTEMPTS) return [...all];
  const keep = new Set<number>();
  for (const i of cited) if (keep.size < MAX_LISTED_ATTEMPTS) keep.add(i);
  for (let i = 0; i < all.length && keep.size < MAX_LISTED_ATTEMPTS; i++) if (all[i]!.outcome !== 'established') keep.add(i);
  for (let i = 0; i < all.length && keep.size < MAX_LISTED_ATTEMPTS; i++) keep.add(i);
  return [...keep].sort((a, b) => a - b).map((i) => all[i]!);
}

/** Attempts detailed in a story; the rest are counted. */
const STORY_ATTEMPTS = 5;

/** The SYN schedules of a group of attempts, for the findings' text. */
export function story(all: readonly Attempt[]): AttemptStory {
  const last = all[all.length - 1]!;
  return {
    attempts: all.slice(0, STORY_ATTEMPTS).map((a) => ({ clientPort: a.clientPort, synFrames: a.synFrames, synOffsets: a.synOffsets, retrySeconds: a.retrySeconds })),
    attemptCount: all.length,
    synCount: all.reduce((n, a) => n + a.synFrames.length, 0),
    lastObservedSeconds: last.observedSeconds,
    lastRetransmissions: last.retransmissions,
  };
}

/** The SYNs of an attempt: the first, then each retransmission numbered and tied to it. */
export function synEvidence(r: AttemptRecord, role: 'syn' | 'epm-syn' = 'syn'): Evidence[] {
  const first = r.synFrames[0]!;
  return r.synFrames.map((frame, i): Evidence => (i === 0 || role === 'epm-syn'
    ? { frame, role, time: round(r.synTimes[i]!) }
    : { frame, role: 'syn-retransmission', time: round(r.synTimes[i]!), n: i, of: first }));
}

/** The answers to an attempt: SYN-ACKs, the completing ACK, RSTs, the ICMP refusal (as asked). */
export function answerEvidence(r: AttemptRecord, what: { synAck?: boolean; ack?: boolean; rst?: boolean; icmp?: boolean }): Evidence[] {
  const out: Evidence[] = [];
  if (what.synAck === true) r.synAckFrames.forEach((frame, i) => out.push({ frame, role: 'syn-ack', time: round(r.synAckTimes[i]!) }));
  if (what.ack === true && r.ackFrame !== null) out.push({ frame: r.ackFrame, role: 'ack', time: round(r.ackTime) });
  if (what.rst === true) r.rstFrames.forEach((frame, i) => out.push({ frame, role: 'rst', time: round(r.rstTimes[i]!) }));
  if (what.icmp === true && r.icmp !== null) out.push({ frame: r.icmp.frame, role: 'icmp-unreachable', time: round(r.icmpTime) });
  return out;
}
