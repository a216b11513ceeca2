/**
 * Named decoding anomalies (in the manner of Zeek's weirds): stable snake_case names, counted
 * per file with the first frames that showed them. Any layer notes them; reports render them.
 */
export const ANOMALIES = {
  truncated_link: { layer: 'link', text: 'link-layer header cut short (snaplen or a runt frame)' },
  malformed_link: { layer: 'link', text: 'link-layer header malformed' },
  unsupported_link_type: { layer: 'link', text: 'frame of a link type rpctrace cannot decode' },
  truncated_ip: { layer: 'ip', text: 'IP header cut short by the snaplen' },
  malformed_ip: { layer: 'ip', text: 'IP header malformed (bad version, IHL below 5, total length below the header, extension chain too long)' },
  truncated_tcp: { layer: 'tcp', text: 'TCP header cut short by the snaplen inside its fixed 20 bytes' },
  tcp_options_cut: { layer: 'tcp', text: 'TCP options cut short by the snaplen: ports, sequence numbers and flags were read, the options were not' },
  malformed_tcp: { layer: 'tcp', text: 'TCP data offset below 5 words, or past the end of the segment the IP length declares' },
  truncated_udp: { layer: 'udp', text: 'UDP header cut short by the snaplen' },
  truncated_icmp: { layer: 'icmp', text: 'ICMP header or its quoted datagram cut short' },
  ip_fragment: { layer: 'ip', text: 'non-first IP fragment: carries no transport header' },
  incomplete_ip_datagram: { layer: 'ip', text: 'IP datagram whose fragments never all arrived (given up, or still incomplete when the capture ended): what it carried was not analyzed; the frames are of its first fragment seen' },
  tcp_stream_gap: { layer: 'tcp', text: 'bytes missing from a TCP stream rpctrace reassembles (a segment lost before the capture point, or dropped by the capture): the stream was resumed after the gap; the frames are where it resumed' },
  tcp_bytes_discarded: { layer: 'tcp', text: 'bytes of a reassembled TCP stream dropped unread (counted in bytes): a message split by a gap or by the snaplen, or more bytes than any message needs' },
  truncated_encapsulation: { layer: 'encapsulation', text: 'tunnel or encapsulation header (GRE, ERSPAN, VXLAN, Geneve, GTP-U, MPLS, PPPoE, PBB, FabricPath, or the Ethernet frame inside one) cut short by the snaplen' },
  malformed_encapsulation: { layer: 'encapsulation', text: 'tunnel or encapsulation header malformed (unknown version, a length below its minimum or past its packet)' },
  undecoded_encapsulation: { layer: 'encapsulation', text: 'packet inside an encapsulation rpctrace recognises but does not decode (L2TP, EtherIP, NSH, a GRE, Geneve or ERSPAN payload of another type, PPP carrying neither IP nor MPLS, GTP-U carrying neither IPv4 nor IPv6): counted, not analyzed' },
  encapsulation_too_deep: { layer: 'encapsulation', text: 'more than 8 nested encapsulations: decoding stopped at the eighth' },
  internal_decoder_error: { layer: 'any', text: 'a decoder threw; this is an rpctrace bug, please report it' },
} as const;

/** Name of an anomaly. */
export type AnomalyName = keyof typeof ANOMALIES;

/** Anomaly names in a fixed order, so counters can live in a typed array. */
export const ANOMALY_NAMES = Object.keys(ANOMALIES) as AnomalyName[];

/** Index of each anomaly in `ANOMALY_NAMES`. */
export const AnomalyIndex = Object.fromEntries(ANOMALY_NAMES.map((n, i) => [n, i])) as Record<AnomalyName, number>;
