/**
 * Geneve (RFC 8926 §3.4): an 8-byte header, then Opt Len 4-byte words of options, then the
 * payload named by an EtherType (0x6558 for an Ethernet frame).
 */
import { EMPTY, u16be, u8 } from './bytes.js';
import { Status } from './status.js';

const HDR = 8;

/** Geneve header view. */
export class GeneveView {
  private b: Uint8Array = EMPTY;
  private o = 0;
  payloadOff = 0;

  wrap(b: Uint8Array, off: number, end: number): Status {
    if (end - off < HDR) return Status.Truncated;
    const first = u8(b, off);
    // RFC 8926 §3.4: version 0; a receiver drops other versions.
    if (first >>> 6 !== 0) return Status.Malformed;
    const len = HDR + (first & 0x3f) * 4;
    if (end - off < len) return Status.Truncated;
    this.b = b;
    this.o = off;
    this.payloadOff = off + len;
    return Status.Ok;
  }

  /** The payload's EtherType (Protocol Type). */
  get protocol(): number { return u16be(this.b, this.o + 2); }
  /** The 24-bit virtual network identifier. */
  get vni(): number { return (u8(this.b, this.o + 4) << 16) | (u8(this.b, this.o + 5) << 8) | u8(this.b, this.o + 6); }
}
