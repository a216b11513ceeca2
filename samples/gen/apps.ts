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
  dnsAnswers(w, answers ?? []);
  return w.done();
}

/** Answer records whose owner is the question (a compression pointer to offset 12). */
function dnsAnswers(w: ByteWriter, answers: readonly DnsAnswer[]): void {
  for (const a of answers) {
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
}

/** RFC 1035 §4.2.2: over TCP a DNS message is preceded by its 2-byte length. */
export function dnsOverTcp(message: Uint8Array): Uint8Array {
  return concat(new ByteWriter(false).u16(message.length).done(), message);
}


/** What a DNS response holds besides its question (`dnsReply`). */
export interface DnsReply {
  /** RFC 1035 §4.1.1 RCODE: 0 NOERROR, 2 SERVFAIL, 3 NXDOMAIN, 5 REFUSED. */
  rcode?: number;
  answers?: readonly DnsAnswer[];
  /** Additional records (A records of SRV targets, as a DC's DNS server adds them), with their owner names. */
  additional?: readonly { name: string; address: string }[];
}

/**
 * A DNS response of any RCODE (RFC 1035 §4.1): the question, the answers (owner: a compression
 * pointer to the question), and additional A records written with their full owner names.
 * An NXDOMAIN or SERVFAIL answer has no records.
 */
export function dnsReply(id: number, name: string, qtype: number, r: DnsReply = {}): Uint8Array {
  const answers = r.answers ?? [];
  const extra = r.additional ?? [];
  const w = new ByteWriter(false).u16(id).u16(0x8580 | ((r.rcode ?? 0) & 0x0f)).u16(1).u16(answers.length).u16(0).u16(extra.length);
  dnsName(w, name);
  w.u16(qtype).u16(1);
  dnsAnswers(w, answers);
  for (const x of extra) {
    dnsName(w, x.name);
    w.u16(DnsType.A).u16(1).u32(600).u16(4);
    for (const p of x.address.split('.')) w.u8(Number(p));
  }
  return w.done();
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


/** DNS name as NETLOGON structures write it (MS-ADTS §6.3.1.9: RFC 1035 labels, uncompressed here). */
function netlogonName(w: ByteWriter, name: string): void {
  if (name !== '') for (const label of name.split('.')) w.u8(label.length).bytes(text(label));
  w.u8(0);
}

/** What a domain controller says about itself in an LDAP ping answer. */
export interface NetlogonDc {
  forest: string;
  domain: string;
  host: string;
  netbiosDomain: string;
  netbiosHost: string;
  site: string;
}

/**
 * The DC locator's LDAP ping (MS-ADTS §6.3.3.2) over UDP 389: a searchRequest of the rootDSE,
 * filter (&(DnsDomain=domain)(Host=host)(NtVer=0x00000016)), attribute Netlogon.
 */
export function cldapPing(id: number, domain: string, host: string): Uint8Array {
  const eq = (a: string, v: Uint8Array | string): Uint8Array => tlv(0xa3, octets(a), octets(v));
  const filter = tlv(0xa0, eq('DnsDomain', domain), eq('Host', host), eq('NtVer', Uint8Array.of(0x16, 0, 0, 0)));
  return ldap(id, app(3, octets(''), enumerated(0), enumerated(0), int(0), int(0), bool(false), filter, seq(octets('Netlogon'))));
}

/**
 * The DC's answer to `cldapPing`, in one datagram: a searchResEntry whose Netlogon value is a
 * NETLOGON_SAM_LOGON_RESPONSE_EX (MS-ADTS §6.3.1.9, opcode 23, a writable DC with KDC, LDAP,
 * DS and GC flags), then a searchResDone with success.
 */
export function cldapPingResponse(id: number, dc: NetlogonDc): Uint8Array {
  const w = new ByteWriter(true).u16(23).u16(0).u32(0x000011bd).bytes(uuidBytes('5b0a7c3e-91d2-4f6b-a8e4-2c1d7f9e0b35'));
  netlogonName(w, dc.forest);
  netlogonName(w, dc.domain);
  netlogonName(w, dc.host);
  netlogonName(w, dc.netbiosDomain);
  netlogonName(w, dc.netbiosHost);
  netlogonName(w, '');
  netlogonName(w, dc.site);
  netlogonName(w, dc.site);
  w.u32(0x00000005).u16(0xffff).u16(0xffff);
  const entry = ldap(id, app(4, octets(''), seq(seq(octets('netlogon'), set(octets(w.done()))))));
  return concat(entry, ldapSearchDone(id));
}

// ---------------------------------------------------------------------------------------------
// Kerberos (RFC 4120 §5.4); over TCP each message is preceded by its 4-byte length (§7.2.2)

const principal = (type: number, ...names: string[]): Uint8Array => seq(ctx(0, int(type)), ctx(1, seq(...names.map(general))));
const encrypted = (etype: number, kvno: number | null, cipher: Uint8Array): Uint8Array =>
  seq(ctx(0, int(etype)), ...(kvno !== null ? [ctx(1, int(kvno))] : []), ctx(2, octets(cipher)));

/** `n` bytes from a PRNG seeded with `seed`: ciphertext as a capture shows it. */
export function noise(seed: number, n: number): Uint8Array {
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


/** A ticket ([APPLICATION 1], §5.3) for `sname` with a noise enc-part. */
const ticketFor = (realm: string, sname: readonly string[], seed: number): Uint8Array =>
  app(1, seq(ctx(0, int(5)), ctx(1, general(realm)), ctx(2, principal(2, ...sname)), ctx(3, encrypted(18, 2, noise(seed, 180)))));

/**
 * TGS-REQ ([APPLICATION 12]) for `sname` (e.g. MSOMHSvc/scom01.corp.example): PA-TGS-REQ carrying
 * an AP-REQ ([APPLICATION 14]) with the TGT and a noise authenticator, then the request body.
 */
export function krbTgsReq(n: KrbNames, sname: readonly string[], nonce: number, seed: number): Uint8Array {
  const apReq = app(14, seq(ctx(0, int(5)), ctx(1, int(14)), ctx(2, tlv(0x03, Uint8Array.of(0, 0, 0, 0, 0))), ctx(3, ticketFor(n.realm, ['krbtgt', n.realm], seed)), ctx(4, encrypted(18, null, noise(seed + 1, 96)))));
  const body = seq(
    ctx(0, tlv(0x03, Uint8Array.of(0, 0x40, 0x81, 0x00, 0x00))), // forwardable, renewable, canonicalize
    ctx(2, general(n.realm)),
    ctx(3, principal(2, ...sname)),
    ctx(5, gtime('20370913024805Z')),
    ctx(7, int(nonce)),
    ctx(8, seq(int(18), int(17), int(23))),
  );
  return app(12, seq(ctx(1, int(5)), ctx(2, int(12)), ctx(3, seq(seq(ctx(1, int(1)), ctx(2, octets(apReq))))), ctx(4, body)));
}

/** TGS-REP ([APPLICATION 13]) with a ticket for `sname`; the encrypted parts are noise. */
export function krbTgsRep(n: KrbNames, sname: readonly string[], seed: number): Uint8Array {
  return app(13, seq(ctx(0, int(5)), ctx(1, int(13)), ctx(3, general(n.realm)), ctx(4, principal(1, n.user)), ctx(5, ticketFor(n.realm, sname, seed)), ctx(6, encrypted(18, null, noise(seed + 1, 140)))));
}

/** A KRB-ERROR's fields (RFC 4120 §5.9.1); times as KerberosTime text, `YYYYMMDDHHMMSSZ`. */
export interface KrbErrorFields {
  code: number;
  realm: string;
  sname: readonly string[];
  stime: string;
  susec: number;
  ctime?: string;
  cusec?: number;
  crealm?: string;
  cname?: readonly string[];
  etext?: string;
}

/** KRB-ERROR ([APPLICATION 30]) with the given fields and no e-data. */
export function krbError(f: KrbErrorFields): Uint8Array {
  return app(30, seq(
    ctx(0, int(5)), ctx(1, int(30)),
    ...(f.ctime !== undefined ? [ctx(2, gtime(f.ctime)), ctx(3, int(f.cusec ?? 0))] : []),
    ctx(4, gtime(f.stime)), ctx(5, int(f.susec)), ctx(6, int(f.code)),
    ...(f.crealm !== undefined ? [ctx(7, general(f.crealm))] : []),
    ...(f.cname !== undefined ? [ctx(8, principal(1, ...f.cname))] : []),
    ctx(9, general(f.realm)), ctx(10, principal(2, ...f.sname)),
    ...(f.etext !== undefined ? [ctx(11, general(f.etext))] : []),
  ));
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

// ---------------------------------------------------------------------------------------------
// TLS 1.2 records (RFC 5246 §6.2.1, §7.4): the start of a mutually authenticated handshake and its alert

const tlsRecord = (type: number, body: Uint8Array): Uint8Array => concat(new ByteWriter(false).u8(type).u16(0x0303).u16(body.length).done(), body);
const handshake = (type: number, body: Uint8Array): Uint8Array => concat(Uint8Array.of(type, body.length >> 16, (body.length >> 8) & 0xff, body.length & 0xff), body);

/** A ClientHello record offering ECDHE-RSA with AES-GCM (no extensions). */
export function tlsClientHello(seed: number): Uint8Array {
  const suites = [0xc030, 0xc02f, 0x009f, 0x009e];
  const w = new ByteWriter(false).u16(0x0303).bytes(noise(seed, 32)).u8(0).u16(suites.length * 2);
  for (const c of suites) w.u16(c);
  w.u8(1).u8(0).u16(0);
  return tlsRecord(22, handshake(1, w.done()));
}

/** A Name with one RDN, CN=`cn` (RFC 5280 §4.1.2.4). */
const x509Name = (cn: string): Uint8Array => seq(set(seq(oid('2.5.4.3'), tlv(0x0c, text(cn)))));

/**
 * An X.509 v3 certificate (RFC 5280 §4.1) for `subject`, issued by `issuer`, with an RSA key and a
 * signature of noise: well formed for a decoder, useless for anything else. The extended key
 * usage lists Server and Client Authentication, as Operations Manager requires.
 */
export function x509Certificate(subject: string, issuer: string, seed: number): Uint8Array {
  const sha256Rsa = seq(oid('1.2.840.113549.1.1.11'), tlv(0x05));
  const modulus = noise(seed, 256);
  modulus[0] = modulus[0]! | 0x80;
  const key = seq(tlv(0x02, Uint8Array.of(0), modulus), int(65537));
  const eku = seq(oid('2.5.29.37'), octets(seq(oid('1.3.6.1.5.5.7.3.1'), oid('1.3.6.1.5.5.7.3.2'))));
  const tbs = seq(
    ctx(0, int(2)), int(0x1f2e3d4c), sha256Rsa, x509Name(issuer),
    seq(tlv(0x17, text('240101000000Z')), tlv(0x17, text('260101000000Z'))), x509Name(subject),
    seq(seq(oid('1.2.840.113549.1.1.1'), tlv(0x05)), tlv(0x03, Uint8Array.of(0), key)),
    ctx(3, seq(eku)),
  );
  return seq(tbs, sha256Rsa, tlv(0x03, Uint8Array.of(0), noise(seed + 1, 256)));
}

/**
 * The server's first flight in one record: ServerHello, Certificate (the server's certificate,
 * issued by a CA the client may not trust), CertificateRequest (client certificates: Operations
 * Manager authenticates both sides), ServerHelloDone.
 */
export function tlsServerFlight(seed: number, subject = 'scom01.corp.example', issuer = 'Corp Issuing CA'): Uint8Array {
  const hello = new ByteWriter(false).u16(0x0303).bytes(noise(seed, 32)).u8(0).u16(0xc030).u8(0).u16(0).done();
  const cert = x509Certificate(subject, issuer, seed + 1);
  const certs = new ByteWriter(false).u8(0).u16(cert.length + 3).u8(0).u16(cert.length).bytes(cert).done();
  const req = new ByteWriter(false).u8(2).u8(1).u8(64).u16(4).u16(0x0401).u16(0x0501).u16(0).done();
  return tlsRecord(22, concat(handshake(2, hello), handshake(11, certs), handshake(13, req), handshake(14, new Uint8Array(0))));
}

/** A plaintext alert record: level (1 warning, 2 fatal) and description (48 unknown_ca, 42 bad_certificate, ...). */
export const tlsAlert = (level: number, description: number): Uint8Array => tlsRecord(21, Uint8Array.of(level, description));
