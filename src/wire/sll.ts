/**
 * Linux "cooked" capture headers (https://www.tcpdump.org/linktypes/LINKTYPE_LINUX_SLL.html,
 * LINKTYPE_LINUX_SLL2.html): what `tcpdump -i any` writes.
 */
import { u16be } from './bytes.js';
import { Status } from './status.js';

const SLL_HDR = 16;
const SLL2_HDR = 20;
/** ARPHRD values whose protocol field is not an EtherType (netlink, IEEE 802.11 radiotap, ...). */
const ARPHRD_NETLINK = 824;

/** Both cooked variants reduce to: EtherType of the payload and where it starts. */
export class SllView {
  etherType = 0;
  payloadOff = 0;

  /** LINKTYPE_LINUX_SLL (113): pkttype(2) hatype(2) halen(2) addr(8) protocol(2). */
  wrapV1(b: Uint8Array, off: number, end: number): Status {
    if (end - off < SLL_HDR) return Status.Truncated;
    const hatype = u16be(b, off + 2);
    this.etherType = hatype === ARPHRD_NETLINK ? 0 : u16be(b, off + 14);
    this.payloadOff = off + SLL_HDR;
    return Status.Ok;
  }

  /** LINKTYPE_LINUX_SLL2 (276): protocol(2) reserved(2) ifindex(4) hatype(2) pkttype(1) halen(1) addr(8). */
  wrapV2(b: Uint8Array, off: number, end: number): Status {
    if (end - off < SLL2_HDR) return Status.Truncated;
    const hatype = u16be(b, off + 8);
    this.etherType = hatype === ARPHRD_NETLINK ? 0 : u16be(b, off);
    this.payloadOff = off + SLL2_HDR;
    return Status.Ok;
  }
}
