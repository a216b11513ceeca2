/**
 * The shapes of issue 10: captures whose traffic, not their size, is what strains a tool's
 * state. Each is generated deterministically (a seeded PRNG, fixed clocks) and cached under
 * .bench/shapes-v<n>/ with a meta file; `npm run bench -- --only shapes` times rpctrace on each
 * against tcpdump's filter pass in the same run, with peak RSS (bench.ts `shapesCheck`).
 *
 *   churn          2 million frames, every packet a new 4-tuple: data, SYN, RST and FIN mixed,
 *                  1 in 8 to port 135 (payload that is not DCE/RPC)
 *   busy-dc        a domain controller and 4,000 clients: short DNS, Kerberos (UDP), LDAP, SMB
 *                  and endpoint mapper exchanges, each a whole connection
 *   epm-bogus      100,000 conversations to 135, each one 16-byte DCE/RPC header claiming
 *                  frag_length 65535 (and `epm-bogus-400k`, 400,000 of them)
 *   epm-towers     one 135 session, 100 ept_map answers of 700 towers (70,000 endpoints)
 *   epm-answers    100,000 ept_map answers, 10 per session, each a port never attempted
 *   frag-flood     200,000 IPv4 first fragments to 135, never completed
 *   syn-bind       1 million conversations, SYN + bind to 135
 *   syn-flood      1 million half-open SYNs (flood.ts)
 *   small-files    a folder of 2,000 small captures (`analyze DIR`)
 *
 * Frames are written straight into a reused buffer (Ethernet, IPv4, TCP or UDP; IPv4 header
 * checksums computed, TCP/UDP left zero), as flood.ts does: generating a gigabyte takes seconds.
 * DCE/RPC and EPM payloads come from the byte-exact builders in samples/gen/.
 */
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { PcapWriter } from '../../src/capture/writer.js';
import { LinkType } from '../../src/wire/constants.js';
import {
  DRSUAPI_V4, EPM_V3, NDR_V2, dcerpcBind, dcerpcBindAck, dcerpcRequest, dcerpcResponse, eptMapRequestStub, eptMapResponseStub, type TcpIpTower,
} from '../../samples/gen/frames.js';
import { dnsMessage, dnsReply, krbAsReq, krbPreauthRequired, ldapSearchRootDse, ldapSearchEntry, smb2NegotiateRequest, smb2NegotiateResponse } from '../../samples/gen/apps.js';
import { ensureFlood } from './flood.js';
import { Prng } from './traffic.js';

/** Bump when the bytes of any shape change. */
export const SHAPES_VERSION = 1;

export const SHAPE_IDS = ['churn', 'busy-dc', 'epm-bogus', 'epm-bogus-400k', 'epm-towers', 'epm-answers', 'frag-flood', 'syn-bind', 'syn-flood', 'small-files'] as const;
export type ShapeId = (typeof SHAPE_IDS)[number];

/** What one generated shape is. */
export interface ShapeMeta {
  id: ShapeId;
  version: number;
  seed: number;
  /** The capture file, or the folder (small-files). */
  path: string;
  bytes: number;
  frames: number;
  files: number;
  what: string;
  generateSeconds: number;
}

const F_FIN = 0x01, F_SYN = 0x02, F_RST = 0x04, F_PSH = 0x08, F_ACK = 0x10;
const START_SEC = 1_700_200_000;

/** Writes a classic pcap (Ethernet, microseconds) through a reused buffer. */
class RawPcap {
  private readonly b = Buffer.alloc(16 * 1024 * 1024 + 70_000);
  private pos = 0;
  private readonly fd: number;
  frames = 0;
  bytes = 24;
  /** Capture clock, microseconds since START_SEC. */
  us = 0;
  private ipId = 0;

  constructor(readonly path: string) {
    mkdirSync(dirname(path), { recursive: true });
    this.fd = openSync(`${path}.partial`, 'w');
    this.b.set(new PcapWriter({ linkType: LinkType.ETHERNET }).header(), 0);
    this.pos = 24;
  }

