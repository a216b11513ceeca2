/**
 * The evidence file: pcapng (draft-ietf-opsawg-pcapng) with one section per input capture, one
 * interface per link type, the kept frames in their original order with their original
 * timestamps (nanoseconds) and lengths, each with packet comments naming the findings it backs,
 * its role and its original frame number. Frames may be rewritten on the way (redaction).
 */
import { PcapngWriter, type PcapngInterface } from '../capture/writer.js';
import { LINK_TYPE_NAMES } from '../wire/constants.js';
import type { ExtractedEvidence, KeptFrame } from './extract.js';
import { maxOf } from '../model/lists.js';

/** Rewrites one frame's bytes (same length) before it is written; redaction plugs in here. */
export interface FrameRewriter {
  rewrite(bytes: Uint8Array, f: KeptFrame): Uint8Array;
  /** A packet comment from the capture, as it may be shown. */
  comment(text: string): string;
}

/** Writes evidence sections to `out`, one per input file. */
export class EvidenceWriter {
  private readonly w = new PcapngWriter();
  constructor(private readonly out: { write(b: Uint8Array): void }, private readonly tool: string) {}

  /** One input's section: its frames (bytes from the spool), or an empty section saying there were none. */
  section(name: string, ev: ExtractedEvidence, rewriter: FrameRewriter | null): number {
    const linkTypes = [...new Set(ev.frames.map((f) => f.linkType))];
    const interfaces: PcapngInterface[] = linkTypes.map((lt) => ({
      linkType: lt, snaplen: 0, tsresol: { base: 10, exp: 9 }, name: `evidence ${LINK_TYPE_NAMES[lt] ?? `LINKTYPE ${lt}`}`,
    }));
    const comment = `rpctrace evidence from ${name}: ${ev.frames.length} frame(s) that back the findings, in their original order and with their original times; each packet comment names the finding, the frame's role and its original frame number.`;
    this.out.write(this.w.section({ interfaces, userAppl: this.tool, comment }));
    const buf = new Uint8Array(maxOf(ev.frames.map((f) => f.capLen), 0));
    for (const f of ev.frames) {
      const n = ev.spool.readAt(buf, 0, f.capLen, f.at);
      let data: Uint8Array = buf.slice(0, n);
      if (rewriter !== null) data = rewriter.rewrite(data, f);
      const original = f.original === null ? [] : [`capture comment: ${rewriter !== null ? rewriter.comment(f.original) : f.original}`];
      this.out.write(this.w.add({
        tsSec: f.tsSec, tsNsec: f.tsNsec, data, origLen: Math.max(f.origLen, data.length), interfaceId: linkTypes.indexOf(f.linkType),
        comments: [...f.comments, ...original],
      }));
    }
    return ev.frames.length;
  }
}
