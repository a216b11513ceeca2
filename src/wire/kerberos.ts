/**
 * Kerberos V5 KDC messages (RFC 4120 §5.4.1, §5.4.2, §5.9.1) in DER: what a capture shows of
 * an AS or TGS exchange without any key. Requests give the client and service names, the realm
 * and the nonce; replies the client and the ticket's service; KRB-ERROR the error code, the
 * server's time (and the client's, when the KDC copies it back), the realm and the service.
 * Over UDP a message is the whole datagram; over TCP it follows a 4-byte length (§7.2.2), which
 * the caller strips. Encrypted parts are skipped, never read.
 */
import { BER_CONSTRUCTED, BerClass, BerTag, Tlv, berGeneralizedTime, berInteger, berText } from './ber.js';

/** Message types: the [APPLICATION n] tag of the message, and its msg-type field (§5.10). */
export const KrbMsgType = { AS_REQ: 10, AS_REP: 11, TGS_REQ: 12, TGS_REP: 13, AP_REQ: 14, AP_REP: 15, KRB_ERROR: 30 } as const;
export type KrbMsgType = (typeof KrbMsgType)[keyof typeof KrbMsgType];

/** Names of the message types. */
export const KRB_MSG_NAMES: Readonly<Record<number, string>> = {
  10: 'AS-REQ', 11: 'AS-REP', 12: 'TGS-REQ', 13: 'TGS-REP', 14: 'AP-REQ', 15: 'AP-REP', 30: 'KRB-ERROR',
};

/** Error codes (RFC 4120 §7.5.9; 62-76 from RFC 4556 §3.1.3 and RFC 6113). */
export const KRB_ERROR_NAMES: Readonly<Record<number, string>> = {
  0: 'KDC_ERR_NONE', 1: 'KDC_ERR_NAME_EXP', 2: 'KDC_ERR_SERVICE_EXP', 3: 'KDC_ERR_BAD_PVNO', 4: 'KDC_ERR_C_OLD_MAST_KVNO',
  5: 'KDC_ERR_S_OLD_MAST_KVNO', 6: 'KDC_ERR_C_PRINCIPAL_UNKNOWN', 7: 'KDC_ERR_S_PRINCIPAL_UNKNOWN', 8: 'KDC_ERR_PRINCIPAL_NOT_UNIQUE',
  9: 'KDC_ERR_NULL_KEY', 10: 'KDC_ERR_CANNOT_POSTDATE', 11: 'KDC_ERR_NEVER_VALID', 12: 'KDC_ERR_POLICY', 13: 'KDC_ERR_BADOPTION',
  14: 'KDC_ERR_ETYPE_NOSUPP', 15: 'KDC_ERR_SUMTYPE_NOSUPP', 16: 'KDC_ERR_PADATA_TYPE_NOSUPP', 17: 'KDC_ERR_TRTYPE_NOSUPP',
  18: 'KDC_ERR_CLIENT_REVOKED', 19: 'KDC_ERR_SERVICE_REVOKED', 20: 'KDC_ERR_TGT_REVOKED', 21: 'KDC_ERR_CLIENT_NOTYET',
  22: 'KDC_ERR_SERVICE_NOTYET', 23: 'KDC_ERR_KEY_EXPIRED', 24: 'KDC_ERR_PREAUTH_FAILED', 25: 'KDC_ERR_PREAUTH_REQUIRED',
  26: 'KDC_ERR_SERVER_NOMATCH', 27: 'KDC_ERR_MUST_USE_USER2USER', 28: 'KDC_ERR_PATH_NOT_ACCEPTED', 29: 'KDC_ERR_SVC_UNAVAILABLE',
  31: 'KRB_AP_ERR_BAD_INTEGRITY', 32: 'KRB_AP_ERR_TKT_EXPIRED', 33: 'KRB_AP_ERR_TKT_NYV', 34: 'KRB_AP_ERR_REPEAT',
  35: 'KRB_AP_ERR_NOT_US', 36: 'KRB_AP_ERR_BADMATCH', 37: 'KRB_AP_ERR_SKEW', 38: 'KRB_AP_ERR_BADADDR', 39: 'KRB_AP_ERR_BADVERSION',
  40: 'KRB_AP_ERR_MSG_TYPE', 41: 'KRB_AP_ERR_MODIFIED', 42: 'KRB_AP_ERR_BADORDER', 44: 'KRB_AP_ERR_BADKEYVER', 45: 'KRB_AP_ERR_NOKEY',
  46: 'KRB_AP_ERR_MUT_FAIL', 47: 'KRB_AP_ERR_BADDIRECTION', 48: 'KRB_AP_ERR_METHOD', 49: 'KRB_AP_ERR_BADSEQ', 50: 'KRB_AP_ERR_INAPP_CKSUM',
  51: 'KRB_AP_PATH_NOT_ACCEPTED', 52: 'KRB_ERR_RESPONSE_TOO_BIG', 60: 'KRB_ERR_GENERIC', 61: 'KRB_ERR_FIELD_TOOLONG',
  62: 'KDC_ERROR_CLIENT_NOT_TRUSTED', 63: 'KDC_ERROR_KDC_NOT_TRUSTED', 64: 'KDC_ERROR_INVALID_SIG', 65: 'KDC_ERR_KEY_TOO_WEAK',
  66: 'KDC_ERR_CERTIFICATE_MISMATCH', 67: 'KRB_AP_ERR_NO_TGT', 68: 'KDC_ERR_WRONG_REALM', 69: 'KRB_AP_ERR_USER_TO_USER_REQUIRED',
  70: 'KDC_ERR_CANT_VERIFY_CERTIFICATE', 71: 'KDC_ERR_INVALID_CERTIFICATE', 72: 'KDC_ERR_REVOKED_CERTIFICATE',
  73: 'KDC_ERR_REVOCATION_STATUS_UNKNOWN', 74: 'KDC_ERR_REVOCATION_STATUS_UNAVAILABLE', 75: 'KDC_ERR_CLIENT_NAME_MISMATCH',
  76: 'KDC_ERR_KDC_NAME_MISMATCH',
};