  /** A TCP segment over IPv4 (addresses as 32-bit numbers). */
  tcp(src: number, dst: number, sport: number, dport: number, flags: number, seq: number, ack: number, payload: Uint8Array | number = 0): void {
    const plen = typeof payload === 'number' ? payload : payload.length;
    const o = this.ip(src, dst, 6, 20 + plen, 0);
    const b = this.b;
    b.writeUInt16BE(sport, o); b.writeUInt16BE(dport, o + 2);
    b.writeUInt32BE(seq >>> 0, o + 4); b.writeUInt32BE(ack >>> 0, o + 8);
    b[o + 12] = 0x50; b[o + 13] = flags;
    b.writeUInt16BE(64240, o + 14); b.writeUInt32BE(0, o + 16);
    if (typeof payload === 'number') b.fill(0x5a, o + 20, o + 20 + plen);
    else b.set(payload, o + 20);
    this.end(o + 20 + plen);
  }

  /** A UDP datagram over IPv4. */
  udp(src: number, dst: number, sport: number, dport: number, payload: Uint8Array): void {
    const o = this.ip(src, dst, 17, 8 + payload.length, 0);
    const b = this.b;
    b.writeUInt16BE(sport, o); b.writeUInt16BE(dport, o + 2);
    b.writeUInt16BE(8 + payload.length, o + 4); b.writeUInt16BE(0, o + 6);
    b.set(payload, o + 8);
    this.end(o + 8 + payload.length);
  }

  /** The first fragment (offset 0, more fragments) of a TCP segment: header plus `data` payload bytes. */
  firstFragment(src: number, dst: number, sport: number, dport: number, data: number): void {
    const o = this.ip(src, dst, 6, 20 + data, 0x2000);
    const b = this.b;
    b.writeUInt16BE(sport, o); b.writeUInt16BE(dport, o + 2);
    b.writeUInt32BE(0x1000, o + 4); b.writeUInt32BE(0x2000, o + 8);
    b[o + 12] = 0x50; b[o + 13] = F_ACK | F_PSH;
    b.writeUInt16BE(64240, o + 14); b.writeUInt32BE(0, o + 16);
    b.fill(0x05, o + 20, o + 20 + data);
    this.end(o + 20 + data);
  }

  /** Record header, Ethernet and IPv4 header; returns the transport header's offset. */
  private ip(src: number, dst: number, proto: number, l4len: number, frag: number): number {
    const b = this.b;
    const p = this.pos;
    const sec = START_SEC + Math.floor(this.us / 1e6);
    b.writeUInt32LE(sec, p);
    b.writeUInt32LE(this.us % 1e6, p + 4);
    let o = p + 16;
    b.writeUInt16BE(0x0200, o); b.writeUInt32BE(dst >>> 0, o + 2);
    b.writeUInt16BE(0x0200, o + 6); b.writeUInt32BE(src >>> 0, o + 8);
    b.writeUInt16BE(0x0800, o + 12);
    o += 14;
    b.writeUInt16BE(0x4500, o);
    b.writeUInt16BE(20 + l4len, o + 2);
    b.writeUInt16BE(this.ipId = (this.ipId + 1) & 0xffff, o + 4);
    b.writeUInt16BE(frag === 0 ? 0x4000 : frag, o + 6);
    b[o + 8] = 128; b[o + 9] = proto;
    b.writeUInt16BE(0, o + 10);
    b.writeUInt32BE(src >>> 0, o + 12); b.writeUInt32BE(dst >>> 0, o + 16);
    let sum = 0;
    for (let k = 0; k < 20; k += 2) sum += b.readUInt16BE(o + k);
    while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
    b.writeUInt16BE(~sum & 0xffff, o + 10);
    return o + 20;
  }

  private end(e: number): void {
    const len = e - this.pos - 16;
    this.b.writeUInt32LE(len, this.pos + 8);
    this.b.writeUInt32LE(len, this.pos + 12);
    this.bytes += e - this.pos;
    this.pos = e;
    this.frames++;
    if (this.pos >= 16 * 1024 * 1024) this.flush();
  }

  private flush(): void {
    let off = 0;
    while (off < this.pos) off += writeSync(this.fd, this.b, off, this.pos - off);
    this.pos = 0;
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
    renameSync(`${this.path}.partial`, this.path);
  }
}

const ip4 = (a: number, b: number, c: number, d: number): number => ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;
const SERVER = ip4(10, 50, 0, 10);

