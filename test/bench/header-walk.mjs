// The floor: the least work that still visits every record of a classic pcap. readSync into one
// reused 8 MiB buffer, hop from record header to record header, touch nothing else.
// Prints {"frames", "bytes"}. Plain JavaScript so node runs it without a loader.
import { closeSync, openSync, readSync } from 'node:fs';

const CHUNK = 8 * 1024 * 1024;
const path = process.argv[2];
if (!path) {
  process.stderr.write('usage: node header-walk.mjs FILE\n');
  process.exit(2);
}

function walk(file) {
  const fd = openSync(file, 'r');
  let buf = Buffer.allocUnsafe(CHUNK);
  let pos = 0;
  let end = 0;
  let eof = false;
  let frames = 0;
  let bytes = 0;
  /** Makes `n` bytes available at `pos`; false at end of file. */
  const need = (n) => {
    if (end - pos >= n) return true;
    if (eof) return false;
    if (n > buf.length) {
      const bigger = Buffer.allocUnsafe(n * 2);
      buf.copy(bigger, 0, pos, end);
      buf = bigger;
    } else {
      buf.copyWithin(0, pos, end);
    }
    end -= pos;
    pos = 0;
    while (end < buf.length) {
      const r = readSync(fd, buf, end, buf.length - end, null);
      if (r === 0) { eof = true; break; }
      end += r;
    }
    return end - pos >= n;
  };
  try {
    if (!need(24)) throw new Error('shorter than a pcap file header');
    const magic = buf.readUInt32LE(0);
    let le;
    if (magic === 0xa1b2c3d4 || magic === 0xa1b23c4d) le = true;
    else if (magic === 0xd4c3b2a1 || magic === 0x4d3cb2a1) le = false;
    else throw new Error(`not a classic pcap (magic ${magic.toString(16)})`);
    pos = 24;
    for (;;) {
      if (!need(16)) break;
      const incl = le ? buf.readUInt32LE(pos + 8) : buf.readUInt32BE(pos + 8);
      if (!need(16 + incl)) throw new Error(`file ends inside record ${frames + 1}`);
      pos += 16 + incl;
      bytes += incl;
      frames++;
    }
    if (end !== pos) throw new Error(`trailing ${end - pos} bytes`);
  } finally {
    closeSync(fd);
  }
  return { frames, bytes };
}

process.stdout.write(`${JSON.stringify(walk(path))}\n`);
