/**
 * Property and fuzz tests of the RPC engine (STYLE 14): seeded DCE/RPC exchanges, valid and
 * corrupted (bytes flipped, PDUs cut, frag_length set at random, segments dropped, duplicated,
 * cut anywhere and reordered), through RpcConversation alone and through the whole pipeline
 * (CaptureAnalysis and the rules; some runs from a pcap file through analyzeFile).
 * Required: no throw, bounded time, bounded state, and, for valid streams, the same endpoints
 * and verdicts whatever the segmentation.
 */
import { describe, expect, it } from 'vitest';
import {
  RpcConversation, type AdvertisedEndpoint, type BindRejection, type EpmNoEndpoint, type RpcFaultEvent, type RpcSink,
} from '../../src/analysis/analyzers/rpc-conversation.js';
import type { StreamReassembler } from '../../src/analysis/tcp-stream.js';
import { writePcap, type WriterFrame } from '../../src/capture/writer.js';
import { NDR64_UUID } from '../../src/wire/dcerpc.js';
import { LinkType } from '../../src/wire/constants.js';
import {
  DRSUAPI_V4, EPM_V3, EPT_S_NOT_REGISTERED, NDR_V2, Pfc, dcerpcBind, dcerpcBindAck, dcerpcFault, dcerpcRequest, dcerpcResponse,
  eptMapRequestStub, eptMapResponseStub, type SyntaxId,
} from '../../samples/gen/frames.js';
import { concat } from '../helpers/frame.js';
import { Rng } from '../helpers/random.js';
import { useTempFiles } from '../helpers/capture.js';
import { Scene, dualStringArray, eptLookupResponse, eptMapRequest, eptMapResponse, npTower, tcpTower, tcpTowerAt, track, verdicts, type Verdicts } from '../helpers/rpc.js';
import { keepRegression, runPipeline } from './check.js';
import { SEED } from './mutators.js';

const tmp = useTempFiles();

// ---------------------------------------------------------------------------------------------
// Exchanges: who sends which PDUs, in the order a client and server would.

interface Turn { dir: 0 | 1; bytes: Uint8Array }
interface Exchange { name: string; port: number; turns: Turn[] }

const C = 0;
const S = 1;
const NDR64: SyntaxId = { uuid: NDR64_UUID, major: 1, minor: 0 };
const NETLOGON: SyntaxId = { uuid: '12345678-1234-abcd-ef00-01234567cffb', major: 1, minor: 0 };
const ISYSTEM_ACTIVATOR: SyntaxId = { uuid: '000001a0-0000-0000-c000-000000000046', major: 0, minor: 0 };

const turn = (dir: 0 | 1, ...pdus: Uint8Array[]): Turn => ({ dir, bytes: concat(...pdus) });
const bindEpm = (be = false): Uint8Array => dcerpcBind({ callId: 1, bigEndian: be, contexts: [{ id: 0, abstract: EPM_V3, transfer: [NDR_V2] }] });
const ackEpm = (be = false): Uint8Array => dcerpcBindAck({ callId: 1, bigEndian: be, secondaryAddress: '135', results: [{ result: 0, transfer: NDR_V2 }] });
const mapReq = (callId: number, iface: SyntaxId, be = false): Uint8Array =>
  dcerpcRequest({ callId, opnum: 3, bigEndian: be, stub: eptMapRequestStub({ iface, bigEndian: be }) });

