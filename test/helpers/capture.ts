/** Reading a whole capture in tests: open, drain, and copy every reused record into plain data. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { openCapture, type OpenOptions } from '../../src/capture/open.js';
import { forEachRecord, type FormatInfo } from '../../src/capture/reader.js';
import type { ReadProblem } from '../../src/model/read-problem.js';

/** A record copied out of the reader (readers reuse theirs). */
export interface Rec {
  frame: number;
  tsSec: number;
  tsNsec: number;
  linkType: number;
  interfaceId: number;
  capLen: number;
  origLen: number;
  fileOffset: number;
  comment: string | null;
  data: string;
}

/** Everything a reader produced for one input. */
export interface ReadResult {
  format: string;
  info: FormatInfo;
  compression: 'gzip' | null;
  records: Rec[];
  problems: ReadProblem[];
  /** The window's source error (gzip / io), if any. */
  sourceError: string | null;
}

const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** Opens `path` and reads every record; returns the open problem when the file cannot be opened. */
export async function readAll(path: string, opts: OpenOptions = {}): Promise<ReadResult | ReadProblem> {
  const o = await openCapture(path, opts);
  if (!('reader' in o)) return o;
  const records: Rec[] = [];
  try {
    await forEachRecord(o.reader, o.win, (r) => {
      records.push({
        frame: r.frame, tsSec: r.tsSec, tsNsec: r.tsNsec, linkType: r.linkType, interfaceId: r.interfaceId,
        capLen: r.capLen, origLen: r.origLen, fileOffset: r.fileOffset, comment: r.comment,
        data: toHex(r.buf.subarray(r.off, r.off + r.capLen)),
      });
    });
  } finally {
    o.close();
  }
  return {
    format: o.reader.format, info: { ...o.reader.info }, compression: o.compression, records,
    problems: [...o.reader.problems], sourceError: o.win.error,
  };
}

/** readAll that fails the test when the file could not be opened. */
export async function readOk(path: string, opts: OpenOptions = {}): Promise<ReadResult> {
  const r = await readAll(path, opts);
  if (!('records' in r)) throw new Error(`expected a readable capture, got ${r.code}: ${r.message}`);
  return r;
}

/**
 * Call at the top level of a test file: returns a writer of temp files in a directory that is
 * removed after the file's tests.
 */
export function useTempFiles(): (bytes: Uint8Array, name?: string) => string {
  const dir = mkdtempSync(join(tmpdir(), 'rpctrace-test-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  let n = 0;
  return (bytes, name = 'capture') => {
    const p = join(dir, `${n++}-${name}`);
    writeFileSync(p, bytes);
    return p;
  };
}
