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

/** IEEE 802 EtherType values we follow. */
export const EtherType = {
  IPV4: 0x0800,
  ARP: 0x0806,
  VLAN: 0x8100, // 802.1Q C-tag
  QINQ: 0x88a8, // 802.1ad S-tag
  QINQ_OLD: 0x9100, // pre-standard stacked tag still sent by some switches
  IPV6: 0x86dd,
} as const;
export type EtherType = (typeof EtherType)[keyof typeof EtherType];

/** IANA protocol numbers (IPv4 protocol / IPv6 next header). */
export const IpProto = {
  HOPOPTS: 0,
  ICMP: 1,
  TCP: 6,
  UDP: 17,
  ROUTING: 43,
  FRAGMENT: 44,
  ESP: 50,
  AH: 51,
  ICMPV6: 58,
  NONE: 59,
  DSTOPTS: 60,
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
