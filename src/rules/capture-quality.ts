/**
 * How far the capture itself can be trusted: one direction missing, payload cut by the
 * snaplen, packets recorded twice, only control packets, state bounds reached.
 */
import type { AnyFindingFacts, Evidence } from '../model/finding.js';
import { evidenceList } from '../model/finding.js';
import type { RuleContext } from './context.js';
import { round } from './derive.js';

/** A snaplen below this many bytes cuts every endpoint-mapper answer. */
const SHORT_SNAPLEN = 256;

export function captureQualityRules(ctx: RuleContext): AnyFindingFacts[] {
  const out: AnyFindingFacts[] = [];
  const o = ctx.obs;
  const none = { inferred: false, folded: null };
  for (const p of ctx.oneSided.values()) {
    out.push({
      id: 'ONE_SIDED_CAPTURE', severity: 'warning', protocol: null, client: p.sender, server: p.receiver, port: null,
      ...evidenceList(p.frames.map((f): Evidence => ({ frame: f.frame, role: 'one-way-data', time: round(f.time) }))), ...none, params: {},
    });
  }
  const s = o.segments;
  if (o.rpc.payloadCut > 0 || (o.snaplen > 0 && o.snaplen < SHORT_SNAPLEN && s.payloadCut > 0)) {
    out.push({
      id: 'SNAPLEN_TOO_SMALL', severity: 'warning', protocol: 'tcp', client: null, server: null, port: null,
      ...evidenceList(s.cutExamples.map((f): Evidence => ({ frame: f.frame, role: 'snaplen-cut', time: round(f.time) }))), ...none,
      params: { snaplen: o.snaplen, payloadCut: s.payloadCut, rpcPayloadCut: o.rpc.payloadCut },
    });
  }
  const c = o.copies;
  if (c.copies > 0) {
    // The example of copies at one point, when there is one (forwarding copies have their own).
    const first = c.examples.find((x) => !x.forwarded) ?? c.examples[0]!;
    out.push({
      id: 'DUPLICATE_PACKETS', severity: 'info', protocol: null, client: null, server: null, port: null,
      ...evidenceList(c.examples.flatMap((x): Evidence[] => [
        { frame: x.copy.frame, role: x.forwarded ? 'forwarding-copy' : 'capture-copy', time: round(x.copy.time), of: x.original.frame },
        { frame: x.original.frame, role: 'copied-frame', time: round(x.original.time) },
      ])), ...none,
      params: {
        copies: c.copies, example: [first.copy.frame, first.original.frame], forwarded: c.forwarded,
        forwardedExample: ((x) => (x === undefined ? null : [x.copy.frame, x.original.frame] as [number, number]))(c.examples.find((x) => x.forwarded)),
      },
    });
  }
  // Only a filter explains established connections without a byte of payload, one of them to 135 or several.
  const established = ctx.attempts.filter((a) => a.outcome === 'established').length;
  if (s.payload === 0 && (established >= 3 || ctx.attempts.some((a) => a.serverPort === 135 && a.outcome === 'established'))) {
    out.push({
      id: 'CONTROL_PACKETS_ONLY', severity: 'info', protocol: 'tcp', client: null, server: null, port: null,
      evidence: [], evidenceTotal: 0, ...none, params: { tcpSegments: s.segments, established },
    });
  }
  return out;
}

/** Reading stopped before the end of the file: the verdicts cannot speak for what follows. */
export function readStopRules(ctx: RuleContext): AnyFindingFacts[] {
  const s = ctx.obs.readStop;
  if (s === null || s.frames === 0) return [];
  return [{
    id: 'CAPTURE_INCOMPLETE', severity: 'warning', protocol: null, client: null, server: null, port: null,
    ...evidenceList(s.lastFrame === null ? [] : [{ frame: s.lastFrame.frame, role: 'last-frame-read', time: round(s.lastFrame.time) }]), inferred: false, folded: null,
    params: { frames: s.frames, offset: s.offset, code: s.code, message: s.message },
  }];
}

/** Frames that go back in time: traces joined in file order, or a clock set back. */
export function clockRules(ctx: RuleContext): AnyFindingFacts[] {
  const c = ctx.obs.clock;
  if (c.backJumps === 0) return [];
  return [{
    id: 'TIMESTAMPS_OUT_OF_ORDER', severity: 'warning', protocol: null, client: null, server: null, port: null,
    ...evidenceList([{ frame: c.firstJumpFrame, role: 'time-jump', time: round(c.firstJumpTime) }]), inferred: false, folded: null,
    params: { jumps: c.backJumps, largestSeconds: round(c.largestJump) },
  }];
}

/**
 * The memory budget or a bound on per-capture state was reached: one finding per kind of state,
 * saying what was counted rather than kept, and from which frame.
 */
export function stateLimitRules(ctx: RuleContext): AnyFindingFacts[] {
  const l = ctx.obs.limits;
  const b = ctx.obs.budget;
  const budgetMiB = Math.round((b.limitBytes / (1024 * 1024)) * 100) / 100;
  const tcp = {
    trackedAttempts: l.trackedAttempts, untrackedSyns: l.untrackedSyns, untrackedPackets: l.untrackedPackets,
    maxAttempts: l.maxAttempts, maxConversations: l.maxConversations, topPorts: l.topPorts,
  };
  const none = { trackedAttempts: 0, untrackedSyns: 0, untrackedPackets: 0, maxAttempts: 0, maxConversations: 0, topPorts: [] };
  const out: AnyFindingFacts[] = [];
  const base = { id: 'STATE_LIMIT_REACHED', severity: 'warning', client: null, server: null, port: null, inferred: false, folded: null } as const;
  if (l.untrackedSyns > 0) {
    const first = l.examples[0]!;
    out.push({
      ...base, protocol: 'tcp',
      ...evidenceList(l.examples.map((f): Evidence => ({ frame: f.frame, role: 'untracked-syn', time: round(f.time) }))),
      params: { kind: 'attempts', budgetMiB, notKept: l.untrackedSyns, released: 0, fromFrame: first.frame, ...tcp },
    });
  }
  if (l.untrackedPackets > 0 && l.firstUntracked !== null) {
    const f = l.firstUntracked;
    out.push({
      ...base, protocol: 'tcp', ...evidenceList([{ frame: f.frame, role: 'state-dropped', time: round(f.time) }]),
      params: { kind: 'conversations', budgetMiB, notKept: l.untrackedPackets, released: 0, fromFrame: f.frame, ...tcp },
    });
  }
  for (const a of b.accounts) {
    // Findings are counted where the report's list is capped (rules/index.ts capFindings).
    if (a.kind === 'attempts' || a.kind === 'conversations' || a.kind === 'findings') continue;
    out.push({
      ...base, protocol: a.kind === 'ip-fragments' ? null : 'tcp', ...evidenceList([{ frame: a.fromFrame, role: 'state-dropped', time: round(a.fromTime) }]),
      params: { kind: a.kind, budgetMiB, notKept: a.notKept, released: a.released, fromFrame: a.fromFrame, ...none },
    });
  }
  return out;
}
