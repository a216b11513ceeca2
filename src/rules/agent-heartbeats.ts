/**
 * Heartbeats: the silences in an agent's transmissions to its management server on 5723 longer
 * than the interval times the heartbeats the server lets it miss, judged against the agent's own
 * rhythm when that is regular and longer than the configured interval; then what the server's
 * ping during the silence shows (SCOM's two alerts: "Health Service Heartbeat Failure", and
 * "Failed to Connect to Computer" when the ping gets no reply).
 */
import type { HeartbeatSeries, HeartbeatSummary, Silence } from '../model/agent.js';
import { evidenceList, type AnyFindingFacts, type Evidence } from '../model/finding.js';
import type { RuleContext } from './context.js';
import { hasRole } from './agent-context.js';
import { round } from './derive.js';
import { maxOf } from '../model/lists.js';

/** Gaps needed to speak of a rhythm, and how close to their median half of them must lie. */
const RHYTHM_MIN_GAPS = 3;
const RHYTHM_TOLERANCE = 0.15;
/** A rhythm this much longer than the configured interval replaces it. */
const RHYTHM_LONGER = 1.2;
/** A ping is judged unanswered after this many seconds without a reply (Windows ping waits 4 s). */
const ECHO_WAIT = 4;

/** The agent's own interval when its gaps show one: the median of the gaps, if half of them lie within 15% of it. */
export function rhythmOf(gaps: readonly number[]): number | null {
  if (gaps.length < RHYTHM_MIN_GAPS) return null;
  const sorted = [...gaps].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  const near = sorted.filter((g) => Math.abs(g - median) <= median * RHYTHM_TOLERANCE).length;
  return near * 2 >= sorted.length ? median : null;
}

/** The interval a series is judged against, and its rhythm. */
function intervalOf(s: HeartbeatSeries, configured: number): { interval: number; rhythm: number | null } {
  const rhythm = rhythmOf(s.rhythmGaps);
  return { interval: rhythm !== null && rhythm > configured * RHYTHM_LONGER ? rhythm : configured, rhythm };
}

/** The silences of a series longer than interval x missed, the one up to the end of the capture included. */
function gapsOf(s: HeartbeatSeries, interval: number, missed: number, captureSeconds: number): (Silence & { open: boolean })[] {
  const bar = interval * missed;
  const out = s.silences.filter((x) => x.toTime - x.fromTime > bar).map((x) => ({ ...x, open: false }));
  if (captureSeconds - s.lastTime > bar) out.push({ fromFrame: s.lastFrame, fromTime: s.lastTime, toFrame: 0, toTime: captureSeconds, open: true });
  return out;
}

export function heartbeatRules(ctx: RuleContext): AnyFindingFacts[] {
  const a = ctx.agent;
  const o = ctx.obs.agent;
  if (a === null || o === null) return [];
  const { heartbeatIntervalSeconds: configured, missedHeartbeats: missedMax } = a.settings;
  const out: AnyFindingFacts[] = [];
  for (const s of o.heartbeats) {
    if (s.transmissions === 0) continue;
    const { interval, rhythm } = intervalOf(s, configured);
    for (const g of gapsOf(s, interval, missedMax, ctx.obs.captureSeconds)) {
      const silence = g.toTime - g.fromTime;
      const missed = g.open ? Math.floor(silence / interval) : Math.ceil(silence / interval) - 1;
      const ev: Evidence[] = [{ frame: g.fromFrame, role: 'transmission-before', time: round(g.fromTime) }];
      if (!g.open) ev.push({ frame: g.toFrame, role: 'transmission-after', time: round(g.toTime) });
      else if (o.lastFrame > g.fromFrame) ev.push({ frame: o.lastFrame, role: 'capture-end', time: round(ctx.obs.captureSeconds) });
      const base = { protocol: s.transport, client: s.agent, server: s.server, port: 5723, folded: null };
      out.push({
        ...base, id: 'HEARTBEAT_GAP', severity: 'error', ...evidenceList(ev), inferred: true,
        params: {
          transport: s.transport, intervalSeconds: round(interval), configuredIntervalSeconds: configured, rhythmSeconds: rhythm === null ? null : round(rhythm),
          threshold: missedMax, silenceSeconds: round(silence), missed, fromFrame: g.fromFrame, toFrame: g.open ? null : g.toFrame,
          captureEndFrame: g.open ? o.lastFrame : null, transmissions: s.transmissions,
        },
      });
      // The management server's ping during the silence (from this server, or another one of the group).
      const pings = o.echoes.filter((e) => e.to === s.agent && (e.from === s.server || hasRole(a, e.from, 'management-server') || hasRole(a, e.from, 'gateway')) && e.time > g.fromTime && e.time <= g.toTime);
      if (pings.length === 0) continue;
      const replies = pings.filter((e) => e.replyFrame !== null);
      const pingEv: Evidence[] = pings.flatMap((e): Evidence[] => [
        { frame: e.frame, role: 'echo-request', time: round(e.time) },
        ...(e.replyFrame !== null ? [{ frame: e.replyFrame, role: 'echo-reply' as const, time: round(e.replyTime) }] : []),
      ]);
      const silenceFacts = { silenceFromFrame: g.fromFrame, silenceSeconds: round(silence) };
      if (replies.length > 0) {
        out.push({
          ...base, id: 'AGENT_REACHABLE_NO_HEARTBEAT', severity: 'error', ...evidenceList([ev[0]!, ...pingEv]), inferred: false,
          params: { requests: pings.length, replies: replies.length, firstReplyFrame: replies[0]!.replyFrame!, ...silenceFacts },
        });
      } else if (pings.length > 1 || ctx.obs.captureSeconds - pings[0]!.time >= ECHO_WAIT) {
        out.push({
          ...base, id: 'AGENT_UNREACHABLE', severity: 'error', ...evidenceList([ev[0]!, ...pingEv]), inferred: false,
          params: { requests: pings.length, firstRequestFrame: pings[0]!.frame, ...silenceFacts },
        });
      }
    }
  }
  return out;
}

/** Each agent's heartbeats as the report lists them. */
export function heartbeatSummary(ctx: RuleContext): HeartbeatSummary[] {
  const a = ctx.agent;
  const o = ctx.obs.agent;
  if (a === null || o === null) return [];
  return o.heartbeats.filter((s) => s.transmissions > 0).map((s) => {
    const { interval, rhythm } = intervalOf(s, a.settings.heartbeatIntervalSeconds);
    const longest = Math.max(ctx.obs.captureSeconds - s.lastTime, maxOf(s.silences.map((x) => x.toTime - x.fromTime), 0), maxOf(s.rhythmGaps, 0));
    return {
      agent: s.agent, server: s.server, protocol: s.transport, transmissions: s.transmissions, firstFrame: s.firstFrame, lastFrame: s.lastFrame,
      intervalSeconds: round(interval), rhythmSeconds: rhythm === null ? null : round(rhythm), longestSilenceSeconds: round(longest),
      gaps: gapsOf(s, interval, a.settings.missedHeartbeats, ctx.obs.captureSeconds).length,
    };
  });
}
