/**
 * BER / DER TLVs (ITU-T X.690 §8.1), as Kerberos (RFC 4120 §5, DER) and LDAP (RFC 4511 §5.1,
 * BER with definite lengths) use them. A reader is aimed at one TLV at a time: `read` checks
 * that the identifier, the length and the whole content lie inside the given bounds before any
 * field is used, so a walk over untrusted bytes can never index past them.
 */
import { u8 } from './bytes.js';

/** Tag classes in the identifier octet's two high bits (X.690 §8.1.2.2). */
export const BerClass = { UNIVERSAL: 0x00, APPLICATION: 0x40, CONTEXT: 0x80, PRIVATE: 0xc0 } as const;
/** The constructed bit of the identifier octet (X.690 §8.1.2.5). */
export const BER_CONSTRUCTED = 0x20;

/** Universal tags read here (X.690 §8.4, X.680 §8.6). */
export const BerTag = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  ENUMERATED: 0x0a,
  UTF8_STRING: 0x0c,
  SEQUENCE: 0x30,
  SET: 0x31,
  GENERAL_STRING: 0x1b,
  GENERALIZED_TIME: 0x18,
} as const;

/** Characters of a string kept, at most: principal names and LDAP values are far shorter. */
const MAX_TEXT = 512;

/**
 * One TLV header: the identifier octet (`tag`, class and constructed bit included) and where its
 * content starts and ends. Valid only after `read` returned true; reused for every read.
 */
export class Tlv {
  tag = 0;
  /** First content octet. */
  start = 0;
  /** One past the last content octet (start + length). */
  end = 0;

  /**
   * Reads the TLV at `off`, which must end by `end`. False when the identifier uses the
   * high-tag-number form (X.690 §8.1.2.4: neither protocol here needs it), the length is
   * indefinite (§8.1.3.6: DER forbids it, LDAP §5.1 too) or longer than four octets, or the
   * content runs past `end`.
   */
  read(b: Uint8Array, off: number, end: number): boolean {
    if (end - off < 2) return false;
    const tag = u8(b, off);
    if ((tag & 0x1f) === 0x1f) return false;
    let len = u8(b, off + 1);
    let p = off + 2;
    if (len >= 0x80) {
      const n = len & 0x7f;
      // §8.1.3.5: 0x80 alone is the indefinite form; more than 4 octets cannot fit a real message.
      if (n === 0 || n > 4 || end - p < n) return false;
      len = 0;
      for (let i = 0; i < n; i++) len = len * 256 + u8(b, p + i);
      p += n;
    }
    if (len > end - p) return false;
    this.tag = tag;
    this.start = p;
    this.end = p + len;
    return true;
  }

  /** Content length in octets. */
  get length(): number {
    return this.end - this.start;
  }
}

/**
 * The value of an INTEGER or ENUMERATED content `b[start, end)` (two's complement, X.690 §8.3),
 * or null when it is empty or longer than 6 octets (beyond 48 bits a double loses precision;
 * Kerberos nonces and error codes need 32).
 */
export function berInteger(b: Uint8Array, start: number, end: number): number | null {
  const n = end - start;
  if (n < 1 || n > 6) return null;
  let v = u8(b, start) >= 0x80 ? -1 : 0;
  for (let i = start; i < end; i++) v = v * 256 + u8(b, i);
  return v;
}

/** A string content `b[start, end)` as text (UTF-8; bytes that are not are replaced), cut to 512 characters. Allocates. */
export function berText(b: Uint8Array, start: number, end: number): string {
  const s = DECODER.decode(b.subarray(start, Math.min(end, start + MAX_TEXT * 4)));
  return s.length > MAX_TEXT ? s.slice(0, MAX_TEXT) : s;
}

const DECODER = new TextDecoder('utf-8', { fatal: false });

/**
 * A GeneralizedTime `YYYYMMDDHHMMSSZ` (Kerberos' KerberosTime, RFC 4120 §5.2.3: UTC, no
 * fraction) as seconds since the epoch, or null when the content has any other form.
 */
export function berGeneralizedTime(b: Uint8Array, start: number, end: number): number | null {
  if (end - start !== 15 || u8(b, end - 1) !== 0x5a /* Z */) return null;
  const d = (i: number, n: number): number => {
    let v = 0;
    for (let k = 0; k < n; k++) {
      const c = u8(b, start + i + k) - 0x30;
      if (c < 0 || c > 9) return Number.NaN;
      v = v * 10 + c;
    }
    return v;
  };
  const [y, mo, da, h, mi, s] = [d(0, 4), d(4, 2), d(6, 2), d(8, 2), d(10, 2), d(12, 2)];
  if ([y, mo, da, h, mi, s].some((x) => Number.isNaN(x)) || mo < 1 || mo > 12 || da < 1 || da > 31 || h > 23 || mi > 59 || s > 60) return null;
  return Date.UTC(y, mo - 1, da, h, mi, s) / 1000;
}
