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
  }
  end(): void {
    this.out.write('\n');
  }
}
