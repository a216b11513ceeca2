/**
 * Microsoft Network Monitor capture files (`.cap`): format 1.x (magic "RTSS") and 2.x (magic
 * "GMBU"; NetMon 2.x writes 2.0, NetMon 3.x writes 2.1 to 2.3, `editcap -F netmon2` writes 2.1).
 *
 * Sources: Wireshark `wiretap/netmon.c` (reader and writer; the only complete public account,
 * taken from the NetMon 3.x help files), and Microsoft's `CAPTUREFILE_HEADER_VALUES`
 * (Netmon.h, learn.microsoft.com/windows/win32/netmon2/capturefile-header-values).
 *
 * Layout, all integers little-endian:
 *   file header   64 bytes (magic + netmon_hdr), padded to 128 by every known writer
 *   records       1.x: ts_delta u32 (ms), orig_len u16, incl_len u16, data
 *                 2.x: ts_delta u64 (us), orig_len u32, incl_len u32, data, then from 2.1 on a
 *                 trailer: media type u16 (2.1), + process index u32 (2.2), + UTC FILETIME u64
 *                 and time zone index u8 (2.3): 2, 6 or 15 bytes
 *   frame table   one u32 file offset per record; it, not file order, defines the frames
 *
 * The frame table, at the end of the file, defines the frames and their order (Wireshark follows
 * it too). With a file descriptor the reader follows it with positioned reads. A stream (gzip,
 * standard input, a pipe) cannot seek, so it is first copied into a `Spool` (in memory up to
 * `SPOOL_MEMORY`, then a temporary file) to its end, and the copy is read exactly as a file is:
 * the same frames, in the same order, with the same problems, whatever the input path.
 */
import { fstatSync } from 'node:fs';
import { u16le, u32be, u32le } from '../wire/bytes.js';
import { LinkType } from '../wire/constants.js';
import type { ReadProblemCode } from '../model/read-problem.js';
import type { ByteWindow } from './source.js';
import { FdAccess, Spool, SpoolSource, type RandomAccess, type SpoolOptions } from './spool.js';
import { WindowReader, type CaptureReader, type CaptureRecord, type FormatInfo } from './reader.js';
import { splitDecimal, tsOut } from './timestamp.js';

/** "GMBU" read big-endian: NetMon 2.x magic (netmon.c netmon_2_x_magic). */
export const NETMON_2_MAGIC = 0x474d4255;
/** "RTSS" read big-endian: NetMon 1.x magic (netmon.c netmon_1_x_magic). */
export const NETMON_1_MAGIC = 0x52545353;

/** Bytes of the file header that carry fields: 4-byte magic + 60-byte netmon_hdr (netmon.c). */
export const NETMON_HEADER_FIELDS = 64;
/** Writers pad the header to this size (netmon.c CAPTUREFILE_HEADER_SIZE); frames follow it. */
export const NETMON_HEADER_SIZE = 128;

/**
 * Link type for a NetMon media type that has no LINKTYPE_* equivalent: this base plus the media
 * type. It lies above every 16-bit LINKTYPE value, so later layers report it as unsupported and
 * never mistake it for a real one (passing the media number through bare would: NetMon 10,
 * "Wireless WAN", is LINKTYPE_FDDI).
 */
export const NETMON_UNMAPPED_BASE = 0x10000;

// tcpdump.org LINKTYPE_* values not (yet) in wire/constants.ts.
const LINKTYPE_IEEE802_5 = 6; // Token Ring
const LINKTYPE_FDDI = 10;
const LINKTYPE_IEEE802_11 = 105;

/**
 * NetMon media types 0..11 (NDIS medium numbers, reused by format 2.x) to LINKTYPE values,
 * following netmon.c netmon_encap[]. Entries Wireshark marks unknown, and those with no LINKTYPE
 * (NDIS WAN/ATM with NetMon's 16-byte ATM header, 802.11 with NetMon's metadata header), are
 * unmapped.
 */
