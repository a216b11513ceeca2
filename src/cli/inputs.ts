/** Expands command-line inputs: files as given, directories one level deep (sorted), `-` for stdin. */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** One input to analyze; `fromDirectory` inputs that are not captures are skipped quietly. */
export interface Input {
  path: string;
  fromDirectory: boolean;
}

/** Expands `args`; a directory contributes its regular files, not its subdirectories. */
export function expandInputs(args: readonly string[]): { inputs: Input[]; problems: string[] } {
  const inputs: Input[] = [];
  const problems: string[] = [];
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
    for (const n of names) {
      const p = join(a, n);
      try {
        if (statSync(p).isFile()) inputs.push({ path: p, fromDirectory: true });
      } catch {
        // Vanished or unreadable entry: skipped; a directory listing is best effort.
      }
    }
  }
  return { inputs, problems };
}
