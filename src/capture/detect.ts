/**
 * The table of formats, in the manner of wiretap's open_info_base: each entry sniffs the first
 * bytes and answers mine / not mine. All three have fixed magic numbers, so order only matters
 * for speed; pcap comes first as the most common.
 */
import { u32 } from '../wire/bytes.js';
import type { ByteWindow } from './source.js';
import type { SpoolOptions } from './spool.js';
import type { CaptureFormat, CaptureReader } from './reader.js';
import { PcapReader, pcapMagic } from './pcap.js';
import { PcapngReader, BlockType } from './pcapng.js';
import { NetmonReader, netmonMagic } from './netmon.js';

/** Bytes the sniffers may look at. */
export const SNIFF_BYTES = 12;

/** One supported container format. */
export interface FormatEntry {
  readonly name: CaptureFormat;
  /** True when the bytes at `o` (of which `n` are present) are this format's magic. */
  readonly sniff: (b: Uint8Array, o: number, n: number) => boolean;
  /**
   * Builds the reader; `fd` is the open file when the input is a regular file (random access),
   * else null; `spool` says where a reader that needs random access keeps a stream.
   */
  readonly open: (win: ByteWindow, fd: number | null, spool: SpoolOptions) => CaptureReader;
}

export const FORMATS: readonly FormatEntry[] = [
  // A file with the magic but shorter than the 24-byte header is still pcap: the reader says truncated.
  { name: 'pcap', sniff: (b, o, n) => n >= 4 && pcapMagic(b, o) !== null, open: (w) => new PcapReader(w) },
  {
    name: 'pcapng',
    // SHB type is byte-order independent; the byte-order magic at +8 confirms it.
    sniff: (b, o, n) => n >= 12 && u32(b, o, true) === BlockType.SHB && (u32(b, o + 8, true) === 0x1a2b3c4d || u32(b, o + 8, false) === 0x1a2b3c4d),
    open: (w) => new PcapngReader(w),
  },
  { name: 'netmon', sniff: (b, o, n) => n >= 4 && netmonMagic(b, o), open: (w, fd, spool) => new NetmonReader(w, fd, spool) },
];
