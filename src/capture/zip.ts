/**
 * Captures inside .zip archives (APPNOTE.TXT, PKWARE), read with yauzl: the central directory is
 * listed once (`listZip`, in the main thread of a scan), and each member is then streamed on its
 * own (`openZipMember`, in whichever worker analyzes it), decompressed on the fly, never written
 * to disk. Member names are shown, never used as paths: a name with `../` or a drive letter
 * reaches no file system call.
 *
 * Guards, each with the reason the member or archive is not read:
 * - members whose data ranges overlap (the construction of non-recursive zip bombs, which make
 *   one compressed kernel count many times): the archive is refused;
 * - more than MAX_MEMBERS members: the archive is refused;
 * - a declared size is enforced while inflating (yauzl's validateEntrySizes), and the CRC-32 is
 *   checked at the end: a member cannot inflate to more than its header says;
 * - a declared ratio above MAX_RATIO (deflate cannot exceed about 1032:1, so only a stream of
 *   nearly one repeated byte gets there): not read;
 * - encrypted members and compression methods other than stored and deflate: not read;
 * - an archive inside an archive is not opened (the caller sees its magic and says so).
 */
import { crc32 } from 'node:zlib';
import yauzl from 'yauzl';

/** Members listed from one archive at most. */
export const MAX_MEMBERS = 100_000;
/** Highest declared uncompressed / compressed ratio read, for members above RATIO_FLOOR bytes. */
export const MAX_RATIO = 1000;
const RATIO_FLOOR = 1024 * 1024;

/** Compression methods (APPNOTE 4.4.5) by number, for the reasons given. */
const METHODS: Record<number, string> = { 1: 'shrink', 6: 'implode', 9: 'deflate64', 12: 'bzip2', 14: 'LZMA', 93: 'Zstandard', 95: 'XZ', 98: 'PPMd', 99: 'AES encryption' };

/** What a member needs to be streamed again, in another thread: plain numbers. */
export interface ZipMemberRef {
  /** The member's name as stored (UTF-8 or CP437 as its flags say), for display only. */
  name: string;
  fileDataStart: number;
  compressedSize: number;
  uncompressedSize: number;
  /** 0 stored, 8 deflate. */
  method: 0 | 8;
  crc32: number;
}

/** One entry of the central directory that is a file. */
export type ZipListing =
  | { kind: 'member'; member: ZipMemberRef }
  | { kind: 'skip'; name: string; reason: string }
  /** The member's local header is damaged: it cannot be read. */
  | { kind: 'bad'; name: string; message: string };

/** True when `head` starts like a zip archive: a local file header, or the end record of an empty archive. */
export function isZipMagic(head: Uint8Array): boolean {
  return head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b && ((head[2] === 0x03 && head[3] === 0x04) || (head[2] === 0x05 && head[3] === 0x06));
}

const open = (path: string): Promise<yauzl.ZipFile> => new Promise((resolve, reject) => {
  yauzl.open(path, { lazyEntries: true, autoClose: false, decodeStrings: false, validateEntrySizes: true }, (err, zip) => (err !== null || zip === undefined ? reject(err ?? new Error('no archive')) : resolve(zip)));
});

/** The next entry, or null at the end of the central directory. */
function nextEntry(zip: yauzl.ZipFile): Promise<yauzl.Entry | null> {
  return new Promise((resolve, reject) => {
    const done = (): void => { zip.off('entry', onEntry); zip.off('end', onEnd); zip.off('error', onError); };
    const onEntry = (e: yauzl.Entry): void => { done(); resolve(e); };
    const onEnd = (): void => { done(); resolve(null); };
    const onError = (e: Error): void => { done(); reject(e); };
    zip.on('entry', onEntry).on('end', onEnd).on('error', onError);
    zip.readEntry();
  });
}

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/**
 * Lists the files of the archive at `path`, in central-directory order. Returns the reason the
 * archive cannot be read at all (no end record: a cut or damaged download; overlapping members;
 * too many members).
 */