/** A bind to the endpoint mapper, the request and the ept_map answer with `towers`. */
function epmPdus(callId: number, towers: readonly TcpIpTower[]): { bind: Uint8Array; ack: Uint8Array; req: Uint8Array; resp: Uint8Array } {
  return {
    bind: dcerpcBind({ callId, contexts: [{ id: 0, abstract: EPM_V3, transfer: [NDR_V2] }] }),
    ack: dcerpcBindAck({ callId, secondaryAddress: '135', results: [{ result: 0, transfer: NDR_V2 }] }),
    req: dcerpcRequest({ callId: callId + 1, contextId: 0, opnum: 3, stub: eptMapRequestStub({ iface: DRSUAPI_V4 }) }),
    resp: dcerpcResponse({ callId: callId + 1, contextId: 0, stub: eptMapResponseStub({ towers, maxTowers: towers.length }) }),
  };
}

/** A whole TCP connection: handshake, the payloads in turn (client first), FIN both ways. */
function session(w: RawPcap, c: number, s: number, cport: number, sport: number, payloads: readonly Uint8Array[], rng: Prng): void {
  let cs = rng.u32(), ss = rng.u32();
  w.tcp(c, s, cport, sport, F_SYN, cs, 0); w.us += 200;
  w.tcp(s, c, sport, cport, F_SYN | F_ACK, ss, cs + 1); w.us += 200;
  cs++; ss++;
  w.tcp(c, s, cport, sport, F_ACK, cs, ss); w.us += 100;
  payloads.forEach((p, i) => {
    // Segments of at most 1460 bytes.
    for (let o = 0; o < p.length; o += 1460) {
      const piece = p.subarray(o, Math.min(p.length, o + 1460));
      if (i % 2 === 0) { w.tcp(c, s, cport, sport, F_ACK | F_PSH, cs, ss, piece); cs += piece.length; } else { w.tcp(s, c, sport, cport, F_ACK | F_PSH, ss, cs, piece); ss += piece.length; }
      w.us += 50;
    }
    w.us += 300;
  });
  w.tcp(c, s, cport, sport, F_FIN | F_ACK, cs, ss); w.us += 100;
  w.tcp(s, c, sport, cport, F_FIN | F_ACK, ss, cs + 1); w.us += 100;
  w.tcp(c, s, cport, sport, F_ACK, cs + 1, ss + 1); w.us += 100;
}

function genChurn(w: RawPcap, rng: Prng): string {
  const flagsBy = [F_ACK | F_PSH, F_ACK | F_PSH, F_ACK | F_PSH, F_ACK | F_PSH, F_SYN, F_RST | F_ACK, F_FIN | F_ACK, F_ACK];
  for (let i = 0; i < 2_000_000; i++) {
    // Distinct (source, source port) per frame: an odd multiplier permutes 0..2^24-1.
    const m = Math.imul(i, 0x9e3779b1) & 0xffffff;
    const src = (0x0a800000 | (m >>> 8)) >>> 0;
    const sport = 1024 + (m & 0xff) * 251;
    const dport = (i & 7) === 0 ? 135 : [443, 445, 80, 3389, 8080, 5985, 49668][i % 7]!;
    const flags = flagsBy[rng.int(0, 8)]!;
    const data = (flags & F_PSH) !== 0 ? rng.int(200, 1400) : 0;
    w.tcp(src, SERVER + (i & 3), sport, dport, flags, rng.u32(), (flags & F_ACK) !== 0 ? rng.u32() : 0, data);
    w.us += 5;
  }
  return '2 million frames, every packet a new 4-tuple (data, SYN, RST, FIN mixed; 1/8 to port 135)';
}

function genBusyDc(w: RawPcap, rng: Prng): string {
  const dc = ip4(10, 1, 0, 10);
  const names = { realm: 'CORP.EXAMPLE', user: 'ws01$' };
  const dnsQ = dnsMessage(0x1234, 'dc01.corp.example', 1, null);
  const dnsA = dnsReply(0x1234, 'dc01.corp.example', 1, { answers: [{ type: 'A', address: '10.1.0.10' }] });
  const krbQ = krbAsReq(names, 1234, false, 7);
  const krbE = krbPreauthRequired(names);
  const ldapQ = ldapSearchRootDse(1, ['defaultNamingContext']);
  const ldapA = ldapSearchEntry(1, '', [['defaultNamingContext', 'DC=corp,DC=example']]);
  const smbQ = smb2NegotiateRequest('11111111-2222-3333-4444-555555555555');
  const smbA = smb2NegotiateResponse('66666666-7777-8888-9999-000000000000');
  const epm = epmPdus(1, [{ iface: DRSUAPI_V4, port: 49667, ip: '10.1.0.10' }]);
  let port = 50000;
  for (let round = 0; round < 30; round++) {
    for (let c = 0; c < 4000; c++) {
      const client = ip4(10, 2, c >>> 8, c & 0xff);
      const cp = (): number => (port = port >= 65000 ? 50000 : port + 1);
      w.udp(client, dc, cp(), 53, dnsQ); w.us += 300;
      w.udp(dc, client, 53, port, dnsA); w.us += 300;
      w.udp(client, dc, cp(), 88, krbQ); w.us += 300;
      w.udp(dc, client, 88, port, krbE); w.us += 300;
      const k = (round + c) % 3;
      if (k === 0) session(w, client, dc, cp(), 389, [ldapQ, ldapA], rng);
      else if (k === 1) session(w, client, dc, cp(), 445, [smbQ, smbA], rng);
      else {
        session(w, client, dc, cp(), 135, [epm.bind, epm.ack, epm.req, epm.resp], rng);
        session(w, client, dc, cp(), 49667, [epm.bind, epm.ack], rng);
      }
    }
  }
  return 'a domain controller and 4,000 clients, 30 rounds each: DNS and Kerberos over UDP, LDAP, SMB, endpoint mapper then the advertised port';
}

