/** Protocol numbers as `as const` objects: they erase cleanly and print as numbers in JSON. */

/** tcpdump.org LINKTYPE_* values, plus the platform aliases that appear in real files. */
export const LinkType = {
  NULL: 0,
  ETHERNET: 1,
  RAW_BSD12: 12, // DLT_RAW on OpenBSD/BSD/OS; some writers put it in the file header
  RAW_BSD14: 14, // DLT_RAW on other BSDs
  RAW: 101,
  LOOP: 108,
  LINUX_SLL: 113,
  IPV4: 228,
  IPV6: 229,
  LINUX_SLL2: 276,
} as const;
export type LinkType = (typeof LinkType)[keyof typeof LinkType];

/** Human names of the link types we decode, for reports. */
export const LINK_TYPE_NAMES: Readonly<Record<number, string>> = {
  0: 'NULL (BSD loopback)',
  1: 'ETHERNET',
  12: 'RAW (DLT 12)',
  14: 'RAW (DLT 14)',
  101: 'RAW',
  108: 'LOOP (OpenBSD loopback)',
  113: 'LINUX_SLL',
  228: 'IPV4',
  229: 'IPV6',
  276: 'LINUX_SLL2',
};

/** IEEE 802 EtherType values we follow (GRE, Geneve and PPTP name their payload with these too). */
export const EtherType = {
  IPV4: 0x0800,
  ARP: 0x0806,
  VLAN: 0x8100, // 802.1Q C-tag
  QINQ: 0x88a8, // 802.1ad S-tag
  QINQ_OLD: 0x9100, // pre-standard stacked tag still sent by some switches
  IPV6: 0x86dd,
  ERSPAN_III: 0x22eb, // GRE protocol type of ERSPAN type III (draft-foschiano-erspan-03)
  TEB: 0x6558, // transparent Ethernet bridging: an Ethernet frame follows (GRE, Geneve)
  PPP: 0x880b, // PPP in PPTP's enhanced GRE (RFC 2637 §4.1)
  MPLS: 0x8847, // MPLS unicast (RFC 3032 §5)
  MPLS_MC: 0x8848, // MPLS multicast (RFC 5332 §4)
  PPPOE_DISCOVERY: 0x8863, // RFC 2516 §4: no IP inside
  PPPOE_SESSION: 0x8864, // RFC 2516 §4: PPP inside
  ERSPAN_II: 0x88be, // GRE protocol type of ERSPAN types I and II
  PBB: 0x88e7, // IEEE 802.1ah backbone service instance tag (I-TAG)
  FABRICPATH: 0x8903, // Cisco FabricPath tag (Wireshark packet-cfp.c: ETHERTYPE_DCE)
  NSH: 0x894f, // Network Service Header (RFC 8300): not decoded
} as const;
export type EtherType = (typeof EtherType)[keyof typeof EtherType];

/** IANA protocol numbers (IPv4 protocol / IPv6 next header). */
export const IpProto = {
  HOPOPTS: 0,
  ICMP: 1,
  IPV4: 4, // IPv4 in IP (RFC 2003)
  TCP: 6,
  UDP: 17,
  IPV6: 41, // IPv6 in IP (RFC 4213 §3.5, RFC 2473)
  ROUTING: 43,
  FRAGMENT: 44,
  GRE: 47,
  ESP: 50,
  AH: 51,
  ICMPV6: 58,
  NONE: 59,
  DSTOPTS: 60,
  ETHERIP: 97, // RFC 3378: not decoded
  L2TP: 115, // L2TPv3 over IP (RFC 3931 §4.1.1): not decoded
} as const;
export type IpProto = (typeof IpProto)[keyof typeof IpProto];

/** TCP header flag bits (RFC 9293 §3.1, RFC 3168 for ECE/CWR). */
export const TcpFlag = {
  FIN: 0x01,
  SYN: 0x02,
  RST: 0x04,
  PSH: 0x08,
  ACK: 0x10,
  URG: 0x20,
  ECE: 0x40,
  CWR: 0x80,
} as const;

/** UDP ports that name a tunnel (IANA service names registry). */
export const UdpPort = {
  L2TP: 1701, // RFC 2661 / RFC 3931: not decoded
  GTP_U: 2152, // 3GPP TS 29.281 §4.4.2
  VXLAN: 4789, // RFC 7348 §5
  VXLAN_GPE: 4790, // draft-ietf-nvo3-vxlan-gpe-12
  GENEVE: 6081, // RFC 8926 §3.3
  MPLS: 6635, // MPLS in UDP (RFC 7510 §3)
} as const;

/** PPP protocol field values (RFC 1661 §2, IANA PPP DLL protocol numbers). */
export const PppProto = {
  IPV4: 0x0021,
  IPV6: 0x0057,
  MPLS: 0x0281,
  MPLS_MC: 0x0283,
} as const;

/**
 * Encapsulations the dissector recognises, as the small codes PacketInfo.encaps holds.
 * IP_IN_IP covers IPv4 and IPv6 in either (protocols 4 and 41); GRE covers versions 0 and 1.
 */
export const Encap = {
  GRE: 1,
  ERSPAN_I: 2,
  ERSPAN_II: 3,
  ERSPAN_III: 4,
  VXLAN: 5,
  VXLAN_GPE: 6,
  GENEVE: 7,
  IP_IN_IP: 8,
  GTP_U: 9,
  MPLS: 10,
  PPPOE: 11,
  PBB: 12,
  FABRICPATH: 13,
  L2TP: 14,
  ETHERIP: 15,
  NSH: 16,
  /** Not a protocol: nesting deeper than the dissector follows. */
  TOO_DEEP: 17,
} as const;
export type Encap = (typeof Encap)[keyof typeof Encap];

/** Number of Encap codes plus one (code 0 is unused): the size of a per-code counter array. */
export const ENCAP_CODES = 18;

/** Names of the Encap codes, for reports. */
export const ENCAP_NAMES: Readonly<Record<number, string>> = {
  1: 'GRE',
  2: 'ERSPAN type I',
  3: 'ERSPAN type II',
  4: 'ERSPAN type III',
  5: 'VXLAN',
  6: 'VXLAN-GPE',
  7: 'Geneve',
  8: 'IP in IP',
  9: 'GTP-U',
  10: 'MPLS',
  11: 'PPPoE',
  12: 'PBB (802.1ah)',
  13: 'Cisco FabricPath',
  14: 'L2TP',
  15: 'EtherIP',
  16: 'NSH',
  17: 'nesting deeper than the limit',
};