function exchanges(): Exchange[] {
  const fiveTowers = eptMapResponseStub({ maxTowers: 8, towers: [49667, 49668, 49669, 49670, 49671].map((port) => ({ iface: DRSUAPI_V4, port, ip: '10.1.1.10' })) });
  const cuts = [0, 41, 160, fiveTowers.length];
  return [
    {
      name: 'ept_map LE', port: 135, turns: [
        turn(C, bindEpm()), turn(S, ackEpm()), turn(C, mapReq(2, DRSUAPI_V4)),
        turn(S, dcerpcResponse({ callId: 2, stub: eptMapResponseStub({ towers: [{ iface: DRSUAPI_V4, port: 49667, ip: '0.0.0.0' }, { iface: DRSUAPI_V4, port: 49668, ip: '10.1.1.10' }] }) })),
      ],
    },
    {
      name: 'ept_map BE', port: 135, turns: [
        turn(C, bindEpm(true)), turn(S, ackEpm(true)), turn(C, mapReq(2, DRSUAPI_V4, true)),
        turn(S, dcerpcResponse({ callId: 2, bigEndian: true, stub: eptMapResponseStub({ bigEndian: true, towers: [{ iface: DRSUAPI_V4, port: 49990, ip: '10.1.1.10' }] }) })),
      ],
    },
    {
      name: 'NDR64 negotiated', port: 135, turns: [
        turn(C, dcerpcBind({ callId: 1, contexts: [{ id: 0, abstract: EPM_V3, transfer: [NDR_V2] }, { id: 1, abstract: EPM_V3, transfer: [NDR64] }] })),
        turn(S, dcerpcBindAck({ callId: 1, secondaryAddress: '135', results: [{ result: 2, reason: 2 }, { result: 0, transfer: NDR64 }] })),
        turn(C, dcerpcRequest({ callId: 2, contextId: 1, opnum: 3, stub: eptMapRequest(tcpTower(NETLOGON, 135), { ndr64: true }) })),
        turn(S, dcerpcResponse({ callId: 2, contextId: 1, stub: eptMapResponse([], { ndr64: true, status: EPT_S_NOT_REGISTERED }) })),
        turn(C, dcerpcRequest({ callId: 3, contextId: 1, opnum: 3, stub: eptMapRequest(tcpTower(DRSUAPI_V4, 135), { ndr64: true }) })),
        turn(S, dcerpcResponse({ callId: 3, contextId: 1, stub: eptMapResponse([tcpTowerAt(DRSUAPI_V4, 49700, '10.1.1.10'), null, npTower(DRSUAPI_V4, '\\PIPE\\lsass', '\\\\DC')], { ndr64: true }) })),
      ],
    },
    {
      name: 'ept_lookup', port: 135, turns: [
        turn(C, bindEpm()), turn(S, ackEpm()), turn(C, dcerpcRequest({ callId: 2, opnum: 2, stub: new Uint8Array(44) })),
        turn(S, dcerpcResponse({ callId: 2, stub: eptLookupResponse([
          { tower: tcpTowerAt(DRSUAPI_V4, 49667, '10.1.1.10'), annotation: 'MS NT Directory DRS Interface' },
          { tower: null, annotation: 'x' },
          { tower: tcpTowerAt(NETLOGON, 49668, '10.1.1.10'), annotation: '' },
        ]) })),
      ],
    },
    {
      name: 'multi-fragment answer', port: 135, turns: [
        turn(C, bindEpm()), turn(S, ackEpm()), turn(C, mapReq(2, DRSUAPI_V4)),
        turn(S, ...[0, 1, 2].map((i) => dcerpcResponse({
          callId: 2, stub: fiveTowers.subarray(cuts[i], cuts[i + 1]), flags: (i === 0 ? Pfc.FIRST_FRAG : 0) | (i === 2 ? Pfc.LAST_FRAG : 0),
        }))),
      ],
    },
    {
      name: 'coalesced calls, answers reversed', port: 135, turns: [
        turn(C, bindEpm(), mapReq(2, DRSUAPI_V4), mapReq(3, NETLOGON)),
        turn(S, ackEpm(),
          dcerpcResponse({ callId: 3, stub: eptMapResponseStub({ towers: [], status: EPT_S_NOT_REGISTERED }) }),
          dcerpcResponse({ callId: 2, stub: eptMapResponseStub({ towers: [{ iface: DRSUAPI_V4, port: 49701, ip: '0.0.0.0' }] }) })),
      ],
    },
    {
      name: 'DCOM activation', port: 135, turns: [
        turn(C, dcerpcBind({ callId: 1, contexts: [{ id: 1, abstract: ISYSTEM_ACTIVATOR, transfer: [NDR_V2] }] })),
        turn(S, dcerpcBindAck({ callId: 1, secondaryAddress: '135', results: [{ result: 0, transfer: NDR_V2 }] })),
        turn(C, dcerpcRequest({ callId: 2, contextId: 1, opnum: 4, stub: new Uint8Array(120) })),
        turn(S, dcerpcResponse({ callId: 2, contextId: 1, stub: concat(new Uint8Array(36), dualStringArray(['DC01[49702]', '10.1.1.10[49702]', '10.1.1.10[49703]']), new Uint8Array(20)) })),
      ],
    },
    {
      name: 'fault on a dynamic port', port: 49704, turns: [
        turn(C, dcerpcBind({ callId: 1, contexts: [{ id: 0, abstract: DRSUAPI_V4, transfer: [NDR_V2] }] })),
        turn(S, dcerpcBindAck({ callId: 1, secondaryAddress: '49704', results: [{ result: 0, transfer: NDR_V2 }] })),
        turn(C, dcerpcRequest({ callId: 2, opnum: 0, stub: new Uint8Array(60) })),
        turn(S, dcerpcFault({ callId: 2, status: 5 })),
      ],
    },
  ];
}

