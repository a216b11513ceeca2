/**
 * Fixtures for the RPC engine tests: an NDR / NDR64 stub writer, the EPM and DCOM answers
 * samples/gen/frames.ts has no builder for (NDR64 stubs, ept_lookup, DUALSTRINGARRAY, towers
 * with any floors), and a driver that runs built frames through a CaptureAnalysis (dissector,
 * analyzers) and the rules, as the pipeline does.
 */
import { CaptureRecord } from '../../src/capture/reader.js';
import { CaptureAnalysis, type AnalysisLimits } from '../../src/analysis/capture-analysis.js';
import type { Analyzer } from '../../src/analysis/analyzer.js';
import { runRules, type RuleSettings } from '../../src/rules/index.js';
import { describeFinding } from '../../src/model/finding-text.js';
import type { Attempt, Endpoint, PortSummary } from '../../src/model/connections.js';
import type { Finding } from '../../src/model/finding.js';
import type { ReadStop } from '../../src/model/observations.js';
import type { AgentReport, AgentSettings, Profile } from '../../src/model/agent.js';
import type { WriterFrame } from '../../src/capture/writer.js';
import {
  Clock, EtherType, IpProto, TcpConversation, ethernet, ethernetLink, icmpv4Unreachable, ipv4, ipv4Addr, udp, uuidBytes, towerBytes,
  type SyntaxId, type TcpIpTower,
} from '../../samples/gen/frames.js';

/**
 * NDR (C706 §14) or NDR64 (MS-RPCE §2.2.5) writer; alignment is relative to the stub start.
 * `count` writes conformance, variance and pointer referents: 4 bytes in NDR, 8 in NDR64.
 */
