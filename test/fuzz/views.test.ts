/**
 * Random bytes into every view and into the dissector. Besides "no throw", each run is made
 * twice over buffers that agree inside [off, end) and differ everywhere else: any difference in
 * status or in a value read afterwards means a view read outside the bytes it was given (in JS
 * that returns undefined, silently, instead of crashing).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EthernetView } from '../../src/wire/ethernet.js';
import { SllView } from '../../src/wire/sll.js';
import { Ipv4View } from '../../src/wire/ipv4.js';
import { Ipv6View } from '../../src/wire/ipv6.js';
import { TcpView, type TcpOptions } from '../../src/wire/tcp.js';
import { UdpView } from '../../src/wire/udp.js';
import { IcmpView } from '../../src/wire/icmp.js';
import { GreView } from '../../src/wire/gre.js';
import { ErspanView } from '../../src/wire/erspan.js';
import { VxlanView } from '../../src/wire/vxlan.js';
import { GeneveView } from '../../src/wire/geneve.js';
import { GtpuView } from '../../src/wire/gtpu.js';
import { MplsView } from '../../src/wire/mpls.js';
import { PppView, PppoeView } from '../../src/wire/ppp.js';
import { PbbView } from '../../src/wire/pbb.js';
import { FabricPathView } from '../../src/wire/fabricpath.js';
import { Status } from '../../src/wire/status.js';
import { parseDns } from '../../src/wire/dns.js';
import { parseKrb } from '../../src/wire/kerberos.js';
import { parseLdapMessages } from '../../src/wire/ldap.js';
import { tlsAlerts } from '../../src/wire/tls.js';
import { Dissector } from '../../src/dissect/dissector.js';
import { Encap } from '../../src/wire/constants.js';
import { L4, type PacketInfo } from '../../src/dissect/packet-info.js';
import { CaptureRecord } from '../../src/capture/reader.js';
import { Rng } from '../helpers/random.js';
import { concat, hex } from '../helpers/frame.js';
import * as apps from '../../samples/gen/apps.js';
import { REGRESSIONS, keepRegression } from './check.js';

type Probe = (b: Uint8Array, off: number, end: number) => unknown[];

const eth = new EthernetView();
const sll = new SllView();
const ip4 = new Ipv4View();
const ip6 = new Ipv6View();
const tcp = new TcpView();
const udp = new UdpView();
const icmp = new IcmpView();
const opts: TcpOptions = { mss: 0, windowScale: 0, sackPermitted: false };
const gre = new GreView();
const erspan = new ErspanView();
const vxlan = new VxlanView();
const geneve = new GeneveView();
const gtpu = new GtpuView();
const mpls = new MplsView();
const pppoe = new PppoeView();
const ppp = new PppView();
const pbb = new PbbView();
const fabricPath = new FabricPathView();

/** Each view: wrap, then every getter (only after Ok, per the view contract). */
const PROBES: Record<string, Probe> = {
  ethernet: (b, o, e) => { const s = eth.wrap(b, o, e); return s !== Status.Ok ? [s] : [s, eth.etherType, eth.payloadOff, eth.tags, eth.outerVlan, eth.innerVlan]; },
  sllV1: (b, o, e) => { const s = sll.wrapV1(b, o, e); return s !== Status.Ok ? [s] : [s, sll.etherType, sll.payloadOff]; },
  sllV2: (b, o, e) => { const s = sll.wrapV2(b, o, e); return s !== Status.Ok ? [s] : [s, sll.etherType, sll.payloadOff]; },
  ipv4: (b, o, e) => {
    const s = ip4.wrap(b, o, e);
    return s !== Status.Ok ? [s] : [s, ip4.hdrLen, ip4.end, ip4.cut, ip4.declaredEnd, ip4.protocol, ip4.ttl, ip4.id, ip4.fragOffset, ip4.moreFragments, ip4.payloadOff];
  },
  ipv6: (b, o, e) => {
    const s = ip6.wrap(b, o, e);
    return s !== Status.Ok ? [s] : [s, ip6.protocol, ip6.payloadOff, ip6.end, ip6.cut, ip6.declaredEnd, ip6.laterFragment, ip6.fragmented, ip6.hopLimit];
  },
  tcp: (b, o, e) => {
    const s = tcp.wrap(b, o, e);
    if (s !== Status.Ok) return [s];
    tcp.options(opts);
    return [s, tcp.srcPort, tcp.dstPort, tcp.seq, tcp.ack, tcp.flags, tcp.window, tcp.payloadOff, opts.mss, opts.windowScale, opts.sackPermitted];
  },
  // The segment declared longer than what was captured: options may be cut, never read past `end`.
  tcpCut: (b, o, e) => {
    const s = tcp.wrap(b, o, e, e + 40);
    if (s !== Status.Ok) return [s];
    tcp.options(opts);
    return [s, tcp.srcPort, tcp.dstPort, tcp.seq, tcp.ack, tcp.flags, tcp.window, tcp.payloadOff, tcp.optionsCut, opts.mss, opts.windowScale, opts.sackPermitted];
  },
  udp: (b, o, e) => { const s = udp.wrap(b, o, e); return s !== Status.Ok ? [s] : [s, udp.srcPort, udp.dstPort, udp.length, udp.payloadOff]; },
  icmp: (b, o, e) => { const s = icmp.wrap(b, o, e); return s !== Status.Ok ? [s] : [s, icmp.type, icmp.code, icmp.quoteOff]; },
  gre: (b, o, e) => { const s = gre.wrap(b, o, e); return s !== Status.Ok ? [s] : [s, gre.version, gre.protocol, gre.sequencePresent, gre.payloadOff, gre.payloadEnd]; },
  erspan: (b, o, e) => { const s = erspan.wrap(b, o, e); return s !== Status.Ok ? [s] : [s, erspan.version, erspan.frameType, erspan.vlan, erspan.sessionId, erspan.payloadOff]; },
  vxlan: (b, o, e) => { const s = vxlan.wrap(b, o, e, false); return s !== Status.Ok ? [s] : [s, vxlan.vni, vxlan.payloadType, vxlan.payloadOff]; },
  vxlanGpe: (b, o, e) => { const s = vxlan.wrap(b, o, e, true); return s !== Status.Ok ? [s] : [s, vxlan.vni, vxlan.payloadType, vxlan.payloadOff]; },
  geneve: (b, o, e) => { const s = geneve.wrap(b, o, e); return s !== Status.Ok ? [s] : [s, geneve.protocol, geneve.vni, geneve.payloadOff]; },
  gtpu: (b, o, e) => { const s = gtpu.wrap(b, o, e); return s !== Status.Ok ? [s] : [s, gtpu.messageType, gtpu.teid, gtpu.payloadOff, gtpu.payloadEnd]; },
  mpls: (b, o, e) => { const s = mpls.wrap(b, o, e); return s !== Status.Ok ? [s] : [s, mpls.labels, mpls.topLabel, mpls.payload, mpls.payloadOff]; },
  pppoe: (b, o, e) => { const s = pppoe.wrap(b, o, e); return s !== Status.Ok ? [s] : [s, pppoe.code, pppoe.sessionId, pppoe.payloadOff, pppoe.payloadEnd]; },
  ppp: (b, o, e) => { const s = ppp.wrap(b, o, e, true); return s !== Status.Ok ? [s] : [s, ppp.protocol, ppp.payloadOff]; },
  pbb: (b, o, e) => { const s = pbb.wrap(b, o, e); return s !== Status.Ok ? [s] : [s, pbb.isid, pbb.payloadOff]; },
  fabricPath: (b, o, e) => { const s = fabricPath.wrap(b, o, e); return s !== Status.Ok ? [s] : [s, fabricPath.ftag, fabricPath.ttl, fabricPath.payloadOff]; },
  // Payload decoders of the agent checks: whole results, compared as JSON; Ok when they decoded something.
  dns: (b, o, e) => decoded(parseDns(b, o, e)),
  kerberos: (b, o, e) => decoded(parseKrb(b, o, e)),
  ldap: (b, o, e) => decoded(parseLdapMessages(b, o, e)),
  tlsAlerts: (b, o, e) => decoded(tlsAlerts(b, o, e)),
};

