/**
 * `--flood`: a capture of a SYN flood, to check that rpctrace's state stays bounded. Every frame
 * is a SYN with a new 4-tuple and nothing answers: the worst case for per-connection state.
 * Spoofed sources in 10.128.0.0/16 (65,536 hosts, 256 source ports each) hit four servers on a
 * few Windows ports, 100,000 SYNs a second. Frames are 54 bytes (Ethernet, IPv4, TCP without
 * options, as flood tools send them; a capture taken on the sender holds them unpadded).
 * Classic pcap, microseconds, little-endian; cached under .bench/ with a .meta.json.
 */
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { Prng } from './traffic.js';
import { PcapWriter } from '../../src/capture/writer.js';
import { LinkType } from '../../src/wire/constants.js';

/** Bump when the bytes written for a given seed and count change. */
export const FLOOD_VERSION = 1;
/** Distinct (source address, source port) pairs the mapping below can produce: 2^24. */
export const MAX_FLOOD_SYNS = 1 << 24;

/** What a flood generation produced. */
export interface FloodMeta {
  floodVersion: number;
  seed: number;
  syns: number;
  fileBytes: number;
  /** SYNs by destination port. */
  byPort: Record<string, number>;
  durationSeconds: number;
  generateSeconds: number;
}

const FRAME = 54;
const RECORD = 16 + FRAME;
const START_US = 1_700_100_000 * 1e6;
const US_PER_SYN = 10;
const SERVERS = [0x0a32000a, 0x0a32000b, 0x0a32000c, 0x0a32000d] as const; // 10.50.0.10-13
/** Destination ports and their cumulative weights: SMB, endpoint mapper, RDP, a dynamic RPC port. */
const PORTS = [[445, 0.4], [135, 0.6], [3389, 0.8], [49668, 1]] as const;

/** Paths of the cached flood for a SYN count. */
export function floodPaths(dir: string, syns: number): { pcap: string; meta: string } {
  const base = `${dir}/flood-${syns}`;
  return { pcap: `${base}.pcap`, meta: `${base}.meta.json` };
}

/** Writes the flood capture (to a temporary name, renamed when complete). */
function generateFlood(path: string, syns: number, seed: number): FloodMeta {
  mkdirSync(dirname(path), { recursive: true });
  const started = process.hrtime.bigint();
  const rng = new Prng(seed);
  const flushAt = 16 * 1024 * 1024;
  const b = Buffer.alloc(flushAt + RECORD);
  b.set(new PcapWriter({ linkType: LinkType.ETHERNET }).header(), 0);
  let pos = 24;
  let total = 24;
  const byPort: Record<string, number> = {};
  const tmp = `${path}.partial`;
  const fd = openSync(tmp, 'w');
  const flush = (): void => {
    let off = 0;
    while (off < pos) off += writeSync(fd, b, off, pos - off);
    pos = 0;
  };
  try {
    for (let i = 0; i < syns; i++) {
      // An odd multiplier permutes 0..2^24-1, so distinct i give distinct (source, port) pairs
      // that still look scattered.
      const m = Math.imul(i, 0x9e3779b1) & 0xffffff;
      const src = (0x0a800000 | (m >>> 8)) >>> 0;
      const sport = 1024 + (m & 0xff) * 251;
      const dst = SERVERS[i & 3]!;
      const x = rng.next();
      const dport = (PORTS.find(([, w]) => x < w) ?? PORTS[PORTS.length - 1]!)[0];
      byPort[dport] = (byPort[dport] ?? 0) + 1;
      const us = START_US + i * US_PER_SYN;
      const sec = Math.floor(us / 1e6);
      b.writeUInt32LE(sec, pos);
      b.writeUInt32LE(us - sec * 1e6, pos + 4);
      b.writeUInt32LE(FRAME, pos + 8);
      b.writeUInt32LE(FRAME, pos + 12);
      let o = pos + 16;
      // Ethernet: to the server's MAC, from the upstream router's.
      b.writeUInt16BE(0x0200, o); b.writeUInt32BE(dst, o + 2);
      b.writeUInt32BE(0x02000a32, o + 6); b.writeUInt16BE(0x0001, o + 10);
      b.writeUInt16BE(0x0800, o + 12);
      o += 14;
      // IPv4: 40 bytes, id from the counter, DF, TTL 40-119, TCP.
      b.writeUInt16BE(0x4500, o);
      b.writeUInt16BE(40, o + 2);
      b.writeUInt16BE(i & 0xffff, o + 4);
      b.writeUInt16BE(0x4000, o + 6);
      b[o + 8] = 40 + (m % 80);
      b[o + 9] = 6;
      b.writeUInt16BE(0, o + 10);
      b.writeUInt32BE(src, o + 12);
      b.writeUInt32BE(dst, o + 16);
      let sum = 0;
      for (let k = 0; k < 20; k += 2) sum += b.readUInt16BE(o + k);
      while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
      b.writeUInt16BE(~sum & 0xffff, o + 10);
      o += 20;
      // TCP: SYN, no options, window 64240, checksum left zero.
      b.writeUInt16BE(sport, o);
      b.writeUInt16BE(dport, o + 2);
      b.writeUInt32BE(rng.u32(), o + 4);
      b.writeUInt32BE(0, o + 8);
      b[o + 12] = 0x50;
      b[o + 13] = 0x02;
      b.writeUInt16BE(64240, o + 14);
      b.writeUInt32BE(0, o + 16);
      pos += RECORD;
      total += RECORD;
      if (pos >= flushAt) flush();
    }
    flush();
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  return {
    floodVersion: FLOOD_VERSION,
    seed,
    syns,
    fileBytes: total,
    byPort,
    durationSeconds: ((syns - 1) * US_PER_SYN) / 1e6,
    generateSeconds: Math.round(Number(process.hrtime.bigint() - started) / 1e6) / 1000,
  };
}

/** Returns the cached flood capture, generating it when missing or made by another version or seed. */
export function ensureFlood(dir: string, syns: number, seed: number, force: boolean): { pcap: string; meta: FloodMeta; generated: boolean } {
  if (!Number.isInteger(syns) || syns < 1 || syns > MAX_FLOOD_SYNS) throw new RangeError(`flood: ${syns} SYNs is not in 1..${MAX_FLOOD_SYNS}`);
  const p = floodPaths(dir, syns);
  if (!force && existsSync(p.pcap) && existsSync(p.meta)) {
    try {
      const m = JSON.parse(readFileSync(p.meta, 'utf8')) as FloodMeta;
      if (m.floodVersion === FLOOD_VERSION && m.seed === seed && m.syns === syns && statSync(p.pcap).size === m.fileBytes) return { pcap: p.pcap, meta: m, generated: false };
    } catch {
      // Unreadable meta: regenerate.
    }
  }
  const meta = generateFlood(p.pcap, syns, seed);
  writeFileSync(p.meta, `${JSON.stringify(meta, null, 2)}\n`);
  return { pcap: p.pcap, meta, generated: true };
}
