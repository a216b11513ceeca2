/**
 * The files `rpctrace scan` reads: each argument as given, folders walked in name order (depth
 * first, subfolders by default). Symbolic links are followed only while they stay inside the
 * tree of the argument they were found under, and a folder is entered once: a link out of the
 * tree, a loop, a broken link are listed as skipped with the reason, never followed.
 */
import { lstatSync, readdirSync, realpathSync, statSync, type Stats } from 'node:fs';
import { join, sep } from 'node:path';

/** One thing the walk found, in the order it found it. */
export type WalkItem =
  | { kind: 'file'; path: string; size: number; named: boolean }
  | { kind: 'skip'; path: string; reason: string }
  /** An argument or a folder that could not be read at all (exit code 2). */
  | { kind: 'problem'; path: string; message: string };

export interface WalkResult {
  items: WalkItem[];
  /** `dev:ino` of every file found, to refuse an output file that is one of them. */
  fileIds: Set<string>;
}

const idOf = (st: Stats): string => `${st.dev}:${st.ino}`;

const errText = (e: unknown): string => {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file or folder';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return e instanceof Error ? e.message : String(e);
};

/** Walks `args`; `recursive: false` reads the files directly inside each folder only. */
export function walk(args: readonly string[], recursive: boolean): WalkResult {
  const items: WalkItem[] = [];
  const fileIds = new Set<string>();
  for (const arg of args) {
    let st: Stats;
    try {
      st = statSync(arg);
    } catch (e) {
      items.push({ kind: 'problem', path: arg, message: `cannot read: ${errText(e)}` });
      continue;
    }
    if (!st.isDirectory()) {
      fileIds.add(idOf(st));
      items.push({ kind: 'file', path: arg, size: st.isFile() ? st.size : 0, named: true });
      continue;
    }
    const root = realpathSync(arg);
    const visited = new Map<string, string>([[idOf(st), arg]]);
    folder(arg, root, visited, recursive, items, fileIds);
  }
  return { items, fileIds };
}

const inside = (root: string, p: string): boolean => p === root || p.startsWith(root.endsWith(sep) ? root : root + sep);

function folder(dir: string, root: string, visited: Map<string, string>, recursive: boolean, items: WalkItem[], fileIds: Set<string>): void {
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch (e) {
    items.push({ kind: 'problem', path: dir, message: `cannot list folder: ${errText(e)}` });
    return;
  }
  for (const n of names) {
    const p = join(dir, n);
    let st: Stats;
    try {
      st = lstatSync(p);
    } catch {
      items.push({ kind: 'skip', path: p, reason: 'vanished while the folder was read' });
      continue;
    }
    let via = '';
    if (st.isSymbolicLink()) {
      let target: string;
      try {
        target = realpathSync(p);
        st = statSync(p);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        items.push({ kind: 'skip', path: p, reason: code === 'ELOOP' ? 'symbolic link loop: not followed' : `broken symbolic link: ${errText(e)}` });
        continue;
      }
      if (!inside(root, target)) {
        items.push({ kind: 'skip', path: p, reason: `symbolic link to ${target}, outside the folder scanned: not followed` });
        continue;
      }
      via = `symbolic link to ${target}: `;
    }
    if (st.isDirectory()) {
      const seen = visited.get(idOf(st));
      if (seen !== undefined) {
        items.push({ kind: 'skip', path: p, reason: `${via}a folder already scanned as ${seen} (a loop): not followed` });
        continue;
      }
      if (!recursive) {
        items.push({ kind: 'skip', path: p, reason: 'a subfolder: not read with --no-recursive' });
        continue;
      }
      visited.set(idOf(st), p);
      folder(p, root, visited, recursive, items, fileIds);
    } else if (st.isFile()) {
      fileIds.add(idOf(st));
      items.push({ kind: 'file', path: p, size: st.size, named: false });
    } else {
      items.push({ kind: 'skip', path: p, reason: `not read: ${kind(st)}, not a regular file (name it explicitly to read it)` });
    }
  }
}

function kind(st: Stats): string {
  if (st.isFIFO()) return 'a named pipe (FIFO)';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  return 'a special file';
}