const MEDIA_LINKTYPE: readonly number[] = [
  // XXX: netmon.c maps 0 to Ethernet because some NetMon 3.4 VPN captures mark frames 0 yet
  // carry Ethernet headers; the file header's media type might be the better guess.
  LinkType.ETHERNET, // 0
  LinkType.ETHERNET, // 1 NDIS 802.3
  LINKTYPE_IEEE802_5, // 2 NDIS 802.5
  // XXX: netmon.c says FDDI_BITSWAPPED; LINKTYPE_FDDI does not say which bit order it means.
  LINKTYPE_FDDI, // 3 NDIS FDDI
  NETMON_UNMAPPED_BASE + 4, // NDIS WAN, used for ATM with a 16-byte NetMon ATM header
  NETMON_UNMAPPED_BASE + 5, // LocalTalk; 2.x uses it for IP over IEEE 1394
  NETMON_UNMAPPED_BASE + 6, // "DIX"; 2.x uses it for 802.11 with a NetMon metadata header
  LinkType.RAW, // 7 ARCNET raw; 2.x: tunneling interfaces
  LinkType.RAW, // 8 ARCNET 878.2; 2.x: Wireless WAN
  LinkType.RAW, // 9 NDIS ATM; 2.x: raw IP frames
  NETMON_UNMAPPED_BASE + 10, // NDIS Wireless WAN
  NETMON_UNMAPPED_BASE + 11, // NDIS IrDA
];

/** netmon.c NETMON_NET_PCAP_BASE: media 0xE000 | n is a frame converted from pcap LINKTYPE n. */
const MEDIA_PCAP_BASE = 0xe000;
/** netmon.c: 0xE080..0xE08A are Message Analyzer types, not converted pcap (0xE080 is 802.11). */
const MEDIA_MA_FIRST = 0xe080;
const MEDIA_MA_LAST = 0xe08a;
/**
 * Metadata records Wireshark skips without giving them a frame number (netmon.c RETRY):
 * payload header of a reassembled frame, network info, DNS cache. Other special types
 * (0xFFE0 event, 0xFFFB network info ex, 0xFFFF filter) are frames in Wireshark, so they are
 * returned here too, as unmapped link types.
 */
const MEDIA_PAYLOAD_HEADER = 0xfffc;
const MEDIA_DNS_CACHE = 0xfffe;

/** LINKTYPE_* for a NetMon media type, or `NETMON_UNMAPPED_BASE + media` when there is none. */
export function netmonLinkType(media: number): number {
  if (media < MEDIA_LINKTYPE.length) return MEDIA_LINKTYPE[media]!;
  if (media === MEDIA_MA_FIRST) return LINKTYPE_IEEE802_11; // "WiFi Message"
  if (media > MEDIA_MA_FIRST && media <= MEDIA_MA_LAST) return NETMON_UNMAPPED_BASE + media;
  if ((media & 0xf000) === MEDIA_PCAP_BASE) return media & 0x0fff;
  return NETMON_UNMAPPED_BASE + media;
}

/** True for the metadata media types that Wireshark skips (0xFFFC..0xFFFE). */
export function isNetmonSkippedMedia(media: number): boolean {
  return media >= MEDIA_PAYLOAD_HEADER && media <= MEDIA_DNS_CACHE;
}

/** True when the 4 bytes at `o` are a NetMon 1.x or 2.x magic. */
export function netmonMagic(b: Uint8Array, o: number): boolean {
  const m = u32be(b, o);
  return m === NETMON_2_MAGIC || m === NETMON_1_MAGIC;
}

/** netmon.c caps frames at 256 KiB; we accept up to 16 MiB like pcap.ts, never more. */
const MAX_FRAME = 16 * 1024 * 1024;
/**
 * Offsets are 32-bit, so a file is at most 4 GiB; at 20 bytes per 2.x frame at least (16-byte
 * header + 4-byte entry) that is under 2^28 frames, a table under 1 GiB. (netmon.c allows
 * 2 GiB, enough for a 1.x file of empty frames, which no real capture is.) The table is never
 * held in memory; the cap only marks a corrupt header.
 */
const MAX_TABLE_BYTES = 1024 * 1024 * 1024;
/** Frame table entries fetched per positioned read. */
const TABLE_CHUNK_ENTRIES = 65536;
/** Read size after a jump in the table (rare: a full cache would mostly be wasted). */
const JUMP_READ = 16 * 1024;
/** After a backward jump, bytes kept after the frame's start: a full Ethernet frame fits. */
const BACK_TAIL = 2048;
/**
 * A stream is spooled up to the end of its frame table or this offset, whichever is later, and
 * only counted beyond: no table entry (a u32 offset) can reach a byte past a maximal frame there
 * (16-byte header + MAX_FRAME + 15-byte trailer, and a cache read of MAX_FRAME + 64 bytes).
 */
const SPOOL_ADDRESSABLE = 2 ** 32 + MAX_FRAME + 64;
/** Seconds from 1601-01-01 (FILETIME epoch) to 1970-01-01. */
const FILETIME_UNIX_DIFF = 11644473600;

