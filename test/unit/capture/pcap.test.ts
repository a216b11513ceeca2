import { describe, expect, it } from 'vitest';
import { ethSyn, hex, pcapFile, type PcapFrame } from '../../helpers/frame.js';
import { readAll, readOk, useTempFiles } from '../../helpers/capture.js';

const tmp = useTempFiles();

const A = ethSyn(1);
const B = hex`${'ab '.repeat(100)}`;

/** Two frames at 1700000000.123456 and 1700000001.000001, written in the file's unit. */
function twoFrames(ns: boolean): PcapFrame[] {
  const k = ns ? 1000 : 1;
  return [
    { data: A, tsSec: 1700000000, tsFrac: 123456 * k },
    { data: B, tsSec: 1700000001, tsFrac: 1 * k, origLen: 1514 },
  ];
}

describe('pcap: the four magics', () => {
  const variants = [
    { le: true, ns: false }, { le: false, ns: false }, { le: true, ns: true }, { le: false, ns: true },
  ];
  it('give identical records with nanosecond timestamps', async () => {
    const results = await Promise.all(variants.map((v) => readOk(tmp(pcapFile(twoFrames(v.ns), v)))));
    for (const [i, r] of results.entries()) {
      const v = variants[i]!;
      expect(r.format).toBe('pcap');
      expect(r.problems).toEqual([]);
      expect(r.info.byteOrder).toBe(v.le ? 'little' : 'big');
      expect(r.info.timestampResolution).toBe(v.ns ? 'ns' : 'us');
      expect(r.info.version).toBe('2.4');
      expect(r.records).toEqual(results[0]!.records);
    }
    const [a, b] = results[0]!.records;
    expect(a).toMatchObject({ frame: 1, tsSec: 1700000000, tsNsec: 123456000, capLen: 60, origLen: 60, linkType: 1, fileOffset: 24 });
    expect(a!.data).toBe(Buffer.from(A).toString('hex'));
    expect(b).toMatchObject({ frame: 2, tsSec: 1700000001, tsNsec: 1000, capLen: 100, origLen: 1514, fileOffset: 24 + 16 + 60 });
  });

  it('keeps every nanosecond digit of a nanosecond file', async () => {
    const r = await readOk(tmp(pcapFile([{ data: A, tsSec: 1, tsFrac: 999999999 }], { ns: true, le: false })));
    expect(r.records[0]).toMatchObject({ tsSec: 1, tsNsec: 999999999 });
  });
});

describe('pcap: corrupt timestamps', () => {
  it('a fraction of one second or more is carried into the seconds, keeping tsNsec below 1e9', async () => {
    for (const ns of [false, true]) {
      const k = ns ? 1000 : 1;
      const r = await readOk(tmp(pcapFile([
        { data: A, tsSec: 100, tsFrac: 1500000 * k },
        { data: A, tsSec: 100, tsFrac: 999999 * k },
        { data: A, tsSec: 0xffffffff, tsFrac: ns ? 0xffffffff : 4294967295 },
      ], { ns })));
      expect(r.records.map((x) => [x.tsSec, x.tsNsec])).toEqual([
        [101, 500000000],
        [100, 999999000],
        ns ? [0xffffffff + 4, 294967295] : [0xffffffff + 4294, 967295000],
      ]);
    }
  });
});

describe('pcap: file header', () => {
  it('takes snaplen and link type from the header, ignoring the FCS bits of the link-type field', async () => {
    const r = await readOk(tmp(pcapFile([{ data: A }], { snaplen: 96, linkType: 113 })));
    expect(r.info.snaplen).toBe(96);
    expect(r.records[0]!.linkType).toBe(113);
    const fcs = await readOk(tmp(pcapFile([{ data: A }], { linkType: 0x24000001 })));
    expect(fcs.records[0]!.linkType).toBe(1);
  });

  it('a zero-length file is empty-file', async () => {
    const r = await readAll(tmp(new Uint8Array(0)));
    expect(r).toMatchObject({ code: 'empty-file', severity: 'error' });
  });

  it('a file header alone is a clean capture of 0 frames', async () => {
    const r = await readOk(tmp(pcapFile([])));
    expect(r.records).toEqual([]);
    expect(r.problems).toEqual([]);
  });

  it('a file header cut short is truncated-record at offset 0', async () => {
    const r = await readOk(tmp(pcapFile([]).subarray(0, 20)));
    expect(r.records).toEqual([]);
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toMatchObject({ code: 'truncated-record', severity: 'error', offset: 0 });
    expect(r.problems[0]!.message).toMatch(/^pcap: .*20 bytes/);
  });

  it('a version other than 2.x is bad-header', async () => {
    const r = await readOk(tmp(pcapFile([{ data: A }], { major: 1 })));
    expect(r.records).toEqual([]);
    expect(r.problems[0]).toMatchObject({ code: 'bad-header', severity: 'error' });
  });

  it('bytes that are no capture are not-a-capture, naming what they start with', async () => {
    const r = await readAll(tmp(hex`de ad be ef 00 00 00 00 00 00 00 00 00 00 00 00`));
    expect(r).toMatchObject({ code: 'not-a-capture', severity: 'error' });
    expect('message' in r && r.message).toMatch(/de ad be ef/);
  });
});

