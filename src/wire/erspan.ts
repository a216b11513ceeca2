/**
 * ERSPAN headers after GRE (draft-foschiano-erspan-03; Wireshark packet-erspan.c). Type I
 * (GRE 0x88be without a sequence number) has no header of its own: the mirrored Ethernet frame
 * follows GRE directly, and there is no view for it. Types II and III carry a version in their
 * first four bits: 1 for type II (8 bytes), 2 for type III (12 bytes, then an 8-byte platform
 * specific subheader when the O bit is set).
 */
import { EMPTY, u16be, u8 } from './bytes.js';
import { Status } from './status.js';

/** ERSPAN header versions (the first four bits). */
export const ErspanVersion = { TYPE_II: 1, TYPE_III: 2 } as const;

/** Type III frame types (FT): what follows the header. Only Ethernet is decoded, as Wireshark does. */
export const ErspanFrameType = { ETHERNET: 0, IP: 2 } as const;

const TYPE_II_HDR = 8;
const TYPE_III_HDR = 12;
const PLATFORM_SUBHEADER = 8;

/** ERSPAN type II / III header view. */
export class ErspanView {
  private b: Uint8Array = EMPTY;
  private o = 0;
  /** 1 (type II) or 2 (type III). */
  version = 0;
  /** Frame type of type III (0 Ethernet, 2 IP); 0 for type II, which carries Ethernet only. */
  frameType = 0;
  payloadOff = 0;

  wrap(b: Uint8Array, off: number, end: number): Status {
    if (end - off < 2) return Status.Truncated;
    const version = u8(b, off) >>> 4;
    let len: number;
    let frameType = 0;
    if (version === ErspanVersion.TYPE_II) {
      len = TYPE_II_HDR;
    } else if (version === ErspanVersion.TYPE_III) {
      if (end - off < TYPE_III_HDR) return Status.Truncated;
      const w = u16be(b, off + 10);
      frameType = (w >>> 10) & 0x1f;
      // The O bit (the last bit of the header) announces the platform specific subheader.
      len = TYPE_III_HDR + ((w & 1) !== 0 ? PLATFORM_SUBHEADER : 0);
    } else {
      // Wireshark stops at another version too ("unknown version").
      return Status.Malformed;
    }
    if (end - off < len) return Status.Truncated;
    this.b = b;
    this.o = off;
    this.version = version;
    this.frameType = frameType;
    this.payloadOff = off + len;
    return Status.Ok;
  }

  /** The VLAN of the mirrored frame's source port (12 bits). */
  get vlan(): number { return u16be(this.b, this.o) & 0x0fff; }
  /** The ERSPAN session (10 bits). */
  get sessionId(): number { return u16be(this.b, this.o + 2) & 0x03ff; }
}

