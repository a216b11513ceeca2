/**
 * Application payloads for the samples' background traffic, well-formed enough for tshark to
 * decode without complaint: DNS (RFC 1035, over UDP and TCP), LDAP (RFC 4511) and Kerberos
 * (RFC 4120) in BER (X.690), SMB2 NEGOTIATE (MS-SMB2 §2.2.3, §2.2.4) with a SPNEGO hint, HTTP/1.1.
 */
import { ByteWriter, concat, seededRandom, uuidBytes } from './frames.js';

const text = (s: string): Uint8Array => new TextEncoder().encode(s);

// ---------------------------------------------------------------------------------------------
// DNS

/** DNS record types used here. */
export const DnsType = { A: 1, SRV: 33 } as const;

/** One answer record: an IPv4 address, or an SRV target. */
export type DnsAnswer = { type: 'A'; address: string } | { type: 'SRV'; priority: number; weight: number; port: number; target: string };

function dnsName(w: ByteWriter, name: string): void {
  for (const label of name.split('.')) w.u8(label.length).bytes(text(label));
  w.u8(0);
}

/**
 * A DNS query (answers null) or response (RFC 1035 §4.1): one question; answers name the
 * question by a compression pointer to offset 12. `truncated` sets TC, as a UDP answer too
 * large for 512 bytes does, so the client asks again over TCP.
 */
export function dnsMessage(id: number, name: string, qtype: number, answers: readonly DnsAnswer[] | null, truncated = false): Uint8Array {
  const w = new ByteWriter(false).u16(id);
  w.u16(answers === null ? 0x0100 : 0x8580 | (truncated ? 0x0200 : 0)).u16(1).u16(answers?.length ?? 0).u16(0).u16(0);
  dnsName(w, name);
  w.u16(qtype).u16(1);
  for (const a of answers ?? []) {
    w.u16(0xc00c).u16(a.type === 'A' ? DnsType.A : DnsType.SRV).u16(1).u32(600);
    if (a.type === 'A') {
      w.u16(4);
      for (const p of a.address.split('.')) w.u8(Number(p));
    } else {
      const rdata = new ByteWriter(false).u16(a.priority).u16(a.weight).u16(a.port);
      dnsName(rdata, a.target);
      const r = rdata.done();
      w.u16(r.length).bytes(r);
    }
  }
  return w.done();
}

/** RFC 1035 §4.2.2: over TCP a DNS message is preceded by its 2-byte length. */
export function dnsOverTcp(message: Uint8Array): Uint8Array {
  return concat(new ByteWriter(false).u16(message.length).done(), message);
}

// ---------------------------------------------------------------------------------------------
// BER (X.690 §8.1): tag, definite length, content

/** One TLV; `tag` is the whole identifier octet. */
export function tlv(tag: number, ...content: Uint8Array[]): Uint8Array {
  const body = concat(...content);
  const n = body.length;
  const len = n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : [0x82, n >> 8, n & 0xff];
  return concat(Uint8Array.of(tag, ...len), body);
}

const seq = (...c: Uint8Array[]): Uint8Array => tlv(0x30, ...c);
const set = (...c: Uint8Array[]): Uint8Array => tlv(0x31, ...c);
const octets = (s: string | Uint8Array): Uint8Array => tlv(0x04, typeof s === 'string' ? text(s) : s);
const general = (s: string): Uint8Array => tlv(0x1b, text(s));
const gtime = (s: string): Uint8Array => tlv(0x18, text(s));
const bool = (b: boolean): Uint8Array => tlv(0x01, Uint8Array.of(b ? 0xff : 0));
const enumerated = (v: number): Uint8Array => tlv(0x0a, Uint8Array.of(v));
/** Context-specific constructed [n] (explicit tagging). */
const ctx = (n: number, ...c: Uint8Array[]): Uint8Array => tlv(0xa0 | n, ...c);
/** Application constructed [n], n < 31 (one identifier octet). */
const app = (n: number, ...c: Uint8Array[]): Uint8Array => tlv(0x60 | n, ...c);

/** INTEGER in the fewest two's-complement octets. */
export function int(v: number): Uint8Array {
  const b: number[] = [];
  let x = v;
  do {
    b.unshift(x & 0xff);
    x = Math.floor(x / 256);
  } while (x > 0);
  if ((b[0]! & 0x80) !== 0) b.unshift(0);
  return tlv(0x02, Uint8Array.from(b));
}

