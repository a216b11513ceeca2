/**
 * Seed inputs for the fuzz tests: small captures built here (every link type and block kind the
 * readers and dissector know), every file in samples/, and every capture in ../shared/corpus
 * when that directory exists. Missing directories are skipped, not failed.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { concat, ethSyn, hex, Ng, opt, pcapFile } from '../helpers/frame.js';

/** One seed: a name for messages and the file's bytes. */
export interface Seed {
  name: string;
  bytes: Uint8Array;
}

const V4 = '0a 00 00 01  0a 00 00 02';
const V6 = '20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01  20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 02';

const ip4Syn = hex`45 00 00 2c 00 01 40 00 40 06 00 00 ${V4}  c0 00 00 87 00 00 00 01 00 00 00 00 60 02 ff ff 00 00 00 00 02 04 05 b4`;
const ip4Icmp = hex`45 00 00 38 00 02 00 00 40 01 00 00 ${V4}  03 03 00 00 00 00 00 00
  45 00 00 2c 00 01 40 00 40 06 00 00 ${V4}  c0 00 00 87 00 00 00 01`;
const ip4Frag = hex`45 00 00 1c 00 07 00 b9 40 06 00 00 ${V4}  c0 00 00 87 00 00 00 01`;
const ip4Udp = hex`45 00 00 20 00 03 00 00 40 11 00 00 ${V4}  e1 23 00 87 00 0c 00 00 01 02 03 04`;
const ip6Ext = hex`60 00 00 00 00 3c 00 40 ${V6}  2b 00 05 02 00 00 01 00  2c 02 00 00 00 00 00 00 ${'00 '.repeat(16)}
  06 00 00 01 00 00 00 01  c0 01 00 87 0a 0b 0c 0d 00 00 00 00 50 12 ff ff 00 00 00 00`;
const ip6Icmp = hex`60 00 00 00 00 38 3a 40 ${V6}  01 04 00 00 00 00 00 00
  60 00 00 00 00 14 06 40 ${V6}  c0 01 00 87 0a 0b 0c 0d`;

const eth = (type: string, ip: Uint8Array): Uint8Array => concat(hex`00 00 5e 00 53 01 02 00 00 00 00 01 ${type}`, ip);

/** Frames for each link type, so mutations start from something every layer decodes. */
const BY_LINK: [number, Uint8Array[]][] = [
  [1, [ethSyn(1), eth('08 00', ip4Icmp), eth('81 00 00 64 08 00', ip4Frag), eth('88 a8 00 0a 81 00 00 14 86 dd', ip6Ext), eth('86 dd', ip6Icmp),
    eth('00 30 aa aa 03 00 00 00 08 00', ip4Udp)]],
  [113, [concat(hex`00 00 00 01 00 06 02 00 00 00 00 01 00 00 08 00`, ip4Syn)]],
  [276, [concat(hex`86 dd 00 00 00 00 00 02 00 01 04 06 02 00 00 00 00 01 00 00`, ip6Ext)]],
  [0, [concat(hex`02 00 00 00`, ip4Syn), concat(hex`00 00 00 1e`, ip6Icmp)]],
  [108, [concat(hex`00 00 00 02`, ip4Icmp)]],
  [101, [ip4Syn, ip6Ext]],
  [228, [ip4Udp, ip4Frag]],
  [229, [ip6Icmp]],
];

function builtSeeds(): Seed[] {
  const out: Seed[] = [];
  for (const [lt, frames] of BY_LINK) {
    const recs = frames.map((data, i) => ({ data, tsSec: 1700000000 + i, tsFrac: i * 1000 }));
    out.push({ name: `built-pcap-lt${lt}`, bytes: pcapFile(recs, { linkType: lt, le: lt % 2 === 0, ns: lt > 200 }) });
  }
  const parts: Uint8Array[] = [];
  for (const le of [true, false]) {
    const ng = new Ng(le);
    parts.push(ng.shb());
    for (const [lt] of BY_LINK) parts.push(ng.idb(lt, 0, lt === 1 ? [opt.tsresol(9)] : lt === 113 ? [opt.tsresol(0x94), opt.tsoffset(10, le)] : []));
    BY_LINK.forEach(([, frames], ifId) => {
      for (const f of frames) parts.push(ng.epb(ifId, 1700000000000000n + BigInt(ifId), f, ifId === 0 ? [opt.comment('seed')] : []));
    });
    parts.push(ng.spb(ethSyn(2)), ng.pb(0, 5n, ethSyn(3)), ng.block(0x00000005, hex`00 00 00 00 00 00 00 00 00 00 00 00`));
  }
  const ngFile = concat(...parts);
  out.push({ name: 'built-pcapng', bytes: ngFile });
  out.push({ name: 'built-pcapng.gz', bytes: new Uint8Array(gzipSync(ngFile)) });
  return out;
}

const CAPTURE = /\.(pcap|pcapng|cap|gz)$/;

function dirSeeds(dir: string, label: string): Seed[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => CAPTURE.test(f))
    .sort()
    .map((f) => ({ name: `${label}/${f}`, bytes: new Uint8Array(readFileSync(join(dir, f))) }));
}

const ROOT = resolve(import.meta.dirname, '../..');

/** All seeds, in a fixed order. */
export function seeds(): Seed[] {
  return [
    ...builtSeeds(),
    ...dirSeeds(join(ROOT, 'samples'), 'samples'),
    ...dirSeeds(join(ROOT, '../shared/corpus/lab'), 'corpus/lab'),
    ...dirSeeds(join(ROOT, '../shared/corpus/public'), 'corpus/public'),
  ];
}
