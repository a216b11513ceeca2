/**
 * DNS messages (RFC 1035 §4.1): the header, the first question, and the address, alias and
 * service records of the answer and additional sections. Names follow compression pointers
 * (§4.1.4) with bounds that make a loop impossible: a pointer must point before the label it
 * replaces, and a name stops at 255 octets (§2.3.4). Over TCP a message follows a 2-byte length
 * (§4.2.2), which the caller strips.
 */
import { EMPTY, ipv4Text, ipv6Text, u16be, u8 } from './bytes.js';
import { Status } from './status.js';

const HDR = 12;
/** RFC 1035 §2.3.4: a name is at most 255 octets on the wire. */
const MAX_NAME = 255;
/** Records read per message, at most; the rest are skipped (a DC locator answer has a few dozen). */
const MAX_RECORDS = 64;

/** Record types read or named here (RFC 1035 §3.2.2, RFC 3596, RFC 2782). */
export const DnsType = { A: 1, NS: 2, CNAME: 5, SOA: 6, PTR: 12, MX: 15, TXT: 16, AAAA: 28, SRV: 33, OPT: 41, ANY: 255 } as const;

/** Names of the record types, for reports. */
export const DNS_TYPE_NAMES: Readonly<Record<number, string>> = {
  1: 'A', 2: 'NS', 5: 'CNAME', 6: 'SOA', 12: 'PTR', 15: 'MX', 16: 'TXT', 28: 'AAAA', 33: 'SRV', 41: 'OPT', 255: 'ANY',
};

/** Response codes (RFC 1035 §4.1.1, RFC 2136 §2.2). */
export const DNS_RCODE_NAMES: Readonly<Record<number, string>> = {
  0: 'NOERROR', 1: 'FORMERR', 2: 'SERVFAIL', 3: 'NXDOMAIN', 4: 'NOTIMP', 5: 'REFUSED', 6: 'YXDOMAIN', 7: 'YXRRSET', 8: 'NXRRSET', 9: 'NOTAUTH', 10: 'NOTZONE',
};

/** `A`, `SRV`, or `TYPE99`. */
export const dnsTypeName = (t: number): string => DNS_TYPE_NAMES[t] ?? `TYPE${t}`;
/** `NXDOMAIN`, or `RCODE12`. */
export const dnsRcodeName = (r: number): string => DNS_RCODE_NAMES[r] ?? `RCODE${r}`;

/** The fixed 12-byte header. Getters are valid only after wrap() === Ok. */
export class DnsHeaderView {
  private b: Uint8Array = EMPTY;
  private o = 0;

  wrap(b: Uint8Array, off: number, end: number): Status {
    if (end - off < HDR) return Status.Truncated;
    this.b = b;
    this.o = off;
    return Status.Ok;
  }

  get id(): number { return u16be(this.b, this.o); }
  /** QR: true for a response. */
  get response(): boolean { return (u8(this.b, this.o + 2) & 0x80) !== 0; }
  get opcode(): number { return (u8(this.b, this.o + 2) >>> 3) & 0x0f; }
  /** TC: the answer did not fit (over UDP: ask again over TCP). */
  get truncated(): boolean { return (u8(this.b, this.o + 2) & 0x02) !== 0; }
  get rcode(): number { return u8(this.b, this.o + 3) & 0x0f; }
  get qdcount(): number { return u16be(this.b, this.o + 4); }
  get ancount(): number { return u16be(this.b, this.o + 6); }
  get nscount(): number { return u16be(this.b, this.o + 8); }
  get arcount(): number { return u16be(this.b, this.o + 10); }
}

/** One resource record read from an answer: its owner, type and, for A, AAAA, CNAME and SRV, its data as text. */
export interface DnsRecord {
  name: string;
  type: number;
  /** A / AAAA: the address; CNAME, PTR, NS: the name; SRV: the target; otherwise ''. */
  data: string;
  /** SRV: the port; otherwise 0. */
  port: number;
  /** 'answer' or 'additional' section (authority records are skipped). */
  section: 'answer' | 'additional';
}

/** One view reused by every parse (the values are copied out before the next). */
const HEADER = new DnsHeaderView();

/** A decoded message: header fields, the first question, and the records read. */
export interface DnsMessage {
  id: number;
  response: boolean;
  opcode: number;
  rcode: number;
  truncated: boolean;
  /** The first question's name (lower case, no trailing dot) and type; '' and 0 without one. */
  qname: string;
  qtype: number;
  records: DnsRecord[];
}

