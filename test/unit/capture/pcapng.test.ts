import { describe, expect, it } from 'vitest';
import { concat, ethSyn, hex, Ng, opt } from '../../helpers/frame.js';
import { readOk, useTempFiles, type ReadResult } from '../../helpers/capture.js';

const tmp = useTempFiles();
const A = ethSyn(1);
const B = hex`${'ab '.repeat(61)}`; // 61 bytes: data needs padding
const T0 = 1700000000n;

const read = (bytes: Uint8Array): Promise<ReadResult> => readOk(tmp(bytes, 'x.pcapng'));

/** Section with one Ethernet interface (microseconds) and two EPBs. */
function simple(le: boolean): Uint8Array {
  const ng = new Ng(le);
  return concat(
    ng.shb(),
    ng.idb(1, 262144),
    ng.epb(0, T0 * 1000000n + 123456n, A),
    ng.epb(0, (T0 + 1n) * 1000000n + 1n, B, [], 1514),
  );
}

describe('pcapng: byte order', () => {
  it('little- and big-endian files give identical records', async () => {
    const le = await read(simple(true));
    const be = await read(simple(false));
    expect(le.format).toBe('pcapng');
    expect(le.info).toMatchObject({ byteOrder: 'little', version: '1.0', sections: 1, snaplen: 262144, timestampResolution: 'us' });
    expect(be.info.byteOrder).toBe('big');
    expect(le.problems).toEqual([]);
    expect(be.problems).toEqual([]);
    expect(be.records).toEqual(le.records);
    expect(le.records).toHaveLength(2);
    expect(le.records[0]).toMatchObject({ frame: 1, tsSec: 1700000000, tsNsec: 123456000, linkType: 1, capLen: 60, origLen: 60, comment: null });
    expect(le.records[0]!.data).toBe(Buffer.from(A).toString('hex'));
    expect(le.records[1]).toMatchObject({ frame: 2, tsSec: 1700000001, tsNsec: 1000, capLen: 61, origLen: 1514 });
    expect(le.records[1]!.data).toBe(Buffer.from(B).toString('hex'));
  });

  it('two sections with a byte-order change between them', async () => {
    const le = new Ng(true);
    const be = new Ng(false);
    const f = concat(
      le.shb(), le.idb(1), le.epb(0, 1n, A),
      be.shb(), be.idb(101), be.idb(1), be.epb(1, 2n, A), be.epb(0, 3n, B),
    );
    const r = await read(f);
    expect(r.problems).toEqual([]);
    expect(r.info.sections).toBe(2);
    expect(r.info.byteOrder).toBe('little');
    // Interface ids restart in each section (draft §4.2).
    expect(r.records.map((x) => [x.frame, x.linkType, x.interfaceId, x.tsNsec])).toEqual([
      [1, 1, 0, 1000], [2, 1, 1, 2000], [3, 101, 0, 3000],
    ]);
  });
});

describe('pcapng: interfaces', () => {
  it('several interfaces with different link types', async () => {
    const ng = new Ng();
    const f = concat(
      ng.shb(), ng.idb(1, 65535), ng.idb(101, 1500), ng.idb(113, 262144),
      ng.epb(2, 0n, A), ng.epb(0, 0n, A), ng.epb(1, 0n, B),
    );
    const r = await read(f);
    expect(r.records.map((x) => [x.interfaceId, x.linkType])).toEqual([[2, 113], [0, 1], [1, 101]]);
    expect(r.info.snaplen).toBe(262144);
  });

  it('a packet naming an undeclared interface is skipped with a warning; reading goes on', async () => {
    const ng = new Ng();
    const head = concat(ng.shb(), ng.idb(1));
    const f = concat(head, ng.epb(0, 0n, A), ng.epb(3, 0n, A), ng.epb(0, 0n, B));
    const r = await read(f);
    expect(r.records.map((x) => x.capLen)).toEqual([60, 61]);
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toMatchObject({ code: 'unknown-interface', severity: 'warning', offset: head.length + ng.epb(0, 0n, A).length });
    expect(r.problems[0]!.message).toMatch(/interface 3/);
  });

  it('a simple packet block before any interface is skipped with a warning', async () => {
    const ng = new Ng();
    const r = await read(concat(ng.shb(), ng.spb(A), ng.idb(1), ng.spb(A)));
    expect(r.records).toHaveLength(1);
    expect(r.problems.map((p) => p.code)).toEqual(['unknown-interface']);
  });
});

