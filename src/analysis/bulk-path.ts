/**
 * The bulk path. Most frames of a large capture are data and ACK segments of conversations
 * already under way, which the analyses only count. For such a frame this path does exactly
 * what the dissector, the capture counters and the connection engine would do together, reading
 * the headers in one pass (wire/plain-segment.ts) instead of filling a PacketInfo through views:
 * on the 1 GiB benchmark that was most of the per-frame cost, and most of the time V8 spends
 * compiling before the loop runs at full speed.
 *
 * Any other frame returns false and takes the general path: another link or network layer, a
 * fragment, SYN, FIN or RST, a malformed or cut header, a conversation not seen yet, and any
 * payload on TCP 135, of a DCE/RPC conversation, or that starts like a DCE/RPC header. Whole
 * reports are identical with and without this path (test/unit/analysis/bulk-path.test.ts).
 */
import type { CaptureRecord } from '../capture/reader.js';
import { TcpFlag } from '../wire/constants.js';
import { PlainSegment, plainSegment } from '../wire/plain-segment.js';
import type { CaptureCounters } from './capture-stats.js';
import type { ConnectionTracker } from './connections.js';

const CONTROL = TcpFlag.SYN | TcpFlag.FIN | TcpFlag.RST;

export class BulkPath {
  private readonly seg = new PlainSegment();

  constructor(private readonly counters: CaptureCounters, private readonly engine: ConnectionTracker) {}

  /** Accounts for `r` and returns true, or returns false having changed nothing. */
  take(r: CaptureRecord): boolean {
    const s = this.seg;
    if (!r.isPacket || !plainSegment(r.buf, r.off, r.off + r.capLen, r.linkType, s) || (s.flags & CONTROL) !== 0) return false;
    const hit = this.engine.flows.lookup(r.buf, s.srcOff, s.dstOff, s.ipVersion === 4 ? 4 : 16, s.srcPort, s.dstPort, false);
    if (hit.id < 0) return false;
    if (!this.engine.plainSegment(hit.id, hit.dir, r, s.flags, s.srcPort, s.dstPort, s.payloadOff, s.payloadLen, s.payloadCaptured)) return false;
    this.counters.addPlainSegment(r, s.ipVersion);
    return true;
  }
}
