/**
 * Files derived from the cached classic pcap, by walking its record headers:
 * - the head slice tshark is timed on (the first N MiB, cut at a record boundary), cached with
 *   a meta that names the source it was cut from, and the number of frames tshark's
 *   `tcp.flags.syn==1` must show;
 * - the N-fold concatenation of `--big`, written streaming and deleted by the caller.
 * Only files written by traffic.ts are read: little-endian microsecond pcap, Ethernet.
 */
import { closeSync, existsSync, openSync, readFileSync, readSync, renameSync, statSync, writeFileSync, writeSync } from 'node:fs';
import type { CaptureMeta } from './traffic.js';

const PCAP_FILE_HEADER = 24;
const PCAP_RECORD_HEADER = 16;
const CHUNK = 8 * 1024 * 1024;
/** Above any frame traffic.ts writes; a larger captured length means the file is not ours. */
const MAX_FRAME = 65536;

/** What a slice holds and where it came from. */
export interface SliceMeta {
  /** The source's generator version, seed and size: the slice is cut again when they change. */
  source: { generatorVersion: number; seed: number; sizeMiB: number; fileBytes: number };
  sliceMiB: number;
  /** True when the source is no larger than the slice: the slice is a copy of all of it. */
  whole: boolean;
  fileBytes: number;
  frames: number;
  /**
   * Frames `tshark -Y 'tcp.flags.syn==1'` shows: TCP segments with SYN set (SYN-ACKs too), and
   * ICMP/ICMPv6 destination-unreachable messages whose quoted TCP header has SYN set (Wireshark
   * dissects the quoted header, so its fields match the filter).
   */
  synMatches: number;
}

/** Reads `fd` from `pos` into `buf` until full or end of file; returns the bytes read. */
function readFull(fd: number, buf: Buffer, at: number, pos: number): number {
  let n = 0;
  while (at + n < buf.length) {
    const r = readSync(fd, buf, at + n, buf.length - at - n, pos + n);
    if (r === 0) break;
    n += r;
  }
  return n;
}

/** True when the Ethernet frame `b[o, o+len)` is one tshark's `tcp.flags.syn==1` shows. */
export function synMatch(b: Buffer, o: number, len: number): boolean {
  const end = o + len;
  if (len < 14) return false;
  let type = b.readUInt16BE(o + 12);
  let l3 = o + 14;
  if (type === 0x8100) {
    if (len < 18) return false;
    type = b.readUInt16BE(o + 16);
    l3 = o + 18;
  }
  const ip = (at: number, v6: boolean): { proto: number; l4: number } | null => {
    if (v6) return at + 40 <= end ? { proto: b[at + 6]!, l4: at + 40 } : null;
    if (at + 20 > end) return null;
    return { proto: b[at + 9]!, l4: at + (b[at]! & 0x0f) * 4 };
  };
  const h = type === 0x0800 ? ip(l3, false) : type === 0x86dd ? ip(l3, true) : null;
  if (h === null) return false;
  const tcpSyn = (at: number): boolean => at + 14 <= end && (b[at + 13]! & 0x02) !== 0;
  if (h.proto === 6) return tcpSyn(h.l4);
  // Destination unreachable (ICMP type 3, ICMPv6 type 1): the quoted datagram starts 8 bytes in.
  const unreachable = (h.proto === 1 && b[h.l4] === 3) || (h.proto === 58 && b[h.l4] === 1);
  if (!unreachable) return false;
  const q = ip(h.l4 + 8, h.proto === 58);
  return q !== null && q.proto === 6 && tcpSyn(q.l4);
}

/**
 * Returns the cached head slice of `pcap` (its meta `meta`), cutting it first when missing or
 * cut from another source. The cut falls before the first record that would cross `sliceMiB`.
 */
