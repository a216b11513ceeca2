/**
 * MPLS label stack (RFC 3032 §2.1): 4-byte entries until the one with the bottom-of-stack bit.
 * The stack does not say what follows it; `payload` is the guess Wireshark's packet-mpls.c
 * makes from the first nibble after the stack (RFC 4385 §2 and RFC 4928 keep IP and
 * pseudowire traffic apart by it).
 */
import { EMPTY, u8 } from './bytes.js';
import { Status } from './status.js';

const ENTRY = 4;
/** Bottom of stack bit in the third byte of an entry. */
const BOS = 0x01;

/** What follows the label stack. */
export const MplsPayload = {
  /** Nothing (the stack ends the captured bytes). */
  NONE: 0,
  IPV4: 4,
  IPV6: 6,
  /** A pseudowire associated channel (RFC 4385 §5, first nibble 1): OAM, no user packet. */
  ACH: 1,
  /** An Ethernet pseudowire with a control word (RFC 4448 §3, RFC 4385 §3: first nibble 0). */
  ETHERNET_CW: 2,
  /** An Ethernet pseudowire without a control word (RFC 4448 §3: the control word is optional). */
  ETHERNET: 3,
} as const;
export type MplsPayload = (typeof MplsPayload)[keyof typeof MplsPayload];

/** Control word length (RFC 4385 §3). */
export const MPLS_CONTROL_WORD = 4;

/** MPLS label stack view. */
export class MplsView {
  private b: Uint8Array = EMPTY;
  private o = 0;
  /** Entries in the stack. */
  labels = 0;
  /** Where the payload starts (after the bottom entry). */
  payloadOff = 0;
  payload: MplsPayload = MplsPayload.NONE;

  wrap(b: Uint8Array, off: number, end: number): Status {
    let o = off;
    let n = 0;
    // The stack has no length of its own: follow it as far as the bytes go (each entry is 4).
    for (;;) {
      if (o + ENTRY > end) return Status.Truncated;
      n++;
      const bottom = (u8(b, o + 2) & BOS) !== 0;
      o += ENTRY;
      if (bottom) break;
    }
    this.b = b;
    this.o = off;
    this.labels = n;
    this.payloadOff = o;
    if (o >= end) this.payload = MplsPayload.NONE;
    else {
      const nibble = u8(b, o) >>> 4;
      this.payload = nibble === 4 ? MplsPayload.IPV4 : nibble === 6 ? MplsPayload.IPV6 : nibble === 1 ? MplsPayload.ACH
        : nibble === 0 ? MplsPayload.ETHERNET_CW : MplsPayload.ETHERNET;
    }
    return Status.Ok;
  }

  /** The label of the top entry (20 bits). */
  get topLabel(): number { return (u8(this.b, this.o) << 12) | (u8(this.b, this.o + 1) << 4) | (u8(this.b, this.o + 2) >>> 4); }
}