function genEpmBogus(w: RawPcap, n: number): string {
  const hdr = new Uint8Array([5, 0, 11, 3, 0x10, 0, 0, 0, 0xff, 0xff, 0, 0, 1, 0, 0, 0]); // bind, frag_length 65535
  for (let i = 0; i < n; i++) {
    const src = (0x0a800000 | (i >>> 8)) >>> 0;
    w.tcp(src, SERVER, 1024 + (i & 0xff) * 251, 135, F_ACK | F_PSH, 1000 + i, 5000, hdr);
    w.us += 20;
  }
  return `${n.toLocaleString('en-US')} conversations to 135, each one 16-byte DCE/RPC header claiming frag_length 65535`;
}

function genEpmTowers(w: RawPcap, rng: Prng): string {
  const client = ip4(10, 1, 1, 50);
  const payloads: Uint8Array[] = [];
  const first = epmPdus(1, []);
  payloads.push(first.bind, first.ack);
  for (let k = 0; k < 100; k++) {
    const towers: TcpIpTower[] = [];
    for (let t = 0; t < 700; t++) towers.push({ iface: DRSUAPI_V4, port: 1024 + ((k * 700 + t) % 60000), ip: '10.50.0.10' });
    const p = epmPdus(2 + 2 * k, towers);
    payloads.push(p.req, p.resp);
  }
  session(w, client, SERVER, 49801, 135, payloads, rng);
  return 'one 135 session, 100 ept_map answers of 700 towers (70,000 endpoints)';
}

function genEpmAnswers(w: RawPcap, rng: Prng): string {
  for (let s = 0; s < 10_000; s++) {
    const client = ip4(10, 3, s >>> 8, s & 0xff);
    const payloads: Uint8Array[] = [];
    for (let k = 0; k < 10; k++) {
      const p = epmPdus(1 + 2 * k, [{ iface: DRSUAPI_V4, port: 1024 + ((s * 10 + k) % 60000), ip: '10.50.0.10' }]);
      if (k === 0) payloads.push(p.bind, p.ack);
      payloads.push(p.req, p.resp);
    }
    session(w, client, SERVER, 49801, 135, payloads, rng);
  }
  return '100,000 ept_map answers (10,000 sessions of 10), each a port never attempted';
}

function genFragFlood(w: RawPcap): string {
  for (let i = 0; i < 200_000; i++) {
    const src = (0x0a800000 | (i >>> 8)) >>> 0;
    w.firstFragment(src, SERVER, 1024 + (i & 0xff) * 251, 135, 1460);
    w.us += 20;
  }
  return '200,000 IPv4 first fragments to 135, never completed';
}

function genSynBind(w: RawPcap): string {
  const bind = dcerpcBind({ callId: 1, contexts: [{ id: 0, abstract: EPM_V3, transfer: [NDR_V2] }] });
  for (let i = 0; i < 1_000_000; i++) {
    const m = Math.imul(i, 0x9e3779b1) & 0xffffff;
    const src = (0x0a800000 | (m >>> 8)) >>> 0;
    const sport = 1024 + (m & 0xff) * 251;
    w.tcp(src, SERVER, sport, 135, F_SYN, 7000 + i, 0); w.us += 10;
    w.tcp(src, SERVER, sport, 135, F_ACK | F_PSH, 7001 + i, 1, bind); w.us += 10;
  }
  return '1 million conversations, SYN + bind to 135';
}

