import { describe, expect, it } from 'vitest';
import {
  RpcConversation, type AdvertisedEndpoint, type BindRejection, type EpmNoEndpoint, type RpcFaultEvent, type RpcSink,
} from '../../../src/analysis/analyzers/rpc-conversation.js';
import { EPT_S_NOT_REGISTERED } from '../../../src/wire/epm.js';
import { eptLookupRequestStub, eptLookupResponseStub, EptInquiry } from '../../../samples/gen/frames.js';
import { NDR64_UUID } from '../../../src/wire/dcerpc.js';
import {
  DRSUAPI_V4, EPM_V3, NDR_V2, Pfc, dcerpcBind, dcerpcBindAck, dcerpcBindNak, dcerpcFault, dcerpcRequest, dcerpcResponse,
  eptMapRequestStub, eptMapResponseStub, type SyntaxId,
} from '../../../samples/gen/frames.js';
import { concat } from '../../helpers/frame.js';
import { dualStringArray, eptLookupResponse, eptMapRequest, eptMapResponse, npTower, tcpTower, tcpTowerAt, towerOf, uuidFloor } from '../../helpers/rpc.js';

const NDR64: SyntaxId = { uuid: NDR64_UUID, major: 1, minor: 0 };
const BTFN: SyntaxId = { uuid: '6cb71c2c-9812-4540-0300-000000000000', major: 1, minor: 0 };
const NETLOGON: SyntaxId = { uuid: '12345678-1234-abcd-ef00-01234567cffb', major: 1, minor: 0 };
const ISYSTEM_ACTIVATOR: SyntaxId = { uuid: '000001a0-0000-0000-c000-000000000046', major: 0, minor: 0 };
const IOXID_RESOLVER: SyntaxId = { uuid: '99fcfec4-5260-101b-bbcb-00aa0021347a', major: 0, minor: 0 };

type Untimed<T> = Omit<T, 'requestTime'>;

/** Everything a conversation reported, in order; request times apart (the clock is the frame number / 10). */
class Events implements RpcSink {
  readonly endpoints: Untimed<AdvertisedEndpoint>[] = [];
  readonly none: Untimed<EpmNoEndpoint>[] = [];
  readonly faults: Untimed<RpcFaultEvent>[] = [];
  readonly requestTimes: number[] = [];
  readonly acks: { frame: number; secondaryAddress: string }[] = [];
  clock = 0;
  now(): number { return this.clock; }
  endpoint(_c: RpcConversation, { requestTime, ...e }: AdvertisedEndpoint): void { this.requestTimes.push(requestTime); this.endpoints.push(e); }
  epmNoEndpoint(_c: RpcConversation, { requestTime, ...e }: EpmNoEndpoint): void { this.requestTimes.push(requestTime); this.none.push(e); }
  fault(_c: RpcConversation, { requestTime, ...e }: RpcFaultEvent): void { this.requestTimes.push(requestTime); this.faults.push(e); }
  bindAck(_c: RpcConversation, frame: number, secondaryAddress: string): void { this.acks.push({ frame, secondaryAddress }); }
  readonly rejects: BindRejection[] = [];
  bindRejected(_c: RpcConversation, r: BindRejection): void { this.rejects.push(r); }
}

/** A conversation 10.0.0.1:49801 (side 0, the client) <-> 10.0.0.2:`port`, fed stream bytes by side. */
class Conv {
  readonly ev = new Events();
  readonly c: RpcConversation;
  private readonly seq: [number, number] = [0x10000000, 0xfffff000]; // the server's wraps past 2^32
  frame = 0;
  constructor(port = 135, clientFirst = true) {
    this.c = new RpcConversation(clientFirst ? ['10.0.0.1', '10.0.0.2'] : ['10.0.0.2', '10.0.0.1'], clientFirst ? [49801, port] : [port, 49801], this.ev);
    this.c.streams[0].setIsn(this.seq[0] - 1);
    this.c.streams[1].setIsn(this.seq[1] - 1);
  }
  /** Sends `b` from side `dir` in one segment (or `parts` segments of roughly equal size). */
  send(dir: 0 | 1, b: Uint8Array, parts = 1): this {
    const step = Math.ceil(b.length / parts);
    for (let o = 0; o < b.length; o += step) {
      const n = Math.min(step, b.length - o);
      this.ev.clock = (this.frame + 1) / 10;
      this.c.streams[dir].segment(b, o, n, this.seq[dir], ++this.frame);
      this.seq[dir] = (this.seq[dir] + n) >>> 0;
    }
    return this;
  }
}