const Mode = {
  /** Waiting for the 64-byte header in the window. */
  HEADER: 0,
  /** Follow the frame table with positioned reads (the file, or the spool of a stream). */
  TABLE: 1,
  /** Walk: discard bytes up to `skipTo`, then go on with `afterSkip`. */
  SKIP: 2,
  /** Walk: records in file order up to the frame table (a cut file, or a table too big to follow). */
  SCAN: 3,
  /** Walk: the frame table after the records, compared with them. */
  SCAN_TABLE: 4,
  /** Stream: copying it into the spool up to its end, then on as a file. */
  SPOOL: 5,
} as const;
type Mode = (typeof Mode)[keyof typeof Mode];

/** Order-sensitive 32-bit hash step over record offsets (a walk in file order is compared with the table). */
const mix = (h: number, x: number): number => {
  const m = Math.imul(h ^ x, 0x9e3779b1);
  return (m ^ (m >>> 15)) >>> 0;
};

/**
 * Reader for NetMon 1.x and 2.x. `fd` is the open file when the input is a plain file: the
 * frame table is then followed with positioned reads in large ascending chunks, as Wireshark
 * follows it. With `fd` null (gzip, stdin, a pipe) the stream is spooled first (`spool` says
 * where), then followed the same way. `close()` releases the spool.
 */
export class NetmonReader extends WindowReader implements CaptureReader {
  readonly format = 'netmon' as const;
  readonly info: FormatInfo = { byteOrder: 'little', timestampResolution: 'us', version: '?', snaplen: 0, sections: 1 };

  private mode: Mode = Mode.HEADER;
  private fd: number | null;
  /** Where positioned reads go: the file, or the spool of a stream. */
  private ra: RandomAccess | null = null;
  private readonly spoolOpts: SpoolOptions;
  private spool: Spool | null = null;
  /** Stream bytes seen while spooling (those past `spoolKeep` are counted, not kept). */
  private streamSize = 0;
  private spoolKeep = 0;
  private fileSize = 0;
  private major = 0;
  private minor = 0;
  /** Record header size: 8 (1.x) or 16 (2.x). */
  private recHdr = 16;
  /** Per-record trailer size: 0, 2, 6 or 15. */
  private trailer = 0;
  /** Media type from the file header, used when records carry none (1.x, 2.0). */
  private fileMedia = 1;
  private startSec = 0;
  private startNsec = 0;
  private tableOff = 0;
  private tableCount = 0;
  private tableTooBig = false;
  private frame = 0;
  /** Next frame table entry (0-based). */
  private tIdx = 0;
  /** Table entries skipped as unusable. */
  private badEntries = 0;

  // by the table: a chunk of the frame table, and a read-ahead cache of the file (or spool).
  private tbuf: Uint8Array | null = null;
  private tbFirst = 0;
  private tbCount = 0;
  private cache: Uint8Array;
  private cStart = 0;
  private cLen = 0;
  /** File offset of the previous frame read by the table: tells forward from backward. */
  private prevOff = 0;

  // walk in file order
  private skipTo = 0;
  private afterSkip: Mode = Mode.SCAN;
  /** Records met in file order (including skipped metadata), and their order hash. */
  private seen = 0;
  private seenHash = 0;
  private tableHash = 0;
  private prevEntry = -1;
  /** First 0-based table entry whose offset is not above the one before it, or -1. */
  private disorderAt = -1;
  /** Set when the walk left the records early (a bad record, or no table). */
  private scanBroken = false;

  /**
   * `win` holds at least the magic at its cursor, at stream offset 0; `fd` is the open plain
   * file, or null for a stream, which is spooled as `spool` says.
   */
  constructor(win: ByteWindow, fd: number | null, spool: SpoolOptions = {}) {
    super(win);
    this.fd = fd;
    this.spoolOpts = spool;
    this.cache = win.buf;
  }

  /** Releases the spool of a stream (its memory, its temporary file). */
  override close(): void {
    this.spool?.close();
    this.spool = null;
  }

  next(): CaptureRecord | null {
    while (!this.done) {
      switch (this.mode) {
        case Mode.HEADER:
          if (!this.header()) return null;
          break;
        case Mode.TABLE:
          return this.nextByTable();
        case Mode.SKIP:
          if (!this.skip()) return null;
          break;
        case Mode.SCAN: {
          const r = this.nextInFileOrder();
          if (r !== null || this.mode === Mode.SCAN || this.done) return r;
          break;
        }
        case Mode.SCAN_TABLE:
          return this.checkTable();
        case Mode.SPOOL:
          if (!this.spoolIn()) return null;
          break;
      }
    }
    return null;
  }

