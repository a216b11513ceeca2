/**
 * pcapng (draft-ietf-opsawg-pcapng). A file is one or more sections; each starts with a
 * Section Header Block that fixes the byte order for the blocks after it. Every block carries
 * its total length at both ends, which we check before trusting anything inside it.
 */
import { u16, u32 } from '../wire/bytes.js';
import type { ByteWindow } from './source.js';
import { WindowReader, type CaptureInterface, type CaptureReader, type CaptureRecord, type FormatInfo } from './reader.js';
import { splitDecimal, splitGeneric, tsOut } from './timestamp.js';

/** Block types (pcapng draft §10.1). */
export const BlockType = {
  SHB: 0x0a0d0d0a,
  IDB: 0x00000001,
  PB: 0x00000002, // obsolete Packet Block
  SPB: 0x00000003,
  NRB: 0x00000004,
  ISB: 0x00000005,
  EPB: 0x00000006,
  SYSTEMD_JOURNAL: 0x00000009,
  DSB: 0x0000000a,
  CB_COPY: 0x00000bad,
  CB_NOCOPY: 0x40000bad,
} as const;

const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
/** Blocks rpctrace has no use for but that are legitimately found in captures: skipped silently. */
const KNOWN_SKIPPED = new Set<number>([
  BlockType.NRB, BlockType.ISB, BlockType.DSB,
  0x00000007, // IRIG timestamp (obsolete)
  0x00000008, // ARINC 429 (obsolete)
  0x80000001, // Sysdig event blocks and other local-use types (high bit set): skipped
]);
/** No real block is this big; a larger length means corruption (Wireshark caps at 16 MiB too). */
const MAX_BLOCK = 16 * 1024 * 1024;

const OPT_ENDOFOPT = 0;
const OPT_COMMENT = 1;
const IF_NAME = 2;
const IF_DESCRIPTION = 3;
const IF_TSRESOL = 9;
const IF_TSOFFSET = 14;

/** An interface as an Interface Description Block declared it. */
export interface Iface {
  linkType: number;
  snaplen: number;
  /** Timestamp resolution: base 10 or 2, exponent (units of base^-exp seconds). */
  base: 2 | 10;
  exp: number;
  /** Seconds added to every timestamp (if_tsoffset). */
  offset: number;
}

const decoder = new TextDecoder('utf-8', { fatal: false });

/** Named interfaces kept for the report, at most (pktmon declares one per network component). */
const MAX_NAMED_INTERFACES = 256;

/** Reader for pcapng. The window must hold the first 12 bytes of the SHB at its cursor. */
export class PcapngReader extends WindowReader implements CaptureReader {
  readonly format = 'pcapng' as const;
  readonly info: FormatInfo;
  private le = true;
  private ifaces: Iface[] = [];
  private frame = 0;
  private sections = 0;
  private resolutions = new Set<string>();
  /** Interfaces with a name or a description, for the report (the first MAX_NAMED_INTERFACES). */
  readonly interfaces: CaptureInterface[] = [];

  /** The window must hold the first 12 bytes of the SHB at its cursor. */
  constructor(win: ByteWindow) {
    super(win);
    const le = u32(win.buf, win.pos + 8, true) === BYTE_ORDER_MAGIC;
    this.le = le;
    this.info = { byteOrder: le ? 'little' : 'big', timestampResolution: 'us', version: '1.0', snaplen: 0, sections: 0 };
  }

