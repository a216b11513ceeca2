/**
 * Capture writers: classic pcap (draft-ietf-opsawg-pcap) and pcapng (draft-ietf-opsawg-pcapng).
 * Used to export evidence frames and to build the sample files. Both are streaming-friendly:
 * a writer object turns one frame into one `Uint8Array` piece, so a caller can append pieces
 * to a file as it goes; `writePcap` and `writePcapng` join the pieces for small files.
 *
 * Invalid input (a timestamp that does not fit the format, an undeclared interface) is a bug in
 * the caller, so it throws a `RangeError` naming the value instead of writing a broken file.
 */

/** One frame to write. Same timestamp split as `CaptureRecord`: two integers, no floats. */
export interface WriterFrame {
  /** Seconds since 1970-01-01 UTC. */
  tsSec: number;
  /** Nanoseconds within `tsSec`, 0..999999999. Formats with coarser units round down. */
  tsNsec: number;
  /** Captured bytes. Cut to the snaplen when longer, as a capturing tool would. */
  data: Uint8Array;
  /** Length on the wire; defaults to `data.length`. Never below the captured length. */
  origLen?: number;
  /** pcapng: interface id within the current section (default 0). Ignored by pcap. */
  interfaceId?: number;
  /** pcapng: `opt_comment` of the packet (EPB and PB only). Ignored by pcap, which has no place for it. */
  comment?: string;
  /** pcapng: further `opt_comment` options, after `comment` (an option may repeat, draft §3.5). */
  comments?: readonly string[];
}

/** The comment options of a frame: `comment`, then `comments`, in order. */
const commentOptions = (f: WriterFrame): [number, Uint8Array][] =>
  [...(f.comment !== undefined ? [f.comment] : []), ...(f.comments ?? [])].map((c) => [OPT_COMMENT, utf8.encode(c)]);

/** Classic pcap magic numbers (pcap draft §4). */
export const PCAP_WRITE_MAGIC = { MICROSECONDS: 0xa1b2c3d4, NANOSECONDS: 0xa1b23c4d } as const;

/** Snapshot length used when the caller gives none: Wireshark's standard maximum. */
export const DEFAULT_SNAPLEN = 262144;

const U32_MAX = 0xffffffff;
const utf8 = new TextEncoder();

/** Growable output buffer with per-buffer byte order. Only this file writes capture headers. */
class Out {
  private buf: Uint8Array;
  private view: DataView;
  len = 0;

  constructor(private readonly le: boolean, capacity = 256) {
    this.buf = new Uint8Array(capacity);
    this.view = new DataView(this.buf.buffer);
  }

