/**
 * Ethernet II with any number of 802.1Q / 802.1ad tags, and 802.3 + LLC/SNAP
 * (IEEE 802.3 §3.2.6: a type/length field below 1536 is a length). Tags are followed as far as
 * the frame goes: each takes 4 bytes, so the walk ends with the captured bytes, and a trunk that
 * stacks more tags than usual still yields its packets.
 */
import { u16be, EMPTY } from './bytes.js';
import { EtherType } from './constants.js';
import { Status } from './status.js';

const ETH_HDR = 14;
const TAG = 4;

/** Ethernet header view; `payloadOff` and `etherType` are after all VLAN tags. */
export class EthernetView {
  private b: Uint8Array = EMPTY;
  /** EtherType of the payload after the tags (0 when the frame is 802.3 without SNAP). */
  etherType = 0;
  /** Offset of the payload. */
  payloadOff = 0;
  /** Number of VLAN tags. */
  tags = 0;
  /** VLAN id of the outermost tag (0 when untagged). */
  outerVlan = 0;
  /** VLAN id of the innermost tag (0 when untagged). */
  innerVlan = 0;

  wrap(b: Uint8Array, off: number, end: number): Status {
    if (end - off < ETH_HDR) return Status.Truncated;
    this.b = b;
    let o = off + 12;
    let type = u16be(b, o);
    let tags = 0;
    this.outerVlan = 0;
    this.innerVlan = 0;
    while (type === EtherType.VLAN || type === EtherType.QINQ || type === EtherType.QINQ_OLD) {
      if (o + 2 + TAG > end) return Status.Truncated;
      tags++;
      const vid = u16be(b, o + 2) & 0x0fff;
      if (tags === 1) this.outerVlan = vid;
      this.innerVlan = vid;
      o += TAG;
      type = u16be(b, o);
    }
    this.tags = tags;
    o += 2;
    if (type < 1536) {
      // 802.3 length field: IP only travels here inside LLC/SNAP (AA AA 03, OUI 00 00 00).
      if (end - o >= 8 && this.b[o] === 0xaa && this.b[o + 1] === 0xaa && this.b[o + 2] === 0x03 &&
          this.b[o + 3] === 0 && this.b[o + 4] === 0 && this.b[o + 5] === 0) {
        type = u16be(b, o + 6);
        o += 8;
      } else {
        type = 0;
      }
    }
    this.etherType = type;
    this.payloadOff = o;
    return Status.Ok;
  }
}
