/**
 * DCE/RPC connection-oriented PDUs (C706 §12.6, MS-RPCE §2.2.2). The 16-byte common header
 * carries the data representation (drep): integers in the stub and in the PDU body follow
 * drep[0]'s high nibble (1 = little-endian, 0 = big-endian).
 */
import { EMPTY, u16, u32 } from './bytes.js';
import { Status } from './status.js';

/** PTYPE values (C706 §12.6.4.1). */
export const PType = {
  REQUEST: 0,
  PING: 1,
  RESPONSE: 2,
  FAULT: 3,
  BIND: 11,
  BIND_ACK: 12,
  BIND_NAK: 13,
  ALTER_CONTEXT: 14,
  ALTER_CONTEXT_RESP: 15,
  AUTH3: 16,
  SHUTDOWN: 17,
  CO_CANCEL: 18,
  ORPHANED: 19,
} as const;
export type PType = (typeof PType)[keyof typeof PType];

/** pfc_flags bits (C706 §12.6.3.1). */
export const PfcFlag = { FIRST_FRAG: 0x01, LAST_FRAG: 0x02, OBJECT_UUID: 0x80 } as const;

/** Common header length. */
export const CO_HDR = 16;
/** sec_trailer length (C706 §13.2.6.1): auth_type, auth_level, pad_length, reserved, context_id. */
const SEC_TRAILER = 8;

/**
 * True when the 16 bytes at `o` look like the start of a connection-oriented PDU: version 5.0
 * or 5.1, a known PTYPE, a plausible drep and a frag_length at least the header size. Used to
 * recognise RPC streams on ports other than 135.
 */
export function looksLikeCoPdu(b: Uint8Array, o: number, end: number): boolean {
  if (end - o < CO_HDR) return false;
  if (b[o] !== 5 || (b[o + 1] !== 0 && b[o + 1] !== 1)) return false;
  const t = b[o + 2]!;
  if (t > PType.ORPHANED || t === 4 || t === 5 || t === 6 || t === 7 || t === 8 || t === 9 || t === 10) return false;
  const d0 = b[o + 4]!;
  if ((d0 & 0xe0) !== 0 || (d0 & 0x0e) !== 0) return false; // integer rep 0/1, char rep 0/1 (ASCII/EBCDIC)
  const le = (d0 & 0x10) !== 0;
  return u16(b, o + 8, le) >= CO_HDR;
}

/**
 * Like `looksLikeCoPdu`, for the start of a stream that may hold fewer than 16 bytes yet: true
 * when the bytes there (at least one) agree with the start of a connection-oriented PDU.
 */
export function couldStartCoPdu(b: Uint8Array, o: number, end: number): boolean {
  const n = end - o;
  if (n >= CO_HDR) return looksLikeCoPdu(b, o, end);
  if (n < 1 || b[o] !== 5) return false;
  if (n >= 2 && b[o + 1] !== 0 && b[o + 1] !== 1) return false;
  const t = n >= 3 ? b[o + 2]! : 0;
  if (t > PType.ORPHANED || (t >= 4 && t <= 10)) return false;
  if (n < 5) return true;
  const d0 = b[o + 4]!;
  if ((d0 & 0xe0) !== 0 || (d0 & 0x0e) !== 0) return false;
  return n < 10 || u16(b, o + 8, (d0 & 0x10) !== 0) >= CO_HDR;
}

/** The frag_length of the PDU whose header starts at `b[o]` when it looks like one (`looksLikeCoPdu`), else 0. */
export function coPduLength(b: Uint8Array, o: number, end: number): number {
  return looksLikeCoPdu(b, o, end) ? u16(b, o + 8, (b[o + 4]! & 0x10) !== 0) : 0;
}

/** The common header and the typed fields that follow it. */
export class DcerpcView {
  private b: Uint8Array = EMPTY;
  private o = 0;
  /** True when drep says little-endian integers. */
  le = true;

  /** Aims at a whole PDU `b[off, off + fragLength)`; `end` bounds what is present. */
  wrap(b: Uint8Array, off: number, end: number): Status {
    if (end - off < CO_HDR) return Status.Truncated;
    if (b[off] !== 5) return Status.Malformed;
    this.b = b;
    this.o = off;
    this.le = (b[off + 4]! & 0x10) !== 0;
    const fl = u16(b, off + 8, this.le);
    if (fl < CO_HDR) return Status.Malformed;
    if (off + fl > end) return Status.Truncated;
    return Status.Ok;
  }

  get ptype(): number { return this.b[this.o + 2]!; }
  get flags(): number { return this.b[this.o + 3]!; }
  get fragLength(): number { return u16(this.b, this.o + 8, this.le); }
  get authLength(): number { return u16(this.b, this.o + 10, this.le); }
  get callId(): number { return u32(this.b, this.o + 12, this.le); }
  /** Offset of the PDU's first byte (alignment in the body is relative to it). */
  get start(): number { return this.o; }

  /**
   * End of the PDU body: before the auth verifier, its sec_trailer and the padding the
   * trailer says precedes it (C706 §13.2.6.1). Falls back to frag_length when the auth
   * fields do not fit.
   */
  get bodyEnd(): number {
    const fl = this.fragLength;
    const al = this.authLength;
    if (al === 0) return this.o + fl;
    const trailer = this.o + fl - al - SEC_TRAILER;
    if (trailer < this.o + CO_HDR) return this.o + fl;
    const pad = this.b[trailer + 2]!;
    return Math.max(this.o + CO_HDR, trailer - pad);
  }

