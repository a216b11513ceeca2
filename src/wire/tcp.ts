/** TCP header (RFC 9293 §3.1) and the options rpctrace reports. */
import { u16be, u32be, EMPTY } from './bytes.js';
import { Status } from './status.js';

const MIN_HDR = 20;

/**
 * TCP view. Getters are valid only after `wrap() === Ok`. The fixed 20 bytes (ports, sequence
 * numbers, flags, window) are enough to read a segment; options cut short by the snaplen leave
 * `optionsCut` set and are walked only as far as they were captured.
 */
export class TcpView {
  private b: Uint8Array = EMPTY;
  private o = 0;
  /** End of the option bytes present: the header's end, or the captured end when cut. */
  private optEnd = 0;
  hdrLen = 0;
  /** True when the data offset reaches past the captured bytes (but not past the segment). */
  optionsCut = false;

  /**
   * `end` is where the captured bytes of the segment end; `declaredEnd` where the IP length says
   * the segment ends (the same when nothing was cut).
   */
  wrap(b: Uint8Array, off: number, end: number, declaredEnd: number = end): Status {
    if (end - off < MIN_HDR) return Status.Truncated;
    const hl = (b[off + 12]! >>> 4) * 4;
    // Data offset below 5 words is malformed, not short (RFC 9293 §3.1).
    if (hl < MIN_HDR) return Status.Malformed;
    // A header longer than the segment the IP length declares cannot be: malformed, whatever
    // was captured. Within the segment but past the captured bytes, only the options are cut.
    if (off + hl > declaredEnd) return Status.Malformed;
    this.b = b;
    this.o = off;
    this.hdrLen = hl;
    this.optionsCut = off + hl > end;
    this.optEnd = this.optionsCut ? end : off + hl;
    return Status.Ok;
  }
  get srcPort(): number { return u16be(this.b, this.o); }
  get dstPort(): number { return u16be(this.b, this.o + 2); }
  get seq(): number { return u32be(this.b, this.o + 4); }
  get ack(): number { return u32be(this.b, this.o + 8); }
  /** The eight flag bits CWR ECE URG ACK PSH RST SYN FIN (TcpFlag). */
  get flags(): number { return this.b[this.o + 13]!; }
  get window(): number { return u16be(this.b, this.o + 14); }
  get payloadOff(): number { return this.o + this.hdrLen; }

  /**
   * Walks the options once (RFC 9293 §3.2) and fills `out`; no allocation. A malformed option
   * (length below 2 or past the header) ends the walk, and so does the end of the captured
   * bytes: an option cut there is left absent.
   */
  options(out: TcpOptions): void {
    out.mss = -1;
    out.windowScale = -1;
    out.sackPermitted = false;
    const b = this.b;
    const end = this.optEnd;
    let o = this.o + MIN_HDR;
    while (o < end) {
      const kind = b[o]!;
      if (kind === 0) return; // End of Option List
      if (kind === 1) { o++; continue; } // No-Operation
      if (o + 1 >= end) return;
      const len = b[o + 1]!;
      if (len < 2 || o + len > end) return;
      if (kind === 2 && len === 4) out.mss = u16be(b, o + 2);
      else if (kind === 3 && len === 3) out.windowScale = b[o + 2]!;
      else if (kind === 4 && len === 2) out.sackPermitted = true;
      o += len;
    }
  }
}

/** Options of interest; -1 means absent. */
export interface TcpOptions {
  mss: number;
  windowScale: number;
  sackPermitted: boolean;
}

/** Text of TCP flags in Network Monitor / Wireshark style: `CE....S.` order C E U A P R S F. */
export function flagsText(flags: number): string {
  const letters = 'CEUAPRSF';
  let s = '';
  for (let i = 0; i < 8; i++) s += (flags & (0x80 >>> i)) !== 0 ? letters[i] : '.';
  return s;
}