  private room(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.len + n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  u16(v: number): void {
    this.room(2);
    this.view.setUint16(this.len, v, this.le);
    this.len += 2;
  }

  u32(v: number): void {
    this.room(4);
    this.view.setUint32(this.len, v, this.le);
    this.len += 4;
  }

  /** Writes `v` as an unsigned 32-bit value at an earlier position (block lengths). */
  patchU32(at: number, v: number): void {
    this.view.setUint32(at, v, this.le);
  }

  bytes(b: Uint8Array): void {
    this.room(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }

  /** Zero bytes up to the next multiple of 4 (pcapng draft §3: blocks and options are 32-bit aligned). */
  pad4(): void {
    const n = (4 - (this.len & 3)) & 3;
    this.room(n);
    this.buf.fill(0, this.len, this.len + n);
    this.len += n;
  }

  done(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}

function checkTimestamp(fmt: string, f: WriterFrame): void {
  if (!Number.isSafeInteger(f.tsSec) || f.tsSec < 0) {
    throw new RangeError(`${fmt}: timestamp seconds ${f.tsSec} is not a non-negative integer`);
  }
  if (!Number.isInteger(f.tsNsec) || f.tsNsec < 0 || f.tsNsec > 999_999_999) {
    throw new RangeError(`${fmt}: timestamp nanoseconds ${f.tsNsec} is not an integer in 0..999999999`);
  }
}

/** Captured length after the snaplen cut, and the original length, validated. */
function lengths(fmt: string, f: WriterFrame, snaplen: number): { cap: number; orig: number } {
  const cap = snaplen > 0 ? Math.min(f.data.length, snaplen) : f.data.length;
  const orig = f.origLen ?? f.data.length;
  if (!Number.isInteger(orig) || orig < f.data.length || orig > U32_MAX) {
    throw new RangeError(`${fmt}: original length ${orig} is below the ${f.data.length} bytes given or above 2^32-1`);
  }
  return { cap, orig };
}

/** Options for a classic pcap file. */
export interface PcapWriterOptions {
  /** LINKTYPE_* value for every frame (pcap has one link type per file). */
  linkType: number;
  /** Use the nanosecond magic 0xa1b23c4d; default microseconds. */
  nanoseconds?: boolean;
  /** Write headers big-endian, as a SPARC or PowerPC host does; default little-endian. */
  bigEndian?: boolean;
  /** Snapshot length in the file header; longer frames are cut to it. Default 262144. */
  snaplen?: number;
}

/**
 * Classic pcap writer. `header()` gives the 24-byte file header, `add()` one record (16-byte
 * header plus data). Microsecond files round the nanoseconds down.
 */
export class PcapWriter {
  private readonly le: boolean;
  private readonly ns: boolean;
  private readonly snaplen: number;
  private readonly linkType: number;

  constructor(opts: PcapWriterOptions) {
    this.le = opts.bigEndian !== true;
    this.ns = opts.nanoseconds === true;
    this.snaplen = opts.snaplen ?? DEFAULT_SNAPLEN;
    this.linkType = opts.linkType;
    if (!Number.isInteger(this.snaplen) || this.snaplen <= 0 || this.snaplen > U32_MAX) {
      throw new RangeError(`pcap: snaplen ${this.snaplen} is not in 1..2^32-1`);
    }
    if (!Number.isInteger(this.linkType) || this.linkType < 0 || this.linkType > 0xffff) {
      throw new RangeError(`pcap: link type ${this.linkType} is not in 0..65535`);
    }
  }

  /** The file header: magic, version 2.4, thiszone 0, sigfigs 0, snaplen, link type. */
  header(): Uint8Array {
    const o = new Out(this.le, 24);
    o.u32(this.ns ? PCAP_WRITE_MAGIC.NANOSECONDS : PCAP_WRITE_MAGIC.MICROSECONDS);
    o.u16(2);
    o.u16(4);
    o.u32(0); // thiszone: always 0 in practice (pcap draft §4)
    o.u32(0); // sigfigs
    o.u32(this.snaplen);
    // The upper bits would carry the FCS length (pcap draft §4); we never claim an FCS.
    o.u32(this.linkType);
    return o.done();
  }

  /** One record: header and the (possibly snaplen-cut) frame bytes. */
  add(f: WriterFrame): Uint8Array {
    checkTimestamp('pcap', f);
    if (f.tsSec > U32_MAX) throw new RangeError(`pcap: timestamp seconds ${f.tsSec} does not fit 32 bits`);
    const { cap, orig } = lengths('pcap', f, this.snaplen);
    const o = new Out(this.le, 16 + cap);
    o.u32(f.tsSec);
    o.u32(this.ns ? f.tsNsec : Math.floor(f.tsNsec / 1000));
    o.u32(cap);
    o.u32(orig);
    o.bytes(cap === f.data.length ? f.data : f.data.subarray(0, cap));
    return o.done();
  }
}

/** A whole classic pcap file in one buffer. */
export function writePcap(frames: Iterable<WriterFrame>, opts: PcapWriterOptions): Uint8Array {
  const w = new PcapWriter(opts);
  const parts = [w.header()];
  for (const f of frames) parts.push(w.add(f));
  return concatBytes(parts);
}

/** pcapng block types this writer emits (pcapng draft §10.1). */
export const PcapngBlock = {
  SHB: 0x0a0d0d0a,
  IDB: 0x00000001,
  PB: 0x00000002,
  SPB: 0x00000003,
  EPB: 0x00000006,
  /** Custom block that may be copied to a new file (draft §4.7). */
  CB_COPY: 0x00000bad,
} as const;

const OPT_COMMENT = 1;
const SHB_USERAPPL = 4;
const IF_NAME = 2;
const IF_DESCRIPTION = 3;
const IF_TSRESOL = 9;
const IF_TSOFFSET = 14;

/** Timestamp unit of an interface: `base^-exp` seconds (if_tsresol, draft §4.2). */
export interface TsResolution {
  base: 10 | 2;
  /** 0..127: the option stores it in 7 bits. */
  exp: number;
}

/** One Interface Description Block. */
export interface PcapngInterface {
  /** LINKTYPE_* of this interface. */
  linkType: number;
  /** Longer frames are cut to this; 0 means no limit (draft §4.2). Default 262144. */
  snaplen?: number;
  /** if_tsresol; omitted means the default 10^-6 and writes no option. */
  tsresol?: TsResolution;
  /** if_tsoffset: seconds added to every stored timestamp of this interface (signed). */
  tsoffset?: number;
  /** if_name, e.g. `eth0`. */
  name?: string;
  /** if_description. */
  description?: string;
}

/** Section Header Block settings plus the interfaces declared at its start. */
export interface PcapngSectionOptions {
  /** Write this section big-endian; default little-endian. Sections may differ. */
  bigEndian?: boolean;
  interfaces: readonly PcapngInterface[];
  /** shb_userappl: the application that wrote the section. */
  userAppl?: string;
  /** opt_comment on the SHB. */
  comment?: string;
}

interface IfaceState {
  snaplen: number;
  per: bigint;
  offset: number;
}

/**
 * pcapng writer. Call `section()` first (SHB and IDBs), then `add()` per packet; call
 * `section()` again to start another section, whose interface ids start again at 0.
 */
export class PcapngWriter {
  private le = true;
  private ifaces: IfaceState[] = [];
  private started = false;

  /** Section Header Block followed by one IDB per interface. Section length is -1 (unknown), as streaming writers do. */
  section(s: PcapngSectionOptions): Uint8Array {
    this.le = s.bigEndian !== true;
    this.started = true;
    this.ifaces = [];
    const o = new Out(this.le);
    const start = this.open(o, PcapngBlock.SHB);
    o.u32(0x1a2b3c4d); // byte-order magic (draft §4.1)
    o.u16(1);
    o.u16(0);
    o.u32(U32_MAX); // section length -1: not computed, allowed by draft §4.1
    o.u32(U32_MAX);
    const opts: [number, Uint8Array][] = [];
    if (s.comment !== undefined) opts.push([OPT_COMMENT, utf8.encode(s.comment)]);
    if (s.userAppl !== undefined) opts.push([SHB_USERAPPL, utf8.encode(s.userAppl)]);
    this.options(o, opts);
    this.close(o, start);
    for (const i of s.interfaces) this.idb(o, i);
    return o.done();
  }

  private idb(o: Out, i: PcapngInterface): void {
    const snaplen = i.snaplen ?? DEFAULT_SNAPLEN;
    if (!Number.isInteger(i.linkType) || i.linkType < 0 || i.linkType > 0xffff) {
      throw new RangeError(`pcapng: link type ${i.linkType} is not in 0..65535`);
    }
    if (!Number.isInteger(snaplen) || snaplen < 0 || snaplen > U32_MAX) {
      throw new RangeError(`pcapng: snaplen ${snaplen} is not in 0..2^32-1`);
    }
    const start = this.open(o, PcapngBlock.IDB);
    o.u16(i.linkType);
    o.u16(0); // reserved
    o.u32(snaplen);
    const opts: [number, Uint8Array][] = [];
    if (i.name !== undefined) opts.push([IF_NAME, utf8.encode(i.name)]);
    if (i.description !== undefined) opts.push([IF_DESCRIPTION, utf8.encode(i.description)]);
    let per = 1_000_000n;
    if (i.tsresol !== undefined) {
      const { base, exp } = i.tsresol;
      if (!Number.isInteger(exp) || exp < 0 || exp > 127) throw new RangeError(`pcapng: if_tsresol exponent ${exp} is not in 0..127`);
      opts.push([IF_TSRESOL, Uint8Array.of((base === 2 ? 0x80 : 0) | exp)]);
      per = BigInt(base) ** BigInt(exp);
    }
    const offset = i.tsoffset ?? 0;
    if (!Number.isSafeInteger(offset)) throw new RangeError(`pcapng: if_tsoffset ${offset} is not a safe integer`);
    if (i.tsoffset !== undefined) {
      const v = new Out(this.le, 8);
      const big = BigInt.asUintN(64, BigInt(offset));
      // A 64-bit option value is written in the section's byte order as one integer.
      if (this.le) { v.u32(Number(big & 0xffffffffn)); v.u32(Number(big >> 32n)); }
      else { v.u32(Number(big >> 32n)); v.u32(Number(big & 0xffffffffn)); }
      opts.push([IF_TSOFFSET, v.done()]);
    }
    this.options(o, opts);
    this.close(o, start);
    this.ifaces.push({ snaplen, per, offset });
  }

  /** Enhanced Packet Block (draft §4.3), with `opt_comment` when the frame has a comment. */
  add(f: WriterFrame): Uint8Array {
    const id = f.interfaceId ?? 0;
    const iface = this.iface(id);
    const { hi, lo } = this.units(f, iface);
    const { cap, orig } = lengths('pcapng', f, iface.snaplen);
    const o = new Out(this.le, 40 + cap);
    const start = this.open(o, PcapngBlock.EPB);
    o.u32(id);
    o.u32(hi);
    o.u32(lo);
    o.u32(cap);
    o.u32(orig);
    o.bytes(f.data.subarray(0, cap));
    o.pad4();
    this.options(o, commentOptions(f));
    this.close(o, start);
    return o.done();
  }

  /**
   * Simple Packet Block (draft §4.4): interface 0, no timestamp, no options. It stores no
   * captured length; readers take min(original length, snaplen), so a frame may be shorter than
   * its original length only when cut at exactly the interface snaplen.
   */
  addSimple(f: WriterFrame): Uint8Array {
    const iface = this.iface(0);
    const { cap, orig } = lengths('pcapng', f, iface.snaplen);
    const implied = iface.snaplen > 0 ? Math.min(orig, iface.snaplen) : orig;
    if (cap !== implied) {
      throw new RangeError(`pcapng: simple packet block cannot hold ${cap} of ${orig} bytes: readers would take ${implied}`);
    }
    const o = new Out(this.le, 20 + cap);
    const start = this.open(o, PcapngBlock.SPB);
    o.u32(orig);
    o.bytes(f.data.subarray(0, cap));
    o.pad4();
    this.close(o, start);
    return o.done();
  }

  /** Obsolete Packet Block (draft Appendix A): 16-bit interface id, drops count 0. */
  addObsolete(f: WriterFrame): Uint8Array {
    const id = f.interfaceId ?? 0;
    if (id > 0xffff) throw new RangeError(`pcapng: packet block interface id ${id} does not fit 16 bits`);
    const iface = this.iface(id);
    const { hi, lo } = this.units(f, iface);
    const { cap, orig } = lengths('pcapng', f, iface.snaplen);
    const o = new Out(this.le, 40 + cap);
    const start = this.open(o, PcapngBlock.PB);
    o.u16(id);
    o.u16(0); // drops_count
    o.u32(hi);
    o.u32(lo);
    o.u32(cap);
    o.u32(orig);
    o.bytes(f.data.subarray(0, cap));
    o.pad4();
    this.options(o, commentOptions(f));
    this.close(o, start);
    return o.done();
  }

  /**
   * Any other block: `type` and a body written as given, padded to 32 bits. For a Custom Block
   * (0x00000BAD) the body starts with the 32-bit Private Enterprise Number; use `customBlock`.
   */
  block(type: number, body: Uint8Array): Uint8Array {
    this.needSection();
    if (type === PcapngBlock.SHB) throw new RangeError('pcapng: use section() to write a section header block');
    const o = new Out(this.le, 16 + body.length);
    const start = this.open(o, type >>> 0);
    o.bytes(body);
    o.pad4();
    this.close(o, start);
    return o.done();
  }

  /** Custom Block (draft §4.7) with the given Private Enterprise Number and data. */
  customBlock(pen: number, data: Uint8Array, copyable = true): Uint8Array {
    const body = new Out(this.le, 4 + data.length);
    body.u32(pen);
    body.bytes(data);
    return this.block(copyable ? PcapngBlock.CB_COPY : 0x40000bad, body.done());
  }

  private needSection(): void {
    if (!this.started) throw new RangeError('pcapng: section() must come before any other block');
  }

  private iface(id: number): IfaceState {
    this.needSection();
    const i = this.ifaces[id];
    if (i === undefined) {
      throw new RangeError(`pcapng: interface ${id} is not declared in this section (${this.ifaces.length} declared)`);
    }
    return i;
  }

  /** Timestamp as a 64-bit count of interface units, rounded down, split into high and low words. */
  private units(f: WriterFrame, iface: IfaceState): { hi: number; lo: number } {
    checkTimestamp('pcapng', f);
    const rel = f.tsSec - iface.offset;
    if (rel < 0) throw new RangeError(`pcapng: timestamp ${f.tsSec} s is before the interface's if_tsoffset ${iface.offset} s`);
    const units = BigInt(rel) * iface.per + (BigInt(f.tsNsec) * iface.per) / 1_000_000_000n;
    if (units > 0xffffffffffffffffn) throw new RangeError(`pcapng: timestamp ${f.tsSec} s does not fit 64 bits of the interface's units`);
    return { hi: Number(units >> 32n), lo: Number(units & 0xffffffffn) };
  }

  /** Writes type and a placeholder length; returns where the block starts. */
  private open(o: Out, type: number): number {
    const start = o.len;
    o.u32(type);
    o.u32(0);
    return start;
  }

  /** Writes the trailing length and patches the leading one (draft §3.1: both must match). */
  private close(o: Out, start: number): void {
    const total = o.len - start + 4;
    o.patchU32(start + 4, total);
    o.u32(total);
  }

  /** Options then opt_endofopt; nothing at all when there are none (draft §3.5). */
  private options(o: Out, opts: readonly [number, Uint8Array][]): void {
    if (opts.length === 0) return;
    for (const [code, value] of opts) {
      if (value.length > 0xffff) throw new RangeError(`pcapng: option ${code} value of ${value.length} bytes exceeds 65535`);
      o.u16(code);
      o.u16(value.length);
      o.bytes(value);
      o.pad4();
    }
    o.u16(0);
    o.u16(0);
  }
}

/** How one item of a pcapng section is written. */
export type PcapngItem =
  | (WriterFrame & { block?: 'epb' | 'spb' | 'pb' })
  | { rawBlock: { type: number; body: Uint8Array } };

/** One section of a pcapng file in one call: its header, interfaces, and items in order. */
export interface PcapngSectionInput extends PcapngSectionOptions {
  items: Iterable<PcapngItem>;
}

/** A whole pcapng file in one buffer. */
export function writePcapng(sections: Iterable<PcapngSectionInput>): Uint8Array {
  const w = new PcapngWriter();
  const parts: Uint8Array[] = [];
  for (const s of sections) {
    parts.push(w.section(s));
    for (const it of s.items) {
      if ('rawBlock' in it) parts.push(w.block(it.rawBlock.type, it.rawBlock.body));
      else if (it.block === 'spb') parts.push(w.addSimple(it));
      else if (it.block === 'pb') parts.push(w.addObsolete(it));
      else parts.push(w.add(it));
    }
  }
  return concatBytes(parts);
}

/** Joins pieces into one buffer. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