/** The name of error code `code`, or `error <code>`. */
export const krbErrorName = (code: number): string => KRB_ERROR_NAMES[code] ?? `error ${code}`;

/** What one KDC message shows in the clear. Times are seconds since the epoch (microseconds as a fraction). */
export interface KrbMessage {
  /** KrbMsgType: the message's [APPLICATION n] tag. */
  type: number;
  /** Request: the realm of the request body (the service's realm); reply: crealm; error: the service realm. */
  realm: string | null;
  /** Client principal (`name` or `name/instance`): request cname, reply cname, error cname; null when absent. */
  cname: string | null;
  /** Error: crealm, when present. */
  crealm: string | null;
  /** Service principal: request sname, the reply's ticket sname, error sname. */
  sname: string | null;
  /** Request nonce (UInt32), else null. */
  nonce: number | null;
  /** KRB-ERROR: error-code, else null. */
  errorCode: number | null;
  /** KRB-ERROR: stime + susec; null otherwise. */
  stime: number | null;
  /** KRB-ERROR: ctime + cusec when the KDC copied them from the request; null otherwise. */
  ctime: number | null;
  /** KRB-ERROR: e-text, when present. */
  etext: string | null;
}

/** Components of a PrincipalName kept, at most (real names have one to three). */
const MAX_COMPONENTS = 8;

/**
 * Decodes the KDC message `b[off, end)`: AS-REQ, TGS-REQ, AS-REP, TGS-REP or KRB-ERROR. Null
 * when the bytes are not one (another [APPLICATION] tag, a field of the wrong type, a length
 * past the end): the caller counts it as not Kerberos. Allocates the strings it returns.
 */
