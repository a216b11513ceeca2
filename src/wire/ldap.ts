/**
 * LDAP messages (RFC 4511 §4.1.1) as connectionless LDAP carries them over UDP 389 (RFC 1798;
 * MS-ADTS §6.3.3 "LDAP ping"): a DC locator client sends a searchRequest of the rootDSE with a
 * filter such as (&(DnsDomain=corp.example)(Host=WS50)(NtVer=...)) for the Netlogon attribute;
 * the domain controller answers with a searchResEntry and a searchResDone in one datagram. Only
 * what matching and reporting need is read: message id, operation, result code, the filter's
 * equality assertions and the entry's attribute names.
 */
import { BER_CONSTRUCTED, BerClass, BerTag, Tlv, berInteger, berText } from './ber.js';
import { hexText, u8 } from './bytes.js';

/** protocolOp choices ([APPLICATION n], RFC 4511 §4.2 to §4.5). */
export const LdapOp = { BIND_REQUEST: 0, BIND_RESPONSE: 1, UNBIND_REQUEST: 2, SEARCH_REQUEST: 3, SEARCH_RES_ENTRY: 4, SEARCH_RES_DONE: 5, SEARCH_RES_REF: 19 } as const;

/** Names of the operations, for reports. */
export const LDAP_OP_NAMES: Readonly<Record<number, string>> = {
  0: 'bindRequest', 1: 'bindResponse', 2: 'unbindRequest', 3: 'searchRequest', 4: 'searchResEntry', 5: 'searchResDone',
  6: 'modifyRequest', 7: 'modifyResponse', 8: 'addRequest', 9: 'addResponse', 10: 'delRequest', 11: 'delResponse',
  12: 'modDNRequest', 13: 'modDNResponse', 14: 'compareRequest', 15: 'compareResponse', 16: 'abandonRequest',
  19: 'searchResRef', 23: 'extendedReq', 24: 'extendedResp', 25: 'intermediateResponse',
};

/** One LDAPMessage. */
export interface LdapMessage {
  messageId: number;
  /** The [APPLICATION n] number of protocolOp (LdapOp). */
  op: number;
  /** LDAPResult resultCode of a response (§4.1.9), else null. */
  resultCode: number | null;
  /** searchRequest: the filter's equalityMatch items, `attribute=value` (first level and inside an and/or). */
  filter: string[];
  /** searchResEntry: the attribute names. */
  attributes: string[];
}

/** Messages read from one datagram, at most (a DC answers with two). */
const MAX_MESSAGES = 8;
/** Filter items and attributes kept per message, at most. */
const MAX_ITEMS = 16;

/**
 * Decodes the LDAPMessages that fill `b[off, end)` in sequence. Stops at the first that is not
 * well formed and returns those before it (an empty list when the first is not LDAP).
 */
export function parseLdapMessages(b: Uint8Array, off: number, end: number): LdapMessage[] {
  const out: LdapMessage[] = [];
  const msg = new Tlv();
  let p = off;
  while (p < end && out.length < MAX_MESSAGES) {
    if (!msg.read(b, p, end) || msg.tag !== BerTag.SEQUENCE) break;
    const m = message(b, msg.start, msg.end);
    if (m === null) break;
    out.push(m);
    p = msg.end;
  }
  return out;
}

