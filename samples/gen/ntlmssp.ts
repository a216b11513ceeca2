/**
 * NTLMSSP messages (MS-NLMP §2.2) for DCE/RPC authentication (auth_type 10, RPC_C_AUTHN_WINNT):
 * NEGOTIATE in the bind, CHALLENGE in the bind_ack, AUTHENTICATE in auth3, and the 16-byte
 * message signature after every request and response. No cryptography: keys, proofs and
 * checksums are fixed bytes from a seeded PRNG, which is all a capture shows of them.
 */
import { ByteWriter, concat, seededRandom } from './frames.js';

/** RPC_C_AUTHN_WINNT: NTLMSSP in the sec_trailer (MS-RPCE §2.2.1.1.7). */
export const AUTHN_WINNT = 10;
/** RPC_C_AUTHN_LEVEL_* (MS-RPCE §2.2.1.1.8). */
export const AuthnLevel = { CONNECT: 2, PKT_INTEGRITY: 5, PKT_PRIVACY: 6 } as const;

const SIGNATURE = new TextEncoder().encode('NTLMSSP\0');

/**
 * NegotiateFlags a Windows 10 client sends (MS-NLMP §2.2.2.5): 56, KEY_EXCH, 128, VERSION,
 * TARGET_INFO, EXTENDED_SESSIONSECURITY, ALWAYS_SIGN, NTLM, SEAL, SIGN, REQUEST_TARGET, OEM, UNICODE.
 */
const FLAGS = 0xe2888235 >>> 0;

/** VERSION (MS-NLMP §2.2.2.10): Windows 10.0 build 19041, NTLM revision 15. */
function version(w: ByteWriter): void {
  w.u8(10).u8(0).u16(19041).zeros(3).u8(0x0f);
}

const utf16 = (s: string): Uint8Array => {
  const w = new ByteWriter(true);
  for (const ch of s) w.u16(ch.charCodeAt(0));
  return w.done();
};

/** Len, MaxLen, BufferOffset of a payload field. */
function field(w: ByteWriter, len: number, offset: number): void {
  w.u16(len).u16(len).u32(offset);
}

/** NEGOTIATE_MESSAGE (MS-NLMP §2.2.1.1) with empty domain and workstation fields. */
export function ntlmNegotiate(): Uint8Array {
  const w = new ByteWriter(true).bytes(SIGNATURE).u32(1).u32(FLAGS);
  field(w, 0, 0);
  field(w, 0, 0);
  version(w);
  return w.done();
}

/** AV_PAIRs of the target info (MS-NLMP §2.2.2.1), ending with MsvAvEOL. */
function targetInfo(domain: string, host: string, dnsDomain: string, time: Uint8Array): Uint8Array {
  const w = new ByteWriter(true);
  const pair = (id: number, v: Uint8Array): void => void w.u16(id).u16(v.length).bytes(v);
  pair(2, utf16(domain)); // MsvAvNbDomainName
  pair(1, utf16(host)); // MsvAvNbComputerName
  pair(4, utf16(dnsDomain)); // MsvAvDnsDomainName
  pair(3, utf16(`${host.toLowerCase()}.${dnsDomain}`)); // MsvAvDnsComputerName
  pair(5, utf16(dnsDomain)); // MsvAvDnsTreeName
  pair(7, time); // MsvAvTimestamp
  w.u16(0).u16(0); // MsvAvEOL
  return w.done();
}

/** FILETIME (100 ns since 1601) of 2024-03-12T09:15:00Z, little-endian. */
const FILETIME_VALUE = (1710234900n + 11644473600n) * 10000000n;
const FILETIME = new ByteWriter(true).u32(Number(FILETIME_VALUE & 0xffffffffn)).u32(Number(FILETIME_VALUE >> 32n)).done();

/** What the server names itself in the CHALLENGE. */
export interface NtlmTarget {
  domain: string;
  host: string;
  dnsDomain: string;
}

/** CHALLENGE_MESSAGE (MS-NLMP §2.2.1.2): target name, flags, 8-byte server challenge, target info, version. */
export function ntlmChallenge(t: NtlmTarget, seed: number): Uint8Array {
  const rnd = seededRandom(seed);
  const name = utf16(t.domain);
  const info = targetInfo(t.domain, t.host, t.dnsDomain, FILETIME);
  const w = new ByteWriter(true).bytes(SIGNATURE).u32(2);
  field(w, name.length, 56);
  w.u32(FLAGS | 0x00810000); // + TARGET_TYPE_DOMAIN, TARGET_INFO
  for (let i = 0; i < 8; i++) w.u8(Math.floor(rnd() * 256));
  w.zeros(8);
  field(w, info.length, 56 + name.length);
  version(w);
  return w.bytes(name).bytes(info).done();
}

/**
 * AUTHENTICATE_MESSAGE (MS-NLMP §2.2.1.3) with an NTLMv2 response: LM response of zeros (24),
 * NT response = NTProofStr (16) + NTLMv2_CLIENT_CHALLENGE (MS-NLMP §2.2.2.7) carrying the
 * timestamp, a client challenge and the server's target info; domain, user, workstation;
 * a 16-byte encrypted session key; a MIC.
 */
export function ntlmAuthenticate(t: NtlmTarget, user: { domain: string; name: string; workstation: string }, seed: number): Uint8Array {
  const rnd = seededRandom(seed);
  const bytes = (n: number): Uint8Array => Uint8Array.from({ length: n }, () => Math.floor(rnd() * 256));
  const clientChallenge = new ByteWriter(true)
    .u8(1)
    .u8(1)
    .zeros(6)
    .bytes(FILETIME)
    .bytes(bytes(8))
    .zeros(4)
    .bytes(targetInfo(t.domain, t.host, t.dnsDomain, FILETIME))
    .zeros(4)
    .done();
  const lm = new Uint8Array(24);
  const nt = concat(bytes(16), clientChallenge);
  const domain = utf16(user.domain);
  const name = utf16(user.name);
  const ws = utf16(user.workstation);
  const key = bytes(16);
  const payload = [lm, nt, domain, name, ws, key];
  let at = 88;
  const w = new ByteWriter(true).bytes(SIGNATURE).u32(3);
  // Field order in the header: Lm, Nt, Domain, User, Workstation, EncryptedRandomSessionKey.
  for (const p of payload) {
    field(w, p.length, at);
    at += p.length;
  }
  w.u32(FLAGS);
  version(w);
  w.bytes(bytes(16)); // MIC
  for (const p of payload) w.bytes(p);
  return w.done();
}

/** NTLMSSP_MESSAGE_SIGNATURE with extended session security (MS-NLMP §2.2.2.9.1): version 1, 8-byte checksum, sequence number. */
export function ntlmSignature(seq: number, seed: number): Uint8Array {
  const rnd = seededRandom(seed * 7919 + seq);
  const w = new ByteWriter(true).u32(1);
  for (let i = 0; i < 8; i++) w.u8(Math.floor(rnd() * 256));
  return w.u32(seq).done();
}

/** What RC4 sealing makes of a stub, as far as a capture can tell: the same length of noise. */
export function sealed(plain: Uint8Array, seed: number): Uint8Array {
  const rnd = seededRandom(seed);
  return plain.map((b) => b ^ Math.floor(rnd() * 256));
}