function decoded(x: unknown): unknown[] {
  const some = x !== null && (!Array.isArray(x) || x.length > 0);
  return [some ? Status.Ok : Status.Malformed, JSON.stringify(x)];
}

/** Header prefixes that steer random bytes past the first checks of each view. */
const PREFIXES: Record<string, Uint8Array[]> = {
  ethernet: [hex``, hex`000000000000 000000000000 8100`, hex`000000000000 000000000000 88a8 0000 8100`, hex`000000000000 000000000000 0030 aaaa03 000000`],
  sllV1: [hex``], sllV2: [hex``],
  ipv4: [hex`45`, hex`46`, hex`4f`, hex`41`, hex``],
  ipv6: [hex`60`, hex`60000000 0000 00`, hex`60000000 0000 2c`, hex`60000000 0040 3c`, hex`60000000 0000 33`],
  tcp: [hex`0000 0000 00000000 00000000 f0`, hex`0000 0000 00000000 00000000 60`, hex``],
  tcpCut: [hex`0000 0000 00000000 00000000 f0`, hex`0000 0000 00000000 00000000 80 02 0000 0000 0000 0204`, hex``],
  udp: [hex``], icmp: [hex``],
  gre: [hex`00 00`, hex`b0 00`, hex`40 00`, hex`30 81`, hex`20 01`, hex``],
  erspan: [hex`10`, hex`20`, hex`2000 0000 0000 0000 0000`, hex``],
  vxlan: [hex`08`, hex``], vxlanGpe: [hex`0c 00 00 01`, hex`0c 00 00 07`, hex``],
  geneve: [hex`00`, hex`01`, hex`3f`, hex``],
  gtpu: [hex`30 ff`, hex`34 ff 00 20`, hex`32 ff 00 08`, hex`34 ff 00 10 0000 0000 0000 0085 01`, hex``],
  mpls: [hex`00 01 01 40`, hex`00 01 00 40 00 01 01 40 45`, hex``],
  pppoe: [hex`11 00`, hex``], ppp: [hex`ff 03 00 21`, hex`21`, hex`ff 03`, hex``],
  pbb: [hex``], fabricPath: [hex``],
  // Whole messages from the sample generator (random bytes follow them), and bare headers.
  dns: [
    apps.dnsMessage(7, '_ldap._tcp.dc._msdcs.corp.example', 33, null),
    apps.dnsReply(7, '_ldap._tcp.dc._msdcs.corp.example', 33, { answers: [{ type: 'SRV', priority: 0, weight: 100, port: 389, target: 'dc01.corp.example' }], additional: [{ name: 'dc01.corp.example', address: '10.1.1.10' }] }),
    apps.dnsReply(8, 'x.corp.example', 1, { rcode: 3 }), hex`0000 8180 0001 0002 0000 0001`, hex``,
  ],
  kerberos: [
    apps.krbAsReq({ realm: 'R', user: 'u' }, 5, true, 1), apps.krbTgsReq({ realm: 'R', user: 'u' }, ['MSOMHSvc', 'h'], 6, 2), apps.krbAsRep({ realm: 'R', user: 'u' }, 3),
    apps.krbError({ code: 37, realm: 'R', sname: ['krbtgt', 'R'], stime: '20240312092231Z', susec: 1, ctime: '20240312091500Z', cusec: 2 }), hex`7e 81`, hex``,
  ],
  ldap: [apps.cldapPing(3, 'corp.example', 'WS50'), apps.cldapPingResponse(3, { forest: 'f', domain: 'd', host: 'h', netbiosDomain: 'D', netbiosHost: 'H', site: 's' }), hex`30 0c 02 01 05 65 07 0a 01 00`, hex``],
  tlsAlerts: [apps.tlsAlert(2, 48), concat(apps.tlsClientHello(1), apps.tlsAlert(1, 0)), hex`15 03 03 00 02`, hex`15 03 01 00 1a`, hex``],
};

