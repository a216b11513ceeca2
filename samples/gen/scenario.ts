/**
 * Building blocks shared by the sample scenarios: the fixed addresses and clock start, the
 * endpoint-mapper exchange, the dynamic-port attempt, a DNS lookup, and the pcap shorthand.
 * Nothing here reads a clock or a random source: ISNs come from PRNGs seeded per sample.
 */
import { writePcap, type WriterFrame } from '../../src/capture/writer.js';
import {
  ByteWriter,
  Clock,
  DRSUAPI_V4,
  EtherType,
  IpProto,
  NDR_V2,
  TcpConversation,
  arp,
  dcerpcBind,
  dcerpcBindAck,
  dcerpcRequest,
  dcerpcResponse,
  epmMap,
  ethernet,
  ethernetLink,
  ipv4,
  seededRandom,
  udp,
  uuidBytes,
  type LinkFramer,
  type TcpIpTower,
} from './frames.js';

/** 2024-03-12T09:15:00Z: every sample starts here (plus its own offsets). */
export const T0 = 1710234900;

export const CLIENT_MAC = '00:15:5d:01:01:32';
export const SERVER_MAC = '00:15:5d:01:01:0a';
export const GATEWAY_MAC = '00:15:5d:01:01:01';
export const DNS_MAC = '00:15:5d:01:01:02';

export const CLIENT4 = '10.1.1.50';
export const SERVER4 = '10.1.1.10';
export const CLIENT6 = 'fd00:10:1:1::50';
export const SERVER6 = 'fd00:10:1:1::10';

/** Dynamic port the EPM advertises in the failure samples, and in the healthy ones. */
export const BLOCKED_PORT = 15595;
export const HEALTHY_PORT = 49667;

export const ETH = ethernetLink({ clientMac: CLIENT_MAC, serverMac: SERVER_MAC });

export interface ScenarioOptions {
  link: LinkFramer;
  client?: string;
  server?: string;
  /** IPv4 address the tower carries; default the server address (0.0.0.0 for IPv6). */
  towerIp?: string;
  seed?: number;
  /** pcapng interfaces for the EPM conversation and for the dynamic-port attempt. */
  epmInterface?: number;
  dynInterface?: number;
  dynLink?: LinkFramer;
  clock?: Clock;
  bigEndianNdr?: boolean;
  /** Client ports of the EPM and the dynamic-port connections; default 49801 and 49802. */
  clientPorts?: [number, number];
}

export function isn(rnd: () => number): number {
  return Math.floor(rnd() * 0x100000000) >>> 0;
}

export function withIface<T extends object>(o: T, id: number | undefined): T & { interfaceId?: number } {
  return id === undefined ? o : { ...o, interfaceId: id };
}

/** Connects to 135, binds to the EPM, asks ept_map for DRSUAPI, closes. Returns the clock. */
export function epmPart(out: WriterFrame[], o: ScenarioOptions, towers: readonly TcpIpTower[], status = 0): Clock {
  const rnd = seededRandom(o.seed ?? 1);
  const clock = o.clock ?? new Clock(T0);
  const client = o.client ?? CLIENT4;
  const server = o.server ?? SERVER4;
  const epm = new TcpConversation(withIface({ clock, out, link: o.link, client, server, clientPort: o.clientPorts?.[0] ?? 49801, serverPort: 135, clientIsn: isn(rnd), serverIsn: isn(rnd) }, o.epmInterface));
  epm.connect();
  epmMap(epm, clock, { iface: DRSUAPI_V4, towers, status, ...(o.bigEndianNdr === true ? { bigEndian: true } : {}) });
  epm.close('client');
  return clock;
}

export function defaultTowerIp(o: ScenarioOptions): string {
  if (o.towerIp !== undefined) return o.towerIp;
  const server = o.server ?? SERVER4;
  // The tower's IP floor holds an IPv4 address only; over IPv6 the address is left as 0.0.0.0.
  return server.includes(':') ? '0.0.0.0' : server;
}

