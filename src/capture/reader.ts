/**
 * One interface for every capture format (wiretap's open/read split). A reader hands out one
 * reused `CaptureRecord` at a time; its bytes are valid until the next call to `next()`.
 */
import { EMPTY } from '../wire/bytes.js';
import type { ReadProblem, ReadProblemCode } from '../model/read-problem.js';
import type { ByteWindow } from './source.js';

/** Container formats rpctrace reads. */
export type CaptureFormat = 'pcap' | 'pcapng' | 'netmon';

/** One frame as the capture file stores it. Reused: copy what you keep. */
export class CaptureRecord {
  /** 1-based, as Wireshark numbers frames. */
  frame = 0;
  /** Seconds since 1970-01-01 UTC. */
  tsSec = 0;
  /** Nanoseconds within `tsSec`, 0..999999999. */
  tsNsec = 0;
  /** LINKTYPE_* of the frame (pcapng and NetMon can mix link types in one file). */
  linkType = 0;
  /** pcapng interface id (0 for other formats). */
  interfaceId = 0;
  /** Buffer holding the frame; the frame is `buf[off, off + capLen)`. */
  buf: Uint8Array = EMPTY;
  off = 0;
  /** Bytes present in the file. */
  capLen = 0;
  /** Bytes on the wire. */
  origLen = 0;
  /** Stream offset of the record header, for messages. */
  fileOffset = 0;
  /** pcapng `opt_comment` of this packet, if any. */
  comment: string | null = null;
  /**
   * False for records that take a frame number without holding a packet (pcapng custom and
   * systemd-journal blocks): Wireshark numbers them, so we do too; `linkType` is -1.
   */
  isPacket = true;
  /** True when the format gives this record no time (a pcapng Simple Packet Block): the time fields are 0. */
  untimed = false;
}

/** Facts about the container, for the report. */
export interface FormatInfo {
  /** Byte order of the file's own headers. */
  byteOrder: 'little' | 'big';
  /** Finest timestamp unit the file declares: `us`, `ns`, or e.g. `10^-4 s`, `2^-10 s`. */
  timestampResolution: string;
  /** Format version as written in the file, e.g. `2.4` (pcap), `1.0` (pcapng), `2.1` (NetMon). */
  version: string;
  /** Snapshot length from the header (pcap) or the largest interface snaplen (pcapng); 0 = unknown. */
  snaplen: number;
  /** pcapng: number of sections; others: 1. */
  sections: number;
}

/** A pcapng interface with the name or description its Interface Description Block gives. */
export interface CaptureInterface {
  /** 1-based pcapng section, and the interface id within it. */
  section: number;
  id: number;
  linkType: number;
  /** if_name and if_description: text from the capture. */
  name: string | null;
  description: string | null;
}

/** What every format reader implements. */
export interface CaptureReader {
  readonly format: CaptureFormat;
  readonly info: FormatInfo;
  /**
   * Next record, or null. After null: if `win.wanted > 0` the driver must `await win.fill()`
   * and call again; otherwise the reader is done (see `problems` for why, if not clean).
   */
  next(): CaptureRecord | null;
  /** Warnings and at most one final error, in file order. */
  readonly problems: ReadProblem[];
  /** pcapng: the interfaces that have a name or a description (at most 256). */
  readonly interfaces?: readonly CaptureInterface[];
  /** Releases what the reader holds besides the window (a spool); `OpenedCapture.close()` calls it. */
  close(): void;
}

/** Shared state and helpers for readers that walk a `ByteWindow`. */
export abstract class WindowReader {
  readonly problems: ReadProblem[] = [];
  protected readonly rec = new CaptureRecord();
  protected done = false;
  /** Per warning key: how many were seen and the first one, which the summary line points at. */
  private readonly warned = new Map<string, { n: number; first: ReadProblem }>();

  constructor(protected readonly win: ByteWindow) {}

  /** Nothing to release by default. */
  close(): void {}

  /**
   * 1 when `n` bytes are available at the cursor, 0 when the driver must fill first
   * (`want` recorded), -1 when the stream ended with fewer.
   */
  protected have(n: number): 1 | 0 | -1 {
    const w = this.win;
    if (w.end - w.pos >= n) return 1;
    if (w.eof) return -1;
    w.want(n);
    return 0;
  }

  /** Stops reading with an error at `offset`. Returns null for `return this.fail(...)`. */
  protected fail(code: ReadProblemCode, offset: number, message: string): null {
    // Summaries of repeated warnings come before the final error, or they would be lost.
    this.finishWarnings();
    this.problems.push({ code, severity: 'error', offset, message });
    this.done = true;
    return null;
  }

  /**
   * Records a warning. Repeats of the same `key` are counted, not listed: after the first few
   * one summary line says how many more there were (see `finishWarnings`).
   */
  protected warn(code: ReadProblemCode, offset: number, message: string, key: string = code): void {
    const w = this.warned.get(key);
    if (w !== undefined) {
      if (++w.n <= 3) this.problems.push({ code, severity: 'warning', offset, message });
      return;
    }
    const first: ReadProblem = { code, severity: 'warning', offset, message };
    this.warned.set(key, { n: 1, first });
    this.problems.push(first);
  }

  /** Appends "and N more" lines for repeated warnings; runs once, at the end or before an error. */
  protected finishWarnings(): void {
    for (const { n, first } of this.warned.values()) {
      if (n <= 3) continue;
      this.problems.push({
        code: first.code,
        severity: 'warning',
        offset: first.offset,
        message: `${n - 3} more like the above (${n} in all)`,
      });
    }
    this.warned.clear();
  }

  /** Clean end when the cursor sits exactly at end of stream; truncated otherwise. */
  protected endOrTruncated(format: string, what: string, need: number): null {
    const w = this.win;
    const have = w.end - w.pos;
    this.done = true;
    if (have === 0) {
      this.finishWarnings();
      return null;
    }
    return this.fail(
      'truncated-record',
      w.offset(),
      `${format}: file ends inside ${what} (${have} of ${need} bytes present)`,
    );
  }
}

/**
 * Pulls every record from `reader`, filling the window when it asks. The callback runs
 * synchronously per record; only chunk refills await.
 */
export async function forEachRecord(
  reader: CaptureReader,
  win: ByteWindow,
  onRecord: (r: CaptureRecord) => void,
): Promise<void> {
  for (;;) {
    const r = reader.next();
    if (r !== null) {
      onRecord(r);
      continue;
    }
    if (win.wanted > 0) {
      await win.fill();
      continue;
    }
    return;
  }
}
