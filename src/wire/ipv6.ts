/** IPv6 header and extension-header chain (RFC 8200 §3, §4). */
import { u16be, EMPTY } from './bytes.js';
import { IpProto } from './constants.js';
import { Status } from './status.js';

const HDR = 40;
/** A chain longer than this is hostile or broken (RFC 8200 recommends one of each at most). */
const MAX_EXT = 10;

/** IPv6 view. After `wrap`, `protocol`/`payloadOff` are those of the upper layer. */
export class Ipv6View {
  private b: Uint8Array = EMPTY;
  private o = 0;
  /** Upper-layer protocol after the extension headers (IpProto.NONE when there is none). */
  protocol = 0;
  /** Offset of the upper-layer header. */
  payloadOff = 0;
  /** End of the datagram in the buffer, bounded by payload length and captured bytes. */
  end = 0;
  cut = false;
  /** Where the datagram ends according to its payload length (may lie past the captured bytes). */
  declaredEnd = 0;
  /** True when a Fragment header with a non-zero offset was found: no upper-layer header here. */
  laterFragment = false;
  /** True when any Fragment header was found. */
  fragmented = false;
  /** Of the Fragment header (RFC 8200 §4.5): offset in bytes, M flag, identification, where the
   * fragment's data starts, and the Next Header it names. Valid when `fragmented`. */
  fragOffset = 0;
  fragMore = false;
  fragId = 0;
  fragDataOff = 0;
  fragNext = 0;

  wrap(b: Uint8Array, off: number, end: number): Status {
    if (end - off < HDR) return Status.Truncated;
    if (b[off]! >>> 4 !== 6) return Status.Malformed;
    this.b = b;
    this.o = off;
    const plen = u16be(b, off + 4);
    // Payload length 0 means a jumbogram (RFC 2675) or offload: take the captured bytes.
    const total = plen === 0 ? end - off : HDR + plen;
    this.declaredEnd = off + total;
    this.cut = off + total > end;
    this.end = this.cut ? end : off + total;
    this.laterFragment = false;
    this.fragmented = false;
    let next = b[off + 6]!;
    let o = off + HDR;
    for (let i = 0; ; i++) {
      if (next !== IpProto.HOPOPTS && next !== IpProto.ROUTING && next !== IpProto.DSTOPTS &&
          next !== IpProto.FRAGMENT && next !== IpProto.AH) break;
      if (i >= MAX_EXT) return Status.Malformed;
      if (o + 8 > this.end) return Status.Truncated;
      let len: number;
      if (next === IpProto.FRAGMENT) {
        len = 8;
        this.fragmented = true;
        const fo = u16be(b, o + 2);
        this.fragOffset = fo & 0xfff8; // 13-bit offset in 8-byte units, already shifted by 3
        this.fragMore = (fo & 1) !== 0;
        this.fragId = ((b[o + 4]! << 24) | (b[o + 5]! << 16) | (b[o + 6]! << 8) | b[o + 7]!) >>> 0;
        this.fragDataOff = o + 8;
        this.fragNext = b[o]!;
        if (this.fragOffset !== 0) this.laterFragment = true;
      } else if (next === IpProto.AH) {
        len = (b[o + 1]! + 2) * 4; // RFC 4302 §2.2: in 32-bit words, minus 2
      } else {
        len = (b[o + 1]! + 1) * 8; // RFC 8200 §4.3: in 8-octet units, not counting the first 8
      }
      next = b[o]!;
      o += len;
      if (this.laterFragment) break;
    }
    this.protocol = next;
    this.payloadOff = o;
    if (o > this.end) return Status.Truncated;
    return Status.Ok;
  }

  get hopLimit(): number { return this.b[this.o + 7]!; }
  get srcOff(): number { return this.o + 8; }
  get dstOff(): number { return this.o + 24; }
}
