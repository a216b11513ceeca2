/**
 * GTP-U version 1 (3GPP TS 29.281 §5.1 header, §5.2 extension headers). A G-PDU (message type
 * 255) carries a user packet (T-PDU), usually IP; other messages (echo, error indication, end
 * marker) carry none.
 */
import { EMPTY, u16be, u32be, u8 } from './bytes.js';
import { Status } from './status.js';

const HDR = 8;
/** Message type of a G-PDU (TS 29.281 §6.1, Table 6.1-1). */
export const GTPU_G_PDU = 255;
/** Flags of the first octet: extension header, sequence number, N-PDU number present. */
const E = 0x04;
const OPTIONAL = 0x07;

/** GTP-U header view; `payloadOff`..`payloadEnd` is the T-PDU of a G-PDU. */
export class GtpuView {
  private b: Uint8Array = EMPTY;
  private o = 0;
  payloadOff = 0;
  payloadEnd = 0;

  wrap(b: Uint8Array, off: number, end: number): Status {
    if (end - off < HDR) return Status.Truncated;
    const flags = u8(b, off);
    // §5.1: version 1, protocol type 1 (PT 0 is GTP', a charging protocol, not user traffic).
    if (flags >>> 5 !== 1 || (flags & 0x10) === 0) return Status.Malformed;
    // Length counts the octets after the mandatory 8, optional fields and extensions included.
    const declared = off + HDR + u16be(b, off + 2);
    const limit = declared < end ? declared : end;
    let o = off + HDR;
    if ((flags & OPTIONAL) !== 0) {
      if (o + 4 > limit) return declared > end ? Status.Truncated : Status.Malformed;
      let next = (flags & E) !== 0 ? u8(b, o + 3) : 0;
      o += 4;
      // §5.2: each extension header gives its length in 4-octet units (0 is invalid) and ends
      // with the type of the next one, 0 for none. Every step advances at least 4 octets.
      while (next !== 0) {
        if (o + 1 > limit) return declared > end ? Status.Truncated : Status.Malformed;
        const len = u8(b, o) * 4;
        if (len === 0) return Status.Malformed;
        if (o + len > limit) return declared > end ? Status.Truncated : Status.Malformed;
        next = u8(b, o + len - 1);
        o += len;
      }
    }
    this.b = b;
    this.o = off;
    this.payloadOff = o;
    this.payloadEnd = limit;
    return Status.Ok;
  }

  /** Message type (255: G-PDU). */
  get messageType(): number { return u8(this.b, this.o + 1); }
  /** Tunnel endpoint identifier. */
  get teid(): number { return u32be(this.b, this.o + 4); }
}
