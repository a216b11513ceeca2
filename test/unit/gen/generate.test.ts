/**
 * The sample generator is deterministic, and the committed samples/ are exactly what it writes,
 * so the files the golden tests run on cannot drift from their documented content.
 */
import { EXTERNAL_CALL_MS, EXTERNAL_TEST_MS } from '../../helpers/external.js';
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

// Each test starts tshark up to six times; on the shared 2-core machine under load that passed
// vitest's 5 s default (the same budget as test/diff/tshark.test.ts's per-file 60 s).
describe(`committed samples as tshark reads them${TSHARK_SKIP_REASON}`, () => {
  const tshark = (name: string, args: string[]): string[] =>
    execFileSync('tshark', ['-n', '-r', join(SAMPLES_DIR, name), ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: EXTERNAL_CALL_MS })
      .split('\n')
      .filter((l) => l !== '');
  const epm = (name: string): string[] => tshark(name, ['-Y', 'epm', '-T', 'fields', '-e', 'frame.number', '-e', 'epm.proto.tcp_port', '-e', 'epm.rc']);

  it.skipIf(!HAVE_TSHARK)('the failure advertises the blocked port and its SYNs go unanswered', { timeout: EXTERNAL_TEST_MS }, () => {
    expect(epm('rpc-nonstandard-port-blocked.pcap')).toEqual(['6\t135\t', `7\t${BLOCKED_PORT}\t0x00000000`]);
    const syns = tshark('rpc-nonstandard-port-blocked.pcap', ['-Y', `tcp.port == ${BLOCKED_PORT}`, '-T', 'fields', '-e', 'frame.time_relative', '-e', 'tcp.flags', '-e', 'tcp.seq_raw']);
    expect(syns.map((l) => l.split('\t')[1])).toEqual(['0x0002', '0x0002', '0x0002']);
    expect(new Set(syns.map((l) => l.split('\t')[2])).size).toBe(1);
    const t = syns.map((l) => Number(l.split('\t')[0]));
    expect([t[1]! - t[0]!, t[2]! - t[0]!].map((x) => Math.round(x * 1000) / 1000)).toEqual([3, 9]);
  });

  it.skipIf(!HAVE_TSHARK)('the healthy sample advertises a port that answers', { timeout: EXTERNAL_TEST_MS }, () => {
    expect(epm('rpc-healthy.pcap')).toEqual(['8\t135\t', `9\t${HEALTHY_PORT}\t0x00000000`]);
    expect(tshark('rpc-healthy.pcap', ['-Y', `tcp.srcport == ${HEALTHY_PORT} && tcp.flags == 0x012`])).toHaveLength(1);
  });

  it.skipIf(!HAVE_TSHARK)('EPM variants: several towers, not registered, big-endian NDR, two pcapng sections', { timeout: EXTERNAL_TEST_MS }, () => {
    expect(epm('epm-multiple-towers.pcap')).toEqual(['6\t135\t', `7\t${BLOCKED_PORT},${BLOCKED_PORT}\t0x00000000`]);
    expect(epm('epm-not-registered.pcap')).toEqual(['6\t135\t', '7\t\t0x16c9a0d6']);
    expect(epm('rpc-ndr-big-endian.pcap')).toEqual(['6\t135\t', `7\t${HEALTHY_PORT}\t0x00000000`]);
    expect(epm('rpc-two-sections-be.pcapng')).toEqual(['6\t135\t', `7\t${BLOCKED_PORT}\t0x00000000`, '19\t135\t', `20\t${HEALTHY_PORT}\t0x00000000`]);
  });

  // Every sample with its own payload bytes; the link-layer and file-format variants of the
  // classic failure repeat rpc-nonstandard-port-blocked.pcap's packets. The rest are not
  // captures or are cut short on purpose (tshark exits 2 after its frames).
  const skip = (n: string): boolean =>
    (n.startsWith('rpc-nonstandard-port-blocked') && n !== 'rpc-nonstandard-port-blocked.pcap') ||
    ['not-a-capture.pcap', 'empty.pcap', 'truncated-inside-last-record.pcap', 'tcp-data-offset-malformed.pcap'].includes(n);
  for (const s of SAMPLES.filter((x) => !skip(x.name))) {
    it.skipIf(!HAVE_TSHARK)(`${s.name}: no frame is malformed`, { timeout: EXTERNAL_TEST_MS }, () => {
      expect(tshark(s.name, ['-Y', '_ws.malformed'])).toEqual([]);
    });
  }

  it.skipIf(!HAVE_TSHARK)('the malformed data offset is malformed to tshark too, and only that frame', { timeout: EXTERNAL_TEST_MS }, () => {
    expect(tshark('tcp-data-offset-malformed.pcap', ['-Y', '_ws.malformed', '-T', 'fields', '-e', 'frame.number', '-e', 'tcp.hdr_len'])).toEqual(['11\t60']);
  });

  it.skipIf(!HAVE_TSHARK)('tricky transports: tshark reads the advertised port where rpctrace must', { timeout: EXTERNAL_TEST_MS }, () => {
    const blocked = `${BLOCKED_PORT}\t0x00000000`;
    expect(epm('epm-response-split-segments.pcap')).toEqual(['6\t135\t', `8\t${blocked}`]);
    expect(epm('dcerpc-coalesced-pdus.pcap')).toEqual(['4\t135\t', `5\t${blocked}`]);
    expect(epm('epm-response-retransmitted.pcap')).toEqual(['6\t135\t', `7\t${blocked}`]);
    expect(epm('epm-response-ip-fragments.pcap')).toEqual(['6\t135\t', `9\t${blocked}`]);
    // tshark 4.0 leaves out-of-order segments alone unless asked to reassemble them.
    expect(tshark('epm-response-out-of-order.pcap', ['-o', 'tcp.reassemble_out_of_order:TRUE', '-Y', 'epm', '-T', 'fields', '-e', 'frame.number', '-e', 'epm.proto.tcp_port', '-e', 'epm.rc'])).toEqual(['6\t135\t', `8\t${blocked}`]);
  });

  it.skipIf(!HAVE_TSHARK)('NDR64, ept_lookup in two fragments, sealed stubs', { timeout: EXTERNAL_TEST_MS }, () => {
    expect(epm('epm-ndr64.pcap')).toEqual(['6\t135\t', `7\t${HEALTHY_PORT}\t0x00000000`]);
    expect(tshark('epm-ndr64.pcap', ['-Y', 'dcerpc.pkt_type == 12', '-T', 'fields', '-e', 'dcerpc.cn_ack_result', '-e', 'dcerpc.cn_ack_trans_id'])).toEqual([
      '2,0,3\t00000000-0000-0000-0000-000000000000,71710533-beba-4937-8319-b5dbef9ccc36,00000000-0000-0000-0000-000000000000',
    ]);
    expect(tshark('epm-ndr64.pcap', ['-Y', 'frame.number == 7', '-T', 'fields', '-e', 'dcerpc.referent_id64'])).toEqual(['0x0000000000020000']);
    expect(tshark('ept-lookup-multi-fragment.pcap', ['-Y', 'dcerpc.pkt_type == 2', '-T', 'fields', '-e', 'frame.number', '-e', 'dcerpc.cn_flags', '-e', 'dcerpc.cn_frag_len'])).toEqual(['8\t0x01\t2048', '10\t0x02\t688']);
    expect(epm('ept-lookup-multi-fragment.pcap')).toEqual(['6\t\t', `10\t${Array(10).fill(HEALTHY_PORT).join(',')}\t0x00000000`]);
    // Packet privacy: tshark knows the frames are EPM but can read neither stub.
    expect(epm('epm-encrypted-inferred.pcap')).toEqual(['9\t\t', '10\t\t']);
  });

  it.skipIf(!HAVE_TSHARK)('DCOM activation answers carry the string bindings, resolver addresses first', { timeout: EXTERNAL_TEST_MS }, () => {
    const bindings = (name: string): string[] => tshark(name, ['-Y', 'dcom.dualstringarray.network_addr', '-T', 'fields', '-e', 'frame.number', '-e', 'dcom.dualstringarray.network_addr']);
    expect(bindings('dcom-activation-blocked.pcap')).toEqual(['10\tSERVER,10.1.1.10,SERVER[49725],10.1.1.10[49725]']);
    expect(bindings('dcom-wmi-24158-blocked.pcap')).toEqual(['10\tSERVER,10.1.1.10,SERVER[24158],10.1.1.10[24158]']);
    expect(tshark('dcom-activation-blocked.pcap', ['-Y', 'isystemactivator', '-T', 'fields', '-e', 'frame.number', '-e', 'isystemactivator.opnum'])).toEqual(['9\t4', '10\t4']);
  });
});