export class NdrWriter {
  private readonly out: number[] = [];
  constructor(readonly le = true, readonly ndr64 = false) {}
  get length(): number { return this.out.length; }
  align(n: number): this { while (this.out.length % n !== 0) this.out.push(0); return this; }
  u8(v: number): this { this.out.push(v & 0xff); return this; }
  u16(v: number): this {
    this.align(2);
    const b = [(v >>> 8) & 0xff, v & 0xff];
    this.out.push(...(this.le ? b.reverse() : b));
    return this;
  }
  u32(v: number): this {
    this.align(4);
    const b = [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
    this.out.push(...(this.le ? b.reverse() : b));
    return this;
  }
  count(v: number): this {
    if (!this.ndr64) return this.u32(v);
    this.align(8);
    const lo = v >>> 0;
    const hi = Math.floor(v / 4294967296) >>> 0;
    return this.le ? this.u32(lo).u32(hi) : this.u32(hi).u32(lo);
  }
  bytes(b: Uint8Array | readonly number[]): this { this.out.push(...b); return this; }
  zeros(n: number): this { for (let i = 0; i < n; i++) this.out.push(0); return this; }
  uuid(text: string): this { return this.align(4).bytes(uuidBytes(text, this.le)); }
  /** twr_t pointee: conformance, tower_length, octets. */
  twr(tower: Uint8Array): this { return this.count(tower.length).u32(tower.length).bytes(tower); }
  done(): Uint8Array { return Uint8Array.from(this.out); }
}

/** Stub options shared by the builders below. */
export interface StubCoding { le?: boolean; ndr64?: boolean }

/** ept_map request stub (MS-RPCE §2.2.1.2.5): object ptr, map_tower ptr + twr_t, handle, max_towers. */
export function eptMapRequest(tower: Uint8Array | null, o: StubCoding & { object?: string | null; maxTowers?: number } = {}): Uint8Array {
  const w = new NdrWriter(o.le ?? true, o.ndr64 ?? false);
  if (o.object === null) w.count(0);
  else w.count(1).uuid(o.object ?? '00000000-0000-0000-0000-000000000000');
  if (tower === null) w.count(0);
  else w.count(2).twr(tower);
  w.align(4).zeros(20);
  return w.u32(o.maxTowers ?? 4).done();
}

/**
 * ept_map response stub: handle, num_towers, conformant varying array of twr_p_t (max, offset,
 * actual, referents; null entries are referent 0), the non-null towers deferred, status.
 */
export function eptMapResponse(towers: readonly (Uint8Array | null)[], o: StubCoding & { status?: number; maxTowers?: number } = {}): Uint8Array {
  const w = new NdrWriter(o.le ?? true, o.ndr64 ?? false);
  w.zeros(20).u32(towers.length);
  w.count(o.maxTowers ?? Math.max(4, towers.length)).count(0).count(towers.length);
  towers.forEach((t, i) => w.count(t === null ? 0 : 0x20000 + 4 * i));
  for (const t of towers) if (t !== null) w.align(w.ndr64 ? 8 : 4).twr(t);
  return w.align(4).u32(o.status ?? 0).done();
}

/** One ept_entry_t (C706 Appendix O): object uuid, tower pointer, annotation (a varying char[64]). */
export interface LookupEntry { object?: string; tower: Uint8Array | null; annotation: string }

/** ept_lookup response stub: handle, num_ents, entries (max, offset, actual, each entry), deferred towers, status. */
export function eptLookupResponse(entries: readonly LookupEntry[], o: StubCoding & { status?: number } = {}): Uint8Array {
  const w = new NdrWriter(o.le ?? true, o.ndr64 ?? false);
  w.zeros(20).u32(entries.length);
  w.count(Math.max(entries.length, 1)).count(0).count(entries.length);
  entries.forEach((e, i) => {
    w.align(w.ndr64 ? 8 : 4).uuid(e.object ?? '00000000-0000-0000-0000-000000000000');
    w.count(e.tower === null ? 0 : 0x30000 + 4 * i);
    const chars = e.annotation === '' ? [] : [...new TextEncoder().encode(e.annotation), 0];
    w.count(0).count(chars.length).bytes(chars);
  });
  for (const e of entries) if (e.tower !== null) w.align(w.ndr64 ? 8 : 4).twr(e.tower);
  return w.align(4).u32(o.status ?? 0).done();
}

/** A tower of arbitrary floors: [lhs, rhs] octets each (C706 Appendix L), floor count and lengths LE. */
export function towerOf(floors: readonly (readonly [Uint8Array | readonly number[], Uint8Array | readonly number[]])[], count = floors.length): Uint8Array {
  const out: number[] = [count & 0xff, count >>> 8];
  for (const [l, r] of floors) out.push(l.length & 0xff, l.length >>> 8, ...l, r.length & 0xff, r.length >>> 8, ...r);
  return Uint8Array.from(out);
}

/** The interface floor of a tower: 0x0d, UUID (LE), major version (LE); minor version on the right. */
export function uuidFloor(s: SyntaxId): [number[], number[]] {
  return [[0x0d, ...uuidBytes(s.uuid, true), s.major & 0xff, s.major >>> 8], [s.minor & 0xff, s.minor >>> 8]];
}

/** ncacn_ip_tcp tower (five floors) as frames.ts writes it. */
export const tcpTower = (iface: SyntaxId, port: number, ip = '0.0.0.0'): Uint8Array => towerBytes({ iface, port, ip } satisfies TcpIpTower);

/** ncacn_np tower: interface, NDR, RPC_CO, named pipe floor (0x0f), NetBIOS host floor (0x11). */
export function npTower(iface: SyntaxId, pipe: string, host: string): Uint8Array {
  const z = (s: string): number[] => [...new TextEncoder().encode(s), 0];
  return towerOf([
    uuidFloor(iface),
    uuidFloor({ uuid: '8a885d04-1ceb-11c9-9fe8-08002b104860', major: 2, minor: 0 }),
    [[0x0b], [0, 0]],
    [[0x0f], z(pipe)],
    [[0x11], z(host)],
  ]);
}

/** ncacn_ip_tcp tower with an explicit IP floor, for address tests. */
export const tcpTowerAt = (iface: SyntaxId, port: number, ip: string): Uint8Array => towerOf([
  uuidFloor(iface),
  uuidFloor({ uuid: '8a885d04-1ceb-11c9-9fe8-08002b104860', major: 2, minor: 0 }),
  [[0x0b], [0, 0]],
  [[0x07], [port >>> 8, port & 0xff]],
  [[0x09], [...ipv4Addr(ip)]],
]);

/** STRINGBINDING (MS-DCOM §2.2.19.3): tower id, NUL-terminated UTF-16 address, in `le` order. */
export function stringBinding(address: string, le = true, towerId = 0x0007): number[] {
  const u16 = (v: number): number[] => (le ? [v & 0xff, v >>> 8] : [v >>> 8, v & 0xff]);
  const out = [...u16(towerId)];
  for (const ch of address) out.push(...u16(ch.charCodeAt(0)));
  out.push(...u16(0));
  return out;
}

/**
 * A DUALSTRINGARRAY (MS-DCOM §2.2.19.1) as it sits in an activation answer: wNumEntries,
 * wSecurityOffset, the string bindings, an empty entry, security bindings, an empty entry.
 */
export function dualStringArray(addresses: readonly string[], le = true): Uint8Array {
  const u16 = (v: number): number[] => (le ? [v & 0xff, v >>> 8] : [v >>> 8, v & 0xff]);
  const body: number[] = [];
  for (const a of addresses) body.push(...stringBinding(a, le));
  body.push(0, 0);
  const secOffset = body.length / 2;
  // SECURITYBINDING: wAuthnSvc 0x000a (NTLM), wAuthzSvc 0xffff, empty principal name.
  body.push(...u16(0x000a), ...u16(0xffff), 0, 0, 0, 0);
  const n = body.length / 2;
  return Uint8Array.from([...u16(n), ...u16(secOffset), ...body]);
}

/** `cut`: captured lengths below the frame length (a snaplen), by frame number. */
export interface TrackOptions {
  linkType?: number;
  cut?: ReadonlyMap<number, number>;
  keepSyns?: boolean;
  maxFlows?: number;
  limits?: Partial<AnalysisLimits>;
  /** MiB of state (`--memory-budget`); default 160. */
  memoryBudgetMiB?: number;
  bulkPath?: boolean;
  analyzers?: readonly Analyzer[];
  profile?: Profile;
  agent?: AgentSettings;
}

/**
 * Runs frames (Ethernet unless `linkType` says otherwise) through a CaptureAnalysis, numbering
 * them from 1 as a reader would, then calls `finish()`.
 */
export function track(frames: readonly WriterFrame[], o: TrackOptions = {}): CaptureAnalysis {
  const t = new CaptureAnalysis({
    keepSyns: o.keepSyns ?? false,
    limits: { ...(o.maxFlows !== undefined ? { conversations: o.maxFlows } : {}), ...o.limits },
    ...(o.memoryBudgetMiB !== undefined ? { memoryBudgetMiB: o.memoryBudgetMiB } : {}),
    ...(o.bulkPath !== undefined ? { bulkPath: o.bulkPath } : {}),
    ...(o.analyzers !== undefined ? { analyzers: o.analyzers } : {}),
    ...(o.profile !== undefined ? { profile: o.profile } : {}),
    ...(o.agent !== undefined ? { agent: o.agent } : {}),
  });
  const d = t.dissector;
  const r = new CaptureRecord();
  frames.forEach((f, i) => {
    r.frame = i + 1;
    r.tsSec = f.tsSec;
    r.tsNsec = f.tsNsec;
    r.linkType = o.linkType ?? 1;
    r.buf = f.data;
    r.off = 0;
    r.capLen = Math.min(f.data.length, o.cut?.get(i + 1) ?? f.data.length);
    r.origLen = f.data.length;
    t.record(r);
    if (d.anomalies.count('internal_decoder_error') > 0) throw new Error(`decoder threw at frame ${i + 1}`);
  });
  t.finish();
  return t;
}

/** What the rules conclude about a capture, with the findings' words, as a report lists them. */
export interface Verdicts {
  attempts: Attempt[];
  attemptsOmitted: number;
  endpoints: Endpoint[];
  findings: Finding[];
  ports: PortSummary[];
  agent: AgentReport | null;
}

/** Rule settings and capture facts a test may set. */
export interface VerdictOptions extends Partial<RuleSettings> {
  /** The capture's snaplen (0: unknown). */
  snaplen?: number;
  /** Seconds the capture lasts; default: to the latest frame. */
  captureSeconds?: number;
  /** Where reading stopped early, as the pipeline would say it. */
  readStop?: ReadStop;
}

/** The rules over a tracked capture: the Windows range and a 120 s follow window unless `o` says otherwise. */
export function verdicts(t: CaptureAnalysis, o: VerdictOptions = {}): Verdicts {
  const obs = t.observations(o.snaplen ?? 0, o.readStop ?? null);
  const v = runRules(o.captureSeconds !== undefined ? { ...obs, captureSeconds: o.captureSeconds } : obs, {
    dynamicRanges: o.dynamicRanges ?? [[49152, 65535]],
    followWindowSeconds: o.followWindowSeconds ?? 120,
    ...(o.agent !== undefined ? { agent: o.agent } : {}),
  });
  const names = v.agent === null ? undefined : new Map(v.agent.names.map((n) => [n.address, n.name]));
  return { ...v, findings: v.findings.map((f) => describeFinding(f, names)) };
}

/** A fixed start instant (2024-03-01T12:00:00Z) so times in tests are readable. */
export const T0 = 1709294400;
/** Ethernet between a client and a server MAC. */
export const ETH = ethernetLink({ clientMac: '02:00:00:00:00:01', serverMac: '02:00:00:00:00:02' });

/** Addresses of the Scene's hosts: the client, the server, a router that sends ICMP errors. */
export const CLIENT = '10.1.1.20';
export const SERVER = '10.1.1.10';
export const ROUTER = '10.1.1.1';
export const CMAC = '02:00:00:00:00:01';
export const SMAC = '02:00:00:00:00:02';

/** A capture being written: frames in order, one clock; `conv()` opens TCP conversations on it. */
export class Scene {
  readonly out: WriterFrame[] = [];
  readonly clock = new Clock(T0, 0);
  private isn = 0x1000;
  conv(o: { port?: number; clientPort?: number; clientIsn?: number; client?: string; server?: string; clientIpId?: number } = {}): TcpConversation {
    this.isn += 0x01000000;
    return new TcpConversation({
      clock: this.clock, out: this.out, link: ETH,
      client: o.client ?? CLIENT, server: o.server ?? SERVER,
      clientPort: o.clientPort ?? 50000 + this.out.length, serverPort: o.port ?? 135,
      clientIsn: o.clientIsn ?? this.isn, serverIsn: this.isn + 0x777,
      ...(o.clientIpId !== undefined ? { clientIpId: o.clientIpId } : {}),
    });
  }
  wait(seconds: number): this { this.clock.advanceMs(seconds * 1000); return this; }
  /** An ICMPv4 destination unreachable from `from` to the client quoting `ip`. */
  icmp4(ip: Uint8Array, code: number, from = ROUTER): this {
    const pkt = ipv4({ src: from, dst: CLIENT, proto: IpProto.ICMP, id: 0x5151 }, icmpv4Unreachable(code, ip));
    this.out.push({ ...this.clock.stamp(), data: ethernet({ dst: CMAC, src: SMAC, etherType: EtherType.IPV4 }, pkt) });
    this.clock.advanceUs(100);
    return this;
  }
  /** A UDP datagram from the server's `port` to the client (a DNS answer, say). */
  udpFromServer(port: number, payload = new Uint8Array(24)): this {
    const pkt = ipv4({ src: SERVER, dst: CLIENT, proto: IpProto.UDP, id: 0x6161 }, udp(SERVER, CLIENT, { srcPort: port, dstPort: 53001 }, payload));
    this.out.push({ ...this.clock.stamp(), data: ethernet({ dst: CMAC, src: SMAC, etherType: EtherType.IPV4 }, pkt) });
    this.clock.advanceUs(100);
    return this;
  }
  /** Repeats frame `n` (1-based) now plus `us` microseconds after it, as a capture copy. */
  copyOf(n: number, us: number): this {
    const f = this.out[n - 1]!;
    const c = new Clock(f.tsSec, f.tsNsec).advanceUs(us);
    this.out.push({ ...c.stamp(), data: f.data.slice() });
    return this;
  }
  /** Frame `n` again `us` µs later as a router forwards it: TTL (or hop limit) one lower. Ethernet, untagged. */
  forwardedCopyOf(n: number, us: number): this {
    this.copyOf(n, us);
    const d = this.out[this.out.length - 1]!.data;
    if (d[12] === 0x86 && d[13] === 0xdd) d[14 + 7]!--;
    else d[14 + 8]!--; // the IPv4 header checksum is not checked by the analysis
    return this;
  }
  track(o: TrackOptions = {}): CaptureAnalysis { return track(this.out, o); }
}

/** SYN schedule of Windows: +0, +3 s, +9 s. */
export function unanswered(c: TcpConversation, s: Scene): void {
  c.syn();
  s.wait(3);
  c.syn();
  s.wait(6);
  c.syn();
}
