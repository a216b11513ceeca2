/**
 * Classic libpcap files (https://www.ietf.org/archive/id/draft-ietf-opsawg-pcap-04.html).
 * Four magics: microsecond or nanosecond timestamps, in either byte order. The record header
 * is 16 bytes: ts_sec, ts_frac, incl_len (captured), orig_len (on the wire).
 */
import { u16, u32 } from '../wire/bytes.js';
import type { ByteWindow } from './source.js';
import { WindowReader, type CaptureReader, type CaptureRecord, type FormatInfo } from './reader.js';

export const PCAP_MAGIC_US = 0xa1b2c3d4;
export const PCAP_MAGIC_NS = 0xa1b23c4d;
const FILE_HEADER = 24;
const RECORD_HEADER = 16;
/**
 * Wireshark refuses records above 256 KiB for ordinary link types (WTAP_MAX_PACKET_SIZE_STANDARD).
 * We accept up to the header's snaplen when that is larger, but never above 16 MiB: a corrupt
 * length must not make us buffer gigabytes.
 */
const STANDARD_MAX = 262144;
const HARD_MAX = 16 * 1024 * 1024;

/** Which byte order and resolution a 4-byte magic means, or null when it is not pcap. */
export function pcapMagic(b: Uint8Array, o: number): { le: boolean; ns: boolean } | null {
  const le = u32(b, o, true);
  if (le === PCAP_MAGIC_US) return { le: true, ns: false };
  if (le === PCAP_MAGIC_NS) return { le: true, ns: true };
  const be = u32(b, o, false);
  if (be === PCAP_MAGIC_US) return { le: false, ns: false };
  if (be === PCAP_MAGIC_NS) return { le: false, ns: true };
  return null;
}

/** Reader for classic pcap. The window must hold the 24-byte file header at its cursor. */
export class PcapReader extends WindowReader implements CaptureReader {
  readonly format = 'pcap' as const;
  readonly info: FormatInfo;
  private readonly le: boolean;
  private readonly nsMul: number;
  private readonly linkType: number;
  private readonly snaplen: number;
  private readonly maxLen: number;
  private frame = 0;

  constructor(win: ByteWindow) {
    super(win);
    const b = win.buf;
    const p = win.pos;
    const m = pcapMagic(b, p)!;
    if (win.available() < FILE_HEADER) {
      this.info = { byteOrder: m.le ? 'little' : 'big', timestampResolution: m.ns ? 'ns' : 'us', version: '?', snaplen: 0, sections: 1 };
      this.le = m.le; this.nsMul = 1; this.linkType = 0; this.snaplen = 0; this.maxLen = 0;
      this.fail('truncated-record', 0, `pcap: file ends inside the 24-byte file header (${win.available()} bytes present)`);
      return;
    }
    this.le = m.le;
    this.nsMul = m.ns ? 1 : 1000;
    const major = u16(b, p + 4, m.le);
    const minor = u16(b, p + 6, m.le);
    this.snaplen = u32(b, p + 16, m.le);
    // The upper bits of the link-type field carry the FCS length (pcap draft §4); the type is the low 16.
    this.linkType = u32(b, p + 20, m.le) & 0xffff;
    this.maxLen = Math.min(HARD_MAX, Math.max(STANDARD_MAX, this.snaplen));
    this.info = {
      byteOrder: m.le ? 'little' : 'big',
      timestampResolution: m.ns ? 'ns' : 'us',
      version: `${major}.${minor}`,
      snaplen: this.snaplen,
      sections: 1,
    };
    if (major !== 2) {
      this.fail('bad-header', 0, `pcap: version ${major}.${minor} is not 2.x`);
    }
    win.pos += FILE_HEADER;
  }

  next(): CaptureRecord | null {
    if (this.done) return null;
    const w = this.win;
    const h = this.have(RECORD_HEADER);
    if (h !== 1) return h === 0 ? null : this.endOrTruncated('pcap', 'a record header', RECORD_HEADER);
    const b = w.buf;
    const p = w.pos;
    const le = this.le;
    const incl = u32(b, p + 8, le);
    if (incl > this.maxLen) {
      return this.fail(
        'bad-record-length',
        w.offset(),
        `pcap: record ${this.frame + 1} has captured length ${incl}, larger than ${this.maxLen === this.snaplen ? 'the snaplen' : 'any real packet'} (${this.maxLen}); the file is corrupt from here`,
      );
    }
    const total = RECORD_HEADER + incl;
    const hb = this.have(total);
    if (hb !== 1) return hb === 0 ? null : this.endOrTruncated('pcap', `record ${this.frame + 1}`, total);
    const orig = u32(b, p + 12, le);
    if (this.snaplen !== 0 && incl > this.snaplen) {
      this.warn('bad-record-length', w.offset(), `pcap: record ${this.frame + 1} has captured length ${incl}, larger than the snaplen ${this.snaplen}; read anyway`, 'snaplen');
    }
    const r = this.rec;
    r.frame = ++this.frame;
    r.tsSec = u32(b, p, le);
    r.tsNsec = u32(b, p + 4, le) * this.nsMul;
    if (r.tsNsec >= 1e9) {
      // A fraction of a second of one second or more is corrupt; carry it into the seconds so
      // tsNsec keeps the 0..999999999 that CaptureRecord promises (and ISO times stay valid).
      const carry = Math.floor(r.tsNsec / 1e9);
      r.tsSec += carry;
      r.tsNsec -= carry * 1e9;
    }
    r.linkType = this.linkType;
    r.buf = b;
    r.off = p + RECORD_HEADER;
    r.capLen = incl;
    r.origLen = orig;
    r.fileOffset = w.base + p;
    w.pos = p + total;
    return r;
  }
}