/** A name read at an offset: the text, and where the record continues after it in the message. */
export interface DnsName {
  name: string;
  next: number;
}

/**
 * Reads the name at `off` of the message `b[msg, end)`, lower-cased, labels joined by dots.
 * Null when a label or pointer runs past `end`, a pointer does not point backwards, the name
 * passes 255 octets, or a label type is reserved (§4.1.4: only 00 and 11 are defined).
 */
export function readDnsName(b: Uint8Array, msg: number, end: number, off: number): DnsName | null {
  let p = off;
  let next = -1;
  let octets = 0;
  let name = '';
  // Each pointer must go strictly backwards, so the loop ends: at most (p - msg) jumps.
  let limit = p;
  for (;;) {
    if (p >= end) return null;
    const len = u8(b, p);
    if (len === 0) {
      if (next < 0) next = p + 1;
      break;
    }
    const kind = len & 0xc0;
    if (kind === 0xc0) {
      if (p + 2 > end) return null;
      const target = msg + (((len & 0x3f) << 8) | u8(b, p + 1));
      if (target >= limit) return null;
      if (next < 0) next = p + 2;
      limit = target;
      p = target;
      continue;
    }
    if (kind !== 0) return null;
    if (p + 1 + len > end) return null;
    octets += len + 1;
    if (octets > MAX_NAME) return null;
    let label = '';
    for (let i = 1; i <= len; i++) {
      const c = u8(b, p + i);
      label += String.fromCharCode(c >= 0x41 && c <= 0x5a ? c + 0x20 : c);
    }
    name = name === '' ? label : `${name}.${label}`;
    p += 1 + len;
  }
  return { name, next };
}

/**
 * Decodes the message `b[off, end)`: header, first question, and up to 64 records of the answer
 * and additional sections (authority records are stepped over). Null when the header or the
 * question is cut or malformed; records after a malformed one are left out. Allocates.
 */
export function parseDns(b: Uint8Array, off: number, end: number): DnsMessage | null {
  const h = HEADER;
  if (h.wrap(b, off, end) !== Status.Ok) return null;
  const m: DnsMessage = { id: h.id, response: h.response, opcode: h.opcode, rcode: h.rcode, truncated: h.truncated, qname: '', qtype: 0, records: [] };
  let p = off + HDR;
  const qd = h.qdcount;
  for (let i = 0; i < qd; i++) {
    const n = readDnsName(b, off, end, p);
    if (n === null || n.next + 4 > end) return i === 0 ? null : m;
    if (i === 0) {
      m.qname = n.name;
      m.qtype = u16be(b, n.next);
    }
    p = n.next + 4;
  }
  if (!m.response) return m;
  const sections: [number, DnsRecord['section'] | null][] = [[h.ancount, 'answer'], [h.nscount, null], [h.arcount, 'additional']];
  for (const [count, section] of sections) {
    for (let i = 0; i < count; i++) {
      const n = readDnsName(b, off, end, p);
      // TYPE, CLASS, TTL, RDLENGTH: 10 octets (§4.1.3).
      if (n === null || n.next + 10 > end) return m;
      const type = u16be(b, n.next);
      const rdlen = u16be(b, n.next + 8);
      const rd = n.next + 10;
      if (rd + rdlen > end) return m;
      p = rd + rdlen;
      if (section === null || m.records.length >= MAX_RECORDS) continue;
      const r: DnsRecord = { name: n.name, type, data: '', port: 0, section };
      if (type === DnsType.A && rdlen === 4) r.data = ipv4Text(b, rd);
      else if (type === DnsType.AAAA && rdlen === 16) r.data = ipv6Text(b, rd);
      else if (type === DnsType.CNAME || type === DnsType.PTR || type === DnsType.NS) r.data = readDnsName(b, off, rd + rdlen, rd)?.name ?? '';
      else if (type === DnsType.SRV && rdlen >= 7) {
        // RFC 2782: priority, weight, port, target (not compressed, but pointers occur in practice).
        r.port = u16be(b, rd + 4);
        r.data = readDnsName(b, off, rd + rdlen, rd + 6)?.name ?? '';
      }
      m.records.push(r);
    }
  }
  return m;
}