// ---------------------------------------------------------------------------------------------
// Segmentation: every turn cut at random, pieces reordered within the turn, some sent twice or
// coalesced into a larger retransmission. Turns stay in order, so answers follow requests.
//
// Known gap (see the reply to the lead): on ports other than 135, ConnectionTracker decides
// whether a conversation is DCE/RPC from the first payload segment of each side only. If that
// segment does not start with a whole PDU header (cut into pieces under 16 bytes, or overtaken
// by a later segment), the conversation is never decoded. `firstWhole` keeps the first PDU of
// each side in one segment sent first, which is what real stacks do.

interface Seg { dir: 0 | 1; buf: Uint8Array; off: number; len: number; streamOff: number }

function segmentTurns(turns: readonly Turn[], rng: Rng, o: { reorder: boolean; dup: boolean; firstWhole?: boolean }): Seg[] {
  const pos: [number, number] = [0, 0];
  const out: Seg[] = [];
  for (const t of turns) {
    const pieces: Seg[] = [];
    const maxPiece = rng.pick([1, 7, 64, 536, 1460, 100_000]);
    const pinned = o.firstWhole === true && pos[t.dir] === 0 && t.bytes.length >= 16;
    for (let o2 = 0; o2 < t.bytes.length; ) {
      let n = Math.min(t.bytes.length - o2, 1 + rng.int(maxPiece));
      if (pinned && o2 === 0) n = Math.max(n, Math.min(t.bytes.length, pduLength(t.bytes, 0)));
      pieces.push({ dir: t.dir, buf: t.bytes, off: o2, len: n, streamOff: pos[t.dir] + o2 });
      o2 += n;
    }
    if (o.dup) {
      for (let i = 0; i < pieces.length / 4; i++) {
        const p = rng.pick(pieces);
        const len = Math.min(t.bytes.length - p.off, p.len + rng.int(Math.min(2000, 3 * maxPiece))); // coalesced retransmission
        pieces.push({ ...p, len });
      }
    }
    if (o.reorder) {
      for (let i = pieces.length - 1; i > 0; i--) {
        const j = Math.max(pinned ? 1 : 0, i - rng.int(6));
        [pieces[i], pieces[j]] = [pieces[j]!, pieces[i]!];
      }
    }
    out.push(...pieces);
    pos[t.dir] += t.bytes.length;
  }
  return out;
}

