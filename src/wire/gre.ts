/**
 * GRE (RFC 2784 §2, key and sequence number of RFC 2890 §2, routing of RFC 1701 §2) and the
 * enhanced GRE of PPTP (version 1, RFC 2637 §4.1). The protocol type names the payload with an
 * EtherType; ERSPAN (0x88be, 0x22eb) and PPP (0x880b) have their own values.
 */
import { EMPTY, u16be, u8 } from './bytes.js';
import { Status } from './status.js';

const BASE = 4;
/** Flag bits of the first byte (RFC 1701 §2.1). */
const C = 0x80;
const R = 0x40;
const K = 0x20;
const S = 0x10;
/** Acknowledgment present, second byte, version 1 only (RFC 2637 §4.1). */
const A = 0x80;

/** GRE header view. */
export class GreView {
  private b: Uint8Array = EMPTY;
  private o = 0;
  /** 0 (RFC 2784) or 1 (PPTP). */
  version = 0;
  /** True when a sequence number is present: tells ERSPAN type II (present) from type I. */
  sequencePresent = false;
  /** Where the payload starts, and where it ends (version 1: by its payload length). */
  payloadOff = 0;
  payloadEnd = 0;

  wrap(b: Uint8Array, off: number, end: number): Status {
    if (end - off < BASE) return Status.Truncated;
    const flags = u8(b, off);
    const version = u8(b, off + 1) & 0x07;
    let o = off + BASE;
    this.payloadEnd = end;
    if (version === 0) {
      // RFC 1701 §2.1: checksum and offset are both present when either C or R is set.
      if ((flags & (C | R)) !== 0) o += 4;
      if ((flags & K) !== 0) o += 4;
      if ((flags & S) !== 0) o += 4;
      if (o > end) return Status.Truncated;
      if ((flags & R) !== 0) {
        // RFC 1701 §2.2.7: Source Route Entries until one with address family 0 and length 0;
        // each is at least 4 bytes, so the walk advances.
        for (;;) {
          if (o + 4 > end) return Status.Truncated;
          const family = u16be(b, o);
          const len = u8(b, o + 3);
          o += 4 + len;
          if (family === 0 && len === 0) break;
        }
        if (o > end) return Status.Truncated;
      }
    } else if (version === 1) {
      // RFC 2637 §4.1: the key is always present (payload length, call id); C, R, s, Recur are 0.
      if ((flags & K) === 0 || (flags & (C | R)) !== 0) return Status.Malformed;
      o += 4;
      if ((flags & S) !== 0) o += 4;
      if ((u8(b, off + 1) & A) !== 0) o += 4;
      if (o > end) return Status.Truncated;
      const len = u16be(b, off + 4);
      if (o + len < end) this.payloadEnd = o + len;
    } else {
      return Status.Malformed;
    }
    this.b = b;
    this.o = off;
    this.version = version;
    this.sequencePresent = (flags & S) !== 0;
    this.payloadOff = o;
    return Status.Ok;
  }

  /** The payload's EtherType (RFC 2784 §2.4). */
  get protocol(): number { return u16be(this.b, this.o + 2); }
}