/** Two buffers equal inside [off, end), different everywhere else. */
function twins(rng: Rng, prefix: Uint8Array): { a: Uint8Array; b: Uint8Array; off: number; end: number } {
  const len = prefix.length + rng.int(120);
  const off = rng.int(8);
  const pad = rng.int(8);
  const a = new Uint8Array(off + len + pad);
  const body = rng.bytes(len);
  body.set(prefix.subarray(0, len));
  a.set(body, off);
  const b = a.slice();
  for (let i = 0; i < off; i++) { a[i] = 0x00; b[i] = 0xff; }
  for (let i = off + len; i < a.length; i++) { a[i] = 0x00; b[i] = 0xff; }
  // Sometimes `end` lies inside the buffer, with more (differing) bytes after it.
  return { a, b, off, end: off + len };
}

describe('views on random bytes', () => {
  for (const [name, probe] of Object.entries(PROBES)) {
    it(`${name}: never throws, never reads outside [off, end)`, () => {
      const rng = new Rng(0xbeef ^ name.length);
      const bad: string[] = [];
      let ok = 0;
      for (let i = 0; i < 4000; i++) {
        const { a, b, off, end } = twins(rng, rng.pick(PREFIXES[name]!));
        let ra: unknown[], rb: unknown[];
        try {
          ra = probe(a, off, end);
          rb = probe(b, off, end);
        } catch (e) {
          bad.push(`threw ${String(e)} on ${Buffer.from(a.subarray(off, end)).toString('hex')}`);
          continue;
        }
        if (JSON.stringify(ra) !== JSON.stringify(rb)) bad.push(`read outside [off, end): ${JSON.stringify(ra)} vs ${JSON.stringify(rb)} on ${Buffer.from(a.subarray(off, end)).toString('hex')}`);
        if (ra[0] === Status.Ok) ok++;
        if (bad.length >= 5) break;
      }
      expect(bad).toEqual([]);
      // The prefixes must get a fair share of inputs through wrap, or the getters go untested.
      expect(ok).toBeGreaterThan(200);
    });
  }
});