const epmBind = (callId = 1): Uint8Array => dcerpcBind({ callId, contexts: [{ id: 0, abstract: EPM_V3, transfer: [NDR_V2] }] });
const epmAck = (callId = 1): Uint8Array => dcerpcBindAck({ callId, secondaryAddress: '135', results: [{ result: 0, transfer: NDR_V2 }] });
const mapReq = (callId: number, iface: SyntaxId, be = false): Uint8Array =>
  dcerpcRequest({ callId, contextId: 0, opnum: 3, stub: eptMapRequestStub({ iface, bigEndian: be }), bigEndian: be });

describe('RpcConversation', () => {
  it('learns the interface of each context from the bind, and the client side from who binds', () => {
    const t = new Conv(135, false); // side 0 is the server: the capture saw it send first
    t.send(1, epmBind());
    expect(t.c.clientDir).toBe(1);
    expect([t.c.client, t.c.server, t.c.serverPort]).toEqual(['10.0.0.1', '10.0.0.2', 135]);
    t.send(0, epmAck());
    t.send(1, mapReq(2, DRSUAPI_V4));
    t.send(0, dcerpcResponse({ callId: 2, stub: eptMapResponseStub({ towers: [{ iface: DRSUAPI_V4, port: 49667, ip: '0.0.0.0' }] }) }));
    expect(t.ev.endpoints.map((e) => [e.source, e.operation, e.port, e.interfaceUuid])).toEqual([['epm', 'ept_map', 49667, DRSUAPI_V4.uuid]]);
    expect(t.c.pdus).toBe(4);
    // The request (frame 3) was read when the clock said 0.3: its time travels with the answer.
    expect(t.ev.requestTimes).toEqual([0.3]);
  });

  it('reports the bind_ack secondary address with its frame', () => {
    const t = new Conv(49700);
    t.send(0, dcerpcBind({ callId: 1, contexts: [{ id: 0, abstract: DRSUAPI_V4, transfer: [NDR_V2] }] }));
    t.send(1, dcerpcBindAck({ callId: 1, secondaryAddress: '49667', results: [{ result: 0, transfer: NDR_V2 }] }));
    expect(t.ev.acks).toEqual([{ frame: 2, secondaryAddress: '49667' }]);
  });

  it('reports a bind_nak with its reason, the bind it answers and the interfaces offered', () => {
    const t = new Conv(49700);
    t.send(0, dcerpcBind({ callId: 7, contexts: [{ id: 0, abstract: DRSUAPI_V4, transfer: [NDR_V2] }, { id: 1, abstract: DRSUAPI_V4, transfer: [NDR64] }] }));
    t.send(1, dcerpcBindNak({ callId: 7, reason: 8 }));
    expect(t.ev.rejects).toEqual([{ frame: 2, bindFrame: 1, bindTime: 0.1, kind: 'nak', reason: 8, alter: false, interfaces: [DRSUAPI_V4.uuid] }]);
    expect(t.ev.acks).toEqual([]);
  });

  it('reports a bind_ack that accepts no context (negotiate_ack accepts none), and not one that accepts any', () => {
    const t = new Conv(49700);
    t.send(0, dcerpcBind({ callId: 1, contexts: [{ id: 0, abstract: NETLOGON, transfer: [NDR_V2] }, { id: 1, abstract: NETLOGON, transfer: [BTFN] }] }));
    t.send(1, dcerpcBindAck({ callId: 1, secondaryAddress: '49700', results: [{ result: 2, reason: 1 }, { result: 3, reason: 3 }] }));
    // NDR64 refused but NDR accepted: the usual answer to a Windows x64 client, no rejection.
    t.send(0, dcerpcBind({ callId: 2, alter: true, contexts: [{ id: 2, abstract: DRSUAPI_V4, transfer: [NDR64] }, { id: 3, abstract: DRSUAPI_V4, transfer: [NDR_V2] }] }));
    t.send(1, dcerpcBindAck({ callId: 2, alter: true, secondaryAddress: '', results: [{ result: 2, reason: 2 }, { result: 0, transfer: NDR_V2 }] }));
    // An alter_context for an interface the server does not have.
    t.send(0, dcerpcBind({ callId: 3, alter: true, contexts: [{ id: 4, abstract: ISYSTEM_ACTIVATOR, transfer: [NDR_V2] }] }));
    t.send(1, dcerpcBindAck({ callId: 3, alter: true, secondaryAddress: '', results: [{ result: 2, reason: 1 }] }));
    expect(t.ev.rejects.map((r) => [r.frame, r.bindFrame, r.kind, r.reason, r.alter, r.interfaces])).toEqual([
      [2, 1, 'contexts', 1, false, [NETLOGON.uuid]],
      [6, 5, 'contexts', 1, true, [ISYSTEM_ACTIVATOR.uuid]],
    ]);
    expect(t.ev.acks.map((a) => a.frame)).toEqual([2]);
  });

  it('reports a bind_nak whose bind it did not see, without interfaces', () => {
    const t = new Conv(49700);
    t.send(1, dcerpcBindNak({ callId: 1, reason: 2 }));
    expect(t.ev.rejects).toEqual([{ frame: 1, bindFrame: null, bindTime: Number.NaN, kind: 'nak', reason: 2, alter: false, interfaces: [] }]);
  });

  it('turns an ept_map answer into one endpoint per TCP tower, with the request frame', () => {
    const t = new Conv();
    t.send(0, epmBind()).send(1, epmAck()).send(0, mapReq(2, DRSUAPI_V4));
    t.send(1, dcerpcResponse({
      callId: 2, stub: eptMapResponse([
        tcpTowerAt(DRSUAPI_V4, 49667, '10.0.0.2'),
        npTower(DRSUAPI_V4, '\\PIPE\\lsass', '\\\\DC01'),   // not TCP: no endpoint
        tcpTowerAt(DRSUAPI_V4, 0, '10.0.0.2'),             // port 0: no endpoint
        tcpTowerAt(DRSUAPI_V4, 49668, '0.0.0.0'),
      ]),
    }));
    expect(t.ev.endpoints).toEqual([
      { frame: 4, requestFrame: 3, source: 'epm', operation: 'ept_map', advertisedHost: '10.0.0.2', bindings: [], port: 49667, interfaceUuid: DRSUAPI_V4.uuid, enumeration: false },
      { frame: 4, requestFrame: 3, source: 'epm', operation: 'ept_map', advertisedHost: '0.0.0.0', bindings: [], port: 49668, interfaceUuid: DRSUAPI_V4.uuid, enumeration: false },
    ]);
    expect(t.ev.none).toEqual([]);
  });

  it('decodes big-endian NDR conversations', () => {
    const t = new Conv();
    t.send(0, dcerpcBind({ callId: 1, bigEndian: true, contexts: [{ id: 0, abstract: EPM_V3, transfer: [NDR_V2] }] }));
    t.send(1, dcerpcBindAck({ callId: 1, bigEndian: true, secondaryAddress: '135', results: [{ result: 0, transfer: NDR_V2 }] }));
    t.send(0, mapReq(2, DRSUAPI_V4, true));
    t.send(1, dcerpcResponse({ callId: 2, bigEndian: true, stub: eptMapResponseStub({ bigEndian: true, towers: [{ iface: DRSUAPI_V4, port: 49990, ip: '10.0.0.2' }] }) }));
    expect(t.ev.endpoints.map((e) => [e.port, e.advertisedHost, e.interfaceUuid])).toEqual([[49990, '10.0.0.2', DRSUAPI_V4.uuid]]);
  });

  it('matches answers to requests by call_id when several calls are outstanding', () => {
    const t = new Conv();
    t.send(0, epmBind()).send(1, epmAck());
    t.send(0, mapReq(7, DRSUAPI_V4));   // frame 3
    t.send(0, mapReq(8, NETLOGON));     // frame 4
    // Answers in the other order: NETLOGON is not registered, DRSUAPI is.
    t.send(1, dcerpcResponse({ callId: 8, stub: eptMapResponseStub({ towers: [], status: EPT_S_NOT_REGISTERED }) }));
    t.send(1, dcerpcResponse({ callId: 7, stub: eptMapResponseStub({ towers: [{ iface: DRSUAPI_V4, port: 49667, ip: '0.0.0.0' }] }) }));
    expect(t.ev.none).toEqual([{ frame: 5, requestFrame: 4, operation: 'ept_map', status: EPT_S_NOT_REGISTERED, interfaceUuid: NETLOGON.uuid }]);
    expect(t.ev.endpoints.map((e) => [e.frame, e.requestFrame, e.port])).toEqual([[6, 3, 49667]]);
  });

  it('reports an ept_map answer with status 0 but no TCP tower as no endpoint', () => {
    const t = new Conv();
    t.send(0, epmBind()).send(1, epmAck()).send(0, mapReq(2, NETLOGON));
    t.send(1, dcerpcResponse({ callId: 2, stub: eptMapResponse([npTower(NETLOGON, '\\PIPE\\netlogon', '\\\\DC01')]) }));
    expect(t.ev.endpoints).toEqual([]);
    expect(t.ev.none).toEqual([{ frame: 4, requestFrame: 3, operation: 'ept_map', status: 0, interfaceUuid: NETLOGON.uuid }]);
  });

  it('puts a multi-fragment response stub back together before decoding it', () => {
    const stub = eptMapResponseStub({
      maxTowers: 8,
      towers: [49667, 49668, 49669, 49670, 49671].map((port) => ({ iface: DRSUAPI_V4, port, ip: '10.0.0.2' })),
    });
    const cuts = [0, 37, 150, stub.length];
    const frags = [0, 1, 2].map((i) => dcerpcResponse({
      callId: 2, stub: stub.subarray(cuts[i], cuts[i + 1]), flags: (i === 0 ? Pfc.FIRST_FRAG : 0) | (i === 2 ? Pfc.LAST_FRAG : 0),
    }));
    const t = new Conv();
    t.send(0, epmBind()).send(1, epmAck()).send(0, mapReq(2, DRSUAPI_V4));
    t.send(1, frags[0]!).send(1, frags[1]!);
    expect(t.ev.endpoints).toEqual([]);
    t.send(1, frags[2]!);
    expect(t.ev.endpoints.map((e) => [e.frame, e.requestFrame, e.port])).toEqual([[6, 3, 49667], [6, 3, 49668], [6, 3, 49669], [6, 3, 49670], [6, 3, 49671]]);
  });

  it('decodes ept_lookup answers (annotations, null towers)', () => {
    const t = new Conv();
    t.send(0, epmBind()).send(1, epmAck());
    t.send(0, dcerpcRequest({ callId: 2, contextId: 0, opnum: 2, stub: new Uint8Array(40) }));
    t.send(1, dcerpcResponse({
      callId: 2, stub: eptLookupResponse([
        { tower: tcpTowerAt(DRSUAPI_V4, 49667, '10.0.0.2'), annotation: 'MS NT Directory DRS Interface' },
        { tower: null, annotation: 'x' },
        { tower: tcpTowerAt(NETLOGON, 49668, '10.0.0.2'), annotation: '' },
      ]),
    }));
    expect(t.ev.endpoints.map((e) => [e.operation, e.port, e.interfaceUuid])).toEqual([
      ['ept_lookup', 49667, DRSUAPI_V4.uuid], ['ept_lookup', 49668, NETLOGON.uuid],
    ]);
  });

  it('takes EPT_S_NOT_REGISTERED after an enumeration\'s entries for its end, not for a missing endpoint', () => {
    const t = new Conv();
    t.send(0, epmBind()).send(1, epmAck());
    const handle = Uint8Array.from({ length: 20 }, (_, i) => i + 1);
    const entries = [{ tower: { iface: DRSUAPI_V4, port: 49667, ip: '10.0.0.2' }, annotation: 'a' }];
    t.send(0, dcerpcRequest({ callId: 2, opnum: 2, stub: eptLookupRequestStub({ maxEntries: 1 }) }));
    t.send(1, dcerpcResponse({ callId: 2, stub: eptLookupResponseStub({ entries, maxEntries: 1, handle }) }));
    t.send(0, dcerpcRequest({ callId: 3, opnum: 2, stub: eptLookupRequestStub({ maxEntries: 1, handle }) }));
    t.send(1, dcerpcResponse({ callId: 3, stub: eptLookupResponseStub({ entries: [], maxEntries: 1, status: EPT_S_NOT_REGISTERED }) }));
    expect(t.ev.endpoints.map((e) => [e.port, e.enumeration])).toEqual([[49667, true]]);
    expect(t.ev.none).toEqual([]);
  });

  it('still reports EPT_S_NOT_REGISTERED for a lookup by interface that finds nothing', () => {
    const t = new Conv();
    t.send(0, epmBind()).send(1, epmAck());
    t.send(0, dcerpcRequest({ callId: 2, opnum: 2, stub: eptLookupRequestStub({ inquiryType: EptInquiry.MATCH_BY_IF, iface: NETLOGON, maxEntries: 4 }) }));
    t.send(1, dcerpcResponse({ callId: 2, stub: eptLookupResponseStub({ entries: [], maxEntries: 4, status: EPT_S_NOT_REGISTERED }) }));
    expect(t.ev.none).toEqual([{ frame: 4, requestFrame: 3, operation: 'ept_lookup', status: EPT_S_NOT_REGISTERED, interfaceUuid: NETLOGON.uuid }]);
  });

  it('rejects a tower whose port or address floor has the wrong length instead of reporting a port from it', () => {
    const t = new Conv();
    t.send(0, epmBind()).send(1, epmAck()).send(0, mapReq(2, DRSUAPI_V4));
    const floors = (port: number[], ip: number[]): Uint8Array => towerOf([
      uuidFloor(DRSUAPI_V4), [[0x0d, ...new Array<number>(18).fill(0)], [0, 0]], [[0x0b], [0, 0]], [[0x07], port], [[0x09], ip],
    ]);
    t.send(1, dcerpcResponse({ callId: 2, stub: eptMapResponse([floors([0xc1, 0x03, 0, 0], [10, 0, 0, 2]), floors([0xc1, 0x04], [10, 0, 0]), floors([0xc1, 0x05], [10, 0, 0, 2])]) }));
    // The first tower's port floor has 4 octets, the second's address 3: only the third is a tower.
    expect(t.ev.endpoints.map((e) => e.port)).toEqual([0xc105]);
  });

  it('reads an answer on port 135 without a bind as DCOM when an ept_map reading is implausible (opnum 3 is also RemoteGetClassObject)', () => {
    const t = new Conv();
    t.send(0, dcerpcRequest({ callId: 2, opnum: 3, stub: new Uint8Array(64) }));
    t.send(1, dcerpcResponse({ callId: 2, stub: concat(new Uint8Array(56).fill(0x5a), dualStringArray(['SRV[50001]', '10.0.0.2[50001]'])) }));
    expect(t.ev.endpoints.map((e) => [e.source, e.port])).toEqual([['dcom', 50001]]);
    expect(t.ev.none).toEqual([]);
  });

  it('reports a fault with the interface and opnum of the call it answers', () => {
    const t = new Conv();
    t.send(0, epmBind()).send(1, epmAck()).send(0, mapReq(2, DRSUAPI_V4));
    t.send(1, dcerpcFault({ callId: 2, status: 0x1c010003 }));
    expect(t.ev.faults).toEqual([{ frame: 4, requestFrame: 3, status: 0x1c010003, interfaceUuid: EPM_V3.uuid, opnum: 3 }]);
    // A fault for a call never seen still says which context it came on.
    t.send(1, dcerpcFault({ callId: 99, status: 5 }));
    expect(t.ev.faults[1]).toEqual({ frame: 5, requestFrame: null, status: 5, interfaceUuid: EPM_V3.uuid, opnum: null });
  });

  it('finds DCOM string bindings in an ISystemActivator answer, one endpoint per port', () => {
    const t = new Conv(135);
    t.send(0, dcerpcBind({ callId: 1, contexts: [{ id: 1, abstract: ISYSTEM_ACTIVATOR, transfer: [NDR_V2] }] }));
    t.send(1, dcerpcBindAck({ callId: 1, secondaryAddress: '135', results: [{ result: 0, transfer: NDR_V2 }] }));
    t.send(0, dcerpcRequest({ callId: 2, contextId: 1, opnum: 4, stub: new Uint8Array(64) }));
    const stub = concat(
      new Uint8Array([0x00, 0x00, 0x02, 0x00, 0x78, 0x56, 0x34, 0x12, 0x07, 0x00]), // NDR before the array (with a stray 07 00)
      dualStringArray(['DC01[49700]', '10.0.0.2[49700]', '192.168.5.2[49700]', '10.0.0.2[49701]', 'DC01[49700]']),
      new Uint8Array(12),
    );
    t.send(1, dcerpcResponse({ callId: 2, contextId: 1, stub }));
    expect(t.ev.endpoints).toEqual([
      { frame: 4, requestFrame: 3, source: 'dcom', operation: 'RemoteCreateInstance', advertisedHost: 'DC01', bindings: ['DC01[49700]', '10.0.0.2[49700]', '192.168.5.2[49700]'], port: 49700, interfaceUuid: ISYSTEM_ACTIVATOR.uuid, enumeration: false },
      { frame: 4, requestFrame: 3, source: 'dcom', operation: 'RemoteCreateInstance', advertisedHost: '10.0.0.2', bindings: ['10.0.0.2[49701]'], port: 49701, interfaceUuid: ISYSTEM_ACTIVATOR.uuid, enumeration: false },
    ]);
  });

  it('names IOXIDResolver operations and ignores string bindings in other interfaces', () => {
    const t = new Conv(135);
    t.send(0, dcerpcBind({ callId: 1, contexts: [{ id: 0, abstract: IOXID_RESOLVER, transfer: [NDR_V2] }, { id: 1, abstract: NETLOGON, transfer: [NDR_V2] }] }));
    t.send(1, dcerpcBindAck({ callId: 1, secondaryAddress: '135', results: [{ result: 0, transfer: NDR_V2 }, { result: 0, transfer: NDR_V2 }] }));
    t.send(0, dcerpcRequest({ callId: 2, contextId: 0, opnum: 5, stub: new Uint8Array(8) }));
    t.send(0, dcerpcRequest({ callId: 3, contextId: 1, opnum: 5, stub: new Uint8Array(8) }));
    t.send(1, dcerpcResponse({ callId: 2, contextId: 0, stub: dualStringArray(['SRV[50123]']) }));
    t.send(1, dcerpcResponse({ callId: 3, contextId: 1, stub: dualStringArray(['SRV[50124]']) }));
    expect(t.ev.endpoints.map((e) => [e.operation, e.port])).toEqual([['ResolveOxid2', 50123]]);
  });

  it('decodes NDR64 stubs when the bind_ack accepts NDR64 for the context', () => {
    const t = new Conv();
    // Windows offers NDR on context 0, NDR64 on context 1 and bind-time feature negotiation on context 2.
    t.send(0, dcerpcBind({ callId: 1, contexts: [
      { id: 0, abstract: EPM_V3, transfer: [NDR_V2] }, { id: 1, abstract: EPM_V3, transfer: [NDR64] }, { id: 2, abstract: EPM_V3, transfer: [BTFN] },
    ] }));
    t.send(1, dcerpcBindAck({ callId: 1, secondaryAddress: '135', results: [{ result: 2, reason: 2 }, { result: 0, transfer: NDR64 }, { result: 3, reason: 3 }] }));
    t.send(0, dcerpcRequest({ callId: 2, contextId: 1, opnum: 3, stub: eptMapRequest(tcpTower(NETLOGON, 135), { ndr64: true }) }));
    t.send(1, dcerpcResponse({ callId: 2, contextId: 1, stub: eptMapResponse([], { ndr64: true, status: EPT_S_NOT_REGISTERED }) }));
    t.send(0, dcerpcRequest({ callId: 3, contextId: 1, opnum: 3, stub: eptMapRequest(tcpTower(DRSUAPI_V4, 135), { ndr64: true }) }));
    t.send(1, dcerpcResponse({ callId: 3, contextId: 1, stub: eptMapResponse([tcpTowerAt(DRSUAPI_V4, 49667, '10.0.0.2'), null, tcpTowerAt(DRSUAPI_V4, 49668, '10.0.0.2')], { ndr64: true }) }));
    expect(t.ev.none).toEqual([{ frame: 4, requestFrame: 3, operation: 'ept_map', status: EPT_S_NOT_REGISTERED, interfaceUuid: NETLOGON.uuid }]);
    expect(t.ev.endpoints.map((e) => [e.frame, e.requestFrame, e.port])).toEqual([[6, 5, 49667], [6, 5, 49668]]);
  });

  it('keeps NDR on a context whose bind_ack accepted NDR, even if NDR64 was offered too', () => {
    const t = new Conv();
    t.send(0, dcerpcBind({ callId: 1, contexts: [{ id: 0, abstract: EPM_V3, transfer: [NDR_V2, NDR64] }] }));
    t.send(1, dcerpcBindAck({ callId: 1, secondaryAddress: '135', results: [{ result: 0, transfer: NDR_V2 }] }));
    t.send(0, mapReq(2, DRSUAPI_V4));
    t.send(1, dcerpcResponse({ callId: 2, stub: eptMapResponseStub({ towers: [{ iface: DRSUAPI_V4, port: 49667, ip: '0.0.0.0' }] }) }));
    expect(t.ev.endpoints.map((e) => e.port)).toEqual([49667]);
  });

  it('decodes an ept_map answer whose bind it did not see, from the request on port 135', () => {
    const t = new Conv();
    t.send(0, mapReq(2, DRSUAPI_V4));
    t.send(1, dcerpcResponse({ callId: 2, stub: eptMapResponseStub({ towers: [{ iface: DRSUAPI_V4, port: 49667, ip: '0.0.0.0' }] }) }));
    expect(t.ev.endpoints.map((e) => [e.port, e.interfaceUuid])).toEqual([[49667, DRSUAPI_V4.uuid]]);
  });

  it('reads PDUs split across segments, several PDUs per segment, and a stream joined mid-PDU', () => {
    const all = concat(epmBind(), mapReq(2, DRSUAPI_V4));
    const answers = concat(epmAck(), dcerpcResponse({ callId: 2, stub: eptMapResponseStub({ towers: [{ iface: DRSUAPI_V4, port: 49667, ip: '0.0.0.0' }] }) }));
    const t = new Conv();
    t.send(0, all, 7).send(1, answers, 13);
    expect(t.ev.endpoints.map((e) => e.port)).toEqual([49667]);
    // A capture that starts in the middle of a PDU resynchronises on the next header.
    const late = new Conv();
    late.send(0, concat(new Uint8Array([1, 2, 3, 5, 0, 11]), mapReq(2, DRSUAPI_V4)));
    late.send(1, answers.subarray(20)); // the tail of the bind_ack, then the whole response
    expect(late.ev.endpoints.map((e) => e.port)).toEqual([49667]);
  });

  it('forgets unanswered requests beyond its bound', () => {
    const t = new Conv();
    t.send(0, epmBind()).send(1, epmAck());
    for (let id = 10; id < 10 + 300; id++) t.send(0, mapReq(id, DRSUAPI_V4));
    const calls = (t.c as unknown as { calls: Map<number, unknown> }).calls;
    expect(calls.size).toBeLessThanOrEqual(256);
    // The latest calls are still matched.
    t.send(1, dcerpcResponse({ callId: 309, stub: eptMapResponseStub({ towers: [{ iface: DRSUAPI_V4, port: 49667, ip: '0.0.0.0' }] }) }));
    expect(t.ev.endpoints.map((e) => e.requestFrame)).toEqual([302]);
  });

  it('bounds answers whose first fragment never ends (no LAST_FRAG) as well as requests', () => {
    const t = new Conv();
    t.send(0, epmBind()).send(1, epmAck());
    const stub = new Uint8Array(4000);
    for (let id = 1000; id < 1000 + 2000; id++) t.send(1, dcerpcResponse({ callId: id, stub, flags: Pfc.FIRST_FRAG }));
    const calls = (t.c as unknown as { calls: Map<number, unknown> }).calls;
    expect(calls.size).toBeLessThanOrEqual(256);
  });

  it('keeps time linear in the number of fragments of one response', () => {
    const t = new Conv();
    t.send(0, epmBind()).send(1, epmAck()).send(0, mapReq(2, DRSUAPI_V4));
    const middle = dcerpcResponse({ callId: 2, stub: Uint8Array.of(0), flags: 0 });
    const n = 100_000;
    const run = new Uint8Array(middle.length * n);
    for (let i = 0; i < n; i++) run.set(middle, i * middle.length);
    const t0 = performance.now();
    t.send(1, dcerpcResponse({ callId: 2, stub: Uint8Array.of(0), flags: Pfc.FIRST_FRAG }));
    t.send(1, run, 200);
    t.send(1, dcerpcResponse({ callId: 2, stub: Uint8Array.of(0), flags: Pfc.LAST_FRAG }));
    expect(performance.now() - t0).toBeLessThan(3000);
    expect(t.c.pdus).toBe(3 + n + 2);
  });
});
