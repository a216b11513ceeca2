/** Expands command-line inputs: files as given, directories one level deep (sorted), `-` for stdin. `rpctrace scan` walks trees (scan-walk.ts). */
import { readdirSync, statSync, type Stats } from 'node:fs';
import { join } from 'node:path';

/**
 * One input to analyze; `fromDirectory` inputs that are not captures are skipped quietly.
 * `skip` is set for directory entries that are listed as skipped without being opened.
 */
export interface Input {
  path: string;
  fromDirectory: boolean;
  skip?: string;
}

/**
 * Expands `args`; a directory contributes its regular files, not its subdirectories. Anything
 * else inside it (a FIFO, socket or device) is skipped with a reason and never opened: a FIFO
 * nobody writes to would block forever. Named explicitly, such a file is read as a stream.
 */
export function expandInputs(args: readonly string[]): { inputs: Input[]; problems: string[]; subfolders: { dir: string; count: number }[] } {
  const inputs: Input[] = [];
  const problems: string[] = [];
  /** Directory arguments with subdirectories, which are not read (the caller points to `scan`). */
  const subfolders: { dir: string; count: number }[] = [];
  for (const a of args) {
    if (a === '-') { inputs.push({ path: a, fromDirectory: false }); continue; }
    let isDir = false;
    try {
      isDir = statSync(a).isDirectory();
    } catch {
      // Not stat-able: let the reader report it with the file name.
    }
    if (!isDir) { inputs.push({ path: a, fromDirectory: false }); continue; }
    let names: string[];
    try {
      names = readdirSync(a).sort();
    } catch (e) {
      problems.push(`${a}: cannot list directory: ${e instanceof Error ? e.message : String(e)}`);
      continue;
    }
    let subdirs = 0;
    for (const n of names) {
      const p = join(a, n);
      let st: Stats;
      try {
        st = statSync(p);
      } catch {
        continue; // Vanished or unreadable entry: skipped; a directory listing is best effort.
      }
      if (st.isFile()) inputs.push({ path: p, fromDirectory: true });
      else if (st.isDirectory()) subdirs++;
      else {
        inputs.push({ path: p, fromDirectory: true, skip: `not read: ${kind(st)}, not a regular file (name it explicitly to read it)` });
      }
    }
    if (subdirs > 0) subfolders.push({ dir: a, count: subdirs });
  }
  return { inputs, problems, subfolders };
}

function kind(st: Stats): string {
  if (st.isFIFO()) return 'a named pipe (FIFO)';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  return 'a special file';
}
