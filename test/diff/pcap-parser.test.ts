/**
 * Our classic-pcap reader against pcap-parser, the library first named for the job: the same
 * frames (count, timestamps, lengths, bytes) on every microsecond pcap in samples/ and the
 * corpus. pcap-parser cannot read nanosecond pcap, pcapng or NetMon; those are covered by the
 * tshark differential test.
 */
import { createRequire } from 'node:module';
import { createReadStream, openSync, readSync, closeSync } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { openCapture } from '../../src/capture/open.js';
import { forEachRecord } from '../../src/capture/reader.js';
import { corpusCases, sampleFiles } from '../helpers/corpus.js';

const require = createRequire(import.meta.url);
const pcapParser = require('pcap-parser') as { parse(input: NodeJS.ReadableStream): NodeJS.EventEmitter };

interface Frame { sec: number; usec: number; caplen: number; origlen: number; hex: string }

/** True for classic pcap with a microsecond magic (either byte order), after gunzip. */
function isMicrosecondPcap(path: string): boolean {
  const fd = openSync(path, 'r');
  const b = Buffer.alloc(4);
  readSync(fd, b, 0, 4, 0);
  closeSync(fd);
  if (b[0] === 0x1f && b[1] === 0x8b) return false; // gzip: checked through its plain original
  const m = b.toString('hex');
  return m === 'd4c3b2a1' || m === 'a1b2c3d4';
}

function viaPcapParser(path: string): Promise<Frame[]> {
  return new Promise((resolve, reject) => {
    const frames: Frame[] = [];
    const stream = path.endsWith('.gz') ? createReadStream(path).pipe(createGunzip()) : createReadStream(path);
    const p = pcapParser.parse(stream);
    p.on('packet', (pkt: { header: { timestampSeconds: number; timestampMicroseconds: number; capturedLength: number; originalLength: number }; data: Buffer }) => {
      frames.push({ sec: pkt.header.timestampSeconds, usec: pkt.header.timestampMicroseconds, caplen: pkt.header.capturedLength, origlen: pkt.header.originalLength, hex: pkt.data.toString('hex') });
    });
    p.on('end', () => resolve(frames));
    p.on('error', reject);
  });
}

async function viaRpctrace(path: string): Promise<Frame[]> {
  const o = await openCapture(path);
  if (!('reader' in o)) throw new Error(o.message);
  const frames: Frame[] = [];
  await forEachRecord(o.reader, o.win, (r) => {
    frames.push({ sec: r.tsSec, usec: r.tsNsec / 1000, caplen: r.capLen, origlen: r.origLen, hex: Buffer.from(r.buf.buffer, r.buf.byteOffset + r.off, r.capLen).toString('hex') });
  });
  o.close();
  return frames;
}

const files = [...sampleFiles(), ...corpusCases().map((c) => c.path)].filter(isMicrosecondPcap);

describe('classic pcap frames equal pcap-parser\'s', () => {
  it('has microsecond pcap files to compare', () => {
    expect(files.length).toBeGreaterThan(0);
  });
  it.each(files.map((f) => [f.replace(/^.*\/(samples|corpus)\//, '$1/'), f] as const))('%s', async (_name, path) => {
    const [ours, theirs] = await Promise.all([viaRpctrace(path), viaPcapParser(path)]);
    expect(ours.length).toBe(theirs.length);
    expect(ours).toEqual(theirs);
  });
});