/** LDAPMessage ::= SEQUENCE { messageID INTEGER (0..2^31-1), protocolOp CHOICE, controls [0] OPTIONAL }. */
function message(b: Uint8Array, start: number, end: number): LdapMessage | null {
  const id = new Tlv();
  if (!id.read(b, start, end) || id.tag !== BerTag.INTEGER) return null;
  const messageId = berInteger(b, id.start, id.end);
  if (messageId === null || messageId < 0 || messageId > 0x7fffffff) return null;
  const op = new Tlv();
  if (!op.read(b, id.end, end) || (op.tag & 0xc0) !== BerClass.APPLICATION) return null;
  const m: LdapMessage = { messageId, op: op.tag & 0x1f, resultCode: null, filter: [], attributes: [] };
  if ((op.tag & BER_CONSTRUCTED) === 0) return m; // unbindRequest, delRequest, abandonRequest: primitive
  switch (m.op) {
    case LdapOp.SEARCH_REQUEST: searchRequest(b, op.start, op.end, m); break;
    case LdapOp.SEARCH_RES_ENTRY: searchEntry(b, op.start, op.end, m); break;
    case LdapOp.BIND_RESPONSE:
    case LdapOp.SEARCH_RES_DONE:
    case 7: case 9: case 11: case 13: case 15: case 24: {
      // LDAPResult starts with resultCode ENUMERATED (§4.1.9).
      const rc = new Tlv();
      if (rc.read(b, op.start, op.end) && rc.tag === BerTag.ENUMERATED) m.resultCode = berInteger(b, rc.start, rc.end);
      break;
    }
    default:
  }
  return m;
}

/** searchRequest: baseObject, scope, derefAliases, sizeLimit, timeLimit, typesOnly, filter, attributes (§4.5.1). */
function searchRequest(b: Uint8Array, start: number, end: number, m: LdapMessage): void {
  const t = new Tlv();
  let p = start;
  for (let i = 0; i < 6; i++) {
    if (!t.read(b, p, end)) return;
    p = t.end;
  }
  if (!t.read(b, p, end)) return;
  filterItems(b, t, m.filter, 0);
}

/** Collects equalityMatch [3] items of a filter, looking inside and [0] / or [1] (one level down). */
function filterItems(b: Uint8Array, f: Tlv, out: string[], depth: number): void {
  const tag = f.tag;
  if (tag === (BerClass.CONTEXT | BER_CONSTRUCTED | 3)) {
    const a = new Tlv();
    const v = new Tlv();
    if (a.read(b, f.start, f.end) && a.tag === BerTag.OCTET_STRING && v.read(b, a.end, f.end) && v.tag === BerTag.OCTET_STRING) {
      out.push(`${berText(b, a.start, a.end)}=${printable(b, v.start, v.end)}`);
    }
    return;
  }
  if (depth > 1 || (tag !== (BerClass.CONTEXT | BER_CONSTRUCTED | 0) && tag !== (BerClass.CONTEXT | BER_CONSTRUCTED | 1))) return;
  const c = new Tlv();
  for (let p = f.start; p < f.end && out.length < MAX_ITEMS; p = c.end) {
    if (!c.read(b, p, f.end)) return;
    filterItems(b, c, out, depth + 1);
  }
}

/** A value as text when it is printable ASCII (DnsDomain, Host), else as hex (NtVer, a SID). */
function printable(b: Uint8Array, start: number, end: number): string {
  let ascii = end > start;
  for (let i = start; i < end && ascii; i++) ascii = u8(b, i) >= 0x20 && u8(b, i) < 0x7f;
  return ascii ? berText(b, start, end) : `0x${hexText(b, start, Math.min(end - start, 32))}`;
}

/** searchResEntry: objectName, attributes SEQUENCE OF SEQUENCE { type, vals SET } (§4.5.2). */
function searchEntry(b: Uint8Array, start: number, end: number, m: LdapMessage): void {
  const t = new Tlv();
  if (!t.read(b, start, end) || t.tag !== BerTag.OCTET_STRING) return;
  const list = new Tlv();
  if (!list.read(b, t.end, end) || list.tag !== BerTag.SEQUENCE) return;
  const attr = new Tlv();
  const type = new Tlv();
  for (let p = list.start; p < list.end && m.attributes.length < MAX_ITEMS; p = attr.end) {
    if (!attr.read(b, p, list.end) || attr.tag !== BerTag.SEQUENCE) return;
    if (type.read(b, attr.start, attr.end) && type.tag === BerTag.OCTET_STRING) m.attributes.push(berText(b, type.start, type.end));
  }
}
