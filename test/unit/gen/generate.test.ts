/**
 * The sample generator is deterministic, and the committed samples/ are exactly what it writes,
 * so the files the golden tests run on cannot drift from their documented content.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { BLOCKED_PORT, HEALTHY_PORT, SAMPLES, generateSamples } from '../../../samples/gen/generate.js';
import { HAVE_TSHARK, TSHARK_SKIP_REASON } from '../../helpers/tshark.js';

const SAMPLES_DIR = fileURLToPath(new URL('../../../samples/', import.meta.url));
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('sample generator', () => {
  const first = generateSamples();

  it('gives identical bytes on a second run', () => {
    const second = generateSamples();
    expect([...second.keys()]).toEqual([...first.keys()]);
    for (const [name, bytes] of first) expect(hex(second.get(name)!), name).toBe(hex(bytes));
  });

  it('matches the committed samples/ (run `npm run samples` after changing samples/gen)', () => {
    for (const [name, bytes] of first) {
      const committed = new Uint8Array(readFileSync(join(SAMPLES_DIR, name)));
      if (name.endsWith('.gz')) {
        // Compressed bytes depend on the zlib build inside Node; the content must not drift.
        expect(hex(gunzipSync(committed)), name).toBe(hex(gunzipSync(bytes)));
      } else {
        expect(committed.length, name).toBe(bytes.length);
        expect(hex(committed), name).toBe(hex(bytes));
      }
    }
  });

  it('knows every file in samples/, and the README has a line for each', () => {
    const present = readdirSync(SAMPLES_DIR).filter((n) => !statSync(join(SAMPLES_DIR, n)).isDirectory());
    expect(present.sort()).toEqual([...first.keys()].sort());
    const readme = new TextDecoder().decode(first.get('README.md'));
    for (const s of SAMPLES) expect(readme).toContain(`| \`${s.name}\` |`);
  });

  it('keeps samples/ small (< 2 MB)', () => {
    let total = 0;
    for (const bytes of first.values()) total += bytes.length;
    expect(total).toBeLessThan(2 * 1024 * 1024);
  });
});

describe(`committed samples as tshark reads them${TSHARK_SKIP_REASON}`, () => {
  const tshark = (name: string, args: string[]): string[] =>
    execFileSync('tshark', ['-n', '-r', join(SAMPLES_DIR, name), ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
      .split('\n')
      .filter((l) => l !== '');
  const epm = (name: string): string[] => tshark(name, ['-Y', 'epm', '-T', 'fields', '-e', 'frame.number', '-e', 'epm.proto.tcp_port', '-e', 'epm.rc']);

  it.skipIf(!HAVE_TSHARK)('the failure advertises the blocked port and its SYNs go unanswered', () => {
    expect(epm('rpc-nonstandard-port-blocked.pcap')).toEqual(['6\t135\t', `7\t${BLOCKED_PORT}\t0x00000000`]);
    const syns = tshark('rpc-nonstandard-port-blocked.pcap', ['-Y', `tcp.port == ${BLOCKED_PORT}`, '-T', 'fields', '-e', 'frame.time_relative', '-e', 'tcp.flags', '-e', 'tcp.seq_raw']);
    expect(syns.map((l) => l.split('\t')[1])).toEqual(['0x0002', '0x0002', '0x0002']);
    expect(new Set(syns.map((l) => l.split('\t')[2])).size).toBe(1);
    const t = syns.map((l) => Number(l.split('\t')[0]));
    expect([t[1]! - t[0]!, t[2]! - t[0]!].map((x) => Math.round(x * 1000) / 1000)).toEqual([3, 9]);
  });

  it.skipIf(!HAVE_TSHARK)('the healthy sample advertises a port that answers', () => {
    expect(epm('rpc-healthy.pcap')).toEqual(['8\t135\t', `9\t${HEALTHY_PORT}\t0x00000000`]);
    expect(tshark('rpc-healthy.pcap', ['-Y', `tcp.srcport == ${HEALTHY_PORT} && tcp.flags == 0x012`])).toHaveLength(1);
  });

  it.skipIf(!HAVE_TSHARK)('EPM variants: several towers, not registered, big-endian NDR, two pcapng sections', () => {
    expect(epm('epm-multiple-towers.pcap')).toEqual(['6\t135\t', `7\t${BLOCKED_PORT},${BLOCKED_PORT}\t0x00000000`]);
    expect(epm('epm-not-registered.pcap')).toEqual(['6\t135\t', '7\t\t0x16c9a0d6']);
    expect(epm('rpc-ndr-big-endian.pcap')).toEqual(['6\t135\t', `7\t${HEALTHY_PORT}\t0x00000000`]);
    expect(epm('rpc-two-sections-be.pcapng')).toEqual(['6\t135\t', `7\t${BLOCKED_PORT}\t0x00000000`, '19\t135\t', `20\t${HEALTHY_PORT}\t0x00000000`]);
  });

  it.skipIf(!HAVE_TSHARK)('no DCE/RPC PDU in the main samples is malformed', () => {
    for (const name of ['rpc-nonstandard-port-blocked.pcap', 'rpc-healthy.pcap', 'rpc-ndr-big-endian.pcap', 'rpc-nonstandard-port-blocked-ipv6.pcap', 'epm-fault.pcap']) {
      expect(tshark(name, ['-Y', 'dcerpc && _ws.malformed']), name).toEqual([]);
    }
  });
});
