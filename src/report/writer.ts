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
    if (s.length >= this.limit) {
      // Large already: hand it on in slices (views, not copies), so the stream never converts
      // the whole of a file's JSON report to bytes at once.
      this.flush();
      for (let i = 0; i < s.length; i += this.limit) this.out.write(s.slice(i, i + this.limit));
      return;
    }
    this.parts.push(s);
    this.size += s.length;
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