describe('pcap: cut and corrupt records', () => {
  const file = pcapFile([{ data: A }, { data: B }, { data: A }]);
  const third = 24 + (16 + 60) + (16 + 100);

  it('a record header cut short: frames before it, then truncated-record at its offset', async () => {
    const r = await readOk(tmp(file.subarray(0, third + 10)));
    expect(r.records.map((x) => x.frame)).toEqual([1, 2]);
    expect(r.problems).toEqual([{
      code: 'truncated-record', severity: 'error', offset: third,
      message: 'pcap: file ends inside a record header (10 of 16 bytes present)',
    }]);
  });

  it('a record body cut short: frames before it, then truncated-record at the record offset', async () => {
    const r = await readOk(tmp(file.subarray(0, third + 16 + 30)));
    expect(r.records.map((x) => x.frame)).toEqual([1, 2]);
    expect(r.records[1]!.data).toBe(Buffer.from(B).toString('hex'));
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toMatchObject({ code: 'truncated-record', severity: 'error', offset: third });
    expect(r.problems[0]!.message).toBe('pcap: file ends inside record 3 (46 of 76 bytes present)');
  });

  it('a file cut exactly at a record boundary is clean', async () => {
    const r = await readOk(tmp(file.subarray(0, third)));
    expect(r.records).toHaveLength(2);
    expect(r.problems).toEqual([]);
  });

  it('a captured length above the snaplen is a warning and the record is still read', async () => {
    const r = await readOk(tmp(pcapFile([{ data: B }, { data: A }], { snaplen: 64 })));
    expect(r.records.map((x) => x.capLen)).toEqual([100, 60]);
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toMatchObject({ code: 'bad-record-length', severity: 'warning', offset: 24 });
    expect(r.problems[0]!.message).toMatch(/captured length 100, larger than the snaplen 64/);
  });

  it('many captured lengths above the snaplen: three listed, then one line counting the rest', async () => {
    const frames = Array.from({ length: 7 }, () => ({ data: B }));
    const r = await readOk(tmp(pcapFile(frames, { snaplen: 64 })));
    expect(r.records).toHaveLength(7);
    expect(r.problems.map((p) => p.code)).toEqual(Array(4).fill('bad-record-length'));
    expect(r.problems[3]!.message).toBe('4 more like the above (7 in all)');
  });

  it('an absurd captured length stops reading with an error; frames before it are kept', async () => {
    const bad = file.slice(0, third + 16 + 60);
    new DataView(bad.buffer).setUint32(third + 8, 0x7fffffff, true);
    const r = await readOk(tmp(bad));
    expect(r.records.map((x) => x.frame)).toEqual([1, 2]);
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toMatchObject({ code: 'bad-record-length', severity: 'error', offset: third });
    expect(r.problems[0]!.message).toMatch(/^pcap: record 3 has captured length 2147483647/);
  });

  it('warnings before a fatal error keep their summary line', async () => {
    const frames = Array.from({ length: 5 }, () => ({ data: B }));
    const f = pcapFile([...frames, { data: A }], { snaplen: 64 });
    const last = 24 + 5 * 116;
    new DataView(f.buffer).setUint32(last + 8, 0xffffffff, true);
    const r = await readOk(tmp(f));
    expect(r.records).toHaveLength(5);
    expect(r.problems.map((p) => `${p.severity}:${p.code}`)).toEqual([
      'warning:bad-record-length', 'warning:bad-record-length', 'warning:bad-record-length',
      'warning:bad-record-length', 'error:bad-record-length',
    ]);
    expect(r.problems[3]!.message).toBe('2 more like the above (5 in all)');
  });
});
