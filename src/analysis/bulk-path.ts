/**
 * The bulk path. Most frames of a large capture are data and ACK segments of conversations
 * already under way, which no analyzer needs to see: they are only counted. For such a frame
 * this path does exactly what the dissector, the frame counters and the conversation table
 * would do together, reading the headers in one pass (wire/plain-segment.ts) instead of filling
 * a PacketInfo through views: on the 1 GiB benchmark that was most of the per-frame cost.
 *
 * Any other frame returns false and takes the general path: another link or network layer, a
 * fragment, SYN, FIN or RST, a malformed or cut header, a conversation not seen yet, and every
 * segment an analyzer asked for (conversations.ts `plainSegment`: a marked conversation, payload
 * on a port of interest or recognised by a probe). This module names no protocol above TCP.
 * Whole reports are identical with and without this path (test/unit/analysis/bulk-path.test.ts).
 */
import type { CaptureRecord } from '../capture/reader.js';
import { IpProto, TcpFlag } from '../wire/constants.js';
import { PlainSegment, plainSegment } from '../wire/plain-segment.js';
import type { CaptureCounters } from './capture-stats.js';
import type { ConversationTable } from './conversations.js';

const CONTROL = TcpFlag.SYN | TcpFlag.FIN | TcpFlag.RST;

export class BulkPath {
  private readonly seg = new PlainSegment();

  constructor(private readonly counters: CaptureCounters, private readonly conversations: ConversationTable) {}

  /** Accounts for `r` and returns true, or returns false having changed nothing. */
  take(r: CaptureRecord): boolean {
    const s = this.seg;
    if (!r.isPacket || !plainSegment(r.buf, r.off, r.off + r.capLen, r.linkType, s) || (s.flags & CONTROL) !== 0) return false;
    const t = this.conversations;
    const hit = t.flows.lookup(r.buf, s.srcOff, s.dstOff, s.ipVersion === 4 ? 4 : 16, s.srcPort, s.dstPort, IpProto.TCP, false);
    if (hit.id < 0) return false;
    if (!t.plainSegment(hit.id, hit.dir, r, s.srcPort, s.dstPort, s.payloadOff, s.payloadLen, s.payloadCaptured)) return false;
    this.counters.addPlainSegment(r, s.ipVersion);
    return true;
  }
}