describe('pcapng: timestamps', () => {
  const cases: [string, number, bigint, number, number, string][] = [
    ['10^-6 (default)', -1, T0 * 1000000n + 999999n, 1700000000, 999999000, 'us'],
    ['10^-9', 9, T0 * 1000000000n + 123456789n, 1700000000, 123456789, 'ns'],
    ['10^-3', 3, T0 * 1000n + 7n, 1700000000, 7000000, '10^-3 s'],
    ['10^-0', 0, T0, 1700000000, 0, '10^-0 s'],
    ['2^-10', 0x8a, (T0 << 10n) + 512n, 1700000000, 500000000, '2^-10 s'],
    ['2^-20', 0x94, (T0 << 20n) + 1n, 1700000000, 953, '2^-20 s'],
    // 10^-12 s units: 2^64 of them is only 213 days, so the time is early 1970.
    ['10^-12', 12, 10000000n * 1000000000000n + 123456789999n, 10000000, 123456789, '10^-12 s'],
  ];
  for (const [name, resol, ts, sec, nsec, text] of cases) {
    it(`if_tsresol ${name}`, async () => {
      const ng = new Ng(false);
      const r = await read(concat(ng.shb(), ng.idb(1, 0, resol < 0 ? [] : [opt.tsresol(resol)]), ng.epb(0, ts, A)));
      expect(r.records[0]).toMatchObject({ tsSec: sec, tsNsec: nsec });
      expect(r.info.timestampResolution).toBe(text);
    });
  }

  it('lists every resolution the interfaces declare', async () => {
    const ng = new Ng();
    const r = await read(concat(ng.shb(), ng.idb(1), ng.idb(1, 0, [opt.tsresol(9)])));
    expect(r.info.timestampResolution).toBe('us, ns');
  });

  it('if_tsoffset adds (or subtracts) seconds', async () => {
    for (const le of [true, false]) {
      const ng = new Ng(le);
      const f = concat(
        ng.shb(),
        ng.idb(1, 0, [opt.tsoffset(3600, le)]),
        ng.idb(1, 0, [opt.tsresol(9), opt.tsoffset(-3600, le)]),
        ng.epb(0, 5n * 1000000n + 1n, A),
        ng.epb(1, 5000000007n, A),
      );
      const r = await read(f);
      expect(r.records.map((x) => [x.tsSec, x.tsNsec])).toEqual([[3605, 1000], [5 - 3600, 7]]);
    }
  });
});

describe('pcapng: packet blocks', () => {
  it('EPB, SPB and the obsolete PB all give records', async () => {
    const ng = new Ng();
    const f = concat(
      ng.shb(), ng.idb(1, 0), ng.idb(113, 0),
      ng.epb(0, 1000000n, A),
      ng.spb(B, 1514),
      ng.pb(1, 2000000n, A),
    );
    const r = await read(f);
    expect(r.problems).toEqual([]);
    expect(r.records.map((x) => [x.frame, x.linkType, x.tsSec, x.capLen, x.origLen])).toEqual([
      [1, 1, 1, 60, 60],
      // SPB: no timestamp; captured length bounded by the block (61 bytes padded to 64).
      [2, 1, 0, 64, 1514],
      [3, 113, 2, 60, 60],
    ]);
  });

  it('SPB captured length is the smaller of original length and snaplen', async () => {
    const ng = new Ng();
    const r = await read(concat(ng.shb(), ng.idb(1, 32), ng.spb(A, 60), ng.spb(B, 61)));
    expect(r.records.map((x) => x.capLen)).toEqual([32, 32]);
    const u = await read(concat(ng.shb(), ng.idb(1, 0), ng.spb(B, 61)));
    expect(u.records[0]!.capLen).toBe(61);
    expect(u.records[0]!.data).toBe(Buffer.from(B).toString('hex'));
  });

  it('keeps opt_comment on EPB and PB, and does not carry it to the next packet', async () => {
    const ng = new Ng();
    const f = concat(
      ng.shb(), ng.idb(1),
      ng.epb(0, 0n, B, [opt.comment('SYN to 135 — retry')]),
      ng.epb(0, 0n, A),
      ng.pb(0, 0n, A, [opt.comment('old block')]),
      ng.spb(A),
    );
    const r = await read(f);
    expect(r.records.map((x) => x.comment)).toEqual(['SYN to 135 — retry', null, 'old block', null]);
  });

  it('skips an unknown block with a warning naming its offset; local-use blocks silently', async () => {
    const ng = new Ng();
    const head = concat(ng.shb(), ng.idb(1), ng.epb(0, 0n, A));
    const f = concat(
      head,
      ng.block(0x00000bbb, hex`01 02 03 04`),
      ng.block(0x80000001, hex`01 02 03 04`), // local use
      ng.block(0x00000005, hex`00 00 00 00 00 00 00 00 00 00 00 00`), // Interface Statistics: known, unused
      ng.epb(0, 0n, B),
    );
    const r = await read(f);
    expect(r.records).toHaveLength(2);
    expect(r.problems).toEqual([{
      code: 'unknown-block', severity: 'warning', offset: head.length,
      message: 'pcapng: skipped a block of unknown type 0xbbb (16 bytes)',
    }]);
  });

  it('repeated unknown blocks of several types: each summary points at its own type', async () => {
    const ng = new Ng();
    const u1 = ng.block(0x00000bbb, hex``);
    const u2 = ng.block(0x00000ccc, hex``);
    const head = concat(ng.shb(), ng.idb(1));
    const f = concat(head, u1, u2, u2, u2, u2, u1, u1, u1);
    const r = await read(f);
    const summaries = r.problems.filter((p) => p.message.includes('more like the above'));
    expect(summaries).toEqual([
      { code: 'unknown-block', severity: 'warning', offset: head.length, message: '1 more like the above (4 in all)' },
      { code: 'unknown-block', severity: 'warning', offset: head.length + 12, message: '1 more like the above (4 in all)' },
    ]);
  });
});