  /** Parses the header; false when the driver must fill the window first (or reading stopped). */
  private header(): boolean {
    const w = this.win;
    const h = this.have(NETMON_HEADER_FIELDS);
    if (h === 0) return false;
    if (h < 0) {
      this.fail('truncated-record', w.offset(), `netmon: file ends inside the ${NETMON_HEADER_FIELDS}-byte file header (${w.available()} bytes present)`);
      return false;
    }
    const b = w.buf;
    const p = w.pos;
    const start = w.offset();
    // netmon_hdr: ver_minor u8 @4, ver_major u8 @5, network u16 @6, SYSTEMTIME @8..23,
    // frametableoffset u32 @24, frametablelength u32 @28 (netmon.c struct netmon_hdr).
    this.minor = b[p + 4]!;
    this.major = b[p + 5]!;
    this.info.version = `${this.major}.${this.minor}`;
    // netmon.c accepts major versions 1 and 2 only.
    if (this.major !== 1 && this.major !== 2) {
      this.stop('bad-header', start + 5, `netmon: major version ${this.major} unsupported (version ${this.major}.${this.minor}; 1.x and 2.x are known)`);
      return false;
    }
    const magic = u32be(b, p);
    if ((magic === NETMON_1_MAGIC) !== (this.major === 1)) {
      this.warn('bad-header', start, `netmon: magic "${magic === NETMON_1_MAGIC ? 'RTSS' : 'GMBU'}" with version ${this.major}.${this.minor}; read as version ${this.major}`);
    }
    this.fileMedia = u16le(b, p + 6);
    if (this.major === 1) {
      this.recHdr = 8;
      this.trailer = 0;
      this.info.timestampResolution = '10^-3 s';
    } else {
      this.recHdr = 16;
      // netmon.c: trailers from 2.1 on; 2.1 media type (2), 2.2 + process index (6),
      // 2.3 and later + UTC FILETIME and time zone index (15).
      this.trailer = this.minor === 0 ? 0 : this.minor === 1 ? 2 : this.minor === 2 ? 6 : 15;
      this.info.timestampResolution = this.minor >= 3 ? '10^-7 s' : 'us';
    }
    // XXX: the SYSTEMTIME is read as UTC. netmon.c reads (mktime) and writes (localtime) it as
    // local time, so Wireshark's times depend on its time zone; NetMon 2.3 added per-frame UTC
    // times for this reason. Files written by editcap under TZ=UTC agree with this reading.
    const d = new Date(0);
    d.setUTCFullYear(u16le(b, p + 8), u16le(b, p + 10) - 1, u16le(b, p + 14));
    d.setUTCHours(u16le(b, p + 16), u16le(b, p + 18), u16le(b, p + 20), 0);
    const ms = u16le(b, p + 22);
    this.startSec = Math.floor(d.getTime() / 1000) + Math.floor(ms / 1000);
    this.startNsec = (ms % 1000) * 1_000_000;

    this.tableOff = u32le(b, p + 24);
    const tableLen = u32le(b, p + 28);
    // netmon.c refuses a length that is not a multiple of 4; we read the whole entries.
    if (tableLen % 4 !== 0) {
      this.warn('bad-frame-table', start + 28, `netmon: frame table length is ${tableLen}, which is not a multiple of 4; the last ${tableLen % 4} bytes are ignored`);
    }
    this.tableCount = Math.floor(tableLen / 4);
    this.tableTooBig = tableLen > MAX_TABLE_BYTES;
    w.pos = p + NETMON_HEADER_FIELDS;

    // netmon.c refuses an empty frame table, but its own writer makes one for a capture with
    // no frames: read that as an empty capture.
    if (this.tableCount === 0) {
      this.finish();
      return false;
    }

    if (this.fd !== null) {
      let size = -1;
      try {
        const st = fstatSync(this.fd);
        if (st.isFile()) size = st.size;
      } catch {
        size = -1;
      }
      if (size >= 0) {
        this.ra = new FdAccess(this.fd);
        return this.followTable(size, start);
      }
      this.fd = null; // not a regular file after all: read it as a stream
    }
    if (this.tableTooBig) return this.inFileOrder(start);
    // A stream cannot seek to the table at its end: copy it, header included, then follow the
    // table in the copy. (The magic is at stream offset 0, so spool positions are file offsets.)
    this.spool = new Spool(this.spoolOpts);
    this.spoolKeep = Math.max(this.tableOff + this.tableCount * 4, SPOOL_ADDRESSABLE);
    this.streamSize = start;
    w.pos = p;
    this.mode = Mode.SPOOL;
    return true;
  }