/** Everything the dissector tells its callers about a frame, as plain data. */
function facts(p: PacketInfo, base: number): unknown[] {
  const out: unknown[] = [p.vlanTags, p.ipVersion, p.l4, p.encapDepth, [...p.encaps.subarray(0, p.encapDepth)], p.outerIpVersion];
  if (p.outerIpVersion !== 0) out.push(p.outerSrcText(), p.outerDstText());
  if (p.vlanTags > 0) out.push(p.outerVlan, p.innerVlan);
  if (p.ipVersion !== 0) out.push(p.srcText(), p.dstText(), p.ipProto, p.ipCut);
  if (p.l4 === L4.TCP || p.l4 === L4.UDP) out.push(p.srcPort, p.dstPort, p.l4Off - base, p.payloadOff - base, p.payloadLen, p.payloadCaptured);
  if (p.l4 === L4.TCP) out.push(p.tcpFlags, p.seq, p.ack, p.window, p.tcpOptionsCut);
  if (p.l4 === L4.ICMP || p.l4 === L4.ICMPV6) {
    out.push(p.icmpType, p.icmpCode, p.quoted.ipVersion);
    if (p.quoted.ipVersion !== 0) out.push(p.quotedSrcText(), p.quotedDstText(), p.quoted.protocol, p.quoted.srcPort, p.quoted.dstPort, p.quoted.seq);
  }
  return out;
}

