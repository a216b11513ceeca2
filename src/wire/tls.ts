/**
 * TLS records (RFC 8446 §5.1, RFC 5246 §6.2.1) and alerts (RFC 8446 §6, RFC 5246 §7.2): enough
 * to see a handshake fail on the wire. A plaintext alert is a record of type 21 whose two-byte
 * body is the level and the description; after ChangeCipherSpec (and always in TLS 1.3) alerts
 * are encrypted and only their presence shows. Records are read where a segment starts with
 * one; a segment that continues a record begun earlier is not a record boundary and is skipped.
 * XXX: the Operations Manager channel on TCP 5723 is documented only as "TLS with certificates"
 * between gateways and management servers; records are looked for at the start of its segments,
 * which is what the SChannel handshake of the samples and of Windows' own traces shows.
 */
import { EMPTY, u16be, u8 } from './bytes.js';
import { Status } from './status.js';

const HDR = 5;
/** RFC 8446 §5.1: a record's length is at most 2^14 (+ 256 of expansion for ciphertext, + 2048 in TLS 1.2). */
const MAX_RECORD = 16384 + 2048;
/** Records walked in one segment, at most. */
const MAX_RECORDS = 32;

/** Record content types. */
export const TlsContent = { CHANGE_CIPHER_SPEC: 20, ALERT: 21, HANDSHAKE: 22, APPLICATION_DATA: 23 } as const;

/** Alert descriptions (RFC 8446 §6, RFC 5246 §7.2). */
export const TLS_ALERT_NAMES: Readonly<Record<number, string>> = {
  0: 'close_notify', 10: 'unexpected_message', 20: 'bad_record_mac', 21: 'decryption_failed', 22: 'record_overflow',
  30: 'decompression_failure', 40: 'handshake_failure', 41: 'no_certificate', 42: 'bad_certificate', 43: 'unsupported_certificate',
  44: 'certificate_revoked', 45: 'certificate_expired', 46: 'certificate_unknown', 47: 'illegal_parameter', 48: 'unknown_ca',
  49: 'access_denied', 50: 'decode_error', 51: 'decrypt_error', 60: 'export_restriction', 70: 'protocol_version',
  71: 'insufficient_security', 80: 'internal_error', 86: 'inappropriate_fallback', 90: 'user_canceled', 100: 'no_renegotiation',
  109: 'missing_extension', 110: 'unsupported_extension', 112: 'unrecognized_name', 113: 'bad_certificate_status_response',
  115: 'unknown_psk_identity', 116: 'certificate_required', 120: 'no_application_protocol',
};

/** `unknown_ca`, or `alert 200`. */
export const tlsAlertName = (d: number): string => TLS_ALERT_NAMES[d] ?? `alert ${d}`;

/** One record header. Getters are valid only after wrap() === Ok. */
export class TlsRecordView {
  private b: Uint8Array = EMPTY;
  private o = 0;

  /**
   * Ok when `b[off, end)` starts with a plausible record header: a known content type, major
   * version 3 (SSL 3.0 to TLS 1.3 all write 3.x), and a length within the limit. The body may
   * run past `end` (a record spanning segments): check `bodyEnd` before reading it.
   */
  wrap(b: Uint8Array, off: number, end: number): Status {
    if (end - off < HDR) return Status.Truncated;
    const type = u8(b, off);
    if (type < TlsContent.CHANGE_CIPHER_SPEC || type > TlsContent.APPLICATION_DATA) return Status.Malformed;
    if (u8(b, off + 1) !== 3 || u8(b, off + 2) > 4) return Status.Malformed;
    const len = u16be(b, off + 3);
    if (len === 0 || len > MAX_RECORD) return Status.Malformed;
    this.b = b;
    this.o = off;
    return Status.Ok;
  }

  get contentType(): number { return u8(this.b, this.o); }
  /** Record-layer version, e.g. 0x0303. */
  get version(): number { return u16be(this.b, this.o + 1); }
  get length(): number { return u16be(this.b, this.o + 3); }
  get bodyOff(): number { return this.o + HDR; }
  get bodyEnd(): number { return this.o + HDR + this.length; }
}

/** One view reused by the functions below. */
const RECORD = new TlsRecordView();

/** An alert record found in a segment. */
export interface TlsAlert {
  /** Offset of the record in the buffer. */
  offset: number;
  /** 1 warning, 2 fatal; 0 when encrypted. */
  level: number;
  /** Description code; -1 when encrypted. */
  description: number;
  encrypted: boolean;
}

/**
 * The alert records among the records that start at `off` and follow each other in
 * `b[off, end)`. Empty when the segment does not start with a record header, or holds none.
 */
export function tlsAlerts(b: Uint8Array, off: number, end: number): TlsAlert[] {
  const out: TlsAlert[] = [];
  const r = RECORD;
  let p = off;
  for (let i = 0; i < MAX_RECORDS && r.wrap(b, p, end) === Status.Ok; i++) {
    if (r.contentType === TlsContent.ALERT) {
      // A plaintext alert body is exactly two octets; anything else is the encrypted form.
      if (r.length !== 2) out.push({ offset: p, level: 0, description: -1, encrypted: true });
      else if (r.bodyEnd <= end) out.push({ offset: p, level: u8(b, p + HDR), description: u8(b, p + HDR + 1), encrypted: false });
    }
    // wrap() proved length >= 1, so the walk advances.
    p = r.bodyEnd;
  }
  return out;
}

/** True when `b[off, end)` starts with a TLS handshake record (a ClientHello or ServerHello segment). */
export function startsWithTlsHandshake(b: Uint8Array, off: number, end: number): boolean {
  const r = RECORD;
  return r.wrap(b, off, end) === Status.Ok && r.contentType === TlsContent.HANDSHAKE;
}
