/**
 * The second pass over a capture file for `--evidence`: reads it again from the start (files
 * only: a stream cannot be read twice), keeps the selected frames' bytes in a spool (memory,
 * then an unlinked temporary file: memory stays bounded however many frames are kept), and
 * stops after the last frame wanted. An endpoint answer that came in several TCP segments is
 * kept whole: the segments before the answer's last one, back to the one that starts the
 * response (a DCE/RPC response header with PFC_FIRST_FRAG), are kept with it.
 */
import { openCapture } from '../capture/open.js';
import { forEachRecord, type CaptureRecord } from '../capture/reader.js';
import { Spool } from '../capture/spool.js';
import { Dissector } from '../dissect/dissector.js';
import { L4 } from '../dissect/packet-info.js';
import type { ReadProblem } from '../model/read-problem.js';
import { commentLine, type EvidenceSelection } from './select.js';

/** One kept frame: where its bytes are in the spool, and what the evidence file says of it. */
export interface KeptFrame {
  frame: number;
  tsSec: number;
  tsNsec: number;
  linkType: number;
  origLen: number;
  capLen: number;
  /** Offset of the bytes in the spool. */
  at: number;
  comments: string[];
  /** The capture's own packet comment, if any. */
  original: string | null;
}

/** Kept frames in frame order, their bytes in `spool`. */
export interface ExtractedEvidence {
  frames: KeptFrame[];
  spool: Spool;
  /** Why reading stopped early, if it did. */
  problem: ReadProblem | null;
}

/** Thrown to stop reading after the last frame wanted. */
const STOP = new Error('evidence: past the last frame wanted');

/** Segments remembered per direction of an answer's conversation, at most, to find the PDU's start. */
const RING = 32;
/** Directions remembered at once, at most (the least recently used is forgotten). */
const MAX_DIRECTIONS = 256;

interface Segment {
  frame: number;
  seq: number;
  len: number;
  /** A DCE/RPC response (or fault) header with PFC_FIRST_FRAG starts the payload. */
  firstFrag: boolean;
  bytes: Uint8Array;
  rec: Omit<KeptFrame, 'at' | 'comments' | 'original'> & { original: string | null };
}

/** C706 §12.6.3.1: rpc_vers 5, minor 0/1, ptype response (2) or fault (3), pfc_flags bit 0 first fragment. */
function startsResponse(b: Uint8Array, o: number, len: number): boolean {
  return len >= 16 && b[o] === 5 && (b[o + 1] === 0 || b[o + 1] === 1) && (b[o + 2] === 2 || b[o + 2] === 3) && (b[o + 3]! & 0x01) !== 0;
}

export async function extractEvidence(path: string, sel: EvidenceSelection): Promise<ExtractedEvidence> {
  const spool = new Spool();
  const frames: KeptFrame[] = [];
  const kept = new Set<number>();
  const opened = await openCapture(path);
  if (!('reader' in opened)) return { frames, spool, problem: opened };
  const dissector = new Dissector();
  const rings = new Map<string, Segment[]>();
  const keep = (r: Pick<Segment['rec'], 'frame' | 'tsSec' | 'tsNsec' | 'linkType' | 'origLen' | 'capLen' | 'original'>, bytes: Uint8Array, comments: string[]): void => {
    if (kept.has(r.frame)) return;
    kept.add(r.frame);
    frames.push({ ...r, at: spool.size, comments });
    spool.append(bytes, 0, bytes.length);
  };
  const meta = (r: CaptureRecord): Segment['rec'] => ({ frame: r.frame, tsSec: r.tsSec, tsNsec: r.tsNsec, linkType: r.linkType, origLen: r.origLen, capLen: r.capLen, original: r.comment });
  try {
    await forEachRecord(opened.reader, opened.win, (r) => {
      if (r.frame > sel.last) throw STOP;
      if (!r.isPacket) return;
      const wanted = sel.comments.get(r.frame);
      const answer = sel.answers.get(r.frame);
      // Segments of the conversations answers come on, remembered in case an answer spans them.
      let seg: Segment | null = null;
      let key = '';
      if (sel.answerPairs.size > 0) {
        const p = dissector.dissect(r);
        if (p.isPacket && p.l4 === L4.TCP && p.payloadCaptured > 0 && p.fragment === 0 && sel.answerPairs.has(`${p.srcText()}|${p.dstText()}`)) {
          key = `${p.srcText()}:${p.srcPort}>${p.dstText()}:${p.dstPort}`;
          seg = { frame: r.frame, seq: p.seq, len: p.payloadLen, firstFrag: startsResponse(p.buf, p.payloadOff, p.payloadCaptured), bytes: r.buf.slice(r.off, r.off + r.capLen), rec: meta(r) };
        }
      }
      if (answer !== undefined && seg !== null) {
        // Walk back over contiguous earlier segments to the one that starts the response.
        const ring = rings.get(key) ?? [];
        const chain: Segment[] = [];
        let cur = seg;
        while (!cur.firstFrag) {
          const prev = ring.find((s) => ((s.seq + s.len) >>> 0) === cur.seq && s.frame < cur.frame);
          if (prev === undefined || chain.length >= RING) break;
          chain.unshift(prev);
          cur = prev;
        }
        // Only a chain that reaches a response's start is the PDU; otherwise the answer stands alone.
        if (cur.firstFrag) {
          for (const s of chain) {
            const lines = sel.comments.get(s.frame) ?? [];
            for (const id of answer) lines.push(commentLine(id, `segment of the endpoint answer completed in frame ${r.frame}`, s.frame));
            keep(s.rec, s.bytes, lines);
          }
        }
      }
      if (wanted !== undefined) keep(meta(r), r.buf.subarray(r.off, r.off + r.capLen), wanted);
      if (seg !== null) {
        let ring = rings.get(key);
        if (ring === undefined) {
          if (rings.size >= MAX_DIRECTIONS) rings.delete(rings.keys().next().value!);
          ring = [];
        } else {
          rings.delete(key);
        }
        rings.set(key, ring);
        ring.push(seg);
        if (ring.length > RING) ring.shift();
      }
    });
  } catch (e) {
    if (e !== STOP) throw e;
  } finally {
    opened.close();
  }
  frames.sort((a, b) => a.frame - b.frame);
  const problem = opened.reader.problems.find((p) => p.severity === 'error') ?? null;
  return { frames, spool, problem };
}