export function parseKrb(b: Uint8Array, off: number, end: number): KrbMessage | null {
  const t = new Tlv();
  if (!t.read(b, off, end)) return null;
  const app = t.tag;
  if ((app & 0xe0) !== (BerClass.APPLICATION | BER_CONSTRUCTED)) return null;
  const type = app & 0x1f;
  if (type !== 10 && type !== 11 && type !== 12 && type !== 13 && type !== 30) return null;
  const m: KrbMessage = { type, realm: null, cname: null, crealm: null, sname: null, nonce: null, errorCode: null, stime: null, ctime: null, etext: null };
  const seq = new Tlv();
  if (!seq.read(b, t.start, t.end) || seq.tag !== BerTag.SEQUENCE) return null;
  let ok: boolean;
  if (type === 30) ok = krbError(b, seq.start, seq.end, m);
  else if (type === 10 || type === 12) ok = kdcReq(b, seq.start, seq.end, m);
  else ok = kdcRep(b, seq.start, seq.end, m);
  return ok ? m : null;
}

/**
 * Calls `field(n, start, end)` for each context-tagged [n] field of the SEQUENCE content
 * `b[start, end)` with the bounds of the explicit tag's content (the caller reads the TLV
 * inside). False when a field is malformed or not context-constructed (every field of these
 * messages is explicitly tagged, RFC 4120 §5.2), or when `field` refuses it.
 */
function fields(b: Uint8Array, start: number, end: number, field: (n: number, s: number, e: number) => boolean): boolean {
  const f = new Tlv();
  let p = start;
  while (p < end) {
    if (!f.read(b, p, end)) return false;
    if ((f.tag & 0xe0) !== (BerClass.CONTEXT | BER_CONSTRUCTED)) return false;
    if (!field(f.tag & 0x1f, f.start, f.end)) return false;
    // read() proved f.end > p (a TLV is at least two octets), so the walk advances.
    p = f.end;
  }
  return true;
}

/** The inner TLV of an explicit tag's content, checked for universal tag `tag`; null when it is not one. */
function inner(b: Uint8Array, s: number, e: number, tag: number): Tlv | null {
  const t = new Tlv();
  return t.read(b, s, e) && t.tag === tag ? t : null;
}

const int = (b: Uint8Array, s: number, e: number): number | null => {
  const t = inner(b, s, e, BerTag.INTEGER);
  return t === null ? null : berInteger(b, t.start, t.end);
};
const text = (b: Uint8Array, s: number, e: number): string | null => {
  const t = inner(b, s, e, BerTag.GENERAL_STRING);
  return t === null ? null : berText(b, t.start, t.end);
};
const time = (b: Uint8Array, s: number, e: number): number | null => {
  const t = inner(b, s, e, BerTag.GENERALIZED_TIME);
  return t === null ? null : berGeneralizedTime(b, t.start, t.end);
};

/** PrincipalName ::= SEQUENCE { name-type [0] Int32, name-string [1] SEQUENCE OF KerberosString } (§5.2.2), as `a/b`. */
function principal(b: Uint8Array, s: number, e: number): string | null {
  const seq = inner(b, s, e, BerTag.SEQUENCE);
  if (seq === null) return null;
  const parts: string[] = [];
  const ok = fields(b, seq.start, seq.end, (n, fs, fe) => {
    if (n !== 1) return true;
    const list = inner(b, fs, fe, BerTag.SEQUENCE);
    if (list === null) return false;
    const c = new Tlv();
    for (let p = list.start; p < list.end && parts.length < MAX_COMPONENTS; p = c.end) {
      if (!c.read(b, p, list.end) || c.tag !== BerTag.GENERAL_STRING) return false;
      parts.push(berText(b, c.start, c.end));
    }
    return true;
  });
  return ok && parts.length > 0 ? parts.join('/') : null;
}

