/**
 * VXLAN (RFC 7348 §5) and VXLAN-GPE (draft-ietf-nvo3-vxlan-gpe-12, "Next Protocol"): an 8-byte header with
 * a 24-bit network identifier. VXLAN always carries an Ethernet frame; VXLAN-GPE names its
 * payload in its last reserved byte when the P bit is set.
 */
import { EMPTY, u8 } from './bytes.js';
import { EtherType } from './constants.js';
import { Status } from './status.js';

const HDR = 8;
/** VXLAN-GPE flags (first byte): Next Protocol present. */
const GPE_P = 0x04;

/** VXLAN-GPE next protocol values (draft-ietf-nvo3-vxlan-gpe-12, "Next Protocol") as the EtherType they stand for. */
const GPE_NEXT: Readonly<Record<number, number>> = {
  1: EtherType.IPV4,
  2: EtherType.IPV6,
  3: EtherType.TEB,
  4: EtherType.NSH,
  5: EtherType.MPLS,
};

/** VXLAN / VXLAN-GPE header view. */
export class VxlanView {
  private b: Uint8Array = EMPTY;
  private o = 0;
  payloadOff = 0;
  /** What follows, as an EtherType (TEB for an Ethernet frame); 0 when VXLAN-GPE names something unknown. */
  payloadType = 0;

  /** `gpe`: the header came on UDP 4790. */
  wrap(b: Uint8Array, off: number, end: number, gpe: boolean): Status {
    if (end - off < HDR) return Status.Truncated;
    this.b = b;
    this.o = off;
    this.payloadOff = off + HDR;
    // RFC 7348 §5: receivers ignore the I flag's absence here as Wireshark does; the frame is
    // still an Ethernet frame. VXLAN-GPE without P is taken as Ethernet, what plain VXLAN carries.
    this.payloadType = gpe && (u8(b, off) & GPE_P) !== 0 ? GPE_NEXT[u8(b, off + 3)] ?? 0 : EtherType.TEB;
    return Status.Ok;
  }

  /** The 24-bit VXLAN network identifier. */
  get vni(): number { return (u8(this.b, this.o + 4) << 16) | (u8(this.b, this.o + 5) << 8) | u8(this.b, this.o + 6); }
}
