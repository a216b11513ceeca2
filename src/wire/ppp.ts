/**
 * PPP as it arrives in captures: inside PPPoE sessions (RFC 2516 §4 header, §7 a two-byte
 * protocol field and no address/control), and inside PPTP's enhanced GRE (RFC 2637 §4.1), where
 * the HDLC-like address and control bytes (RFC 1662 §3.1) and protocol field compression
 * (RFC 1661 §6.5) may appear.
 */
import { EMPTY, u16be, u8 } from './bytes.js';
import { Status } from './status.js';

const PPPOE_HDR = 6;
/** RFC 2516 §4: VER 1 and TYPE 1 in one byte. */
const PPPOE_VER_TYPE = 0x11;

/** PPPoE session header view; `payloadOff`..`payloadEnd` is the PPP frame (protocol first). */
export class PppoeView {
  private b: Uint8Array = EMPTY;
  private o = 0;
  payloadOff = 0;
  payloadEnd = 0;

  wrap(b: Uint8Array, off: number, end: number): Status {
    if (end - off < PPPOE_HDR) return Status.Truncated;
    if (u8(b, off) !== PPPOE_VER_TYPE) return Status.Malformed;
    // LENGTH bounds the payload: Ethernet padding after a short PPP frame is not part of it.
    const declared = off + PPPOE_HDR + u16be(b, off + 4);
    this.b = b;
    this.o = off;
    this.payloadOff = off + PPPOE_HDR;
    this.payloadEnd = declared < end ? declared : end;
    return Status.Ok;
  }

  /** The PPPoE code (0 for session data). */
  get code(): number { return u8(this.b, this.o + 1); }
  get sessionId(): number { return u16be(this.b, this.o + 2); }
}

/** PPP frame view: the protocol field and where the information field starts. */
export class PppView {
  /** PPP protocol (PppProto); values of 0x8000 and above are control protocols (RFC 1661 §2). */
  protocol = 0;
  payloadOff = 0;

  /** `hdlc`: address/control bytes may come first (PPTP), not in PPPoE (RFC 2516 §7). */
  wrap(b: Uint8Array, off: number, end: number, hdlc: boolean): Status {
    let o = off;
    if (hdlc && end - o >= 2 && u8(b, o) === 0xff && u8(b, o + 1) === 0x03) o += 2;
    if (end - o < 1) return Status.Truncated;
    // RFC 1661 §2: protocol values are odd in their last byte and even in the first, so an odd
    // first byte is a compressed one-byte field (§6.5).
    if ((u8(b, o) & 1) !== 0) {
      this.protocol = u8(b, o);
      this.payloadOff = o + 1;
      return Status.Ok;
    }
    if (end - o < 2) return Status.Truncated;
    this.protocol = u16be(b, o);
    this.payloadOff = o + 2;
    return Status.Ok;
  }
}
