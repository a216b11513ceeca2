/**
 * Where `analyze` writes: standard output or `--output FILE`, the spool that lets the summary
 * of several files come first, the terminal's width and whether it takes colour, and the check
 * that no output is written over an input.
 */
import { closeSync, existsSync, openSync, realpathSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { Spool, type SpoolOptions } from '../capture/spool.js';
import type { SectionSpool, Sink } from '../report/index.js';
// fit.ts, not text.ts: the width is decided before any renderer (and cli-table3) is loaded.
import { HINT_WIDTH as WIDTH, MIN_WIDTH } from '../report/fit.js';

import type { ColorWhen } from './output-options.js';

/**
 * Whether to colour: `always` and `never` decide; `auto` colours a terminal only, unless
 * FORCE_COLOR (force-color.org: set and not empty) asks for colour anyway or NO_COLOR
 * (no-color.org: set and not empty) asks for none. FORCE_COLOR wins over NO_COLOR, as in Node.
 */
export function useColor(when: ColorWhen, terminal: boolean, env: Readonly<Record<string, string | undefined>>): boolean {
  if (when !== 'auto') return when === 'always';
  if ((env.FORCE_COLOR ?? '') !== '') return true;
  if ((env.NO_COLOR ?? '') !== '') return false;
  return terminal;
}

/** Columns to lay the table format out for: the terminal's when writing to one, else 100. */
export function widthFor(terminalColumns: number | null): number {
  if (terminalColumns === null || !Number.isFinite(terminalColumns) || terminalColumns <= 0) return WIDTH;
  return Math.max(MIN_WIDTH, Math.floor(terminalColumns));
}

/** Text spooled in memory up to a bound, then in an unlinked temporary file (capture/spool.ts). */
export class TextSpool implements SectionSpool {
  private readonly spool: Spool;
  private readonly enc = new TextEncoder();
  constructor(opts: SpoolOptions = { memoryLimit: 8 * 1024 * 1024 }) {
    this.spool = new Spool(opts);
  }
  write(s: string): void {
    const b = this.enc.encode(s);
    this.spool.append(b, 0, b.length);
  }
  replay(out: Sink): void {
    const buf = new Uint8Array(64 * 1024);
    const dec = new TextDecoder('utf-8');
    for (let pos = 0; pos < this.spool.size;) {
      const n = this.spool.readAt(buf, 0, buf.length, pos);
      if (n === 0) break;
      pos += n;
      out.write(dec.decode(buf.subarray(0, n), { stream: true }));
    }
    const tail = dec.decode();
    if (tail !== '') out.write(tail);
    this.spool.close();
  }
  close(): void {
    this.spool.close();
  }
}

/**
 * A file written under a temporary name beside its target and renamed into place when done, so
 * a run that fails leaves no half-written report or evidence file.
 */
export class FileOutput implements Sink {
  private fd: number;
  private readonly tmp: string;
  constructor(readonly path: string) {
    this.tmp = join(dirname(resolve(path)), `.${basename(path)}.rpctrace-${process.pid}.tmp`);
    this.fd = openSync(this.tmp, 'w', 0o644);
  }
  write(s: string | Uint8Array): void {
    if (typeof s === 'string') writeSync(this.fd, s);
    else for (let at = 0; at < s.length;) at += writeSync(this.fd, s, at, s.length - at);
  }
  /** Closes and renames the file into place. */
  commit(): void {
    closeSync(this.fd);
    this.fd = -1;
    renameSync(this.tmp, this.path);
  }
  /** Closes and removes the temporary file (after an error). */
  abandon(): void {
    if (this.fd >= 0) try { closeSync(this.fd); } catch { /* closed */ }
    this.fd = -1;
    try { unlinkSync(this.tmp); } catch { /* gone */ }
  }
}

/** The real path of `p`, or of its directory joined with its name when it does not exist yet. */
function realOrPlanned(p: string): string {
  if (existsSync(p)) return realpathSync(p);
  try { return join(realpathSync(dirname(resolve(p))), basename(p)); } catch { return resolve(p); }
}

/**
 * Why `target` must not be written, or null: it is one of the inputs (same real path, or the
 * same file under another name: a hard link), or another output of this run.
 */
export function clashWithInputs(option: string, target: string, inputs: readonly string[], others: readonly { option: string; path: string }[] = []): string | null {
  const real = realOrPlanned(target);
  let st: { dev: number; ino: number } | null = null;
  try { st = statSync(target); } catch { st = null; }
  for (const input of inputs) {
    if (input === '-') continue;
    let same = realOrPlanned(input) === real;
    if (!same && st !== null) {
      try {
        const s = statSync(input);
        same = s.dev === st.dev && s.ino === st.ino;
      } catch { /* an input that does not exist is reported by the reader */ }
    }
    if (same) return `${option} ${target} is an input capture; rpctrace never writes over an input`;
  }
  for (const o of others) if (realOrPlanned(o.path) === real) return `${option} ${target} is also given to ${o.option}; give each its own file`;
  return null;
}