describe('pcapng: corrupt blocks', () => {
  const ng = new Ng();
  const head = concat(ng.shb(), ng.idb(1), ng.epb(0, 0n, A));
  const cases: [string, Uint8Array, RegExp][] = [
    ['a block length that is not a multiple of 4', ng.block(6, new Uint8Array(20), 30), /total length 30, which is not a multiple of 4/],
    ['a block length below 12', ng.block(6, new Uint8Array(0), 8), /total length 8/],
    ['a trailer that differs from the header length', ng.block(6, new Uint8Array(20), undefined, 36), /length 32 at its start but 36 at its end/],
    ['a block length above any real block', ng.block(6, new Uint8Array(0), 0x7ffffff0), /larger than any real block/],
  ];
  for (const [name, block, msg] of cases) {
    it(`${name}: error at its offset, frames before kept`, async () => {
      const r = await read(concat(head, block, ng.epb(0, 0n, A)));
      expect(r.records).toHaveLength(1);
      expect(r.problems).toHaveLength(1);
      expect(r.problems[0]).toMatchObject({ code: 'bad-block', severity: 'error', offset: head.length });
      expect(r.problems[0]!.message).toMatch(msg);
    });
  }

  it('a block cut by the end of the file is truncated-record', async () => {
    const r = await read(concat(head, ng.epb(0, 0n, A)).subarray(0, head.length + 40));
    expect(r.records).toHaveLength(1);
    expect(r.problems).toEqual([{
      code: 'truncated-record', severity: 'error', offset: head.length,
      message: 'pcapng: file ends inside a block of type 0x6 (40 of 92 bytes present)',
    }]);
  });

  it('an EPB whose captured length runs past its block is skipped with a warning', async () => {
    const epb = ng.epb(0, 0n, A);
    new DataView(epb.buffer).setUint32(20, 200, true);
    const r = await read(concat(head, epb, ng.epb(0, 0n, B)));
    expect(r.records.map((x) => x.capLen)).toEqual([60, 61]);
    expect(r.problems.map((p) => [p.code, p.severity])).toEqual([['bad-record-length', 'warning']]);
  });

  it('a section header of version 2 is bad-header', async () => {
    const r = await read(concat(ng.shb(2), ng.idb(1), ng.epb(0, 0n, A)));
    expect(r.records).toEqual([]);
    expect(r.problems[0]).toMatchObject({ code: 'bad-header', severity: 'error', offset: 0 });
  });
});

describe('pcapng interface names', () => {
  it('reads if_name and if_description of each interface, per section, and only named ones', async () => {
    const { writePcapng: write } = await import('../../../src/capture/writer.js');
    const { openCapture } = await import('../../../src/capture/open.js');
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const file = join(mkdtempSync(join(tmpdir(), 'rpctrace-ifname-')), 'x.pcapng');
    const frame = { tsSec: 1, tsNsec: 0, data: new Uint8Array(60) };
    writeFileSync(file, write([
      { interfaces: [{ linkType: 1, name: 'eth0', description: 'Intel(R) Ethernet' }, { linkType: 1 }], items: [frame] },
      { interfaces: [{ linkType: 113, name: 'any\u0000' }], items: [frame] },
    ]));
    const o = await openCapture(file);
    if (!('reader' in o)) throw new Error(o.message);
    while (o.reader.next() !== null || o.win.wanted > 0) if (o.win.wanted > 0) await o.win.fill();
    expect(o.reader.interfaces).toEqual([
      { section: 1, id: 0, linkType: 1, name: 'eth0', description: 'Intel(R) Ethernet' },
      { section: 2, id: 0, linkType: 113, name: 'any', description: null },
    ]);
    o.close();
  });
});