/** One segment per turn. */
function wholeTurns(turns: readonly Turn[]): Seg[] {
  const pos: [number, number] = [0, 0];
  return turns.map((t) => {
    const g: Seg = { dir: t.dir, buf: t.bytes, off: 0, len: t.bytes.length, streamOff: pos[t.dir] };
    pos[t.dir] += t.bytes.length;
    return g;
  });
}

/** What a conversation reported, without frame numbers (they depend on the segmentation). */
class Events implements RpcSink {
  readonly endpoints: unknown[] = [];
  readonly none: unknown[] = [];
  readonly faults: unknown[] = [];
  readonly acks: string[] = [];
  readonly rejects: unknown[] = [];
  now(): number { return 0; }
  endpoint(_c: RpcConversation, e: AdvertisedEndpoint): void {
    this.endpoints.push({ source: e.source, operation: e.operation, advertisedHost: e.advertisedHost, bindings: e.bindings, port: e.port, interfaceUuid: e.interfaceUuid });
  }
  epmNoEndpoint(_c: RpcConversation, e: EpmNoEndpoint): void { this.none.push({ operation: e.operation, status: e.status, interfaceUuid: e.interfaceUuid }); }
  fault(_c: RpcConversation, e: RpcFaultEvent): void { this.faults.push({ status: e.status, interfaceUuid: e.interfaceUuid, opnum: e.opnum }); }
  bindAck(_c: RpcConversation, _frame: number, secondaryAddress: string): void { this.acks.push(secondaryAddress); }
  bindRejected(_c: RpcConversation, r: BindRejection): void { this.rejects.push({ kind: r.kind, reason: r.reason, alter: r.alter, interfaces: r.interfaces }); }
}

/** Private state read for the bounds (limits documented in tcp-stream.ts and rpc-conversation.ts). */
interface StreamInside { early: unknown[]; earlyBytes: number; len: number }
const MAX_CALLS = 256;
const MAX_OOO_BYTES = 512 * 1024;
const MAX_OOO_SEGMENTS = 1024;
const MAX_PENDING = 256 * 1024;

function expectBounded(c: RpcConversation, maxSeg: number): void {
  expect((c as unknown as { calls: Map<number, unknown> | null }).calls?.size ?? 0).toBeLessThanOrEqual(MAX_CALLS);
  expect((c as unknown as { offered: Map<number, unknown> | null }).offered?.size ?? 0).toBeLessThanOrEqual(MAX_CALLS);
  for (const s of c.streams) {
    const i = s as unknown as StreamInside;
    expect(i.earlyBytes).toBeLessThanOrEqual(MAX_OOO_BYTES);
    expect(i.early.length).toBeLessThanOrEqual(MAX_OOO_SEGMENTS);
    expect(i.len).toBeLessThanOrEqual(MAX_PENDING + maxSeg);
  }
}

function feed(port: number, segs: readonly Seg[], isn: [number, number], check = false): { ev: Events; c: RpcConversation } {
  const ev = new Events();
  const c = new RpcConversation(['10.1.1.20', '10.1.1.10'], [50001, port], ev);
  c.streams[0].setIsn(isn[0]);
  c.streams[1].setIsn(isn[1]);
  let maxSeg = 0;
  segs.forEach((s, i) => {
    const st: StreamReassembler = c.streams[s.dir];
    st.segment(s.buf, s.off, s.len, (isn[s.dir] + 1 + s.streamOff) >>> 0, i + 1);
    maxSeg = Math.max(maxSeg, s.len);
    if (check && i % 512 === 0) expectBounded(c, maxSeg);
  });
  if (check) expectBounded(c, maxSeg);
  c.streams[0].finish();
  c.streams[1].finish();
  return { ev, c };
}

const summary = (ev: Events): unknown => ({ endpoints: ev.endpoints, none: ev.none, faults: ev.faults, acks: ev.acks });

