/**
 * The sample frame builders: checksums verify, length fields agree with the bytes, byte
 * layouts match the specs, and (when tshark is installed) tshark reads the same ports, flags
 * and EPM towers out of a file built from them.
 */
import { EXTERNAL_CALL_MS, EXTERNAL_TEST_MS } from '../../helpers/external.js';
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { writePcap, type WriterFrame } from '../../../src/capture/writer.js';
import {
  AF,
  Clock,
  DRSUAPI_V4,
  EPT_S_NOT_REGISTERED,
  EPM_V3,
  EtherType,
  IpProto,
  NDR_V2,
  TcpConversation,
  TcpFlag,
  dcerpcBind,
  dcerpcBindAck,
  dcerpcFault,
  dcerpcRequest,
  dcerpcResponse,
  epmMap,
  eptMapRequestStub,
  eptMapResponseStub,
  ethernet,
  ethernetLink,
  icmpv4Echo,
  icmpv4Unreachable,
  icmpv6Echo,
  icmpv6Unreachable,
  internetChecksum,
  ipv4,
  ipv4Addr,
  ipv4Fragments,
  ipv6,
  ipv6Addr,
  loopHeader,
  nullHeader,
  pseudoHeader,
  seededRandom,
  sll,
  sll2,
  tcp,
  towerBytes,
  udp,
  uuidBytes,
  windowsSynOptions,
} from '../../../samples/gen/frames.js';
import { useTempFiles } from '../../helpers/capture.js';
import { HAVE_TSHARK, TSHARK_SKIP_REASON } from '../../helpers/tshark.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const u16 = (b: Uint8Array, o: number): number => (b[o]! << 8) | b[o + 1]!;
const u16le = (b: Uint8Array, o: number): number => b[o]! | (b[o + 1]! << 8);
const u32le = (b: Uint8Array, o: number): number => (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;
const u32be = (b: Uint8Array, o: number): number => ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;

describe('addresses and checksums', () => {
  it('computes the RFC 1071 example checksum, across odd-length parts too', () => {
    const b = Uint8Array.of(0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7);
    expect(internetChecksum(b)).toBe(0x220d);
    expect(internetChecksum(b.subarray(0, 3), b.subarray(3))).toBe(0x220d);
  });

  it('parses IPv4 and IPv6 text', () => {
    expect(hex(ipv4Addr('10.1.1.50'))).toBe('0a010132');
    expect(hex(ipv6Addr('fd00:10:1:1::50'))).toBe('fd000010000100010000000000000050');
    expect(hex(ipv6Addr('::'))).toBe('0'.repeat(32));
    expect(hex(ipv6Addr('::1'))).toBe('0'.repeat(31) + '1');
    expect(hex(ipv6Addr('::ffff:10.1.1.10'))).toBe('00000000000000000000ffff0a01010a');
    expect(hex(ipv6Addr('1:2:3:4:5:6:7:8'))).toBe('00010002000300040005000600070008');
    expect(() => ipv6Addr('1::2::3')).toThrow(RangeError);
    expect(() => ipv6Addr('1:2:3')).toThrow(RangeError);
    expect(() => ipv4Addr('10.1.1.256')).toThrow(RangeError);
  });
});

describe('IP and transport', () => {
  it('IPv4: header checksum verifies, total length and options agree', () => {
    const p = ipv4({ src: '10.1.1.50', dst: '10.1.1.10', proto: 6, id: 0x1234, df: true, options: Uint8Array.of(0x94, 0x04, 0, 0, 1) }, new Uint8Array(10));
    const ihl = (p[0]! & 0x0f) * 4;
    expect(ihl).toBe(28); // 20 + 5 option bytes padded to 8
    expect(u16(p, 2)).toBe(p.length);
    expect(u16(p, 6)).toBe(0x4000);
    expect(internetChecksum(p.subarray(0, ihl))).toBe(0);
  });

  it('IPv4 fragments: 8-byte offsets, MF on all but the last, payload reassembles', () => {
    const payload = Uint8Array.from({ length: 150 }, (_, i) => i);
    const frags = ipv4Fragments({ src: '10.0.0.1', dst: '10.0.0.2', proto: 6, id: 7, df: true }, payload, 64);
    expect(frags.map((f) => u16(f, 6))).toEqual([0x2000 | 0, 0x2000 | 8, 16]);
    const joined = frags.map((f) => f.subarray(20));
    expect(hex(Buffer.concat(joined))).toBe(hex(payload));
    for (const f of frags) expect(internetChecksum(f.subarray(0, 20))).toBe(0);
  });

  it('IPv6: payload length and the extension header chain', () => {
    const t = new Uint8Array(20);
    const p = ipv6(
      {
        src: 'fd00::1',
        dst: 'fd00::2',
        nextHeader: IpProto.TCP,
        ext: [
          { type: 'hop-by-hop', options: Uint8Array.of(5, 2, 0, 0) },
          { type: 'routing', addresses: ['fd00::2'], segmentsLeft: 0 },
          { type: 'destination' },
          { type: 'fragment', offset: 0, more: false, id: 9 },
        ],
      },
      t,
    );
    expect(p[0]! >> 4).toBe(6);
    expect(u16(p, 4)).toBe(p.length - 40);
    // Walk the chain: each header names the next and has a length in 8-byte units.
    const seen: number[] = [p[6]!];
    let at = 40;
    let next = p[6]!;
    while (next !== IpProto.TCP) {
      const len = next === IpProto.FRAGMENT ? 8 : (p[at + 1]! + 1) * 8;
      expect(len % 8).toBe(0);
      next = p[at]!;
      seen.push(next);
      at += len;
    }
    expect(seen).toEqual([IpProto.HOPOPTS, IpProto.ROUTING, IpProto.DSTOPTS, IpProto.FRAGMENT, IpProto.TCP]);
    expect(p.length - at).toBe(20);
  });

  it('TCP: checksum verifies over the pseudo-header (v4 and v6), options and data offset agree', () => {
    for (const [s, d] of [['10.1.1.50', '10.1.1.10'], ['fd00::50', 'fd00::10']] as const) {
      const seg = tcp(s, d, { srcPort: 49802, dstPort: 15595, seq: 0xfffffff0, ack: 5, flags: TcpFlag.SYN | TcpFlag.ECE | TcpFlag.CWR, options: windowsSynOptions() }, Uint8Array.of(1, 2, 3));
      expect(internetChecksum(pseudoHeader(ipv4OrV6(s), ipv4OrV6(d), 6, seg.length), seg)).toBe(0);
      expect(seg[12]! >> 4).toBe(8); // 20 + 12 option bytes
      expect(seg[13]).toBe(0xc2);
      expect(hex(seg.subarray(20, 32))).toBe('020405b4010303080101' + '0402');
      expect(u16(seg, 2)).toBe(15595);
    }
  });

  it('UDP: length and checksum', () => {
    const d = udp('10.1.1.50', '10.1.1.2', { srcPort: 5000, dstPort: 53 }, new Uint8Array(13).fill(0x41));
    expect(u16(d, 4)).toBe(21);
    expect(internetChecksum(pseudoHeader(ipv4Addr('10.1.1.50'), ipv4Addr('10.1.1.2'), 17, d.length), d)).toBe(0);
  });

  it('ICMPv4 unreachable quotes the IP header (with options) and 8 transport bytes', () => {
    const seg = tcp('10.1.1.50', '10.1.1.10', { srcPort: 1, dstPort: 2, seq: 3, flags: TcpFlag.SYN, options: windowsSynOptions() });
    const orig = ipv4({ src: '10.1.1.50', dst: '10.1.1.10', proto: 6, options: Uint8Array.of(1, 1, 1, 1) }, seg);
    const m = icmpv4Unreachable(13, orig);
    expect([m[0], m[1]]).toEqual([3, 13]);
    expect(m.length).toBe(8 + 24 + 8);
    expect(hex(m.subarray(8))).toBe(hex(orig.subarray(0, 32)));
    expect(internetChecksum(m)).toBe(0);
    expect(internetChecksum(icmpv4Echo({ reply: true, id: 1, seq: 2 }, Uint8Array.of(1, 2, 3)))).toBe(0);
  });

  it('ICMPv6 unreachable and echo: checksum over the pseudo-header, quote capped at 1232 bytes', () => {
    const big = new Uint8Array(2000);
    const m = icmpv6Unreachable('fd00::1', 'fd00::50', 1, big);
    expect([m[0], m[1]]).toEqual([1, 1]);
    expect(m.length).toBe(1280 - 40);
    expect(internetChecksum(pseudoHeader(ipv6Addr('fd00::1'), ipv6Addr('fd00::50'), 58, m.length), m)).toBe(0);
    const e = icmpv6Echo('fd00::50', 'fd00::1', { reply: false, id: 1, seq: 1 }, Uint8Array.of(9));
    expect(e[0]).toBe(128);
    expect(internetChecksum(pseudoHeader(ipv6Addr('fd00::50'), ipv6Addr('fd00::1'), 58, e.length), e)).toBe(0);
  });
});

function ipv4OrV6(s: string): Uint8Array {
  return s.includes(':') ? ipv6Addr(s) : ipv4Addr(s);
}

describe('link headers', () => {
  const ip = Uint8Array.of(0x45);

  it('Ethernet II with 802.1Q and with stacked 802.1ad + 802.1Q tags; padding to 60', () => {
    expect(hex(ethernet({ dst: '00:00:00:00:00:02', src: '00:00:00:00:00:01', etherType: EtherType.IPV4, tags: [{ vid: 10, pcp: 5 }] }, ip))).toBe(
      '000000000002' + '000000000001' + '8100' + 'a00a' + '0800' + '45',
    );
    expect(hex(ethernet({ dst: '00:00:00:00:00:02', src: '00:00:00:00:00:01', etherType: EtherType.IPV6, tags: [{ tpid: 0x88a8, vid: 200, dei: true }, { vid: 10 }] }, ip))).toBe(
      '000000000002' + '000000000001' + '88a8' + '10c8' + '8100' + '000a' + '86dd' + '45',
    );
    expect(ethernet({ dst: '00:00:00:00:00:02', src: '00:00:00:00:00:01', etherType: 0x0800, pad: true }, ip)).toHaveLength(60);
  });

  it('Linux SLL (16 bytes) and SLL2 (20 bytes)', () => {
    expect(hex(sll({ protocol: 0x0800, packetType: 4, addr: '00:15:5d:01:01:32' }, ip))).toBe('0004' + '0001' + '0006' + '00155d0101320000' + '0800' + '45');
    expect(hex(sll2({ protocol: 0x86dd, packetType: 0, addr: '00:15:5d:01:01:0a', ifIndex: 3 }, ip))).toBe('86dd' + '0000' + '00000003' + '0001' + '00' + '06' + '00155d01010a0000' + '45');
  });

  it('NULL keeps host byte order, LOOP network order', () => {
    expect(hex(nullHeader(AF.INET, ip))).toBe('02000000' + '45');
    expect(hex(nullHeader(AF.INET6_DARWIN, ip, true))).toBe('0000001e' + '45');
    expect(hex(loopHeader(AF.INET6_BSD, ip))).toBe('00000018' + '45');
    expect([AF.INET6_BSD, AF.INET6_FREEBSD, AF.INET6_DARWIN]).toEqual([24, 28, 30]);
  });
});

describe('DCE/RPC PDUs', () => {
  it('encodes UUIDs in NDR order for either drep', () => {
    expect(hex(uuidBytes(EPM_V3.uuid))).toBe('0883afe11f5dc91191a408002b14a0fa');
    expect(hex(uuidBytes(EPM_V3.uuid, false))).toBe('e1af83085d1f11c991a408002b14a0fa');
  });

  it('bind: header, frag_length, context list, if_version major in the low half', () => {
    const p = dcerpcBind({ callId: 7, contexts: [{ id: 0, abstract: DRSUAPI_V4, transfer: [NDR_V2] }] });
    expect(hex(p.subarray(0, 8))).toBe('05000b0310000000');
    expect(u16le(p, 8)).toBe(p.length);
    expect(u32le(p, 12)).toBe(7);
    expect(p.length).toBe(16 + 8 + 4 + 4 + 20 + 20);
    expect(hex(p.subarray(32 + 16, 32 + 20))).toBe('04000000');
    const be = dcerpcBind({ callId: 7, bigEndian: true, contexts: [{ id: 0, abstract: DRSUAPI_V4, transfer: [NDR_V2] }] });
    expect(be[4]).toBe(0x00);
    expect(u16(be, 8)).toBe(be.length);
    expect(hex(be.subarray(32 + 16, 32 + 20))).toBe('00000004');
  });

  it('bind_ack: secondary address with NUL, result list 4-aligned from the PDU start', () => {
    for (const port of ['135', '49667']) {
      const p = dcerpcBindAck({ callId: 1, secondaryAddress: port, results: [{ result: 0, transfer: NDR_V2 }] });
      expect(p[2]).toBe(12);
      expect(u16le(p, 8)).toBe(p.length);
      expect(u16le(p, 24)).toBe(port.length + 1);
      expect(Buffer.from(p.subarray(26, 26 + port.length)).toString('latin1')).toBe(port);
      const results = (26 + port.length + 1 + 3) & ~3;
      expect(p[results]).toBe(1);
      expect(p.length).toBe(results + 4 + 24);
    }
  });

  it('request with object UUID, response, fault', () => {
    const rq = dcerpcRequest({ callId: 3, contextId: 1, opnum: 3, stub: Uint8Array.of(1, 2, 3, 4), object: EPM_V3.uuid });
    expect(rq[3]).toBe(0x83);
    expect(u16le(rq, 22)).toBe(3);
    expect(rq.length).toBe(24 + 16 + 4);
    const rs = dcerpcResponse({ callId: 3, stub: new Uint8Array(8) });
    expect([rs[2], u16le(rs, 8), u32le(rs, 16)]).toEqual([2, 32, 8]);
    const f = dcerpcFault({ callId: 3, status: 0x1c010003 });
    expect([f[2], f[3], u16le(f, 8), u32le(f, 24)]).toEqual([3, 0x23, 32, 0x1c010003]);
  });
});

describe('ept_map NDR', () => {
  it('tower: five floors, little-endian counts, big-endian port and address', () => {
    const t = towerBytes({ iface: DRSUAPI_V4, port: 15595, ip: '10.1.1.10' });
    expect(t.length).toBe(75);
    expect(u16le(t, 0)).toBe(5);
    expect(hex(t.subarray(2, 27))).toBe('1300' + '0d' + hex(uuidBytes(DRSUAPI_V4.uuid)) + '0400' + '0200' + '0000');
    expect(hex(t.subarray(t.length - 23))).toBe('0100' + '0b' + '0200' + '0000' + '0100' + '07' + '0200' + '3ceb' + '0100' + '09' + '0400' + '0a01010a');
  });

  it('request stub: object pointer, tower pointer with conformance then length, handle, max_towers', () => {
    const s = eptMapRequestStub({ iface: DRSUAPI_V4 });
    expect(u32le(s, 0)).not.toBe(0);
    expect(u32le(s, 20)).not.toBe(0);
    expect([u32le(s, 24), u32le(s, 28)]).toEqual([75, 75]);
    expect(s.length).toBe(32 + 76 + 20 + 4);
    expect(hex(s.subarray(108, 128))).toBe('00'.repeat(20));
    expect(u32le(s, 128)).toBe(4);
  });

  it('response stub: handle, num_towers, conformant varying array of pointers, deferred towers, status', () => {
    const towers = [
      { iface: DRSUAPI_V4, port: 15595, ip: '10.1.1.10' },
      { iface: DRSUAPI_V4, port: 49667, ip: '192.168.50.10' },
    ];
    for (const bigEndian of [false, true]) {
      const s = eptMapResponseStub({ towers, maxTowers: 4, bigEndian });
      const r32 = bigEndian ? u32be : u32le;
      expect(r32(s, 20)).toBe(2); // num_towers
      expect([r32(s, 24), r32(s, 28), r32(s, 32)]).toEqual([4, 0, 2]); // max, offset, actual
      expect(r32(s, 36)).not.toBe(0);
      expect(r32(s, 40)).not.toBe(0);
      let at = 44;
      const ports: number[] = [];
      for (let i = 0; i < 2; i++) {
        expect([r32(s, at), r32(s, at + 4)]).toEqual([75, 75]);
        const t = s.subarray(at + 8, at + 8 + 75);
        ports.push(u16(t, 75 - 4 - 2 - 1 - 2 - 2));
        at = (at + 8 + 75 + 3) & ~3;
      }
      expect(ports).toEqual([15595, 49667]);
      expect(r32(s, at)).toBe(0);
      expect(s.length).toBe(at + 4);
    }
    const nr = eptMapResponseStub({ towers: [], status: EPT_S_NOT_REGISTERED });
    expect(nr.length).toBe(20 + 4 + 12 + 4);
    expect(u32le(nr, 36)).toBe(EPT_S_NOT_REGISTERED);
  });
});

describe('conversation helper', () => {
  it('keeps seq/ack consistent through handshake, data and FIN; SYN retransmissions reuse the ISN', () => {
    const out: WriterFrame[] = [];
    const clock = new Clock(1710234900);
    const c = new TcpConversation({ clock, out, link: ethernetLink({ clientMac: '00:00:00:00:00:01', serverMac: '00:00:00:00:00:02' }), client: '10.0.0.1', server: '10.0.0.2', clientPort: 50000, serverPort: 135, clientIsn: 1000, serverIsn: 0xfffffff0 });
    c.connect().send('client', new Uint8Array(10)).send('server', new Uint8Array(30)).close('client');
    const seg = out.map((f) => {
      const t = f.data.subarray(14 + 20);
      return [t[13]!, u32be(t, 4), u32be(t, 8)];
    });
    expect(seg).toEqual([
      [0x02, 1000, 0],
      [0x12, 0xfffffff0, 1001],
      [0x10, 1001, 0xfffffff1],
      [0x18, 1001, 0xfffffff1],
      [0x18, 0xfffffff1, 1011],
      [0x11, 1011, 0x0000000f], // server ISN + 1 + 30 wraps
      [0x11, 0x0000000f, 1012],
      [0x10, 1012, 0x00000010],
    ]);
    expect(out.map((f) => f.tsNsec)).toEqual([0, 150, 300, 450, 600, 750, 900, 1050].map((us) => us * 1000));
    const d = new TcpConversation({ clock, out: [], link: (ip) => ip, client: '10.0.0.1', server: '10.0.0.2', clientPort: 1, serverPort: 2, clientIsn: 77, serverIsn: 0 });
    d.syn().syn();
    expect(d.seqOf('client')).toBe(77);
  });

  it('seeded PRNG repeats', () => {
    const a = seededRandom(5);
    const b = seededRandom(5);
    const xs = [a(), a(), a()];
    expect([b(), b(), b()]).toEqual(xs);
    expect(new Set(xs).size).toBe(3);
  });
});

describe(`tshark cross-check${TSHARK_SKIP_REASON}`, () => {
  const tmp = useTempFiles();
  const tshark = (path: string, args: string[]): string[] =>
    execFileSync('tshark', ['-n', '-r', path, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: EXTERNAL_CALL_MS })
      .split('\n')
      .filter((l) => l !== '');

  /** EPM exchange with two towers, an ICMP-refused SYN to the first port, an ECN handshake over IPv6 and an ICMPv6 error quoting its last ACK. */
  function build(bigEndian: boolean): Uint8Array {
    const out: WriterFrame[] = [];
    const clock = new Clock(1710234900);
    const link = ethernetLink({ clientMac: '00:15:5d:01:01:32', serverMac: '00:15:5d:01:01:0a' });
    const c = new TcpConversation({ clock, out, link, client: '10.1.1.50', server: '10.1.1.10', clientPort: 49801, serverPort: 135, clientIsn: 1, serverIsn: 2 });
    c.connect();
    epmMap(c, clock, {
      iface: DRSUAPI_V4,
      towers: [
        { iface: DRSUAPI_V4, port: 15595, ip: '10.1.1.10' },
        { iface: DRSUAPI_V4, port: 61234, ip: '10.9.9.9' },
      ],
      ...(bigEndian ? { bigEndian: true } : {}),
    });
    const d = new TcpConversation({ clock, out, link, client: '10.1.1.50', server: '10.1.1.10', clientPort: 49802, serverPort: 15595, clientIsn: 3, serverIsn: 4 });
    d.syn();
    out.push({ ...clock.stamp(), data: link(ipv4({ src: '10.1.1.1', dst: '10.1.1.50', proto: IpProto.ICMP }, icmpv4Unreachable(13, d.lastIp)), 4, false) });
    const v6 = new TcpConversation({ clock, out, link, client: 'fd00::50', server: 'fd00::10', clientPort: 49803, serverPort: 49667, clientIsn: 5, serverIsn: 6 });
    v6.syn(TcpFlag.ECE | TcpFlag.CWR).synAck(TcpFlag.ECE).ack('client');
    out.push({ ...clock.stamp(), data: link(ipv6({ src: 'fd00::1', dst: 'fd00::50', nextHeader: IpProto.ICMPV6 }, icmpv6Unreachable('fd00::1', 'fd00::50', 1, v6.lastIp)), 6, false) });
    return writePcap(out, { linkType: 1 });
  }

  for (const bigEndian of [false, true]) {
    it.skipIf(!HAVE_TSHARK)(`reads the EPM ports, return code and floors (${bigEndian ? 'big' : 'little'}-endian NDR)`, { timeout: EXTERNAL_TEST_MS }, () => {
      const path = tmp(build(bigEndian), 'epm.pcap');
      const rows = tshark(path, ['-Y', 'epm', '-T', 'fields', '-e', 'frame.number', '-e', 'epm.proto.tcp_port', '-e', 'epm.proto.ip', '-e', 'epm.rc', '-e', 'epm.num_towers']);
      expect(rows).toEqual(['6\t135\t0.0.0.0\t\t', '7\t15595,61234\t10.1.1.10,10.9.9.9\t0x00000000\t2']);
      expect(tshark(path, ['-Y', '_ws.malformed || dcerpc.cn_status'])).toEqual([]);
    });
  }

  it.skipIf(!HAVE_TSHARK)('agrees on flags, ports and checksums', { timeout: EXTERNAL_TEST_MS }, () => {
    const path = tmp(build(false), 'flags.pcap');
    const rows = tshark(path, [
      '-o', 'ip.check_checksum:TRUE', '-o', 'tcp.check_checksum:TRUE',
      '-Y', '!icmp && !icmpv6 && tcp.flags.syn == 1',
      '-T', 'fields', '-e', 'tcp.srcport', '-e', 'tcp.dstport', '-e', 'tcp.flags', '-e', 'tcp.checksum.status', '-e', 'ip.checksum.status',
    ]);
    expect(rows).toEqual([
      '49801\t135\t0x0002\t1\t1',
      '135\t49801\t0x0012\t1\t1',
      '49802\t15595\t0x0002\t1\t1',
      '49803\t49667\t0x00c2\t1\t',
      '49667\t49803\t0x0052\t1\t',
    ]);
    const icmp = tshark(path, ['-Y', 'icmp || icmpv6', '-T', 'fields', '-e', 'icmp.type', '-e', 'icmp.code', '-e', 'icmpv6.type', '-e', 'icmpv6.code', '-e', 'icmp.checksum.status', '-e', 'icmpv6.checksum.status', '-e', 'tcp.dstport']);
    expect(icmp).toEqual(['3\t13\t\t\t1\t\t15595', '\t\t1\t1\t\t1\t49667']);
    expect(tshark(path, ['-Y', '_ws.malformed || _ws.expert.severity >= error'])).toEqual([]);
  });
});