  /**
   * Chooses how to read a file of `size` bytes whose header was read: by the frame table when
   * it lies whole inside the file, else (a cut file) front to back. The window is then at the
   * end of the header (a file) or at the end of the stream (a spooled stream).
   */
  private followTable(size: number, start: number): boolean {
    const w = this.win;
    this.fileSize = size;
    const tableEnd = this.tableOff + this.tableCount * 4;
    if (!this.tableTooBig && tableEnd <= size) {
      // The window's last chunk becomes the read-ahead cache; the window is not used again.
      this.cache = w.buf;
      this.cStart = w.base;
      this.cLen = w.end;
      this.mode = Mode.TABLE;
      return true;
    }
    // (A table above 1 GiB is reported once, where the walk reaches it.)
    if (!this.tableTooBig) {
      this.warn('bad-frame-table', start + 24, `netmon: the frame table (offset ${this.tableOff}, ${this.tableCount * 4} bytes) runs past the end of the file (${size} bytes), so the file was cut short; frames are read in file order from offset ${NETMON_HEADER_SIZE}`);
    }
    // A spooled stream is walked again from its start, in the copy.
    if (this.spool !== null) w.restart(new SpoolSource(this.spool));
    return this.inFileOrder(start);
  }

  /**
   * Records are taken to lie between the padded header and the table, as netmon.c writes them.
   * XXX: NetMon's own layout is not documented; netmon.c has seen files whose first frame is not
   * at 128 and files with gaps between frames. A walk over such a file yields garbage records,
   * and checkTable() then warns that the table disagrees.
   */
  private inFileOrder(start: number): boolean {
    if (this.tableOff < NETMON_HEADER_FIELDS) {
      this.stop('bad-frame-table', start + 24, `netmon: frame table offset ${this.tableOff} lies inside the ${NETMON_HEADER_FIELDS}-byte file header`);
      return false;
    }
    this.skipTo = Math.min(NETMON_HEADER_SIZE, this.tableOff);
    this.afterSkip = Mode.SCAN;
    this.mode = Mode.SKIP;
    return true;
  }

  /**
   * Copies the window into the spool up to the end of the stream, then goes on as with a file;
   * false when the driver must fill (or reading stopped).
   */
  private spoolIn(): boolean {
    const w = this.win;
    const spool = this.spool!;
    const n = w.available();
    if (n > 0) {
      const keep = Math.min(n, Math.max(0, this.spoolKeep - this.streamSize));
      try {
        spool.append(w.buf, w.pos, w.pos + keep);
      } catch (e) {
        this.stop('io-error', spool.size, `netmon: ${e instanceof Error ? e.message : String(e)}; a stream is copied to follow its frame table (offset ${this.tableOff}); decompress the file, or point TMPDIR at a directory with room`);
        return false;
      }
      this.streamSize += n;
      w.pos = w.end;
    }
    if (!w.eof) {
      w.want(1);
      return false;
    }
    this.ra = spool;
    return this.followTable(this.streamSize, 0);
  }

  // ---- by the frame table (a file, or a spooled stream) ---------------------------------

  /** Next frame by the frame table, skipping (with a warning) entries that cannot be read. */
  private nextByTable(): CaptureRecord | null {
    const hdr = this.recHdr;
    const size = this.fileSize;
    while (this.tIdx < this.tableCount) {
      const i = this.tIdx++;
      const off = this.tableEntry(i);
      if (off < 0) return null;
      // netmon.c would read header bytes, or fail with a short read and stop; a bad entry here
      // costs one frame and reading goes on with the next entry.
      if (off < NETMON_HEADER_FIELDS) {
        this.skipEntry('bad-frame-table', i, `netmon: frame table entry ${i + 1} points at offset ${off}, inside the ${NETMON_HEADER_FIELDS}-byte file header; entry skipped`);
        continue;
      }
      if (off + hdr > size) {
        this.skipEntry('bad-frame-table', i, `netmon: frame table entry ${i + 1} points at offset ${off}, past the end of the file (${size} bytes); entry skipped`);
        continue;
      }
      const back = off < this.prevOff;
      this.prevOff = off;
      let p = this.ensure(off, hdr, back);
      if (p < 0) return null;
      let b = this.cache;
      const incl = hdr === 16 ? u32le(b, p + 12) : u16le(b, p + 6);
      if (incl > MAX_FRAME) {
        this.skipEntry('bad-record-length', i, `netmon: frame at offset ${off} (table entry ${i + 1}) has captured length ${incl}, larger than any real frame (${MAX_FRAME}); entry skipped`);
        continue;
      }
      const total = hdr + incl + this.trailer;
      if (off + total > size) {
        this.skipEntry('bad-frame-table', i, `netmon: frame at offset ${off} (table entry ${i + 1}) needs ${total} bytes, but the file ends at ${size}; entry skipped`);
        continue;
      }
      p = this.ensure(off, total, back);
      if (p < 0) return null;
      b = this.cache;
      const r = this.record(b, p, incl, off);
      if (r !== null) return r;
    }
    if (this.badEntries === this.tableCount) {
      // Not one frame could be found: that is a file that could not be read, not an empty
      // capture with warnings. (A table of metadata records only is fine: no entry is bad.)
      return this.stop('bad-frame-table', this.tableOff, `netmon: all ${this.tableCount} frame table entries (table at offset ${this.tableOff}) are unusable, so no frame can be read; see the warnings above for why`);
    }
    this.finish();
    return null;
  }

