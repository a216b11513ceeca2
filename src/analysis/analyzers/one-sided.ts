/**
 * Host pairs the capture saw one way only: one side sends data and nothing at all comes back.
 * Concluded from the conversation table after the last frame, in two passes: first the
 * conversations that are one-sided themselves (data one way, no packet the other), then, for
 * their host pairs only, whether any conversation carried a packet back. Nothing is kept per
 * conversation, so a flood of conversations costs no memory here.
 */
import type { FrameAt, OneSidedPair } from '../../model/observations.js';
import type { AnalysisContext, Analyzer } from '../analyzer.js';

/** First frames kept per one-sided pair. */
const FRAMES = 10;

export class OneSidedAnalyzer implements Analyzer {
  readonly name = 'one-sided';
  private ctx!: AnalysisContext;

  attach(ctx: AnalysisContext): void {
    this.ctx = ctx;
  }

  pairs(): OneSidedPair[] {
    const t = this.ctx.conversations;
    const candidates = new Map<string, { sender: string; receiver: string; frames: FrameAt[] }>();
    t.forEach((id, pkts0, pkts1, data0, data1, firstFrame, firstTime) => {
      if (!((data0 > 0 && pkts1 === 0) || (data1 > 0 && pkts0 === 0))) return;
      const d: 0 | 1 = data0 > 0 && pkts1 === 0 ? 0 : 1;
      const from = t.flows.address(id, d);
      const to = t.flows.address(id, d === 0 ? 1 : 0);
      const k = `${from}>${to}`;
      let c = candidates.get(k);
      if (c === undefined) candidates.set(k, (c = { sender: from, receiver: to, frames: [] }));
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