  next(): CaptureRecord | null {
    const w = this.win;
    while (!this.done) {
      const h = this.have(12);
      if (h !== 1) return h === 0 ? null : this.endOrTruncated('pcapng', 'a block header', 12);
      const b = w.buf;
      const p = w.pos;
      let type = u32(b, p, this.le);
      if (u32(b, p, true) === BlockType.SHB) {
        // The SHB's own length is in the byte order its magic declares (draft §4.1).
        type = BlockType.SHB;
        const bom = u32(b, p + 8, true);
        if (bom === BYTE_ORDER_MAGIC) this.le = true;
        else if (u32(b, p + 8, false) === BYTE_ORDER_MAGIC) this.le = false;
        else return this.fail('bad-block', w.offset(), `pcapng: section header byte-order magic is 0x${bom.toString(16)}, not 0x1a2b3c4d`);
      }
      const len = u32(b, p + 4, this.le);
      if (len < 12 || len % 4 !== 0 || len > MAX_BLOCK) {
        return this.fail('bad-block', w.offset(), `pcapng: block of type 0x${type.toString(16)} has total length ${len}, which is ${len > MAX_BLOCK ? 'larger than any real block' : 'not a multiple of 4 of at least 12'}; the file is corrupt from here`);
      }
      const hb = this.have(len);
      if (hb !== 1) return hb === 0 ? null : this.endOrTruncated('pcapng', `a block of type 0x${type.toString(16)}`, len);
      const buf = w.buf;
      const trailer = u32(buf, p + len - 4, this.le);
      if (trailer !== len) {
        return this.fail('bad-block', w.offset(), `pcapng: block of type 0x${type.toString(16)} has length ${len} at its start but ${trailer} at its end; the file is corrupt from here`);
      }
      const start = p;
      w.pos = p + len;
      switch (type) {
        case BlockType.EPB: {
          const r = this.packetBlock(buf, start, len, false);
          if (r !== null) return r;
          break;
        }
        case BlockType.SPB: {
          const r = this.spb(buf, start, len);
          if (r !== null) return r;
          break;
        }
        case BlockType.PB: {
          const r = this.packetBlock(buf, start, len, true);
          if (r !== null) return r;
          break;
        }
        case BlockType.IDB:
          this.idb(buf, start, len);
          break;
        case BlockType.SHB:
          this.shb(buf, start, len);
          break;
        case BlockType.CB_COPY:
        case BlockType.CB_NOCOPY:
        case BlockType.SYSTEMD_JOURNAL:
          // Wireshark shows these as frames of their own (REC_TYPE_CUSTOM_BLOCK,
          // REC_TYPE_SYSTEMD_JOURNAL_EXPORT); counting them keeps our frame numbers equal to its.
          return this.nonPacket(buf, start, len);
        default:
          if (!KNOWN_SKIPPED.has(type) && (type & 0x80000000) === 0) {
            this.warn('unknown-block', w.base + start, `pcapng: skipped a block of unknown type 0x${type.toString(16)} (${len} bytes)`, `unknown-block:${type}`);
          }
      }
    }
    return null;
  }

  private shb(b: Uint8Array, p: number, len: number): void {
    if (len < 28) {
      this.fail('bad-block', this.win.base + p, `pcapng: section header block of ${len} bytes is shorter than 28`);
      return;
    }
    const major = u16(b, p + 12, this.le);
    const minor = u16(b, p + 14, this.le);
    if (major !== 1) {
      this.fail('bad-header', this.win.base + p, `pcapng: section version ${major}.${minor} is not 1.x`);
      return;
    }
    this.sections++;
    this.info.sections = this.sections;
    this.info.version = `${major}.${minor}`;
    if (this.sections === 1) this.info.byteOrder = this.le ? 'little' : 'big';
    // Interface ids are per section (draft §4.2).
    this.ifaces = [];
  }

  private idb(b: Uint8Array, p: number, len: number): void {
    if (len < 20) {
      this.warn('bad-block', this.win.base + p, `pcapng: interface description block of ${len} bytes is shorter than 20; skipped`);
      return;
    }
    const le = this.le;
    const iface: Iface = { linkType: u16(b, p + 8, le), snaplen: u32(b, p + 12, le), base: 10, exp: 6, offset: 0 };
    const named: CaptureInterface = { section: this.sections, id: this.ifaces.length, linkType: iface.linkType, name: null, description: null };
    this.walkOptions(b, p + 16, p + len - 4, (code, o, olen) => {
      if (code === IF_TSRESOL && olen >= 1) {
        const v = b[o]!;
        iface.base = (v & 0x80) !== 0 ? 2 : 10;
        iface.exp = v & 0x7f;
      } else if (code === IF_NAME || code === IF_DESCRIPTION) {
        // draft §4.2: UTF-8 text, not NUL-terminated (some writers add one anyway).
        const text = decoder.decode(b.subarray(o, o + olen)).replace(/\u0000+$/, '');
        if (code === IF_NAME) named.name = text; else named.description = text;
      } else if (code === IF_TSOFFSET && olen >= 8) {
        // Signed 64-bit seconds in the section's byte order, so the high word comes first in a
        // big-endian section (unlike the EPB timestamp, stored as two 32-bit halves, high first).
        // Real offsets are far below 2^53.
        const lo = u32(b, le ? o : o + 4, le);
        const hi = u32(b, le ? o + 4 : o, le) | 0;
        iface.offset = hi * 4294967296 + lo;
      }
    });
    this.ifaces.push(iface);
    if ((named.name !== null || named.description !== null) && this.interfaces.length < MAX_NAMED_INTERFACES) this.interfaces.push(named);
    this.resolutions.add(resolutionText(iface.base, iface.exp));
    this.info.timestampResolution = [...this.resolutions].join(', ');
    if (iface.snaplen > this.info.snaplen) this.info.snaplen = iface.snaplen;
  }