  /** Warns about table entry `i` (0-based), which is not read. */
  private skipEntry(code: ReadProblemCode, i: number, message: string): void {
    this.badEntries++;
    this.warn(code, this.tableOff + i * 4, message, `${code}:entry`);
  }

  /** Frame table entry `i`, read in chunks with positioned reads; -1 after a read error. */
  private tableEntry(i: number): number {
    if (i < this.tbFirst || i >= this.tbFirst + this.tbCount) {
      const n = Math.min(TABLE_CHUNK_ENTRIES, this.tableCount - i);
      if (this.tbuf === null) this.tbuf = new Uint8Array(Math.min(TABLE_CHUNK_ENTRIES, this.tableCount) * 4);
      const at = this.tableOff + i * 4;
      const got = this.readAt(this.tbuf, n * 4, at);
      if (got < 0) return -1;
      if (got < n * 4) {
        this.stop('truncated-record', at + got, `netmon: the file shrank while reading: the frame table ends at offset ${at + got}, ${this.tableCount - i - Math.floor(got / 4)} entries short`);
        return -1;
      }
      this.tbFirst = i;
      this.tbCount = n;
    }
    return u32le(this.tbuf!, (i - this.tbFirst) * 4);
  }

  /**
   * Index in `this.cache` of file bytes `[off, off + n)`, reading them if needed. Moving
   * forwards (the usual case) reads a whole cache ahead: one read per cache, not per frame.
   * A far jump reads `JUMP_READ` bytes; when the table went backwards (`back`) that block ends
   * just after the frame, so a descending table is read in blocks too. -1 after a read error
   * (reading has stopped). The caller has checked `off + n <= fileSize`.
   */
  private ensure(off: number, n: number, back: boolean): number {
    if (off >= this.cStart && off + n <= this.cStart + this.cLen) return off - this.cStart;
    if (n > this.cache.length) {
      // n <= 16 + MAX_FRAME + 15: bounded.
      this.cache = new Uint8Array(Math.max(n, Math.min(this.cache.length * 2, MAX_FRAME + 64)));
    }
    let at = off;
    let len: number;
    if (back) {
      // The block ends a typical whole frame after `off`, so one read serves both calls;
      // len >= n (the cache was grown above) keeps `at <= off`.
      len = Math.min(this.cache.length, Math.max(n, JUMP_READ));
      const end = Math.min(this.fileSize, off + Math.max(n, Math.min(BACK_TAIL, len)));
      at = Math.max(0, end - len);
      len = end - at;
    } else if (off >= this.cStart && off <= this.cStart + this.cLen + JUMP_READ) {
      len = this.cache.length;
    } else {
      len = Math.min(this.cache.length, Math.max(n, JUMP_READ));
    }
    len = Math.min(len, this.fileSize - at);
    this.cStart = at;
    this.cLen = 0;
    const got = this.readAt(this.cache, len, at);
    if (got < 0) return -1;
    this.cLen = got;
    if (at + got < off + n) {
      this.stop('truncated-record', at + got, `netmon: the file shrank while reading: ${n} bytes expected at offset ${off}, the file ends at ${at + got}`);
      return -1;
    }
    return off - at;
  }

  /** Positioned read of up to `len` bytes at `pos` into `buf[0..)`; -1 after an I/O error. */
  private readAt(buf: Uint8Array, len: number, pos: number): number {
    let got = 0;
    try {
      while (got < len) {
        const n = this.ra!.readAt(buf, got, len - got, pos + got);
        if (n === 0) break;
        got += n;
      }
    } catch (e) {
      this.stop('io-error', pos + got, `netmon: read error at offset ${pos + got}: ${e instanceof Error ? e.message : String(e)}`);
      return -1;
    }
    return got;
  }

  // ---- walk in file order (a cut file) --------------------------------------------------

  /** Discards bytes up to `skipTo`; false when the driver must fill (or reading stopped). */
  private skip(): boolean {
    const w = this.win;
    const n = Math.min(this.skipTo - w.offset(), w.available());
    if (n > 0) w.pos += n;
    if (w.offset() >= this.skipTo) {
      this.mode = this.afterSkip;
      return true;
    }
    if (w.eof) {
      this.endedEarly();
      return false;
    }
    w.want(1);
    return false;
  }

