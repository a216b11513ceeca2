/**
 * Writes Microsoft Network Monitor 2.1 capture files as `editcap -F netmon2` writes them for
 * per-packet link types (Wireshark wiretap/netmon.c netmon_dump, netmon_dump_finish): a 128-byte
 * header, records with a 2-byte media-type trailer, then the frame table. (For an input of one
 * link type editcap writes 2.0, without trailers; the corpus files are of that kind.)
 * Deterministic: same input, same bytes.
 */

/** One frame to write. Timestamps are UTC; NetMon 2.1 keeps microseconds. */
export interface NetmonFrame {
  tsSec: number;
  tsNsec: number;
  data: Uint8Array;
  /** Length on the wire; defaults to `data.length`. */
  origLen?: number;
}

const HEADER_SIZE = 128;
const RECORD_HEADER = 16;
const TRAILER = 2;
const NS_PER_S = 1_000_000_000n;

/**
 * NetMon media type for a LINKTYPE value. The four with a NetMon number of their own use it;
 * any other becomes 0xE000 | linktype, the "converted pcap" media type NetMon 3.4 writes
 * (netmon.c NETMON_NET_PCAP_BASE). 0x80..0x8A cannot: 0xE080..0xE08A mean Message Analyzer types.
 */
export function netmonMediaFor(linkType: number): number {
  switch (linkType) {
    case 1: return 1; // Ethernet: NDIS 802.3
    case 6: return 2; // IEEE 802.5 Token Ring
    case 10: return 3; // FDDI
    case 101: return 9; // raw IP: "Raw IP Frames"
  }
  if (!Number.isInteger(linkType) || linkType < 0 || linkType > 0x0fff || (linkType >= 0x80 && linkType <= 0x8a)) {
    throw new RangeError(`netmon writer: link type ${linkType} has no NetMon media type`);
  }
  return 0xe000 | linkType;
}

/** Options of `writeNetmon`. */
export interface NetmonWriteOptions {
  /**
   * The order of the records in the file, as indexes into `frames`: `fileOrder[k]` is the frame
   * stored k-th. The frame table still lists `frames` in order, so a reader that follows the table
   * (as NetMon and Wireshark do) returns `frames` in order, and one that reads the file front to
   * back does not. Default: the identity (editcap's layout).
   */
  fileOrder?: readonly number[];
}

/**
 * A NetMon 2.1 file holding `frames` in order, all of link type `linkType`. The header's start
 * time is the first frame's time cut to milliseconds, written as a UTC SYSTEMTIME (editcap
 * writes local time; under TZ=UTC the bytes are the same); each record stores microseconds
 * since then, rounded as netmon.c does.
 */
export function writeNetmon(frames: readonly NetmonFrame[], linkType: number, opts: NetmonWriteOptions = {}): Uint8Array {
  const media = netmonMediaFor(linkType);
  const order = opts.fileOrder ?? frames.map((_, i) => i);
  if (order.length !== frames.length || new Set(order).size !== frames.length || order.some((i) => !Number.isInteger(i) || i < 0 || i >= frames.length)) {
    throw new RangeError(`netmon writer: fileOrder must be a permutation of 0..${frames.length - 1}`);
  }
  let size = HEADER_SIZE + frames.length * 4;
  for (const f of frames) size += RECORD_HEADER + f.data.length + TRAILER;
  if (size > 0xffffffff) throw new RangeError(`netmon writer: ${size} bytes do not fit 32-bit file offsets`);
  const out = new Uint8Array(size);
  const v = new DataView(out.buffer);

  const first = frames[0];
  const startNs = first === undefined ? 0n : (BigInt(first.tsSec) * NS_PER_S + BigInt(first.tsNsec)) / 1_000_000n * 1_000_000n;
  const tableOff = size - frames.length * 4;

  let at = HEADER_SIZE;
  for (const i of order) {
    const f = frames[i]!;
    // netmon.c: delta = secs * 1e6 + (nsecs + 500) / 1000, nsecs borrowed into 0..999999999.
    const d = BigInt(f.tsSec) * NS_PER_S + BigInt(f.tsNsec) - startNs;
    let secs = d / NS_PER_S;
    let nsecs = d - secs * NS_PER_S;
    if (nsecs < 0n) {
      nsecs += NS_PER_S;
      secs -= 1n;
    }
    const us = secs * 1_000_000n + (nsecs + 500n) / 1000n;
    v.setBigUint64(at, BigInt.asUintN(64, us), true);
    v.setUint32(at + 8, f.origLen ?? f.data.length, true);
    v.setUint32(at + 12, f.data.length, true);
    out.set(f.data, at + RECORD_HEADER);
    v.setUint16(at + RECORD_HEADER + f.data.length, media, true);
    v.setUint32(tableOff + i * 4, at, true);
    at += RECORD_HEADER + f.data.length + TRAILER;
  }

  // Header (netmon.c struct netmon_hdr after the magic).
  out.set([0x47, 0x4d, 0x42, 0x55], 0); // "GMBU"
  out[4] = 1; // minor: 2.1 has per-frame media types
  out[5] = 2; // major
  v.setUint16(6, 1, true); // file media type: 1, as NetMon 3 writes for per-frame files
  const start = new Date(Number(startNs / 1_000_000n));
  v.setUint16(8, start.getUTCFullYear(), true);
  v.setUint16(10, start.getUTCMonth() + 1, true);
  v.setUint16(12, start.getUTCDay(), true);
  v.setUint16(14, start.getUTCDate(), true);
  v.setUint16(16, start.getUTCHours(), true);
  v.setUint16(18, start.getUTCMinutes(), true);
  v.setUint16(20, start.getUTCSeconds(), true);
  v.setUint16(22, start.getUTCMilliseconds(), true);
  v.setUint32(24, tableOff, true);
  v.setUint32(28, frames.length * 4, true);
  return out;
}
