/**
 * Captures inside .zip archives: members listed and streamed back byte for byte, and the
 * archives and members rpctrace refuses, each with its reason (encrypted, unknown method, zip
 * bomb constructions, damaged data).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { isZipMagic, listZip, openZipMember, type ZipListing } from '../../../src/capture/zip.js';
import { useTempFiles } from '../../helpers/capture.js';
import { SAMPLES } from '../../helpers/corpus.js';
import { zipFile } from '../../helpers/zip.js';

const temp = useTempFiles();
const pcap = readFileSync(join(SAMPLES, 'rpc-nonstandard-port-blocked.pcap'));

async function bytesOf(it: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of it) parts.push(Buffer.from(c));
  return Buffer.concat(parts);
}

const members = (l: { entries: ZipListing[] } | { error: string }): ZipListing[] => {
  if ('error' in l) throw new Error(l.error);
  return l.entries;
};

describe('listZip and openZipMember', () => {
  it('lists files (not folders) in central-directory order and streams each back exactly', async () => {
    const gz = gzipSync(pcap);
    const path = temp(zipFile([
      { name: 'machine1/', data: new Uint8Array(0), method: 0 },
      { name: 'machine1/trace.pcap', data: pcap },
      { name: 'machine2/trace.pcap.gz', data: gz, method: 0 },
    ]), 'a.zip');
    expect(isZipMagic(readFileSync(path).subarray(0, 4))).toBe(true);
    const list = members(await listZip(path));
    expect(list.map((m) => (m.kind === 'member' ? m.member.name : m.kind))).toEqual(['machine1/trace.pcap', 'machine2/trace.pcap.gz']);
    const [a, b] = list;
    if (a?.kind !== 'member' || b?.kind !== 'member') throw new Error('members expected');
    expect(Buffer.compare(await bytesOf(openZipMember(path, a.member)), pcap)).toBe(0);
    expect(Buffer.compare(await bytesOf(openZipMember(path, b.member)), gz)).toBe(0);
  });

  it('skips encrypted members and methods it cannot decompress, with the reason', async () => {
    const path = temp(zipFile([
      { name: 'locked.pcap', data: pcap, encrypted: true },
      { name: 'bzip.pcap', data: pcap, method: 12 },
      { name: 'ok.pcap', data: pcap },
    ]), 'b.zip');
    const list = members(await listZip(path));
    expect(list[0]).toEqual({ kind: 'skip', name: 'locked.pcap', reason: expect.stringContaining('encrypted') });
    expect(list[1]).toEqual({ kind: 'skip', name: 'bzip.pcap', reason: expect.stringContaining('method 12 (bzip2)') });
    expect(list[2]?.kind).toBe('member');
  });

  it('shows hostile names as they are and never uses them as paths', async () => {
    const path = temp(zipFile([{ name: '../../etc/passwd', data: pcap }, { name: '/abs\u001b[31m.pcap', data: pcap }]), 'c.zip');
    const list = members(await listZip(path));
    expect(list.map((m) => (m.kind === 'member' ? m.member.name : null))).toEqual(['../../etc/passwd', '/abs\u001b[31m.pcap']);
  });

  it('refuses an archive whose members overlap (a zip bomb construction)', async () => {
    const path = temp(zipFile([{ name: 'a.pcap', data: pcap }, { name: 'b.pcap', data: pcap }], { overlapWith: { 1: 0 } }), 'bomb.zip');
    const r = await listZip(path);
    expect(r).toEqual({ error: expect.stringContaining('overlap') });
  });

  it('does not read a member that declares more than 1000:1', async () => {
    const path = temp(zipFile([{ name: 'zeros.pcap', data: new Uint8Array(16 * 1024 * 1024) }]), 'ratio.zip');
    const list = members(await listZip(path));
    expect(list[0]).toEqual({ kind: 'skip', name: 'zeros.pcap', reason: expect.stringContaining('zip bomb guard') });
  });

  it('says why an archive cut short cannot be read', async () => {
    const whole = zipFile([{ name: 'a.pcap', data: pcap }]);
    const path = temp(whole.subarray(0, whole.length - 40), 'cut.zip');
    expect(await listZip(path)).toEqual({ error: expect.stringContaining('cut short or damaged') });
  });

  it('fails the member stream when the data does not match its CRC-32', async () => {
    const bytes = zipFile([{ name: 'a.pcap', data: pcap, method: 0 }]);
    const at = 30 + 'a.pcap'.length + 100; // a byte of the stored data
    bytes[at] = bytes[at]! ^ 0xff;
    const path = temp(bytes, 'crc.zip');
    const [m] = members(await listZip(path));
    if (m?.kind !== 'member') throw new Error('member expected');
    await expect(bytesOf(openZipMember(path, m.member))).rejects.toThrow(/CRC-32/);
  });
});
