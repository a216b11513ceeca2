/**
 * ICMPv4 (RFC 792) and ICMPv6 (RFC 4443) headers. Error messages quote the offending
 * datagram after the 8-byte header; the quoted IP header is decoded by the dissector with the
 * ordinary IP views, and the first 8 bytes of its transport header give the ports.
 */
import { EMPTY, u16be } from './bytes.js';
import { Status } from './status.js';

const HDR = 8;

export const Icmp4Type = { ECHO_REPLY: 0, DEST_UNREACHABLE: 3, REDIRECT: 5, ECHO_REQUEST: 8, TIME_EXCEEDED: 11, PARAM_PROBLEM: 12 } as const;
export const Icmp6Type = { DEST_UNREACHABLE: 1, PACKET_TOO_BIG: 2, TIME_EXCEEDED: 3, PARAM_PROBLEM: 4, ECHO_REQUEST: 128, ECHO_REPLY: 129 } as const;

/** ICMP / ICMPv6 header view (same layout for the fields we read). */
export class IcmpView {
  private b: Uint8Array = EMPTY;
  private o = 0;

  wrap(b: Uint8Array, off: number, end: number): Status {
    if (end - off < HDR) return Status.Truncated;
    this.b = b;
    this.o = off;
    return Status.Ok;
  }

  get type(): number { return this.b[this.o]!; }
  get code(): number { return this.b[this.o + 1]!; }
  /** Where the quoted datagram of an error message starts. */
  get quoteOff(): number { return this.o + HDR; }
}

/**
 * Identifier and sequence number of an echo request or reply (RFC 792 "Echo or Echo Reply
 * Message", RFC 4443 §4.1, §4.2): the second 32-bit word of the header at `off`. Valid where an
 * IcmpView.wrap() at `off` returned Ok (it proved the 8 header octets).
 */
export const echoIdent = (b: Uint8Array, off: number): number => u16be(b, off + 4);
export const echoSeq = (b: Uint8Array, off: number): number => u16be(b, off + 6);

/** True when an ICMPv4 type quotes the offending datagram. */
export const icmp4IsError = (t: number): boolean =>
  t === Icmp4Type.DEST_UNREACHABLE || t === Icmp4Type.TIME_EXCEEDED || t === Icmp4Type.PARAM_PROBLEM || t === Icmp4Type.REDIRECT || t === 4;

/** True when an ICMPv6 type quotes the offending datagram (types below 128, RFC 4443 §2.1). */
export const icmp6IsError = (t: number): boolean => t < 128;

/** Meaning of an ICMPv4 destination-unreachable code (RFC 792, RFC 1812 §5.2.7.1). */
export const ICMP4_UNREACH_CODES: Readonly<Record<number, string>> = {
  0: 'net-unreachable', 1: 'host-unreachable', 2: 'protocol-unreachable', 3: 'port-unreachable',
  4: 'fragmentation-needed', 5: 'source-route-failed', 6: 'dest-net-unknown', 7: 'dest-host-unknown',
  8: 'source-host-isolated', 9: 'net-admin-prohibited', 10: 'host-admin-prohibited', 11: 'net-unreachable-tos',
  12: 'host-unreachable-tos', 13: 'admin-prohibited', 14: 'host-precedence-violation', 15: 'precedence-cutoff',
};

/** Meaning of an ICMPv6 destination-unreachable code (RFC 4443 §3.1). */
export const ICMP6_UNREACH_CODES: Readonly<Record<number, string>> = {
  0: 'no-route', 1: 'admin-prohibited', 2: 'beyond-scope', 3: 'address-unreachable', 4: 'port-unreachable',
  5: 'source-policy-failed', 6: 'reject-route',
};