const LINK_HEADERS: [number, Uint8Array[]][] = [
  [1, [hex`000000000000 000000000000 0800`, hex`000000000000 000000000000 86dd`, hex`000000000000 000000000000 8100 0001 0800`]],
  [113, [hex`0000 0001 0006 0000000000000000 0800`, hex`0000 0001 0006 0000000000000000 86dd`]],
  [276, [hex`0800 0000 00000001 0001 00 06 0000000000000000`]],
  [0, [hex`02000000`, hex`00000002`, hex`1e000000`, hex`00000018`]],
  [108, [hex`00000002`, hex`0000001c`]],
  [101, [hex``]], [12, [hex``]], [14, [hex``]], [228, [hex``]], [229, [hex``]],
];
/** Tunnel headers after Ethernet (an EtherType) or inside IPv4, so random frames reach every encapsulation. */
const TUNNEL_FRAMES: [number, Uint8Array][] = [
  [1, hex`000000000000 000000000000 8847 00010140`],
  [1, hex`000000000000 000000000000 8848 00010040 00010140 00000000 000000000000 000000000000 0800`],
  [1, hex`000000000000 000000000000 8864 1100 0001 0040 0021`],
  [1, hex`000000000000 000000000000 88a8 0064 88e7 0001e240 000000000000 000000000000 0800`],
  [1, hex`000000000000 000000000000 8903 007f 000000000000 000000000000 0800`],
  [1, hex`000000000000 000000000000 0800 45000000 00000000 402f 0000 0a000001 0a000002 1000 88be 00000001 100a 0064 00000001 000000000000 000000000000 0800`],
  [1, hex`000000000000 000000000000 0800 45000000 00000000 402f 0000 0a000001 0a000002 1000 22eb 00000001 200a0064 00000000 00000001 1c000005 00000000 000000000000 000000000000 0800`],
  [1, hex`000000000000 000000000000 0800 45000000 00000000 402f 0000 0a000001 0a000002 3081 880b 0040 0001 00000001 00000000 ff03 0021`],
  [1, hex`000000000000 000000000000 0800 45000000 00000000 4004 0000 0a000001 0a000002`],
  [1, hex`000000000000 000000000000 0800 45000000 00000000 4029 0000 0a000001 0a000002`],
  [1, hex`000000000000 000000000000 0800 45000000 00000000 4011 0000 0a000001 0a000002 c000 12b5 0000 0000 08000000 00138800 000000000000 000000000000 0800`],
  [1, hex`000000000000 000000000000 0800 45000000 00000000 4011 0000 0a000001 0a000002 c000 17c1 0000 0000 02006558 00002a00 01028001 00000007 000000000000 000000000000 0800`],
  [1, hex`000000000000 000000000000 0800 45000000 00000000 4011 0000 0a000001 0a000002 0868 0868 0000 0000 34ff0040 00000001 00000085 01000100`],
  [1, hex`000000000000 000000000000 0800 45000000 00000000 4011 0000 0a000001 0a000002 c000 12b6 0000 0000 0c000001 00002a00`],
];

const IP_HEADERS: Uint8Array[] = [
  hex`45000000 00000000 4006 0000 0a000001 0a000002`,
  hex`45000000 00000000 4011 0000 0a000001 0a000002`,
  hex`45000000 00000000 4001 0000 0a000001 0a000002 0303 0000 00000000 45000000 00000000 4006 0000 0a000001 0a000002`,
  hex`46000000 00000000 4006 0000 0a000001 0a000002 00000000`,
  hex`60000000 0000 0640 ${'00'.repeat(32)}`,
  hex`60000000 0000 0040 ${'00'.repeat(32)} 0600 0000 00000000`,
  hex`60000000 0000 3a40 ${'00'.repeat(32)} 0104 0000 00000000 60000000 0014 0640 ${'00'.repeat(32)}`,
  hex`60000000 0000 2c40 ${'00'.repeat(32)} 0600 0001 00000000`,
];

const d1 = new Dissector();
const d2 = new Dissector();
const r1 = new CaptureRecord();
const r2 = new CaptureRecord();

/**
 * Dissects `frame` (cut to `capLen`) twice, inside buffers that differ outside the frame.
 * Returns what went wrong, or null.
 */