export function ensureSlice(pcap: string, meta: CaptureMeta, sliceMiB: number, force: boolean): { path: string; meta: SliceMeta; generated: boolean } {
  const base = pcap.replace(/\.pcap$/, `.head-${sliceMiB}MiB`);
  const path = `${base}.pcap`;
  const metaPath = `${base}.meta.json`;
  const source = { generatorVersion: meta.generatorVersion, seed: meta.seed, sizeMiB: meta.sizeMiB, fileBytes: meta.fileBytes };
  if (!force && existsSync(path) && existsSync(metaPath)) {
    try {
      const m = JSON.parse(readFileSync(metaPath, 'utf8')) as SliceMeta;
      if (JSON.stringify(m.source) === JSON.stringify(source) && m.sliceMiB === sliceMiB && statSync(path).size === m.fileBytes) return { path, meta: m, generated: false };
    } catch {
      // Unreadable meta: cut again.
    }
  }
  const limit = sliceMiB * 1024 * 1024;
  const buf = Buffer.allocUnsafe(Math.min(limit, meta.fileBytes));
  const fd = openSync(pcap, 'r');
  let have: number;
  try {
    have = readFull(fd, buf, 0, 0);
  } finally {
    closeSync(fd);
  }
  if (have < PCAP_FILE_HEADER || buf.readUInt32LE(0) !== 0xa1b2c3d4) throw new Error(`${pcap}: not a little-endian microsecond pcap`);
  let pos = PCAP_FILE_HEADER;
  let frames = 0;
  let synMatches = 0;
  for (;;) {
    if (pos + PCAP_RECORD_HEADER > have) break;
    const incl = buf.readUInt32LE(pos + 8);
    if (incl > MAX_FRAME) throw new Error(`${pcap}: record at offset ${pos} claims ${incl} bytes`);
    if (pos + PCAP_RECORD_HEADER + incl > have) break;
    if (synMatch(buf, pos + PCAP_RECORD_HEADER, incl)) synMatches++;
    pos += PCAP_RECORD_HEADER + incl;
    frames++;
  }
  const whole = meta.fileBytes <= limit;
  if (whole && pos !== meta.fileBytes) throw new Error(`${pcap}: ${meta.fileBytes - pos} bytes after the last whole record`);
  const tmp = `${path}.partial`;
  const out = openSync(tmp, 'w');
  try {
    let off = 0;
    while (off < pos) off += writeSync(out, buf, off, pos - off);
  } finally {
    closeSync(out);
  }
  renameSync(tmp, path);
  const m: SliceMeta = { source, sliceMiB, whole, fileBytes: pos, frames, synMatches };
  writeFileSync(metaPath, `${JSON.stringify(m, null, 2)}\n`);
  return { path, meta: m, generated: true };
}

/**
 * Writes the file header of `src` once, then its records `copies` times, copy k with `k *
 * shiftSeconds` added to every timestamp so that time keeps running forward. Streams in 8 MiB
 * pieces. Returns the bytes and frames written.
 */
export function writeCopies(src: string, dst: string, copies: number, shiftSeconds: number): { bytes: number; frames: number } {
  const buf = Buffer.allocUnsafe(CHUNK + MAX_FRAME + PCAP_RECORD_HEADER);
  const out = openSync(dst, 'w');
  let bytes = 0;
  let frames = 0;
  const put = (n: number): void => {
    let off = 0;
    while (off < n) off += writeSync(out, buf, off, n - off);
    bytes += n;
  };
  try {
    for (let k = 0; k < copies; k++) {
      const fd = openSync(src, 'r');
      try {
        let filePos = 0;
        let end = readFull(fd, buf, 0, 0);
        filePos = end;
        if (end < PCAP_FILE_HEADER || buf.readUInt32LE(0) !== 0xa1b2c3d4) throw new Error(`${src}: not a little-endian microsecond pcap`);
        let pos = PCAP_FILE_HEADER;
        let start = k === 0 ? 0 : PCAP_FILE_HEADER;
        const shift = k * shiftSeconds;
        for (;;) {
          while (pos + PCAP_RECORD_HEADER <= end) {
            const incl = buf.readUInt32LE(pos + 8);
            if (incl > MAX_FRAME) throw new Error(`${src}: record claims ${incl} bytes`);
            if (pos + PCAP_RECORD_HEADER + incl > end) break;
            if (shift !== 0) buf.writeUInt32LE(buf.readUInt32LE(pos) + shift, pos);
            pos += PCAP_RECORD_HEADER + incl;
            frames++;
          }
          // Write the whole records, keep the partial one at the front, read on.
          if (pos > start) {
            if (start === 0) put(pos);
            else {
              buf.copyWithin(0, start, pos);
              put(pos - start);
            }
          }
          buf.copyWithin(0, pos, end);
          end -= pos;
          pos = 0;
          start = 0;
          const n = readFull(fd, buf.subarray(0, CHUNK), end, filePos);
          if (n === 0) break;
          filePos += n;
          end += n;
        }
        if (end !== 0) throw new Error(`${src}: ${end} bytes after the last whole record`);
      } finally {
        closeSync(fd);
      }
    }
  } finally {
    closeSync(out);
  }
  return { bytes, frames };
}
