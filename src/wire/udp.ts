/** UDP header (RFC 768). */
import { u16be, EMPTY } from './bytes.js';
import { Status } from './status.js';

const HDR = 8;

/** UDP view. */
export class UdpView {
  private b: Uint8Array = EMPTY;
  private o = 0;

  wrap(b: Uint8Array, off: number, end: number): Status {
    if (end - off < HDR) return Status.Truncated;
    this.b = b;
    this.o = off;
    return Status.Ok;
  }

  get srcPort(): number { return u16be(this.b, this.o); }
  get dstPort(): number { return u16be(this.b, this.o + 2); }
  get length(): number { return u16be(this.b, this.o + 4); }
  get payloadOff(): number { return this.o + HDR; }
}
