/**
 * Test fixtures as bytes labelled by layer (STYLE 13), and tiny in-memory pcap / pcapng
 * builders for reader tests. Deliberately independent of src/capture/writer.ts: a reader test
 * must not pass only because the writer and the reader share a mistake.
 */
import { CaptureRecord } from '../../src/capture/reader.js';

/**
 * Bytes from hex text: `#` starts a comment to the end of the line; whitespace is ignored.
 * Interpolated values are inserted as text (so `${'00 '.repeat(6)}` works).
 */
export function hex(strings: TemplateStringsArray, ...values: unknown[]): Uint8Array {
  let text = '';
  strings.raw.forEach((s, i) => {
    text += s;
    if (i < values.length) text += String(values[i]);
  });
  const digits = text.replace(/#[^\n]*/g, '').replace(/\s+/g, '');
  if (!/^[0-9a-fA-F]*$/.test(digits)) throw new Error(`hex: not hex: ${digits}`);
  if (digits.length % 2 !== 0) throw new Error(`hex: odd number of digits (${digits.length})`);
  const out = new Uint8Array(digits.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(digits.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** Joins byte arrays. */
export function concat(...parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

/** `n` zero bytes. */
export const zeros = (n: number): Uint8Array => new Uint8Array(n);

/** A CaptureRecord over `data` as a reader would hand it out (frame 1, time 0). */
export function record(data: Uint8Array, linkType: number, frame = 1): CaptureRecord {
  const r = new CaptureRecord();
  // Put the frame at a non-zero offset inside a larger buffer, as readers do.
  const buf = new Uint8Array(data.length + 7);
  buf.set(data, 3);
  r.frame = frame;
  r.linkType = linkType;
  r.buf = buf;
  r.off = 3;
  r.capLen = data.length;
  r.origLen = data.length;
  return r;
}

class Bytes {
  private readonly parts: number[] = [];
  constructor(private readonly le: boolean) {}
  u8(v: number): this { this.parts.push(v & 0xff); return this; }
  u16(v: number): this {
    const b = [(v >>> 8) & 0xff, v & 0xff];
    this.parts.push(...(this.le ? b.reverse() : b));
    return this;
  }
  u32(v: number): this {
    const b = [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
    this.parts.push(...(this.le ? b.reverse() : b));
    return this;
  }
  bytes(b: Uint8Array): this { for (let i = 0; i < b.length; i++) this.parts.push(b[i]!); return this; }
  pad4(): this { while (this.parts.length % 4 !== 0) this.parts.push(0); return this; }
  get length(): number { return this.parts.length; }
  done(): Uint8Array { return Uint8Array.from(this.parts); }
}

/** One classic pcap record. `tsFrac` is in the file's unit (us or ns). */
export interface PcapFrame {
  data: Uint8Array;
  tsSec?: number;
  tsFrac?: number;
  /** Defaults to data.length. */
  inclLen?: number;
  origLen?: number;
}

/** Options of a classic pcap file header. */
export interface PcapFileOptions {
  le?: boolean;
  ns?: boolean;
  linkType?: number;
  snaplen?: number;
  major?: number;
}

/** A classic pcap file (header + records), byte for byte as libpcap writes it. */
export function pcapFile(frames: readonly PcapFrame[], o: PcapFileOptions = {}): Uint8Array {
  const w = new Bytes(o.le ?? true);
  w.u32(o.ns === true ? 0xa1b23c4d : 0xa1b2c3d4).u16(o.major ?? 2).u16(4).u32(0).u32(0)
    .u32(o.snaplen ?? 65535).u32(o.linkType ?? 1);
  for (const f of frames) {
    w.u32(f.tsSec ?? 0).u32(f.tsFrac ?? 0).u32(f.inclLen ?? f.data.length).u32(f.origLen ?? f.data.length).bytes(f.data);
  }
  return w.done();
}

/** One pcapng option: code, value (padded to 4). */
export interface NgOption { code: number; value: Uint8Array }

/** pcapng option helpers. */
export const opt = {
  comment: (text: string): NgOption => ({ code: 1, value: new TextEncoder().encode(text) }),
  tsresol: (v: number): NgOption => ({ code: 9, value: Uint8Array.of(v) }),
  /** if_tsoffset: signed 64-bit seconds in the section's byte order. */
  tsoffset: (seconds: number, le: boolean): NgOption => {
    const v = new Uint8Array(8);
    new DataView(v.buffer).setBigInt64(0, BigInt(seconds), le);
    return { code: 14, value: v };
  },
};

/** pcapng block builder in one byte order. */
export class Ng {
  constructor(readonly le = true) {}

  /** Any block: type, body (padded), total length at both ends. */
  block(type: number, body: Uint8Array, lengthOverride?: number, trailerOverride?: number): Uint8Array {
    const inner = new Bytes(this.le).bytes(body).pad4().done();
    const len = 12 + inner.length;
    return new Bytes(this.le).u32(type).u32(lengthOverride ?? len).bytes(inner).u32(trailerOverride ?? lengthOverride ?? len).done();
  }

  options(opts: readonly NgOption[]): Uint8Array {
    if (opts.length === 0) return new Uint8Array(0);
    const w = new Bytes(this.le);
    for (const o of opts) w.u16(o.code).u16(o.value.length).bytes(o.value).pad4();
    return w.u16(0).u16(0).done();
  }

  shb(major = 1): Uint8Array {
    const body = new Bytes(this.le).u32(0x1a2b3c4d).u16(major).u16(0).u32(0xffffffff).u32(0xffffffff).done();
    return this.block(0x0a0d0d0a, body);
  }

  idb(linkType: number, snaplen = 0, opts: readonly NgOption[] = []): Uint8Array {
    const body = new Bytes(this.le).u16(linkType).u16(0).u32(snaplen).bytes(this.options(opts)).done();
    return this.block(1, body);
  }

  /** Enhanced Packet Block; the timestamp is a 64-bit unit count given as BigInt. */
  epb(ifId: number, ts: bigint, data: Uint8Array, opts: readonly NgOption[] = [], origLen = data.length): Uint8Array {
    const body = new Bytes(this.le).u32(ifId).u32(Number(ts >> 32n)).u32(Number(ts & 0xffffffffn))
      .u32(data.length).u32(origLen).bytes(data).pad4().bytes(this.options(opts)).done();
    return this.block(6, body);
  }

  /** Simple Packet Block: original length then data. */
  spb(data: Uint8Array, origLen = data.length): Uint8Array {
    return this.block(3, new Bytes(this.le).u32(origLen).bytes(data).done());
  }

  /** Obsolete Packet Block: 16-bit interface id, 16-bit drops count. */
  pb(ifId: number, ts: bigint, data: Uint8Array, opts: readonly NgOption[] = []): Uint8Array {
    const body = new Bytes(this.le).u16(ifId).u16(0).u32(Number(ts >> 32n)).u32(Number(ts & 0xffffffffn))
      .u32(data.length).u32(data.length).bytes(data).pad4().bytes(this.options(opts)).done();
    return this.block(2, body);
  }
}

/** A small Ethernet/IPv4/TCP SYN, 10.0.0.1:49152 > 10.0.0.2:135, seq 1, with MSS. */
export const ethSyn = (seq = 1): Uint8Array => hex`
  00 00 5e 00 53 01  02 00 00 00 00 01  08 00                         # Ethernet: dst, src, IPv4
  45 00 00 2c 00 01 00 00 40 06 00 00  0a 00 00 01  0a 00 00 02       # IPv4: TCP, 10.0.0.1 > 10.0.0.2
  c0 00 00 87 ${seq.toString(16).padStart(8, '0')} 00 00 00 00 60 02 ff ff 00 00 00 00 02 04 05 b4  # TCP: 49152 > 135 SYN, MSS 1460
  00 00                                                               # Ethernet padding to 60 bytes`;
