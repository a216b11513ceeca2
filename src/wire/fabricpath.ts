/**
 * Cisco FabricPath (no public specification; the layout Wireshark's packet-cfp.c decodes): a
 * 16-byte outer header that looks like Ethernet (outer destination and source switch
 * addresses), whose type field holds EtherType 0x8903 followed by 2 bytes of forwarding tag and
 * TTL, then the original Ethernet frame, then the FabricPath frame's 4-byte FCS (Wireshark
 * takes the last 4 bytes as such; the inner IP length leaves them out of the packet here).
 * Wireshark's heuristic accepts the tag at byte 12, or at byte 16 after one 802.1Q / 802.1ad
 * tag; rpctrace follows it after any number of tags.
 */
import { EMPTY, u16be } from './bytes.js';
import { Status } from './status.js';

/** Bytes of the FabricPath tag after its EtherType: FTag (10 bits) and TTL (6 bits). */
const TAG_REST = 2;

/** View of the FabricPath tag's last 2 bytes; `payloadOff` is the inner frame's destination address. */
export class FabricPathView {
  private b: Uint8Array = EMPTY;
  private o = 0;
  payloadOff = 0;

  wrap(b: Uint8Array, off: number, end: number): Status {
    if (end - off < TAG_REST) return Status.Truncated;
    this.b = b;
    this.o = off;
    this.payloadOff = off + TAG_REST;
    return Status.Ok;
  }

  /** Forwarding tag (10 bits). */
  get ftag(): number { return u16be(this.b, this.o) >>> 6; }
  /** Hop limit (6 bits). */
  get ttl(): number { return u16be(this.b, this.o) & 0x3f; }
}