/** OBJECT IDENTIFIER from dotted text. */
function oid(dotted: string): Uint8Array {
  const parts = dotted.split('.').map(Number);
  const out: number[] = [parts[0]! * 40 + parts[1]!];
  for (const p of parts.slice(2)) {
    const bytes: number[] = [p & 0x7f];
    let x = Math.floor(p / 128);
    while (x > 0) {
      bytes.unshift(0x80 | (x & 0x7f));
      x = Math.floor(x / 128);
    }
    out.push(...bytes);
  }
  return tlv(0x06, Uint8Array.from(out));
}

// ---------------------------------------------------------------------------------------------
// LDAP (RFC 4511 §4)

const ldap = (id: number, op: Uint8Array): Uint8Array => seq(int(id), op);

/** Anonymous simple bindRequest ([APPLICATION 0]: version 3, empty name, simple [0] empty). */
export const ldapBind = (id: number): Uint8Array => ldap(id, app(0, int(3), octets(''), tlv(0x80)));
/** bindResponse ([APPLICATION 1]) success. */
export const ldapBindResponse = (id: number): Uint8Array => ldap(id, app(1, enumerated(0), octets(''), octets('')));

/** searchRequest of the rootDSE (base "", scope base, filter (objectClass=*)) for `attrs`. */
export function ldapSearchRootDse(id: number, attrs: readonly string[]): Uint8Array {
  return ldap(id, app(3, octets(''), enumerated(0), enumerated(0), int(0), int(0), bool(false), tlv(0x87, text('objectClass')), seq(...attrs.map((a) => octets(a)))));
}

/** searchResEntry ([APPLICATION 4]) with one value per attribute. */
export function ldapSearchEntry(id: number, dn: string, attrs: readonly [string, string][]): Uint8Array {
  return ldap(id, app(4, octets(dn), seq(...attrs.map(([t, v]) => seq(octets(t), set(octets(v)))))));
}

/** searchResDone ([APPLICATION 5]) success. */
export const ldapSearchDone = (id: number): Uint8Array => ldap(id, app(5, enumerated(0), octets(''), octets('')));
/** unbindRequest ([APPLICATION 2] NULL, primitive). */
export const ldapUnbind = (id: number): Uint8Array => ldap(id, Uint8Array.of(0x42, 0x00));

// ---------------------------------------------------------------------------------------------
// Kerberos (RFC 4120 §5.4); over TCP each message is preceded by its 4-byte length (§7.2.2)

const principal = (type: number, ...names: string[]): Uint8Array => seq(ctx(0, int(type)), ctx(1, seq(...names.map(general))));
const encrypted = (etype: number, kvno: number | null, cipher: Uint8Array): Uint8Array =>
  seq(ctx(0, int(etype)), ...(kvno !== null ? [ctx(1, int(kvno))] : []), ctx(2, octets(cipher)));

function noise(seed: number, n: number): Uint8Array {
  const rnd = seededRandom(seed);
  return Uint8Array.from({ length: n }, () => Math.floor(rnd() * 256));
}

/** Who asks the KDC for what. */
export interface KrbNames {
  realm: string;
  user: string;
}

/** AS-REQ ([APPLICATION 10]) for krbtgt; with `preauth`, a PA-ENC-TIMESTAMP (AES256) is included. */
export function krbAsReq(n: KrbNames, nonce: number, preauth: boolean, seed: number): Uint8Array {
  const body = seq(
    ctx(0, tlv(0x03, Uint8Array.of(0, 0x40, 0x81, 0x00, 0x10))), // forwardable, renewable, canonicalize, renewable-ok
    ctx(1, principal(1, n.user)),
    ctx(2, general(n.realm)),
    ctx(3, principal(2, 'krbtgt', n.realm)),
    ctx(5, gtime('20370913024805Z')),
    ctx(6, gtime('20370913024805Z')),
    ctx(7, int(nonce)),
    ctx(8, seq(int(18), int(17), int(23))),
  );
  const padata = preauth
    ? [ctx(3, seq(seq(ctx(1, int(2)), ctx(2, octets(encrypted(18, null, noise(seed, 56)))))))]
    : [];
  return app(10, seq(ctx(1, int(5)), ctx(2, int(10)), ...padata, ctx(4, body)));
}

/** KRB-ERROR ([APPLICATION 30]) KDC_ERR_PREAUTH_REQUIRED (25), e-data listing PA-ENC-TIMESTAMP. */
export function krbPreauthRequired(n: KrbNames): Uint8Array {
  const methods = seq(seq(ctx(1, int(2)), ctx(2, octets(''))));
  return app(30, seq(
    ctx(0, int(5)), ctx(1, int(30)), ctx(4, gtime('20240312091500Z')), ctx(5, int(123456)), ctx(6, int(25)),
    ctx(9, general(n.realm)), ctx(10, principal(2, 'krbtgt', n.realm)), ctx(12, octets(methods)),
  ));
}

