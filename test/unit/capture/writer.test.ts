/**
 * The capture writers, checked by reading their output back through the project's own readers
 * (openCapture + forEachRecord): frame count, timestamps to the nanosecond, lengths, bytes,
 * link types, interface ids and comments; plus the exact header bytes of each pcap variant.
 */
import { describe, expect, it } from 'vitest';
import {
  PcapWriter,
  PcapngWriter,
  concatBytes,
  writePcap,
  writePcapng,
  type PcapngItem,
  type PcapngSectionInput,
  type WriterFrame,
} from '../../../src/capture/writer.js';
import { readOk, useTempFiles } from '../../helpers/capture.js';

const tmp = useTempFiles();

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** Deterministic frames of assorted sizes (0, 1, 3, 60, 1514 bytes) and timestamps. */
function sampleFrames(): WriterFrame[] {
  const sizes = [60, 1, 0, 1514, 3];
  const ts: [number, number][] = [
    [1710234900, 0],
    [1710234900, 123_456_789],
    [1710234901, 999_999_999],
    [1710234905, 500_000_001],
    [4294967295, 1_000],
  ];
  return sizes.map((n, i) => ({
    tsSec: ts[i]![0],
    tsNsec: ts[i]![1],
    data: Uint8Array.from({ length: n }, (_, j) => (j * 7 + i * 31) & 0xff),
  }));
}

describe('pcap writer', () => {
  const variants = [
    { name: 'µs little-endian', opts: { bigEndian: false, nanoseconds: false }, magic: 'd4c3b2a1' },
    { name: 'µs big-endian', opts: { bigEndian: true, nanoseconds: false }, magic: 'a1b2c3d4' },
    { name: 'ns little-endian', opts: { bigEndian: false, nanoseconds: true }, magic: '4d3cb2a1' },
    { name: 'ns big-endian', opts: { bigEndian: true, nanoseconds: true }, magic: 'a1b23c4d' },
  ] as const;

  for (const v of variants) {
    it(`round-trips ${v.name}`, async () => {
      const frames = sampleFrames();
      const bytes = writePcap(frames, { linkType: 1, ...v.opts });
      expect(hex(bytes.subarray(0, 4))).toBe(v.magic);
      const r = await readOk(tmp(bytes, 'rt.pcap'));
      expect(r.format).toBe('pcap');
      expect(r.problems).toEqual([]);
      expect(r.info.byteOrder).toBe(v.opts.bigEndian ? 'big' : 'little');
      expect(r.info.timestampResolution).toBe(v.opts.nanoseconds ? 'ns' : 'us');
      expect(r.info.version).toBe('2.4');
      expect(r.info.snaplen).toBe(262144);
      expect(r.records).toHaveLength(frames.length);
      r.records.forEach((rec, i) => {
        const f = frames[i]!;
        expect(rec.frame).toBe(i + 1);
        expect(rec.tsSec).toBe(f.tsSec);
        // Microsecond files keep whole microseconds: the writer rounds down.
        expect(rec.tsNsec).toBe(v.opts.nanoseconds ? f.tsNsec : Math.floor(f.tsNsec / 1000) * 1000);
        expect(rec.linkType).toBe(1);
        expect(rec.capLen).toBe(f.data.length);
        expect(rec.origLen).toBe(f.data.length);
        expect(rec.data).toBe(hex(f.data));
      });
    });
  }

  it('writes the exact 24-byte header and 16-byte record header', () => {
    const w = new PcapWriter({ linkType: 113, snaplen: 65535 });
    expect(hex(w.header())).toBe(
      'd4c3b2a1' + '0200' + '0400' + '00000000' + '00000000' + 'ffff0000' + '71000000',
    );
    const rec = w.add({ tsSec: 0x01020304, tsNsec: 5_006_999, data: Uint8Array.of(0xaa, 0xbb), origLen: 9 });
    expect(hex(rec)).toBe('04030201' + '8e130000' + '02000000' + '09000000' + 'aabb');
  });

  it('keeps any link type, including ones rpctrace does not decode', async () => {
    for (const lt of [0, 1, 101, 108, 113, 147, 228, 229, 276]) {
      const r = await readOk(tmp(writePcap(sampleFrames().slice(0, 2), { linkType: lt }), `lt${lt}.pcap`));
      expect(r.records.map((x) => x.linkType)).toEqual([lt, lt]);
    }
  });

  it('cuts frames to the snaplen and keeps the original length', async () => {
    const frames = sampleFrames();
    frames[0]!.origLen = 1000;
    const r = await readOk(tmp(writePcap(frames, { linkType: 1, snaplen: 68 }), 'snap.pcap'));
    expect(r.info.snaplen).toBe(68);
    expect(r.records.map((x) => x.capLen)).toEqual([60, 1, 0, 68, 3]);
    expect(r.records.map((x) => x.origLen)).toEqual([1000, 1, 0, 1514, 3]);
    expect(r.records[3]!.data).toBe(hex(frames[3]!.data.subarray(0, 68)));
  });

  it('streams: header plus add() pieces equal writePcap', () => {
    const frames = sampleFrames();
    const w = new PcapWriter({ linkType: 1, nanoseconds: true });
    const pieces = [w.header(), ...frames.map((f) => w.add(f))];
    expect(hex(concatBytes(pieces))).toBe(hex(writePcap(frames, { linkType: 1, nanoseconds: true })));
  });

  it('refuses values the format cannot hold', () => {
    const w = new PcapWriter({ linkType: 1 });
    const d = new Uint8Array(4);
    expect(() => w.add({ tsSec: -1, tsNsec: 0, data: d })).toThrow(RangeError);
    expect(() => w.add({ tsSec: 2 ** 32, tsNsec: 0, data: d })).toThrow(/32 bits/);
    expect(() => w.add({ tsSec: 0, tsNsec: 1e9, data: d })).toThrow(/nanoseconds/);
    expect(() => w.add({ tsSec: 0, tsNsec: 0, data: d, origLen: 3 })).toThrow(/original length/);
    expect(() => new PcapWriter({ linkType: 70000 })).toThrow(/link type/);
    expect(() => new PcapWriter({ linkType: 1, snaplen: 0 })).toThrow(/snaplen/);
  });
});