  /**
   * Enhanced Packet Block (draft §4.3) or the obsolete Packet Block (Appendix A): the same
   * layout but for the interface id, 32 bits in an EPB and 16 (plus a drops count) in a PB.
   */
  private packetBlock(b: Uint8Array, p: number, len: number, obsolete: boolean): CaptureRecord | null {
    const le = this.le;
    const off = this.win.base + p;
    const kind = obsolete ? 'packet block' : 'enhanced packet block';
    if (len < 32) {
      this.warn('bad-block', off, `pcapng: ${kind} of ${len} bytes is shorter than 32; skipped`);
      return null;
    }
    const ifId = obsolete ? u16(b, p + 8, le) : u32(b, p + 8, le);
    const capLen = u32(b, p + 20, le);
    const origLen = u32(b, p + 24, le);
    if (28 + capLen + 4 > len) {
      this.warn('bad-record-length', off, `pcapng: packet's captured length ${capLen} runs past its ${len}-byte block; skipped`);
      return null;
    }
    const iface = this.ifaces[ifId];
    if (iface === undefined) {
      this.warn('unknown-interface', off, `pcapng: packet names interface ${ifId}, but only ${this.ifaces.length} interface(s) are declared in this section; skipped`);
      return null;
    }
    const r = this.record(iface, ifId, u32(b, p + 12, le), u32(b, p + 16, le), b, p + 28, capLen, origLen, off);
    const optStart = p + 28 + pad4(capLen);
    r.comment = optStart < p + len - 4 ? this.comment(b, optStart, p + len - 4) : null;
    return r;
  }

  private spb(b: Uint8Array, p: number, len: number): CaptureRecord | null {
    const off = this.win.base + p;
    const iface = this.ifaces[0];
    if (iface === undefined) {
      this.warn('unknown-interface', off, 'pcapng: simple packet block before any interface description block; skipped');
      return null;
    }
    if (len < 16) {
      this.warn('bad-block', off, `pcapng: simple packet block of ${len} bytes is shorter than 16; skipped`);
      return null;
    }
    const origLen = u32(b, p + 8, this.le);
    // draft §4.4: captured length is the smaller of the original length and the snaplen; the
    // block length bounds it as well.
    let capLen = Math.min(origLen, len - 16);
    if (iface.snaplen !== 0) capLen = Math.min(capLen, iface.snaplen);
    // An SPB has no timestamp: Wireshark shows time 0; so do we.
    const r = this.record(iface, 0, 0, 0, b, p + 12, capLen, origLen, off);
    r.tsSec = 0;
    r.tsNsec = 0;
    r.untimed = true;
    r.comment = null;
    return r;
  }

  /** A record that takes a frame number but holds no packet. */
  private nonPacket(b: Uint8Array, p: number, len: number): CaptureRecord {
    const r = this.rec;
    r.frame = ++this.frame;
    r.isPacket = false;
    r.tsSec = 0;
    r.tsNsec = 0;
    r.linkType = -1;
    r.interfaceId = 0;
    r.buf = b;
    r.off = p + 8;
    r.capLen = len - 12;
    r.origLen = len - 12;
    r.fileOffset = this.win.base + p;
    r.comment = null;
    return r;
  }

  private record(iface: Iface, ifId: number, hi: number, lo: number, b: Uint8Array, data: number, capLen: number, origLen: number, fileOffset: number): CaptureRecord {
    if (iface.base === 10 && iface.exp <= 9) splitDecimal(hi, lo, iface.exp);
    else splitGeneric(hi, lo, iface.base, iface.exp);
    const r = this.rec;
    r.frame = ++this.frame;
    r.isPacket = true;
    r.untimed = false;
    r.tsSec = tsOut.sec + iface.offset;
    r.tsNsec = tsOut.nsec;
    r.linkType = iface.linkType;
    r.interfaceId = ifId;
    r.buf = b;
    r.off = data;
    r.capLen = capLen;
    r.origLen = origLen;
    r.fileOffset = fileOffset;
    return r;
  }

  private comment(b: Uint8Array, o: number, end: number): string | null {
    let text: string | null = null;
    this.walkOptions(b, o, end, (code, vo, vlen) => {
      if (code === OPT_COMMENT && text === null) text = decoder.decode(b.subarray(vo, vo + vlen));
    });
    return text;
  }

  /** Calls `fn` per option in `[o, end)`; stops at opt_endofopt or a length that overruns. */
  private walkOptions(b: Uint8Array, o: number, end: number, fn: (code: number, at: number, len: number) => void): void {
    while (o + 4 <= end) {
      const code = u16(b, o, this.le);
      const olen = u16(b, o + 2, this.le);
      if (code === OPT_ENDOFOPT) return;
      if (o + 4 + olen > end) return;
      fn(code, o + 4, olen);
      o += 4 + pad4(olen); // advances by at least 4: the loop ends
    }
  }
}

const pad4 = (n: number): number => (n + 3) & ~3;

function resolutionText(base: 2 | 10, exp: number): string {
  if (base === 10 && exp === 6) return 'us';
  if (base === 10 && exp === 9) return 'ns';
  return `${base}^-${exp} s`;
}