/** AS-REP ([APPLICATION 11]) with a ticket for krbtgt; both encrypted parts are noise. */
export function krbAsRep(n: KrbNames, seed: number): Uint8Array {
  const ticket = app(1, seq(ctx(0, int(5)), ctx(1, general(n.realm)), ctx(2, principal(2, 'krbtgt', n.realm)), ctx(3, encrypted(18, 2, noise(seed, 180)))));
  return app(11, seq(ctx(0, int(5)), ctx(1, int(11)), ctx(3, general(n.realm)), ctx(4, principal(1, n.user)), ctx(5, ticket), ctx(6, encrypted(18, 5, noise(seed + 1, 120)))));
}

/** RFC 4120 §7.2.2: the 4-byte big-endian length in front of a Kerberos message over TCP. */
export function krbOverTcp(message: Uint8Array): Uint8Array {
  return concat(new ByteWriter(false).u32(message.length).done(), message);
}

// ---------------------------------------------------------------------------------------------
// SMB2 (MS-SMB2 §2.2) behind the 4-byte NetBIOS session header (RFC 1002 §4.3.1, "direct TCP")

function smb2Header(command: number, messageId: number, response: boolean): ByteWriter {
  return new ByteWriter(true)
    .bytes([0xfe, 0x53, 0x4d, 0x42])
    .u16(64)
    .u16(0) // credit charge
    .u32(0) // status
    .u16(command)
    .u16(response ? 1 : 31) // credits
    .u32(response ? 1 : 0) // flags: SERVER_TO_REDIR
    .u32(0) // next command
    .u32(messageId)
    .u32(0)
    .u32(0) // reserved (process id)
    .u32(0) // tree id
    .zeros(8) // session id
    .zeros(16); // signature
}

const netbios = (msg: Uint8Array): Uint8Array => concat(Uint8Array.of(0, (msg.length >> 16) & 0xff, (msg.length >> 8) & 0xff, msg.length & 0xff), msg);

/** NEGOTIATE request offering SMB 2.0.2 to 3.0.2 (no 3.1.1, so no negotiate contexts). */
export function smb2NegotiateRequest(clientGuid: string): Uint8Array {
  const w = smb2Header(0, 0, false);
  const dialects = [0x0202, 0x0210, 0x0300, 0x0302];
  w.u16(36).u16(dialects.length).u16(1).u16(0).u32(0x7f).bytes(uuidBytes(clientGuid)).zeros(8);
  for (const d of dialects) w.u16(d);
  return netbios(w.done());
}

/** SPNEGO NegTokenInit hint (RFC 4178) listing MS Kerberos, Kerberos and NTLM, as a server's negotiate response carries. */
const spnegoHint = (): Uint8Array =>
  tlv(0x60, oid('1.3.6.1.5.5.2'), ctx(0, seq(ctx(0, seq(oid('1.2.840.48018.1.2.2'), oid('1.2.840.113554.1.2.2'), oid('1.3.6.1.4.1.311.2.2.10'))))));

/** NEGOTIATE response choosing 3.0.2, with the SPNEGO hint as security buffer (offset 128). */
export function smb2NegotiateResponse(serverGuid: string): Uint8Array {
  const blob = spnegoHint();
  const w = smb2Header(0, 0, true);
  w.u16(65).u16(1).u16(0x0302).u16(0).bytes(uuidBytes(serverGuid)).u32(0x2f).u32(8388608).u32(8388608).u32(8388608);
  w.u32(0xd6b4f000).u32(0x01da7466); // system time (FILETIME)
  w.zeros(8); // server start time
  w.u16(128).u16(blob.length).u32(0);
  w.bytes(blob);
  return netbios(w.done());
}

// ---------------------------------------------------------------------------------------------
// HTTP/1.1

/** A GET request. */
export const httpGet = (host: string, path: string): Uint8Array =>
  text(`GET ${path} HTTP/1.1\r\nHost: ${host}\r\nUser-Agent: Mozilla/5.0 (Windows NT 10.0; Win64; x64)\r\nAccept: text/html\r\nConnection: keep-alive\r\n\r\n`);

/** A 200 response with an HTML body. */
export function httpOk(body: string): Uint8Array {
  const b = text(body);
  return concat(text(`HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nServer: Microsoft-IIS/10.0\r\nContent-Length: ${b.length}\r\n\r\n`), b);
}