  // request (C706 §12.6.4.9): alloc_hint(4) p_cont_id(2) opnum(2) [object uuid(16)] stub
  get reqContextId(): number { return u16(this.b, this.o + 20, this.le); }
  get reqOpnum(): number { return u16(this.b, this.o + 22, this.le); }
  get reqStubOff(): number { return this.o + 24 + ((this.flags & PfcFlag.OBJECT_UUID) !== 0 ? 16 : 0); }

  // response (§12.6.4.10) and fault (§12.6.4.7): alloc_hint(4) p_cont_id(2) cancel_count(1) reserved(1)
  get respContextId(): number { return u16(this.b, this.o + 20, this.le); }
  get respStubOff(): number { return this.o + 24; }
  /** Fault status (fault PDU only). */
  get faultStatus(): number { return u32(this.b, this.o + 24, this.le); }
}

/** One presentation context of a bind or alter_context. */
export interface PresentationContext {
  contextId: number;
  /** Abstract syntax: the interface. */
  uuid: string;
  versionMajor: number;
  versionMinor: number;
  /** Transfer syntaxes offered (NDR 8a885d04-..., NDR64 71710533-..., bind-time features). */
  transferSyntaxes: string[];
}

/** NDR64 transfer syntax (MS-RPCE §2.2.5.1). */
export const NDR64_UUID = '71710533-beba-4937-8319-b5dbef9ccc36';
/** NDR 2.0 transfer syntax (C706 §14). */
export const NDR_UUID = '8a885d04-1ceb-11c9-9fe8-08002b104860';

/** Context results (MS-RPCE §2.2.2.4). */
export const ContextResultCode = { ACCEPTANCE: 0, USER_REJECTION: 1, PROVIDER_REJECTION: 2, NEGOTIATE_ACK: 3 } as const;

/** A bind_nak's provider_reject_reason (C706 §12.6.4.6), or null when the body is too short to hold it. */
export function bindNakReason(v: DcerpcView, b: Uint8Array): number | null {
  const o = v.start + CO_HDR;
  return o + 2 <= v.bodyEnd ? u16(b, o, v.le) : null;
}

/** Result of one context in a bind_ack / alter_context_resp. */
export interface ContextResult {
  /** 0 acceptance, 1 user rejection, 2 provider rejection, 3 negotiate ack (MS-RPCE §2.2.2.4). */
  result: number;
  reason: number;
  /** The transfer syntax the server chose. */
  transferSyntax: string;
}

/** Decoded bind_ack / alter_context_resp body. */
export interface BindAck {
  /** Secondary address: the server's port as text ("49667"), or "" when absent. */
  secondaryAddress: string;
  results: ContextResult[];
}

/** GUID text of the NDR-encoded UUID at `o` (first three fields in the given byte order). */
export function uuidText(b: Uint8Array, o: number, le: boolean): string {
  const h = (v: number, w: number): string => v.toString(16).padStart(w, '0');
  let s = `${h(u32(b, o, le), 8)}-${h(u16(b, o + 4, le), 4)}-${h(u16(b, o + 6, le), 4)}-`;
  for (let i = 8; i < 16; i++) {
    if (i === 10) s += '-';
    s += h(b[o + i]!, 2);
  }
  return s;
}

/**
 * The presentation contexts of a bind / alter_context (C706 §12.6.4.3): max_xmit(2) max_recv(2)
 * assoc_group(4), then p_cont_list_t. Stops at the first context that does not fit.
 */
export function bindContexts(v: DcerpcView, b: Uint8Array): PresentationContext[] {
  const le = v.le;
  const end = v.bodyEnd;
  let o = v.start + CO_HDR + 8;
  const out: PresentationContext[] = [];
  if (o + 4 > end) return out;
  const n = b[o]!;
  o += 4;
  for (let i = 0; i < n; i++) {
    if (o + 4 + 20 > end) break;
    const contextId = u16(b, o, le);
    const nTransfer = b[o + 2]!;
    const transferSyntaxes: string[] = [];
    for (let t = 0; t < nTransfer && o + 24 + 20 * (t + 1) <= end; t++) transferSyntaxes.push(uuidText(b, o + 24 + 20 * t, le));
    // p_syntax_id_t.if_version is one u32, major version in the low 16 bits (C706 §12.6.3.1):
    // two u16 reads agree only in little-endian NDR.
    const ver = u32(b, o + 20, le);
    out.push({ contextId, uuid: uuidText(b, o + 4, le), versionMajor: ver & 0xffff, versionMinor: ver >>> 16, transferSyntaxes });
    o += 4 + 20 + 20 * nTransfer;
  }
  return out;
}

/**
 * bind_ack / alter_context_resp body (C706 §12.6.4.4): max_xmit(2) max_recv(2) assoc_group(4)
 * sec_addr (port_spec: length(2) + string incl. NUL), pad to 4, p_result_list.
 */
export function bindAck(v: DcerpcView, b: Uint8Array): BindAck {
  const le = v.le;
  const end = v.bodyEnd;
  let o = v.start + CO_HDR + 8;
  const out: BindAck = { secondaryAddress: '', results: [] };
  if (o + 2 > end) return out;
  const alen = u16(b, o, le);
  o += 2;
  if (o + alen > end) return out;
  let s = '';
  for (let i = 0; i < alen; i++) {
    const c = b[o + i]!;
    if (c === 0) break;
    s += String.fromCharCode(c);
  }
  out.secondaryAddress = s;
  o += alen;
  o = v.start + ((o - v.start + 3) & ~3);
  if (o + 4 > end) return out;
  const n = b[o]!;
  o += 4;
  for (let i = 0; i < n && o + 24 <= end; i++) {
    out.results.push({ result: u16(b, o, le), reason: u16(b, o + 2, le), transferSyntax: uuidText(b, o + 4, le) });
    o += 24;
  }
  return out;
}
