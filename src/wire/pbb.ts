/**
 * IEEE 802.1ah provider backbone bridging (802.1Q-2018 §9.7, the I-TAG): after EtherType
 * 0x88e7, a 4-byte tag control field (priority, drop eligible, use customer addresses, and the
 * 24-bit service instance id), then the customer's whole Ethernet frame (addresses, its own
 * tags, EtherType).
 */
import { EMPTY, u8 } from './bytes.js';
import { Status } from './status.js';

const ITAG = 4;

/** I-TAG view; `payloadOff` is the customer frame's destination address. */
export class PbbView {
  private b: Uint8Array = EMPTY;
  private o = 0;
  payloadOff = 0;

  wrap(b: Uint8Array, off: number, end: number): Status {
    if (end - off < ITAG) return Status.Truncated;
    this.b = b;
    this.o = off;
    this.payloadOff = off + ITAG;
    return Status.Ok;
  }

  /** Backbone service instance identifier (I-SID, 24 bits). */
  get isid(): number { return (u8(this.b, this.o + 1) << 16) | (u8(this.b, this.o + 2) << 8) | u8(this.b, this.o + 3); }
}