describe('RpcConversation: properties of valid streams', () => {
  const all = exchanges();

  it('every exchange yields what it should in one segment per turn', () => {
    const got = Object.fromEntries(all.map((x) => {
      const { ev } = feed(x.port, wholeTurns(x.turns), [0, 0]);
      return [x.name, { endpoints: (ev.endpoints as { port: number }[]).map((e) => e.port), none: ev.none.length, faults: ev.faults.length }];
    }));
    expect(got).toEqual({
      'ept_map LE': { endpoints: [49667, 49668], none: 0, faults: 0 },
      'ept_map BE': { endpoints: [49990], none: 0, faults: 0 },
      'NDR64 negotiated': { endpoints: [49700], none: 1, faults: 0 },
      'ept_lookup': { endpoints: [49667, 49668], none: 0, faults: 0 },
      'multi-fragment answer': { endpoints: [49667, 49668, 49669, 49670, 49671], none: 0, faults: 0 },
      'coalesced calls, answers reversed': { endpoints: [49701], none: 1, faults: 0 },
      'DCOM activation': { endpoints: [49702, 49703], none: 0, faults: 0 },
      'fault on a dynamic port': { endpoints: [], none: 0, faults: 1 },
    });
  });

  it('the same byte stream segmented at random 50 times gives the same endpoints every time', { timeout: 60_000 }, () => {
    const rng = new Rng(SEED ^ 0x5e6);
    for (const x of all) {
      const reference = summary(feed(x.port, segmentTurns(x.turns, rng, { reorder: false, dup: false }), [0x1000, 0x2000]).ev);
      for (let run = 0; run < 50; run++) {
        const isn: [number, number] = run % 5 === 0 ? [0xffffff00 + rng.int(0xff), 0xfffffff0] : [rng.u32(), rng.u32()];
        const segs = segmentTurns(x.turns, rng, { reorder: run % 2 === 1, dup: run % 3 !== 0 });
        expect(summary(feed(x.port, segs, isn, true).ev), `${x.name} run ${run}`).toEqual(reference);
      }
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Corruption

/** frag_length of the PDU at `o`, in the byte order its drep gives. */
function pduLength(b: Uint8Array, o: number): number {
  const le = (b[o + 4]! & 0x10) !== 0;
  return le ? b[o + 8]! | (b[o + 9]! << 8) : (b[o + 8]! << 8) | b[o + 9]!;
}

/** Offsets of the PDUs in a valid turn (walking frag_length as written). */
function pduStarts(b: Uint8Array): number[] {
  const out: number[] = [];
  for (let o = 0; o + 16 <= b.length; ) {
    out.push(o);
    const fl = pduLength(b, o);
    if (fl < 16) break;
    o += fl;
  }
  return out;
}

/** Corrupts a copy of the exchange's turns in one or more seeded ways; returns the names applied. */
function corrupt(turns: Turn[], rng: Rng): string[] {
  const done: string[] = [];
  const k = 1 + rng.int(3);
  for (let m = 0; m < k; m++) {
    if (turns.length === 0) turns.push({ dir: 0, bytes: rng.bytes(40) });
    const t = rng.pick(turns);
    const what = rng.int(7);
    if (what === 0 || t.bytes.length === 0) {
      for (let i = 0; i < 1 + rng.int(8); i++) if (t.bytes.length > 0) t.bytes[rng.int(t.bytes.length)] = rng.u32() & 0xff;
      done.push('flip');
    } else if (what === 1) {
      t.bytes = t.bytes.slice(0, rng.int(t.bytes.length));
      done.push('truncate');
    } else if (what === 2) {
      const at = rng.pick(pduStarts(t.bytes));
      if (at + 10 <= t.bytes.length) {
        const fl = rng.pick([0, 1, 15, 16, 17, 24, 0xffff, rng.int(0x10000), rng.int(200)]);
        t.bytes[at + 8] = fl & 0xff;
        t.bytes[at + 9] = fl >>> 8;
      }
      done.push('frag_length');
    } else if (what === 3) {
      // auth_length, call_id, flags or ptype of a PDU
      const at = rng.pick(pduStarts(t.bytes));
      const field = rng.pick([2, 3, 10, 11, 12, 13, 20, 22]);
      if (at + field < t.bytes.length) t.bytes[at + field] = rng.u32() & 0xff;
      done.push('header');
    } else if (what === 4) {
      turns.splice(rng.int(turns.length + 1), 0, { dir: rng.int(2) as 0 | 1, bytes: rng.bytes(rng.int(300)) });
      done.push('garbage');
    } else if (what === 5) {
      // A duplicated PDU run, as a broken middlebox might replay.
      const at = rng.int(t.bytes.length);
      t.bytes = concat(t.bytes, t.bytes.subarray(at, Math.min(t.bytes.length, at + rng.int(400))));
      done.push('replay');
    } else {
      turns.splice(turns.indexOf(t), 1);
      done.push('drop-turn');
    }
  }
  return done;
}

describe('RpcConversation: corrupted streams', () => {
  it('never throws, keeps every bound, and takes bounded time', { timeout: 60_000 }, () => {
    const rng = new Rng(SEED ^ 0xc0);
    const all = exchanges();
    let slowest = 0;
    for (let run = 0; run < 3000; run++) {
      const x = rng.pick(all);
      const turns = x.turns.map((t) => ({ dir: t.dir, bytes: t.bytes.slice() }));
      const what = corrupt(turns, rng);
      let segs = segmentTurns(turns, rng, { reorder: rng.int(2) === 0, dup: rng.int(2) === 0 });
      if (run % 4 === 0 && segs.length > 1) segs.splice(rng.int(segs.length), 1); // a segment the capture lost
      if (run % 7 === 0) segs = [...segs].sort(() => rng.int(3) - 1); // reordering across turns
      if (run % 11 === 0 && segs.length > 0) {
        // A retransmission whose bytes differ from the original.
        const s = rng.pick(segs);
        const buf = s.buf.slice();
        for (let i = 0; i < 4; i++) buf[s.off + rng.int(s.len)] = rng.u32() & 0xff;
        segs.push({ ...s, buf });
      }
      const t0 = performance.now();
      try {
        feed(x.port, segs, [rng.u32(), rng.u32()], run % 10 === 0);
      } catch (e) {
        throw new Error(`${x.name} run ${run} (${what.join(', ')}): ${e instanceof Error ? e.stack : String(e)}`);
      }
      slowest = Math.max(slowest, performance.now() - t0);
    }
    expect(slowest).toBeLessThan(250);
  });

  it('random bytes and random PDU headers with random lengths: no throw, bounded state', { timeout: 60_000 }, () => {
    const rng = new Rng(SEED ^ 0xbad);
    for (let run = 0; run < 150; run++) {
      // A stream of plausible headers (so looksLikeCoPdu accepts them) with random bodies and frag_lengths.
      const parts: Uint8Array[] = [];
      let n = 0;
      while (n < 20_000 + rng.int(60_000)) {
        const h = rng.bytes(16 + rng.int(200));
        h[0] = 5; h[1] = rng.int(2); h[2] = rng.pick([0, 2, 3, 11, 12, 14, 15]); h[3] = rng.u32() & 0xff; h[4] = rng.pick([0x10, 0x00]);
        const fl = rng.pick([16, h.length, rng.int(0x10000), 0xffff]);
        h[8] = h[4] === 0x10 ? fl & 0xff : fl >>> 8;
        h[9] = h[4] === 0x10 ? fl >>> 8 : fl & 0xff;
        parts.push(h);
        n += h.length;
      }
      const bytes = concat(...parts);
      const segs = segmentTurns([{ dir: (run % 2) as 0 | 1, bytes }, { dir: ((run + 1) % 2) as 0 | 1, bytes: rng.bytes(5000) }], rng, { reorder: true, dup: true });
      const t0 = performance.now();
      feed(rng.pick([135, 49700]), segs, [rng.u32(), rng.u32()], true);
      expect(performance.now() - t0, `run ${run}`).toBeLessThan(500);
    }
  });

  it('10 MB of out-of-order PDUs behind a hole: state stays within the documented bounds', () => {
    const pdu = dcerpcResponse({ callId: 9, stub: new Uint8Array(1000) });
    const ev = new Events();
    const c = new RpcConversation(['10.1.1.20', '10.1.1.10'], [50001, 135], ev);
    c.streams[1].setIsn(0);
    const seg = concat(pdu, pdu);
    const t0 = performance.now();
    for (let o = seg.length; o < 10 * 1024 * 1024; o += 2 * seg.length) {
      c.streams[1].segment(seg, 0, seg.length, 1 + o + seg.length, 1);
      c.streams[1].segment(seg, 0, seg.length, 1 + o, 2);
    }
    expectBounded(c, seg.length);
    c.streams[1].finish();
    expect(performance.now() - t0).toBeLessThan(5000);
    expect(c.pdus).toBeGreaterThan(10_000);
  });
});

// ---------------------------------------------------------------------------------------------
// Whole pipeline: frames, Dissector, ConnectionTracker, correlate.

/**
 * Frames of one exchange on a TCP conversation (handshake, the turns segmented by `segs`), then,
 * for each advertised port, a connection from the client: established for even ports, SYNs
 * unanswered for odd ones.
 */
function framesOf(x: Exchange, segs: readonly Seg[], isn: number, ports: readonly number[]): WriterFrame[] {
  const s = new Scene();
  const c = s.conv({ port: x.port, clientPort: 50001, clientIsn: isn });
  c.connect();
  const base: [number, number] = [c.seqOf('client'), c.seqOf('server')];
  for (const g of segs) {
    c.send(g.dir === 0 ? 'client' : 'server', g.buf.subarray(g.off, g.off + g.len), { seq: (base[g.dir] + g.streamOff) >>> 0 });
  }
  s.wait(0.05);
  for (const p of ports) {
    const d = s.conv({ port: p, clientPort: 50100 + (p % 100) });
    if (p % 2 === 0) d.connect();
    else { d.syn(); s.wait(3); d.syn(); s.wait(6); d.syn(); }
  }
  s.wait(1);
  return s.out;
}

/** Verdicts without frame numbers and times, for comparing segmentations. */
function shape(v: Verdicts): unknown {
  return {
    endpoints: v.endpoints.map((e) => [e.source, e.operation, e.client, e.server, e.advertisedHost, e.bindings, e.port, e.interfaceUuid, e.inRange, e.followUp]),
    findings: v.findings.map((f) => [f.id, f.severity, f.client, f.server, f.port, f.inferred]).sort(),
    attempts: v.attempts.map((a) => [a.serverPort, a.outcome]),
  };
}

function checkVerdicts(v: Verdicts): void {
  for (const f of v.findings) {
    for (let i = 1; i < f.evidenceFrames.length; i++) expect(f.evidenceFrames[i]!).toBeGreaterThan(f.evidenceFrames[i - 1]!);
    expect(f.inferred).toBe(f.id === 'INFERRED_RPC_PORT_BLOCKED');
  }
  JSON.stringify(v);
}

describe('whole pipeline: properties and corruption', () => {
  const all = exchanges();
  const advertised: Record<string, number[]> = {
    'ept_map LE': [49667, 49668], 'ept_map BE': [49990], 'NDR64 negotiated': [49700], 'ept_lookup': [49667, 49668],
    'multi-fragment answer': [49667, 49669], 'coalesced calls, answers reversed': [49701], 'DCOM activation': [49702, 49703],
    'fault on a dynamic port': [],
  };

  it('the same exchange segmented at random 50 times gives the same endpoints and verdicts', { timeout: 60_000 }, () => {
    const rng = new Rng(SEED ^ 0x9e);
    for (const x of all) {
      const ports = advertised[x.name]!;
      const ref = verdicts(track(framesOf(x, wholeTurns(x.turns), 0x1000, ports)));
      checkVerdicts(ref);
      expect(ref.endpoints.map((e) => e.port), x.name).toEqual(expect.arrayContaining(ports));
      for (let run = 0; run < 50; run++) {
        const segs = segmentTurns(x.turns, rng, { reorder: run % 2 === 0, dup: run % 3 === 0, firstWhole: x.port !== 135 });
        const v = verdicts(track(framesOf(x, segs, run % 4 === 0 ? 0xfffffe00 : rng.u32(), ports)));
        checkVerdicts(v);
        expect(shape(v), `${x.name} run ${run}`).toEqual(shape(ref));
      }
    }
  });

  it('corrupted payloads, frames and segmentations: no throw, no decoder error, sound verdicts', { timeout: 60_000 }, () => {
    const rng = new Rng(SEED ^ 0x91);
    let slowest = 0;
    for (let run = 0; run < 600; run++) {
      const x = rng.pick(all);
      const turns = x.turns.map((t) => ({ dir: t.dir, bytes: t.bytes.slice() }));
      const what = corrupt(turns, rng);
      const segs = segmentTurns(turns, rng, { reorder: rng.int(2) === 0, dup: rng.int(2) === 0 });
      let frames = framesOf(x, segs, rng.u32(), advertised[x.name]!);
      if (run % 3 === 0) {
        // Corrupt whole frames too: any layer, any byte; drop and repeat frames.
        frames = frames.map((f) => ({ ...f, data: f.data.slice() }));
        for (let i = 0; i < 1 + rng.int(6); i++) {
          const f = rng.pick(frames);
          f.data[rng.int(f.data.length)] = rng.u32() & 0xff;
        }
        if (frames.length > 2) frames.splice(rng.int(frames.length), 1);
        const again = rng.pick(frames);
        frames.splice(rng.int(frames.length), 0, again);
      }
      const t0 = performance.now();
      let v: Verdicts;
      try {
        v = verdicts(track(frames));
      } catch (e) {
        throw new Error(`${x.name} run ${run} (${what.join(', ')}): ${e instanceof Error ? e.stack : String(e)}`);
      }
      slowest = Math.max(slowest, performance.now() - t0);
      checkVerdicts(v);
    }
    expect(slowest).toBeLessThan(500);
  });

  it('from pcap files through analyzeFile: no throw, no internal decoder error, bounded time', { timeout: 60_000 }, async () => {
    const rng = new Rng(SEED ^ 0xf11e);
    const failures: string[] = [];
    for (let run = 0; run < 40; run++) {
      const x = all[run % all.length]!;
      const turns = x.turns.map((t) => ({ dir: t.dir, bytes: t.bytes.slice() }));
      if (run >= all.length) corrupt(turns, rng);
      const frames = framesOf(x, segmentTurns(turns, rng, { reorder: true, dup: true }), rng.u32(), advertised[x.name]!);
      const bytes = writePcap(frames, { linkType: LinkType.ETHERNET, snaplen: run >= all.length && run % 5 === 4 ? 96 : 65535 });
      const r = await runPipeline(tmp(bytes, 'engine.pcap'));
      if (!r.ok) failures.push(`${x.name} run ${run}: ${r.why} -> ${keepRegression({ name: `engine-${x.name}`, bytes }, run, bytes)}`);
      else if (run < all.length && advertised[x.name]!.length > 0) expect(r.report.endpoints.length, x.name).toBeGreaterThan(0);
    }
    expect(failures).toEqual([]);
  });
});