/** 2,000 small captures: a few short sessions each, some with an endpoint mapper answer. */
function genSmallFiles(dir: string, rng: Prng): { bytes: number; frames: number } {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  let bytes = 0, frames = 0;
  const epm = epmPdus(1, [{ iface: DRSUAPI_V4, port: 49667, ip: '10.50.0.10' }]);
  for (let f = 0; f < 2000; f++) {
    const w = new RawPcap(join(dir, `trace-${String(f).padStart(4, '0')}.pcap`));
    const client = ip4(10, 4, f >>> 8, f & 0xff);
    session(w, client, SERVER, 49801, 135, [epm.bind, epm.ack, epm.req, epm.resp], rng);
    if (f % 2 === 0) { w.tcp(client, SERVER, 49802, 49667, F_SYN, 1, 0); w.us += 3_000_000; w.tcp(client, SERVER, 49802, 49667, F_SYN, 1, 0); } else session(w, client, SERVER, 49802, 49667, [epm.bind, epm.ack], rng);
    w.close();
    bytes += w.bytes; frames += w.frames;
  }
  return { bytes, frames };
}

function metaPath(dir: string, id: ShapeId): string {
  return join(dir, `${id}.meta.json`);
}

/** Returns the cached shape, generating it when missing or made by another version or seed. */
export function ensureShape(benchDir: string, id: ShapeId, seed: number, force: boolean): ShapeMeta & { generated: boolean } {
  const dir = join(benchDir, `shapes-v${SHAPES_VERSION}`);
  const mp = metaPath(dir, id);
  if (!force && existsSync(mp)) {
    try {
      const m = JSON.parse(readFileSync(mp, 'utf8')) as ShapeMeta;
      const here = id === 'small-files' ? readdirSync(m.path).length === m.files : statSync(m.path).size === m.bytes;
      if (m.version === SHAPES_VERSION && m.seed === seed && here) return { ...m, generated: false };
    } catch {
      // Regenerate.
    }
  }
  const t0 = process.hrtime.bigint();
  const rng = new Prng(seed ^ 0x5a4e);
  let meta: Omit<ShapeMeta, 'generateSeconds'>;
  if (id === 'syn-flood') {
    const f = ensureFlood(benchDir, 1_000_000, seed, force);
    meta = { id, version: SHAPES_VERSION, seed, path: f.pcap, bytes: f.meta.fileBytes, frames: f.meta.syns, files: 1, what: '1 million half-open SYNs, each a new 4-tuple' };
  } else if (id === 'small-files') {
    const path = join(dir, 'small-files');
    const r = genSmallFiles(path, rng);
    meta = { id, version: SHAPES_VERSION, seed, path, bytes: r.bytes, frames: r.frames, files: 2000, what: 'a folder of 2,000 small captures' };
  } else {
    const path = join(dir, `${id}.pcap`);
    const w = new RawPcap(path);
    const what = id === 'churn' ? genChurn(w, rng)
      : id === 'busy-dc' ? genBusyDc(w, rng)
        : id === 'epm-bogus' ? genEpmBogus(w, 100_000)
          : id === 'epm-bogus-400k' ? genEpmBogus(w, 400_000)
            : id === 'epm-towers' ? genEpmTowers(w, rng)
              : id === 'epm-answers' ? genEpmAnswers(w, rng)
                : id === 'frag-flood' ? genFragFlood(w)
                  : genSynBind(w);
    w.close();
    meta = { id, version: SHAPES_VERSION, seed, path, bytes: w.bytes, frames: w.frames, files: 1, what };
  }
  const full: ShapeMeta = { ...meta, generateSeconds: Math.round(Number(process.hrtime.bigint() - t0) / 1e6) / 1000 };
  mkdirSync(dir, { recursive: true });
  writeFileSync(mp, `${JSON.stringify(full, null, 2)}\n`);
  return { ...full, generated: true };
}

// `npx tsx test/bench/shapes.ts ID...`: generate (or find) the shapes and print their paths.
if (process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/^.*\/test\//, '/test/'))) {
  const root = new URL('../../', import.meta.url).pathname;
  for (const id of process.argv.slice(2) as ShapeId[]) {
    const m = ensureShape(join(root, '.bench'), id, 1, false);
    process.stdout.write(`${m.id}\t${m.path}\t${m.bytes}\t${m.frames}\t${m.generateSeconds}s\n`);
  }
}