export function dynConversation(out: WriterFrame[], o: ScenarioOptions, clock: Clock, port: number, seedOffset: number): TcpConversation {
  const rnd = seededRandom((o.seed ?? 1) + seedOffset);
  return new TcpConversation(
    withIface(
      {
        clock,
        out,
        link: o.dynLink ?? o.link,
        client: o.client ?? CLIENT4,
        server: o.server ?? SERVER4,
        clientPort: o.clientPorts?.[1] ?? 49802,
        serverPort: port,
        clientIsn: isn(rnd),
        serverIsn: isn(rnd),
      },
      o.dynInterface,
    ),
  );
}

/** SYN at t, t+3 s and t+9 s with the same ISN (Windows: InitialRto 3 s, two retransmissions). */
export function unansweredSyns(c: TcpConversation, clock: Clock): void {
  const first = clock.clone();
  c.syn();
  clock.setAfter(first, 3000);
  c.syn();
  clock.setAfter(first, 9000);
  c.syn();
}

/**
 * The classic failure: EPM on 135 works and advertises `BLOCKED_PORT`; the client's SYNs to
 * that port are never answered.
 */
export function blockedScenario(o: ScenarioOptions): WriterFrame[] {
  const out: WriterFrame[] = [];
  const clock = epmPart(out, o, [{ iface: DRSUAPI_V4, port: BLOCKED_PORT, ip: defaultTowerIp(o) }]);
  clock.advanceMs(2);
  unansweredSyns(dynConversation(out, o, clock, BLOCKED_PORT, 100), clock);
  return out;
}

/** DRSBind request stub (MS-DRSR 4.1.3): client DSA GUID, DRS_EXTENSIONS_INT of 28 bytes. */
export function drsBindRequestStub(): Uint8Array {
  const ext = new ByteWriter(true).u32(0x04000000).bytes(uuidBytes('6a1b4f6e-2c11-4d3a-9f0e-5b8d2c7a1e44')).u32(0).u32(0).done();
  return new ByteWriter(true)
    .u32(0x00020000)
    .bytes(uuidBytes('e24d201a-4fd6-11d1-a3da-0000f875ae0d'))
    .u32(0x00020004)
    .u32(ext.length)
    .u32(ext.length)
    .bytes(ext)
    .done();
}

/** DRSBind response stub: server extensions, a context handle, status 0. */
export function drsBindResponseStub(): Uint8Array {
  const ext = new ByteWriter(true).u32(0x1fffff7f).bytes(uuidBytes('3f2e1d0c-0b0a-4908-8706-050403020100')).u32(0x1ec).u32(0).done();
  return new ByteWriter(true)
    .u32(0x00020000)
    .u32(ext.length)
    .u32(ext.length)
    .bytes(ext)
    .u32(0)
    .bytes(uuidBytes('a1b2c3d4-0001-4000-8000-00000000cafe'))
    .u32(0)
    .done();
}

/** The working case: same EPM exchange, advertised `HEALTHY_PORT` answers, bind and one call succeed. */
export function healthyScenario(o: ScenarioOptions): WriterFrame[] {
  const out: WriterFrame[] = [];
  const be = o.bigEndianNdr === true ? { bigEndian: true } : {};
  const clock = epmPart(out, o, [{ iface: DRSUAPI_V4, port: HEALTHY_PORT, ip: defaultTowerIp(o) }]);
  clock.advanceMs(2);
  const c = dynConversation(out, o, clock, HEALTHY_PORT, 100);
  c.connect();
  c.send('client', dcerpcBind({ callId: 1, contexts: [{ id: 0, abstract: DRSUAPI_V4, transfer: [NDR_V2] }], ...be }));
  clock.advanceUs(500);
  c.send('server', dcerpcBindAck({ callId: 1, secondaryAddress: String(HEALTHY_PORT), results: [{ result: 0, transfer: NDR_V2 }], ...be }));
  if (o.bigEndianNdr === true) {
    // DRSBind's stub is written little-endian above; a big-endian call uses opnum 1 (DRSUnbind) with a handle only.
    c.send('client', dcerpcRequest({ callId: 2, contextId: 0, opnum: 1, stub: new Uint8Array(20), ...be }));
    clock.advanceUs(700);
    c.send('server', dcerpcResponse({ callId: 2, contextId: 0, stub: new Uint8Array(24), ...be }));
  } else {
    c.send('client', dcerpcRequest({ callId: 2, contextId: 0, opnum: 0, stub: drsBindRequestStub() }));
    clock.advanceUs(700);
    c.send('server', dcerpcResponse({ callId: 2, contextId: 0, stub: drsBindResponseStub() }));
  }
  c.ack('client');
  clock.advanceMs(5);
  c.close('client');
  return out;
}