/** Walks a pcapng buffer's blocks: every length a multiple of 4 and equal at both ends. */
function blockTypes(b: Uint8Array): number[] {
  const types: number[] = [];
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let le = true;
  for (let p = 0; p < b.length; ) {
    if (v.getUint32(p, true) === 0x0a0d0d0a) le = v.getUint32(p + 8, true) === 0x1a2b3c4d;
    const type = v.getUint32(p, le);
    const len = v.getUint32(p + 4, le);
    expect(len % 4).toBe(0);
    expect(len).toBeGreaterThanOrEqual(12);
    expect(v.getUint32(p + len - 4, le)).toBe(len);
    types.push(type);
    p += len;
  }
  return types;
}

/** What the reader should give for `nsec` stored in units of base^-exp s (writer and reader both round down). */
function viaUnits(nsec: number, base: number, exp: number): number {
  const per = BigInt(base) ** BigInt(exp);
  const units = (BigInt(nsec) * per) / 1_000_000_000n;
  return Number((units * 1_000_000_000n) / per);
}

describe('pcapng writer', () => {
  for (const bigEndian of [false, true]) {
    it(`round-trips several interfaces, resolutions and comments (${bigEndian ? 'big' : 'little'}-endian)`, async () => {
      const frames = sampleFrames().slice(0, 4);
      const resol = [
        { linkType: 1 }, // default 10^-6
        { linkType: 113, tsresol: { base: 10 as const, exp: 9 } },
        { linkType: 276, tsresol: { base: 2 as const, exp: 20 } },
        { linkType: 229, tsresol: { base: 10 as const, exp: 3 } },
      ];
      const items: PcapngItem[] = frames.map((f, i) => ({ ...f, interfaceId: i, ...(i % 2 === 0 ? { comment: `frame ${i} – ünïcode` } : {}) }));
      const bytes = writePcapng([{ bigEndian, interfaces: resol, userAppl: 'rpctrace test', items }]);
      expect(blockTypes(bytes)).toEqual([0x0a0d0d0a, 1, 1, 1, 1, 6, 6, 6, 6]);
      const r = await readOk(tmp(bytes, 'rt.pcapng'));
      expect(r.format).toBe('pcapng');
      expect(r.problems).toEqual([]);
      expect(r.info.byteOrder).toBe(bigEndian ? 'big' : 'little');
      expect(r.info.sections).toBe(1);
      expect(r.records).toHaveLength(4);
      const expectNs = [
        viaUnits(frames[0]!.tsNsec, 10, 6),
        frames[1]!.tsNsec,
        viaUnits(frames[2]!.tsNsec, 2, 20),
        viaUnits(frames[3]!.tsNsec, 10, 3),
      ];
      r.records.forEach((rec, i) => {
        const f = frames[i]!;
        expect(rec.interfaceId).toBe(i);
        expect(rec.linkType).toBe(resol[i]!.linkType);
        expect(rec.tsSec).toBe(f.tsSec);
        expect(rec.tsNsec).toBe(expectNs[i]);
        expect(rec.capLen).toBe(f.data.length);
        expect(rec.origLen).toBe(f.data.length);
        expect(rec.data).toBe(hex(f.data));
        expect(rec.comment).toBe(i % 2 === 0 ? `frame ${i} – ünïcode` : null);
      });
    });
  }

  it('keeps nanoseconds exact with 2^-9 s units (1953125 ns each)', async () => {
    const items = [0, 1953125, 999_999_999 - (999_999_999 % 1953125)].map((ns, i) => ({ tsSec: 1710234900 + i, tsNsec: ns, data: Uint8Array.of(i) }));
    const r = await readOk(tmp(writePcapng([{ interfaces: [{ linkType: 1, tsresol: { base: 2, exp: 9 } }], items }]), 'b2.pcapng'));
    expect(r.records.map((x) => [x.tsSec, x.tsNsec])).toEqual(items.map((f) => [f.tsSec, f.tsNsec]));
  });

  it('applies if_tsoffset (little-endian section)', async () => {
    const items = [{ tsSec: 1710234900, tsNsec: 250_000_000, data: Uint8Array.of(1) }];
    const bytes = writePcapng([{ interfaces: [{ linkType: 1, tsoffset: 1710000000 }], items }]);
    const r = await readOk(tmp(bytes, 'off.pcapng'));
    expect(r.records.map((x) => [x.tsSec, x.tsNsec])).toEqual([[1710234900, 250_000_000]]);
  });

  // The writer stores one 64-bit integer in the section's byte order (draft §4.2), which is what
  // tshark reads (checked on samples/rpc-two-sections-be.pcapng). The reader used to read it low
  // word first in either byte order; this was it.fails until that was fixed.
  it('applies if_tsoffset (big-endian section)', async () => {
    const items = [{ tsSec: 1710234900, tsNsec: 250_000_000, data: Uint8Array.of(1) }];
    const bytes = writePcapng([{ bigEndian: true, interfaces: [{ linkType: 1, tsoffset: 1710000000 }], items }]);
    const r = await readOk(tmp(bytes, 'off-be.pcapng'));
    expect(r.records.map((x) => [x.tsSec, x.tsNsec])).toEqual([[1710234900, 250_000_000]]);
  });

  it('writes the big-endian if_tsoffset as one 64-bit integer', () => {
    const w = new PcapngWriter();
    const b = w.section({ bigEndian: true, interfaces: [{ linkType: 1, tsoffset: 0x0102030405 }] });
    // SHB is 28 bytes; IDB: type, len, linktype, reserved, snaplen, then the option.
    expect(hex(b.subarray(28 + 16, 28 + 16 + 12))).toBe('000e0008' + '0000000102030405');
    const l = new PcapngWriter().section({ interfaces: [{ linkType: 1, tsoffset: -2 }] });
    expect(hex(l.subarray(28 + 16, 28 + 16 + 12))).toBe('0e000800' + 'feffffffffffffff');
  });

  it('handles two sections of different byte order; interface ids restart per section', async () => {
    const f = sampleFrames();
    const sections: PcapngSectionInput[] = [
      { interfaces: [{ linkType: 1 }, { linkType: 101 }], items: [{ ...f[0]!, interfaceId: 1 }, f[1]!] },
      { bigEndian: true, comment: 'second', interfaces: [{ linkType: 228 }], items: [{ ...f[3]!, interfaceId: 0, comment: 'in section 2' }] },
    ];
    const bytes = writePcapng(sections);
    expect(blockTypes(bytes)).toEqual([0x0a0d0d0a, 1, 1, 6, 6, 0x0a0d0d0a, 1, 6]);
    const r = await readOk(tmp(bytes, 'two.pcapng'));
    expect(r.info.sections).toBe(2);
    expect(r.records.map((x) => [x.interfaceId, x.linkType, x.comment])).toEqual([
      [1, 101, null],
      [0, 1, null],
      [0, 228, 'in section 2'],
    ]);
    expect(r.records[2]!.data).toBe(hex(f[3]!.data));
  });

  it('writes simple packet blocks, obsolete packet blocks, custom and unknown blocks', async () => {
    const f = sampleFrames();
    const w = new PcapngWriter();
    const parts = [
      w.section({ interfaces: [{ linkType: 1, snaplen: 100 }, { linkType: 113 }] }),
      w.addSimple(f[0]!),
      w.addSimple({ ...f[3]!, data: f[3]!.data.subarray(0, 100), origLen: 1514 }),
      w.customBlock(32473, Uint8Array.of(1, 2, 3)),
      w.block(0x99, Uint8Array.of(9, 9)),
      w.addObsolete({ ...f[1]!, interfaceId: 1, comment: 'pb comment' }),
      w.add({ ...f[4]!, interfaceId: 0 }),
    ];
    const bytes = concatBytes(parts);
    expect(blockTypes(bytes)).toEqual([0x0a0d0d0a, 1, 1, 3, 3, 0xbad, 0x99, 2, 6]);
    const r = await readOk(tmp(bytes, 'blocks.pcapng'));
    expect(r.problems.map((p) => p.code)).toEqual(['unknown-block']);
    expect(r.records.map((x) => [x.tsSec, x.capLen, x.origLen, x.interfaceId, x.linkType, x.comment])).toEqual([
      [0, 60, 60, 0, 1, null], // SPB: no timestamp
      [0, 100, 1514, 0, 1, null], // SPB cut at the snaplen
      [0, 8, 8, 0, -1, null], // custom block: a frame in Wireshark, no packet (PEN + 3 bytes + padding)
      [f[1]!.tsSec, 1, 1, 1, 113, 'pb comment'],
      [f[4]!.tsSec, 3, 3, 0, 1, null],
    ]);
    expect(r.records[1]!.data).toBe(hex(f[3]!.data.subarray(0, 100)));
  });

  it('cuts EPB data at the interface snaplen; 0 means no limit', async () => {
    const f = sampleFrames()[3]!;
    const bytes = writePcapng([{ interfaces: [{ linkType: 1, snaplen: 68 }, { linkType: 1, snaplen: 0 }], items: [f, { ...f, interfaceId: 1 }] }]);
    const r = await readOk(tmp(bytes, 'snap.pcapng'));
    expect(r.records.map((x) => [x.capLen, x.origLen])).toEqual([[68, 1514], [1514, 1514]]);
  });

  it('refuses what it cannot write correctly', () => {
    const w = new PcapngWriter();
    const d = { tsSec: 1, tsNsec: 0, data: new Uint8Array(4) };
    expect(() => w.add(d)).toThrow(/section\(\) must come first|before any other block/);
    w.section({ interfaces: [{ linkType: 1, snaplen: 2, tsoffset: 10 }] });
    expect(() => w.add({ ...d, interfaceId: 1 })).toThrow(/interface 1 is not declared/);
    expect(() => w.add({ ...d, tsSec: 5 })).toThrow(/before the interface's if_tsoffset/);
    expect(() => w.addSimple({ ...d, tsSec: 20, data: new Uint8Array(1), origLen: 4 })).toThrow(/simple packet block/);
    expect(() => w.block(0x0a0d0d0a, new Uint8Array(0))).toThrow(/section\(\)/);
    expect(() => new PcapngWriter().section({ interfaces: [{ linkType: 1, tsresol: { base: 10, exp: 200 } }] })).toThrow(/exponent/);
  });

  it('streams: section() plus add() pieces equal writePcapng', () => {
    const frames = sampleFrames();
    const w = new PcapngWriter();
    const pieces = [w.section({ interfaces: [{ linkType: 1 }] }), ...frames.map((f) => w.add(f))];
    expect(hex(concatBytes(pieces))).toBe(hex(writePcapng([{ interfaces: [{ linkType: 1 }], items: frames }])));
  });
});
