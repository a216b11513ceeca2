/** IPv4 header (RFC 791 §3.1). */
import { u16be, EMPTY } from './bytes.js';
import { Status } from './status.js';

const MIN_HDR = 20;

/** IPv4 view. `end` is where the datagram ends in the buffer: min(total length, captured). */
export class Ipv4View {
  private b: Uint8Array = EMPTY;
  private o = 0;
  /** Header length in bytes (IHL * 4). */
  hdrLen = 0;
  /** End of the datagram in the buffer, bounded by both the total length and the captured bytes. */
  end = 0;
  /** True when the total length says more bytes than were captured. */
  cut = false;
  /** Where the datagram ends according to its total length (may lie past the captured bytes). */
  declaredEnd = 0;

  wrap(b: Uint8Array, off: number, end: number): Status {
    if (end - off < MIN_HDR) return Status.Truncated;
    const vihl = b[off]!;
    if (vihl >>> 4 !== 4) return Status.Malformed;
    // RFC 791: IHL counts 32-bit words; below 5 is malformed, not truncated.
    const hl = (vihl & 0x0f) * 4;
    if (hl < MIN_HDR) return Status.Malformed;
    if (off + hl > end) return Status.Truncated;
    let total = u16be(b, off + 2);
    // Segmentation offload on the capturing host leaves total length 0 (Zeek IP.cc does the
    // same): take the captured length.
    if (total === 0) total = end - off;
    if (total < hl) return Status.Malformed;
    this.b = b;
    this.o = off;
    this.hdrLen = hl;
    this.declaredEnd = off + total;
    this.cut = off + total > end;
    this.end = this.cut ? end : off + total;
    return Status.Ok;
  }

  get protocol(): number { return this.b[this.o + 9]!; }
  get ttl(): number { return this.b[this.o + 8]!; }
  get id(): number { return u16be(this.b, this.o + 4); }
  /** Fragment offset in bytes. */
  get fragOffset(): number { return (u16be(this.b, this.o + 6) & 0x1fff) * 8; }
  get moreFragments(): boolean { return (this.b[this.o + 6]! & 0x20) !== 0; }
  /** Offset of the source address in the buffer (4 bytes). */
  get srcOff(): number { return this.o + 12; }
  get dstOff(): number { return this.o + 16; }
  get payloadOff(): number { return this.o + this.hdrLen; }
}
