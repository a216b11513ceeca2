/**
 * Host pairs the capture saw one way only: one side sends data and nothing at all comes back.
 * Concluded from the conversation table after the last frame, in two passes: first the
 * conversations that are one-sided themselves (data one way, no packet the other), then, for
 * their host pairs only, whether any conversation carried a packet back. Nothing is kept per
 * conversation; the host pairs are bounded (`pairs(max)`), so a flood of conversations from as
 * many hosts costs bounded memory here, and the pairs not kept are counted.
 */
import type { FrameAt, OneSidedPair } from '../../model/observations.js';
import type { AnalysisContext, Analyzer } from '../analyzer.js';

/** First frames kept per one-sided pair. */
const FRAMES = 10;

export class OneSidedAnalyzer implements Analyzer {
  readonly name = 'one-sided';
  private ctx!: AnalysisContext;
  /** Host pairs past `max` that `pairs` did not keep, and the first frame of the first of them. */
  notKept = 0;
  firstNotKept: FrameAt | null = null;

  attach(ctx: AnalysisContext): void {
    this.ctx = ctx;
  }

  /** The one-sided host pairs, at most `max` of them (the first seen). */
  pairs(max = Number.POSITIVE_INFINITY): OneSidedPair[] {
    const t = this.ctx.conversations;
    const candidates = new Map<string, { sender: string; receiver: string; frames: FrameAt[] }>();
    t.forEach((id, pkts0, pkts1, data0, data1, firstFrame, firstTime) => {
      if (!((data0 > 0 && pkts1 === 0) || (data1 > 0 && pkts0 === 0))) return;
      const d: 0 | 1 = data0 > 0 && pkts1 === 0 ? 0 : 1;
      const from = t.flows.address(id, d);
      const to = t.flows.address(id, d === 0 ? 1 : 0);
      const k = `${from}>${to}`;
      let c = candidates.get(k);
      if (c === undefined) {
        if (candidates.size >= max) {
          if (this.notKept++ === 0) this.firstNotKept = { frame: firstFrame, time: firstTime };
          return;
        }
        candidates.set(k, (c = { sender: from, receiver: to, frames: [] }));
      }
      if (c.frames.length < FRAMES) c.frames.push({ frame: firstFrame, time: firstTime });
    });
    if (candidates.size === 0) return [];
    const answered = new Set<string>();
    t.forEach((id, pkts0, pkts1) => {
      for (const d of [0, 1] as const) {
        if ((d === 0 ? pkts0 : pkts1) === 0) continue;
        const k = `${t.flows.address(id, d === 0 ? 1 : 0)}>${t.flows.address(id, d)}`;
        if (candidates.has(k)) answered.add(k);
      }
    });
    const out = new Map<string, OneSidedPair>();
    for (const [k, c] of candidates) {
      if (answered.has(k)) continue;
      const pair = c.sender < c.receiver ? `${c.sender}|${c.receiver}` : `${c.receiver}|${c.sender}`;
      out.set(pair, c);
    }
    return [...out.values()];
  }
}