  /** Next record in file order, or null (driver fill, end of the record area, or stop). */
  private nextInFileOrder(): CaptureRecord | null {
    const w = this.win;
    const hdr = this.recHdr;
    const end = this.tableOff;
    for (;;) {
      const at = w.offset();
      if (at >= end) {
        this.mode = Mode.SCAN_TABLE;
        return null;
      }
      if (at + hdr > end) {
        return this.toTable('bad-frame-table', at, `netmon: ${end - at} bytes at offset ${at} before the frame table are too few for a record header; skipped`);
      }
      const h = this.have(hdr);
      if (h === 0) return null;
      if (h < 0) return this.endedEarly();
      let b = w.buf;
      let p = w.pos;
      const incl = hdr === 16 ? u32le(b, p + 12) : u16le(b, p + 6);
      if (incl > MAX_FRAME) {
        return this.toTable('bad-record-length', at, `netmon: record at offset ${at} has captured length ${incl}, larger than any real frame (${MAX_FRAME}); skipping to the frame table at offset ${end}`);
      }
      const total = hdr + incl + this.trailer;
      if (at + total > end) {
        return this.toTable('bad-record-length', at, `netmon: record at offset ${at} (${total} bytes) runs past the start of the frame table at offset ${end}; skipping to the table`);
      }
      const h2 = this.have(total);
      if (h2 === 0) return null;
      if (h2 < 0) return this.endedEarly();
      b = w.buf;
      p = w.pos;
      this.seen++;
      this.seenHash = mix(this.seenHash, at);
      w.pos = p + total;
      const r = this.record(b, p, incl, at);
      if (r !== null) return r;
    }
  }

  /** Warns, then discards the rest of the record area and goes on with the frame table. */
  private toTable(code: ReadProblemCode, at: number, message: string): null {
    this.warn(code, at, message);
    this.scanBroken = true;
    this.skipTo = this.tableOff;
    this.afterSkip = Mode.SCAN_TABLE;
    this.mode = Mode.SKIP;
    return null;
  }

  /** The file ended before the frame table was complete: a cut file. */
  private endedEarly(): null {
    const w = this.win;
    const at = w.offset();
    const have = w.available();
    const order = `${this.frame} frame(s) read in file order`;
    if (this.mode === Mode.SCAN && have > 0) {
      return this.stop('truncated-record', at, `netmon: file ends inside the record at offset ${at} (${have} bytes present); ${order}`);
    }
    const where = at + have;
    if (this.mode === Mode.SCAN_TABLE && where === this.tableOff) {
      return this.stop('truncated-record', where, `netmon: file ends at offset ${where}, where the frame table should start (${this.tableCount} entries); ${order}`);
    }
    if (this.mode === Mode.SCAN_TABLE) {
      return this.stop('truncated-record', where, `netmon: file ends inside the frame table at offset ${where} (${this.tIdx} of ${this.tableCount} entries present); ${order}`);
    }
    return this.stop('truncated-record', where, `netmon: file ends at offset ${where}, before the frame table at offset ${this.tableOff}; ${order}`);
  }

  /**
   * Reads the frame table after a walk in file order and compares it with the records: Wireshark
   * numbers frames in table order, and here they were numbered in file order. The walk is taken
   * only when the table ran past the end of the file, so this normally ends in endedEarly(); a
   * complete table here means the file grew while it was read.
   */
  private checkTable(): null {
    const w = this.win;
    if (this.tableTooBig) {
      return this.stop('bad-frame-table', w.offset(), `netmon: frame table length ${this.tableCount * 4} is larger than any real file's (1 GiB); the table was not read and frames were numbered in file order`);
    }
    while (this.tIdx < this.tableCount) {
      const h = this.have(4);
      if (h === 0) return null;
      if (h < 0) return this.endedEarly();
      const b = w.buf;
      let p = w.pos;
      const n = Math.min(this.tableCount - this.tIdx, Math.floor((w.end - p) / 4));
      let hash = this.tableHash;
      let prev = this.prevEntry;
      for (let k = 0; k < n; k++) {
        const e = u32le(b, p);
        hash = mix(hash, e);
        if (e <= prev && this.disorderAt < 0) this.disorderAt = this.tIdx + k;
        prev = e;
        p += 4;
      }
      this.tableHash = hash;
      this.prevEntry = prev;
      this.tIdx += n;
      w.pos = p;
    }
    if (this.seen !== this.tableCount || this.seenHash !== this.tableHash) {
      const fix = 'frames were numbered in file order because the table was not complete when reading began (the file grew while it was read?); frame numbers may differ from Wireshark\'s, which follow the table';
      let what: string;
      if (this.disorderAt >= 0) {
        what = `frame table entry ${this.disorderAt + 1} points at or before entry ${this.disorderAt}, so table order differs from file order`;
      } else if (this.seen !== this.tableCount) {
        what = `the frame table lists ${this.tableCount} records but ${this.seen} were found in file order${this.scanBroken ? ' before reading was disturbed' : ''}`;
      } else {
        what = 'the frame table points at other offsets than the records found in file order (gaps between records?)';
      }
      this.warn('bad-frame-table', this.tableOff, `netmon: ${what}; ${fix}`);
    }
    return this.finish();
  }