function checkFrame(lt: number, frame: Uint8Array, capLen: number, off: number): string | null {
  const a = new Uint8Array(off + capLen + 16).fill(0x00);
  const b = new Uint8Array(off + capLen + 16).fill(0xff);
  a.set(frame.subarray(0, capLen), off);
  b.set(frame.subarray(0, capLen), off);
  for (const [r, buf] of [[r1, a], [r2, b]] as const) {
    r.frame++; r.linkType = lt; r.buf = buf; r.off = off; r.capLen = capLen; r.origLen = frame.length;
  }
  const before = d1.anomalies.count('internal_decoder_error') + d2.anomalies.count('internal_decoder_error');
  const fa = facts(d1.dissect(r1), off);
  const fb = facts(d2.dissect(r2), off);
  if (d1.anomalies.count('internal_decoder_error') + d2.anomalies.count('internal_decoder_error') !== before) return 'internal_decoder_error';
  if (JSON.stringify(fa) !== JSON.stringify(fb)) return `read outside the frame: ${JSON.stringify(fa)} vs ${JSON.stringify(fb)}`;
  return null;
}

describe('dissector on random frames', () => {
  it('random link types and bytes: no internal_decoder_error, nothing read outside the frame', () => {
    const rng = new Rng(0xd15ec7);
    const bad: string[] = [];
    const reached = new Set<number>();
    const tunnelled = new Set<number>();
    for (let i = 0; i < 20000 && bad.length < 5; i++) {
      const tunnel = rng.int(4) === 0 ? rng.pick(TUNNEL_FRAMES) : null;
      const [lt, heads] = tunnel !== null ? [tunnel[0], [tunnel[1]]] : rng.int(20) === 0 ? [rng.int(300), [hex``]] : rng.pick(LINK_HEADERS);
      const link = rng.pick(heads);
      const ip = lt === 0 || lt === 108 || lt >= 101 || rng.int(4) !== 0 ? rng.pick(IP_HEADERS) : hex``;
      const tail = rng.bytes(rng.int(80));
      const frame = new Uint8Array(link.length + ip.length + tail.length);
      frame.set(link);
      frame.set(ip, link.length);
      frame.set(tail, link.length + ip.length);
      // Corrupt a few bytes, and sometimes cut the frame (a snaplen).
      for (let k = rng.int(4); k > 0; k--) frame[rng.int(frame.length)] = rng.u32() & 0xff;
      const capLen = rng.int(3) === 0 ? rng.int(frame.length + 1) : frame.length;
      const why = checkFrame(lt, frame, capLen, 1 + rng.int(16));
      reached.add(d1.info.l4);
      for (let k = 0; k < d1.info.encapDepth; k++) tunnelled.add(d1.info.encaps[k]!);
      if (why !== null) {
        const saved = keepRegression({ name: 'views-dissector', bytes: frame }, i, Uint8Array.of(lt >> 8, lt & 0xff, ...frame.subarray(0, capLen)));
        bad.push(`link ${lt}: ${why} -> ${saved}`);
      }
    }
    expect(bad).toEqual([]);
    // The generator must reach every transport, or the deeper layers go unfuzzed; and inside
    // every kind of encapsulation the frames can hold.
    expect([...reached].sort()).toEqual([L4.NONE, L4.TCP, L4.UDP, L4.ICMP, L4.ICMPV6, L4.OTHER].sort());
    expect([...tunnelled].sort((a, b) => a - b)).toEqual([Encap.GRE, Encap.ERSPAN_II, Encap.ERSPAN_III, Encap.VXLAN, Encap.VXLAN_GPE, Encap.GENEVE, Encap.IP_IN_IP, Encap.GTP_U, Encap.MPLS, Encap.PPPOE, Encap.PBB, Encap.FABRICPATH]);
  });

  const saved = existsSync(REGRESSIONS) ? readdirSync(REGRESSIONS).filter((f) => f.startsWith('views-') && f.endsWith('.bin')).sort() : [];
  for (const f of saved) {
    it(`regression ${f}`, () => {
      const bytes = new Uint8Array(readFileSync(join(REGRESSIONS, f)));
      const lt = (bytes[0]! << 8) | bytes[1]!;
      const frame = bytes.subarray(2);
      for (const off of [0, 1, 7]) expect(checkFrame(lt, frame, frame.length, off)).toBeNull();
    });
  }
});