/** DNS query/response for an A record (RFC 1035 §4.1), for UDP coverage in the healthy sample. */
export function dnsMessage(id: number, name: string, answer: string | null): Uint8Array {
  const w = new ByteWriter(false).u16(id).u16(answer === null ? 0x0100 : 0x8580).u16(1).u16(answer === null ? 0 : 1).u16(0).u16(0);
  for (const label of name.split('.')) w.u8(label.length).bytes(new TextEncoder().encode(label));
  w.u8(0).u16(1).u16(1);
  if (answer !== null) {
    w.u16(0xc00c).u16(1).u16(1).u32(3600).u16(4);
    for (const p of answer.split('.')) w.u8(Number(p));
  }
  return w.done();
}

export function dnsLookup(out: WriterFrame[], clock: Clock): void {
  const q = udp(CLIENT4, '10.1.1.2', { srcPort: 58213, dstPort: 53 }, dnsMessage(0x3a7c, 'dc01.corp.example', null));
  out.push({ ...clock.stamp(), data: ethernet({ dst: DNS_MAC, src: CLIENT_MAC, etherType: EtherType.IPV4 }, ipv4({ src: CLIENT4, dst: '10.1.1.2', proto: IpProto.UDP, id: 0x0f00 }, q)) });
  clock.advanceUs(800);
  const r = udp('10.1.1.2', CLIENT4, { srcPort: 53, dstPort: 58213 }, dnsMessage(0x3a7c, 'dc01.corp.example', SERVER4));
  out.push({ ...clock.stamp(), data: ethernet({ dst: CLIENT_MAC, src: DNS_MAC, etherType: EtherType.IPV4 }, ipv4({ src: '10.1.1.2', dst: CLIENT4, proto: IpProto.UDP, id: 0x7a10 }, r)) });
  clock.advanceMs(1);
}

/** Adds a different sub-microsecond part to every frame (for the nanosecond file). */
export function nanoJitter(frames: WriterFrame[]): WriterFrame[] {
  return frames.map((f, i) => ({ ...f, tsNsec: f.tsNsec + ((i * 137 + 89) % 1000) }));
}

export const pcap = (frames: WriterFrame[], linkType: number, extra: { nanoseconds?: boolean; bigEndian?: boolean; snaplen?: number } = {}): Uint8Array =>
  writePcap(frames, { linkType, ...extra });


/** MAC of a host on the client's LAN 10.1.1.0/24 (last byte from the address); other hosts sit behind the gateway. */
export function macOf(addr: string): string {
  const m = /^10\.1\.1\.(\d+)$/.exec(addr);
  if (m === null) return GATEWAY_MAC;
  return `00:15:5d:01:01:${Number(m[1]).toString(16).padStart(2, '0')}`;
}

/** Ethernet framing between the client and `server` (its own MAC on the LAN, the gateway's otherwise). */
export function lanLink(server: string): LinkFramer {
  return ethernetLink({ clientMac: CLIENT_MAC, serverMac: macOf(server) });
}