  // ---- all modes -----------------------------------------------------------------------

  /**
   * Fills `this.rec` from the record at `b[p]` (file offset `off`, captured length `incl`,
   * whole record present), or returns null for a metadata record that is skipped.
   */
  private record(b: Uint8Array, p: number, incl: number, off: number): CaptureRecord | null {
    const hdr = this.recHdr;
    let media = this.fileMedia;
    const t = p + hdr + incl;
    if (this.trailer !== 0) {
      media = u16le(b, t);
      if (isNetmonSkippedMedia(media)) return null;
    }
    const r = this.rec;
    if (hdr === 8) {
      // 1.x: u32 milliseconds since the capture start (netmon.c: unsigned).
      const ms = u32le(b, p);
      const s = Math.floor(ms / 1000);
      this.setTime(s, (ms - s * 1000) * 1_000_000);
      r.origLen = u16le(b, p + 4);
    } else {
      if (this.trailer === 15) {
        // 2.3+: the UTC FILETIME in the trailer (offset 6: after media and process index)
        // replaces the start + delta time (netmon.c netmon_process_record).
        splitDecimal(u32le(b, t + 10), u32le(b, t + 6), 7);
        r.tsSec = tsOut.sec - FILETIME_UNIX_DIFF;
        r.tsNsec = tsOut.nsec;
      } else {
        this.delta2x(u32le(b, p), u32le(b, p + 4));
      }
      r.origLen = u32le(b, p + 8);
    }
    r.frame = ++this.frame;
    r.linkType = netmonLinkType(media);
    r.interfaceId = 0;
    r.buf = b;
    r.off = p + hdr;
    r.capLen = incl;
    r.fileOffset = off;
    r.comment = null;
    // XXX: for 1.x/2.0 files of media type 4 (ATM) netmon.c strips a 16-byte ATM header from
    // the data and the lengths; the frame is unmapped here, so it is left in.
    return r;
  }

  /**
   * 2.x delta, u64 microseconds. netmon.c: Microsoft's documentation says to treat it as
   * unsigned, multiply by 10 and read the 64-bit result as signed 100-ns units, so a frame can
   * lie before the capture start.
   */
  private delta2x(lo: number, hi: number): void {
    if (hi < 0x200000) {
      // Below 2^53 us, times 10 stays below 2^63: positive, exact in a double.
      const us = hi * 4294967296 + lo;
      let s = Math.floor(us / 1_000_000);
      let rem = us - s * 1_000_000;
      if (rem < 0) {
        s -= 1; // the quotient was rounded up
        rem += 1_000_000;
      }
      this.setTime(s, rem * 1000);
      return;
    }
    // Over 285 years or negative: exact, and rare enough for BigInt.
    const d = BigInt.asIntN(64, BigInt.asIntN(64, ((BigInt(hi) << 32n) | BigInt(lo)) * 10n) * 100n);
    let s = d / 1_000_000_000n;
    let ns = d - s * 1_000_000_000n;
    if (ns < 0n) {
      ns += 1_000_000_000n;
      s -= 1n;
    }
    this.setTime(Number(s), Number(ns));
  }

  /** Sets the record time to the capture start plus `s` seconds and `ns` (0..999999999). */
  private setTime(s: number, ns: number): void {
    let sec = this.startSec + s;
    let nsec = this.startNsec + ns;
    if (nsec >= 1_000_000_000) {
      nsec -= 1_000_000_000;
      sec += 1;
    }
    this.rec.tsSec = sec;
    this.rec.tsNsec = nsec;
  }

  /** Clean end: summarises repeated warnings. */
  private finish(): null {
    this.finishWarnings();
    this.done = true;
    return null;
  }

  /** Stops with an error after the warnings, keeping file order in `problems`. */
  private stop(code: ReadProblemCode, offset: number, message: string): null {
    this.finishWarnings();
    return this.fail(code, offset, message);
  }
}
