/**
 * IP reassembly: a TCP segment carried in IPv4 fragments (in any order, overlapping, or never
 * complete) and the Defragmenter's bounds. What users care about: an endpoint-mapper answer
 * split by a small path MTU is still read (samples/epm-response-ip-fragments.pcap shows it end
 * to end), and fragments never produce a segment that is not there.
 */
import { describe, expect, it } from 'vitest';
import { Dissector } from '../../../src/dissect/dissector.js';
import { Defragmenter } from '../../../src/dissect/defragment.js';
import { L4 } from '../../../src/dissect/packet-info.js';
import { CaptureAnalysis } from '../../../src/analysis/capture-analysis.js';
import { IpProto, TcpFlag, ipv4Fragments, ipv6, tcp, windowsSynOptions } from '../../../samples/gen/frames.js';
import { record } from '../../helpers/frame.js';

const RAW = 101;
const payload = Uint8Array.from({ length: 100 }, (_, i) => i);
const segment = tcp('10.0.0.1', '10.0.0.2', { srcPort: 135, dstPort: 50000, seq: 1000, ack: 1, flags: TcpFlag.ACK | TcpFlag.PSH }, payload);
const frags = ipv4Fragments({ src: '10.0.0.1', dst: '10.0.0.2', proto: IpProto.TCP, id: 77 }, segment, 48);

function run(order: number[]): { l4: number; fragment: number; firstSeen: boolean; payloadLen: number; first: number }[] {
  const d = new Dissector();
  return order.map((i, k) => {
    const p = d.dissect(record(frags[i]!, RAW, k + 1));
    return { l4: p.l4, fragment: p.fragment, firstSeen: p.firstPieceSeen, payloadLen: p.payloadLen, first: p.l4 === L4.TCP && p.payloadLen > 0 ? p.buf[p.payloadOff]! : -1 };
  });
}

describe('IP reassembly', () => {
  it('splits the test segment into three fragments', () => {
    expect(frags).toHaveLength(3);
  });

  it('gives the whole segment on the frame that completes it, in order', () => {
    const r = run([0, 1, 2]);
    expect(r[0]).toMatchObject({ l4: L4.TCP, fragment: 1 }); // ports and flags on the first fragment
    expect(r[1]).toMatchObject({ l4: L4.OTHER, fragment: 0 });
    expect(r[2]).toMatchObject({ l4: L4.TCP, fragment: 2, firstSeen: true, payloadLen: 100, first: 0 });
  });

  it('reassembles out of order; when the first fragment completes it, it is not "seen before"', () => {
    expect(run([2, 1, 0])[2]).toMatchObject({ l4: L4.TCP, fragment: 2, firstSeen: false, payloadLen: 100 });
    expect(run([1, 0, 2])[2]).toMatchObject({ fragment: 2, firstSeen: true, payloadLen: 100 });
  });

  it('never completes without every fragment', () => {
    expect(run([0, 2]).map((x) => x.fragment)).toEqual([1, 0]);
    expect(run([1, 2]).every((x) => x.l4 === L4.OTHER)).toBe(true);
  });

  it('keeps a bounded number of incomplete datagrams and refuses oversize ones', () => {
    const d = new Defragmenter();
    const b = new Uint8Array(64);
    for (let i = 0; i < 300; i++) expect(d.add(`k${i}`, i, b, 0, 20, 20, 64, 0, true)).toBeNull();
    expect(d.dropped).toBeGreaterThanOrEqual(44);
    expect(d.add('big', 1, b, 0, 20, 20, 64, 65500, false)).toBeNull();
  });

  it('takes the earlier data where fragments overlap', () => {
    const d = new Defragmenter();
    const a = new Uint8Array(20 + 16).fill(1);
    const c = new Uint8Array(20 + 16).fill(2);
    expect(d.add('x', 1, a, 0, 20, 20, 36, 0, true)).toBeNull();
    const r = d.add('x', 2, c, 0, 20, 20, 36, 8, false)!;
    expect(r.buf.length).toBe(20 + 24);
    expect([...r.buf.subarray(20)]).toEqual([...new Array(16).fill(1), ...new Array(8).fill(2)]);
  });
});

describe('a TCP header split across IP fragments', () => {
  // A SYN with the Windows options: a 32-byte TCP header.
  const syn4 = tcp('10.0.0.1', '10.0.0.2', { srcPort: 49802, dstPort: 15595, seq: 0x01020304, flags: TcpFlag.SYN, options: windowsSynOptions() });
  const syn6 = tcp('2001:db8::1', '2001:db8::2', { srcPort: 49802, dstPort: 15595, seq: 0x01020304, flags: TcpFlag.SYN, options: windowsSynOptions(1440) });

  /** Every analysis over the frames, in the given order; what they counted. */
  function analyse(frames: Uint8Array[], linkType: number): { syn: number; tcp: number; synFrames: number[]; anomalies: string[] } {
    const e = new CaptureAnalysis({ keepSyns: true });
    frames.forEach((f, i) => e.record(record(f, linkType, i + 1)));
    const s = e.counters.stats(0);
    return { syn: s.tcpSyn, tcp: s.tcp, synFrames: e.attempts.synEvents.map((x) => x.frame), anomalies: e.dissector.anomalies.summary().map((a) => a.name) };
  }

  it('IPv4: the SYN is counted once, on the frame that completes the datagram, whatever the first fragment held', () => {
    expect(syn4.length).toBe(32);
    // 8 bytes (ports and sequence number), 16 (no flags' worth of header), 24 (fixed header, options cut by the fragment).
    for (const size of [8, 16, 24]) {
      const frags = ipv4Fragments({ src: '10.0.0.1', dst: '10.0.0.2', proto: IpProto.TCP, id: 9 }, syn4, size);
      const r = analyse(frags, RAW);
      expect(r, `first fragment of ${size} bytes`).toEqual({ syn: 1, tcp: 1, synFrames: [frags.length], anomalies: ['ip_fragment'] });
      // In any order, the completing frame is the one analysed.
      const reversed = analyse([...frags].reverse(), RAW);
      expect(reversed.synFrames).toEqual([frags.length]);
      expect(reversed.syn).toBe(1);
    }
  });

  it('IPv4: a first fragment that holds the whole header is analysed on its own frame, and only there', () => {
    const frags = ipv4Fragments({ src: '10.0.0.1', dst: '10.0.0.2', proto: IpProto.TCP, id: 9 }, tcp('10.0.0.1', '10.0.0.2', { srcPort: 49802, dstPort: 15595, seq: 7, flags: TcpFlag.SYN }, new Uint8Array(40)), 24);
    expect(analyse(frags, RAW)).toMatchObject({ syn: 1, tcp: 1, synFrames: [1] });
  });

  it('IPv6: the SYN is counted on the frame that completes the datagram', () => {
    const frag = (offset: number, more: boolean, data: Uint8Array): Uint8Array =>
      ipv6({ src: '2001:db8::1', dst: '2001:db8::2', nextHeader: IpProto.TCP, ext: [{ type: 'fragment', offset, more, id: 0x51 }] }, data);
    const frames = [frag(0, true, syn6.subarray(0, 16)), frag(16, false, syn6.subarray(16))];
    expect(analyse(frames, 229)).toEqual({ syn: 1, tcp: 1, synFrames: [2], anomalies: ['ip_fragment'] });
  });
});