export async function listZip(path: string): Promise<{ entries: ZipListing[] } | { error: string }> {
  let zip: yauzl.ZipFile;
  try {
    zip = await open(path);
  } catch (e) {
    return { error: `zip: the archive cannot be read (${message(e)}); it may be cut short or damaged` };
  }
  try {
    if (zip.entryCount > MAX_MEMBERS) return { error: `zip: ${zip.entryCount} members, more than the ${MAX_MEMBERS} rpctrace reads from one archive` };
    const entries: ZipListing[] = [];
    /** Bytes each member occupies in the archive, from its local header to the end of its data. */
    const spans: { start: number; end: number; name: string }[] = [];
    for (;;) {
      let e: yauzl.Entry | null;
      try {
        e = await nextEntry(zip);
      } catch (err) {
        return { error: `zip: the central directory is damaged (${message(err)})` };
      }
      if (e === null) break;
      const raw = e.fileName as unknown as Buffer;
      const name = yauzl.getFileNameLowLevel(e.generalPurposeBitFlag, raw, e.extraFields, false);
      if (name.endsWith('/')) continue; // a folder: its files are entries of their own
      if (e.isEncrypted()) { entries.push({ kind: 'skip', name, reason: 'encrypted zip member: not read (rpctrace does not decrypt; extract it with the password first)' }); continue; }
      if (e.compressionMethod !== 0 && e.compressionMethod !== 8) {
        entries.push({ kind: 'skip', name, reason: `zip member compressed with method ${e.compressionMethod}${METHODS[e.compressionMethod] !== undefined ? ` (${METHODS[e.compressionMethod]})` : ''}: not read (rpctrace reads stored and deflate members; extract it first)` });
        continue;
      }
      if (e.uncompressedSize > RATIO_FLOOR && e.uncompressedSize / Math.max(1, e.compressedSize) > MAX_RATIO) {
        entries.push({ kind: 'skip', name, reason: `zip member declares ${e.uncompressedSize} bytes from ${e.compressedSize} (more than ${MAX_RATIO}:1): not read, as a zip bomb guard` });
        continue;
      }
      let fileDataStart: number;
      try {
        fileDataStart = (await zip.readLocalFileHeaderPromise(e, { minimal: true })).fileDataStart;
      } catch (err) {
        entries.push({ kind: 'bad', name, message: `zip: member ${JSON.stringify(name)}: ${message(err)}` });
        continue;
      }
      spans.push({ start: e.relativeOffsetOfLocalHeader, end: fileDataStart + e.compressedSize, name });
      entries.push({ kind: 'member', member: { name, fileDataStart, compressedSize: e.compressedSize, uncompressedSize: e.uncompressedSize, method: e.compressionMethod, crc32: e.crc32 } });
    }
    spans.sort((a, b) => a.start - b.start);
    for (let i = 1; i < spans.length; i++) {
      const a = spans[i - 1]!;
      const b = spans[i]!;
      if (b.start < a.end) return { error: `zip: members ${JSON.stringify(a.name)} and ${JSON.stringify(b.name)} overlap (the construction of a zip bomb); archive not read` };
    }
    return { entries };
  } finally {
    zip.close();
  }
}

/**
 * The decompressed bytes of one member, listed before by `listZip`. The stream fails when the
 * data inflates to more or fewer bytes than declared, or when its CRC-32 differs.
 */
export async function* openZipMember(path: string, m: ZipMemberRef): AsyncGenerator<Uint8Array> {
  const zip = await open(path);
  try {
    // The callback form: yauzl 3.4.0's openReadStreamLowLevelPromise calls openReadStream instead.
    const stream = await new Promise<NodeJS.ReadableStream & { destroy(): void }>((resolve, reject) => {
      zip.openReadStreamLowLevel(m.fileDataStart, m.compressedSize, 0, m.compressedSize, m.method === 8, m.uncompressedSize, (err, s) => (err !== null || s === undefined ? reject(err ?? new Error('no stream')) : resolve(s)));
    });
    let crc = 0;
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        crc = crc32(chunk, crc);
        yield chunk;
      }
    } finally {
      stream.destroy();
    }
    if (crc >>> 0 !== m.crc32 >>> 0) throw new Error(`zip: CRC-32 of ${JSON.stringify(m.name)} is ${hex(crc)}, the archive says ${hex(m.crc32)}: the member is damaged`);
  } finally {
    zip.close();
  }
}

const hex = (n: number): string => `0x${(n >>> 0).toString(16).padStart(8, '0')}`;