/** What `Scene.tcp` needs; the client defaults to CLIENT4, the link to Ethernet on the LAN. */
export interface SceneTcp {
  clientPort: number;
  serverPort: number;
  server?: string;
  client?: string;
  link?: LinkFramer;
  stepUs?: number;
}

/**
 * One capture being written: frames, a clock from a fixed start, and a PRNG seeded per sample
 * for ISNs and IPv4 identifications, so each conversation gets its own numbers.
 */
export class Scene {
  readonly out: WriterFrame[] = [];
  readonly clock: Clock;
  private readonly start: Clock;
  private readonly rnd: () => number;

  constructor(seed: number, start: Clock = new Clock(T0)) {
    this.rnd = seededRandom(seed);
    this.start = start.clone();
    this.clock = start.clone();
  }

  /** Moves the clock to `ms` milliseconds after the start. */
  at(ms: number): this {
    this.clock.setAfter(this.start, ms);
    return this;
  }

  /** Moves the clock on by `ms` milliseconds. */
  wait(ms: number): this {
    this.clock.advanceMs(ms);
    return this;
  }

  /** A TCP conversation with its own ISNs and IPv4 identification counters. */
  tcp(o: SceneTcp): TcpConversation {
    const server = o.server ?? SERVER4;
    return new TcpConversation({
      clock: this.clock,
      out: this.out,
      link: o.link ?? lanLink(server),
      client: o.client ?? CLIENT4,
      server,
      clientPort: o.clientPort,
      serverPort: o.serverPort,
      clientIsn: isn(this.rnd),
      serverIsn: isn(this.rnd),
      clientIpId: 0x1000 + Math.floor(this.rnd() * 0x6000),
      serverIpId: 0x1000 + Math.floor(this.rnd() * 0x6000),
      ...(o.stepUs !== undefined ? { stepUs: o.stepUs } : {}),
    });
  }

  /** One UDP datagram over IPv4 and Ethernet; `fromClient` picks the direction. */
  udp(o: { client?: string; server: string; clientPort: number; serverPort: number }, fromClient: boolean, payload: Uint8Array): this {
    const client = o.client ?? CLIENT4;
    const [src, dst] = fromClient ? [client, o.server] : [o.server, client];
    const d = udp(src, dst, { srcPort: fromClient ? o.clientPort : o.serverPort, dstPort: fromClient ? o.serverPort : o.clientPort }, payload);
    const ip = ipv4({ src, dst, proto: IpProto.UDP, id: Math.floor(this.rnd() * 0x10000), ttl: fromClient ? 128 : 127 }, d);
    return this.push(lanLink(o.server)(ip, 4, fromClient));
  }

  /** A raw link-layer frame at the current time; the clock moves on 100 µs. */
  push(data: Uint8Array): this {
    this.out.push({ ...this.clock.stamp(), data });
    this.clock.advanceUs(100);
    return this;
  }

  /** DNS A lookup of `name` from the client to 10.1.1.2, answered with `answer` after 0.8 ms. */
  dns(name: string, answer: string, clientPort = 50000 + Math.floor(this.rnd() * 10000)): this {
    const id = Math.floor(this.rnd() * 0x10000);
    const o = { server: DNS_SERVER, clientPort, serverPort: 53 };
    this.udp(o, true, dnsMessage(id, name, null));
    this.clock.advanceUs(700);
    return this.udp(o, false, dnsMessage(id, name, answer));
  }

  /** ARP request from the client for the gateway: a frame that stretches the capture without TCP. */
  arp(): this {
    return this.push(ethernet({ dst: 'ff:ff:ff:ff:ff:ff', src: CLIENT_MAC, etherType: EtherType.ARP, pad: true }, arp({ reply: false, senderMac: CLIENT_MAC, senderIp: CLIENT4, targetIp: '10.1.1.1' })));
  }
}

/** The DNS server of the sample network. */
export const DNS_SERVER = '10.1.1.2';