/** KDC-REQ (§5.4.1): pvno [1], msg-type [2], padata [3] (skipped), req-body [4]. */
function kdcReq(b: Uint8Array, start: number, end: number, m: KrbMessage): boolean {
  const st = { body: false };
  const ok = fields(b, start, end, (n, s, e) => {
    if (n === 2) return int(b, s, e) === m.type;
    if (n !== 4) return true;
    const seq = inner(b, s, e, BerTag.SEQUENCE);
    if (seq === null) return false;
    st.body = true;
    // KDC-REQ-BODY: cname [1], realm [2], sname [3], nonce [7]; options, times, etypes skipped.
    return fields(b, seq.start, seq.end, (k, ks, ke) => {
      if (k === 1) m.cname = principal(b, ks, ke);
      else if (k === 2) m.realm = text(b, ks, ke);
      else if (k === 3) m.sname = principal(b, ks, ke);
      else if (k === 7) {
        // UInt32 (§5.2.4): up to five octets with a leading zero.
        const v = int(b, ks, ke);
        if (v === null || v < 0 || v > 0xffffffff) return false;
        m.nonce = v;
      }
      return true;
    });
  });
  return ok && st.body;
}

/** KDC-REP (§5.4.2): pvno [0], msg-type [1], padata [2], crealm [3], cname [4], ticket [5], enc-part [6]. */
function kdcRep(b: Uint8Array, start: number, end: number, m: KrbMessage): boolean {
  const st = { typed: false };
  const ok = fields(b, start, end, (n, s, e) => {
    if (n === 1) return (st.typed = int(b, s, e) === m.type);
    if (n === 3) m.realm = text(b, s, e);
    else if (n === 4) m.cname = principal(b, s, e);
    else if (n === 5) {
      // Ticket ::= [APPLICATION 1] SEQUENCE { tkt-vno [0], realm [1], sname [2], enc-part [3] } (§5.3)
      const tk = new Tlv();
      if (!tk.read(b, s, e) || tk.tag !== (BerClass.APPLICATION | BER_CONSTRUCTED | 1)) return false;
      const seq = inner(b, tk.start, tk.end, BerTag.SEQUENCE);
      if (seq === null) return false;
      return fields(b, seq.start, seq.end, (k, ks, ke) => {
        if (k === 2) m.sname = principal(b, ks, ke);
        return true;
      });
    }
    return true;
  });
  return ok && st.typed;
}

/** KRB-ERROR (§5.9.1): ctime [2], cusec [3], stime [4], susec [5], error-code [6], crealm [7], cname [8], realm [9], sname [10], e-text [11]. */
function krbError(b: Uint8Array, start: number, end: number, m: KrbMessage): boolean {
  const t = { ctime: null as number | null, cusec: 0, stime: null as number | null, susec: 0, typed: false };
  const ok = fields(b, start, end, (n, s, e) => {
    switch (n) {
      case 1: return (t.typed = int(b, s, e) === 30);
      case 2: t.ctime = time(b, s, e); return true;
      case 3: t.cusec = int(b, s, e) ?? 0; return true;
      case 4: t.stime = time(b, s, e); return true;
      case 5: t.susec = int(b, s, e) ?? 0; return true;
      case 6: m.errorCode = int(b, s, e); return m.errorCode !== null;
      case 7: m.crealm = text(b, s, e); return true;
      case 8: m.cname = principal(b, s, e); return true;
      case 9: m.realm = text(b, s, e); return true;
      case 10: m.sname = principal(b, s, e); return true;
      case 11: m.etext = text(b, s, e); return true;
      default: return true;
    }
  });
  if (!ok || !t.typed || m.errorCode === null) return false;
  // Microseconds ::= INTEGER (0..999999) (§5.2.4); a value outside it is ignored.
  if (t.stime !== null) m.stime = t.stime + (t.susec >= 0 && t.susec < 1e6 ? t.susec / 1e6 : 0);
  if (t.ctime !== null) m.ctime = t.ctime + (t.cusec >= 0 && t.cusec < 1e6 ? t.cusec / 1e6 : 0);
  return true;
}
