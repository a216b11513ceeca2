/**
 * Renderers with a begin / file / end lifecycle (vitest's reporters): a writer is made with the
 * document's head, gets each file's report as soon as it is done, and ends with what only the
 * end knows (the files skipped, the multi-file summary). It keeps nothing of a file but a
 * summary row, so memory does not grow with the reports of a run over many files.
 */
import type { PortsFile } from '../model/ports-report.js';
import type { FileReport } from '../model/report.js';

/** Where a writer writes. */
export interface Sink {
  write(s: string): unknown;
  /**
   * Writes `s.slice(start, end)` without making that slice first: slicing a large string just
   * made copies it whole (V8), and a file's JSON entry is megabytes.
   */
  writeRange?(s: string, start: number, end: number): void;
  /** Hands on what was buffered; writers call it when a file's output is complete. */
  flush?(): void;
}

/**
 * Writes in pieces of about 64 KiB: small writes are collected (each would be a system call on
 * a pipe), large ones are cut (each would be converted to bytes whole first).
 */
export class BufferedSink implements Sink {
  private parts: string[] = [];
  private size = 0;
  constructor(private readonly out: { write(s: string): unknown }, private readonly limit = 64 * 1024) {}
  write(s: string): void {
    this.writeRange(s, 0, s.length);
  }
  writeRange(s: string, start: number, end: number): void {
    const n = end - start;
    if (n >= this.limit) {
      // Large already: hand it on in pieces, so the stream never converts the whole of a
      // file's JSON report to bytes at once.
      this.flush();
      for (let i = start; i < end; i += this.limit) this.out.write(s.slice(i, Math.min(end, i + this.limit)));
      return;
    }
    this.parts.push(start === 0 && end === s.length ? s : s.slice(start, end));
    this.size += n;
    if (this.size >= this.limit) this.flush();
  }
  flush(): void {
    if (this.size === 0 && this.parts.length === 0) return;
    this.out.write(this.parts.join(''));
    this.parts = [];
    this.size = 0;
  }
}

/** A file found in a directory argument that is not a capture. */
export interface Skipped {
  path: string;
  reason: string;
}

/** The document's head. */
export interface DocumentMeta {
  schemaVersion: number;
  tool: { name: 'rpctrace'; version: string };
}

/**
 * Where file sections wait when the summary of several files must come before them: text in,
 * the same text out, in order, with memory bounded by the implementation (the CLI keeps it in
 * a temporary file past a bound). A report writer never opens files itself.
 */
export interface SectionSpool {
  write(s: string): void;
  /** Writes everything spooled to `out`, in order. */
  replay(out: Sink): void;
}

/** How a writer renders; each writer uses what applies to it. */
export interface RenderOptions {
  /** Terminal columns the table format fits (default 100: a file, a pipe). */
  width?: number;
  /** ANSI colours for severities (table format on a terminal). */
  color?: boolean;
  /**
   * Given when several files may come: each file's section is spooled here and the document is
   * written at the end, summary first. Without it each section is written as soon as it is done.
   */
  spool?: SectionSpool;
  /** Settings shown in a document's header (HTML): label and value, e.g. `dynamic range`. */
  settings?: readonly [string, string][];
}

/** `analyze` output, one file at a time. */
export interface ReportWriter {
  file(f: FileReport): void;
  end(skipped: readonly Skipped[]): void;
}

/** `ports` output, one file at a time. */
export interface PortsWriter {
  file(f: PortsFile): void;
  end(): void;
}

/** Writes parts separated by blank lines, ending with one newline. */
export class Parts {
  private n = 0;
  constructor(private readonly out: Sink) {}
  part(s: string): void {
    this.out.write(this.n++ === 0 ? s : `\n\n${s}`);
    this.out.flush?.();
  }
  end(): void {
    this.out.write('\n');
    this.out.flush?.();
  }
}

/** A spool in memory (tests, and documents known to be small). */
export class MemorySpool implements SectionSpool {
  private parts: string[] = [];
  write(s: string): void {
    this.parts.push(s);
  }
  replay(out: Sink): void {
    for (const p of this.parts) out.write(p);
    this.parts = [];
  }
}

/**
 * The part of a writer's lifecycle every text format shares: a file's section goes out at once,
 * or into the spool when the summary must come first; `finish` writes what the end knows
 * (`before`: the summary), then the spooled sections, then `after` (the files skipped).
 */
export class Sections {
  private readonly parts: Parts;
  private spooled = 0;
  constructor(private readonly out: Sink, private readonly spool: SectionSpool | undefined) {
    this.parts = new Parts(out);
  }
  /** A part of the document's head, written at once. */
  head(s: string): void {
    this.parts.part(s);
  }
  file(s: string): void {
    if (this.spool === undefined) { this.parts.part(s); return; }
    this.spool.write(`${this.spooled++ === 0 ? '' : '\n\n'}${s}`);
  }
  finish(before: readonly string[], after: readonly string[]): void {
    for (const b of before) this.parts.part(b);
    if (this.spool !== undefined && this.spooled > 0) {
      // The spooled sections as one part: separated from what precedes like any other part.
      this.parts.part('');
      this.spool.replay(this.out);
      this.out.flush?.();
    }
    for (const a of after) this.parts.part(a);
    this.parts.end();
  }
}
