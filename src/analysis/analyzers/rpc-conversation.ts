/**
 * DCE/RPC over one TCP conversation: PDUs from both reassembled directions, presentation
 * contexts from bind / alter_context, calls matched to answers by call_id, multi-fragment stubs
 * put together, and the answers that matter decoded: ept_map / ept_lookup towers, DCOM string
 * bindings, faults, the bind_ack secondary address, binds the server refused.
 */
import { ContextResultCode, DcerpcView, PType, PfcFlag, bindAck, bindContexts, bindNakReason, coPduLength, looksLikeCoPdu, CO_HDR, NDR64_UUID } from '../../wire/dcerpc.js';
import {
  EPM_UUID, EPT_S_NOT_REGISTERED, EptInquiry, EpmOpnum, parseEptLookupRequest, parseEptLookupResponse, parseEptMapRequest, parseEptMapResponse,
  plausibleEpmResponse, type EpmResponse, type EptLookupRequest,
} from '../../wire/epm.js';
import { scanStringBindings } from '../../wire/dcom.js';
import { Status } from '../../wire/status.js';
import { DCOM_BINDING_INTERFACES, DCOM_OPERATIONS } from '../../model/interfaces.js';
import { StreamReassembler, type BufferAccount, type StreamLoss } from '../tcp-stream.js';

/** An advertised endpoint as read from one answer. */
export interface AdvertisedEndpoint {
  frame: number;
  requestFrame: number | null;
  /** Seconds since the first frame when the request was read (NaN without one). */
  requestTime: number;
  source: 'epm' | 'dcom';
  operation: string;
  advertisedHost: string | null;
  /** DCOM: every string binding with this port (`HOST[PORT]`), in the order written; EPM: []. */
  bindings: string[];
  port: number;
  interfaceUuid: string | null;
  /**
   * True for an entry of an ept_lookup enumeration (rpcdump, `portqry -e 135`): a listing, not
   * an answer a client asked for in order to connect.
   */
  enumeration: boolean;
}

/** An EPM answer that gave no usable TCP endpoint. */
export interface EpmNoEndpoint {
  frame: number;
  requestFrame: number | null;
  requestTime: number;
  operation: string;
  status: number;
  /** The interface the client asked for (from the request's map tower), when known. */
  interfaceUuid: string | null;
}

/** A fault PDU. */
export interface RpcFaultEvent {
  frame: number;
  requestFrame: number | null;
  requestTime: number;
  status: number;
  interfaceUuid: string | null;
  opnum: number | null;
}

/** A bind or alter_context the server refused (bind_nak, or a bind_ack that accepted no context). */
export interface BindRejection {
  frame: number;
  bindFrame: number | null;
  bindTime: number;
  kind: 'nak' | 'contexts' | 'reset' | 'closed';
  reason: number;
  alter: boolean;
  interfaces: string[];
}

/** Where a conversation reports what it found. */
export interface RpcSink {
  /** Seconds since the first frame, now. */
  now(): number;
  endpoint(c: RpcConversation, e: AdvertisedEndpoint): void;
  epmNoEndpoint(c: RpcConversation, e: EpmNoEndpoint): void;
  fault(c: RpcConversation, e: RpcFaultEvent): void;
  bindAck(c: RpcConversation, frame: number, secondaryAddress: string): void;
  bindRejected(c: RpcConversation, r: BindRejection): void;
}

/** What one bind or alter_context offered, kept until its answer. */
interface Offer {
  contexts: { contextId: number; uuid: string }[];
  frame: number;
  time: number;
  alter: boolean;
}

interface Context {
  uuid: string;
  ndr64: boolean;
}

interface Call {
  opnum: number;
  contextId: number;
  frame: number;
  /** When the request was read (NaN: no request seen). */
  time: number;
  /** Interface asked for in an ept_map request's tower. */
  mapInterface: string | null;
  /** What an ept_lookup request asked for. */
  lookup: EptLookupRequest | null;
  /** Response fragments so far. */
  parts: Uint8Array[] | null;
  /** Bytes in `parts` (kept, not summed per fragment: a response may have 10^5 fragments). */
  partBytes: number;
  le: boolean;
}

/** Calls remembered per conversation, at most: requests never answered must not pile up. */
const MAX_CALLS = 256;
/** Largest reassembled stub we decode. */
const MAX_STUB = 1024 * 1024;
/** One view for every conversation: a PDU is decoded whole before the next conversation's. */
const VIEW = new DcerpcView();
/** A stream's buffer grows to the length of the PDU it holds the start of. */
const PDU_HINT = (b: Uint8Array, off: number, len: number): number => coPduLength(b, off, off + len);

/** One TCP conversation carrying DCE/RPC. `dir` 0/1 are the flow table's sides. */
export class RpcConversation {
  /** Flow side that sends binds and requests, once known; -1 before. */
  clientDir: -1 | 0 | 1 = -1;
  readonly streams: [StreamReassembler, StreamReassembler];
  // Maps are made on first use, addresses made into text when first asked for: most
  // conversations a scan of the endpoint mapper's port makes never get that far.
  private contexts: Map<number, Context> | null = null;
  private names: [string, string] | null = null;
  /** Contexts offered per bind call_id, to pick the accepted transfer syntax from the ack. */
  private offered: Map<number, Offer> | null = null;
  private calls: Map<number, Call> | null = null;
  /** PDUs decoded, for reports. */
  pdus = 0;
  /** The latest frame that brought this conversation bytes (the memory budget releases idle ones first). */
  lastFrame = 0;
  /** Entries ept_lookup answers listed so far: a later EPT_S_NOT_REGISTERED ends the listing. */
  private lookupEntries = 0;

  constructor(
    /** Text of side 0 and side 1 (address), or what makes it when needed; their ports. */
    private readonly sides: readonly [string, string] | ((side: 0 | 1) => string),
    readonly ports: readonly [number, number],
    private readonly sink: RpcSink,
    loss: StreamLoss | null = null,
    account: BufferAccount | null = null,
  ) {
    this.streams = [
      new StreamReassembler((b, o, n, f) => this.consume(0, b, o, n, f), loss, PDU_HINT, account),
      new StreamReassembler((b, o, n, f) => this.consume(1, b, o, n, f), loss, PDU_HINT, account),
    ];
  }

  private get callMap(): Map<number, Call> {
    return (this.calls ??= new Map());
  }

  /** Text of side 0 and side 1 (address). */
  get side(): readonly [string, string] {
    const s = this.sides;
    return (this.names ??= typeof s === 'function' ? [s(0), s(1)] : [s[0], s[1]]);
  }

  get client(): string { return this.side[this.clientDir === 1 ? 1 : 0]; }
  get server(): string { return this.side[this.clientDir === 1 ? 0 : 1]; }

  private get contextMap(): Map<number, Context> {
    return (this.contexts ??= new Map());
  }
  get serverPort(): number { return this.ports[this.clientDir === 1 ? 0 : 1]; }
  get clientPort(): number { return this.ports[this.clientDir === 1 ? 1 : 0]; }

  /** Parses whole PDUs from contiguous stream bytes; returns the bytes consumed. */
  private consume(dir: 0 | 1, b: Uint8Array, off: number, len: number, frame: number): number {
    const end = off + len;
    let o = off;
    while (end - o >= CO_HDR) {
      if (!looksLikeCoPdu(b, o, end)) {
        // Not at a PDU boundary (capture started mid-PDU, or a gap): find the next header.
        let s = o + 1;
        while (s + CO_HDR <= end && !looksLikeCoPdu(b, s, end)) s++;
        if (s + CO_HDR > end) return Math.max(o - off, end - off - (CO_HDR - 1));
        o = s;
        continue;
      }
      const v = VIEW;
      const st = v.wrap(b, o, end);
      if (st === Status.Truncated) break;
      if (st !== Status.Ok) { o++; continue; }
      const fl = v.fragLength;
      this.pdus++;
      this.pdu(dir, v, b, frame);
      o += fl;
    }
    return o - off;
  }

  /**
   * A RST (`reset`) or FIN (`closed`) from side `dir`: from the server's side, it refuses every
   * bind still waiting for its answer (a firewall that inspects RPC resets binds to interfaces
   * it does not allow; a server process may close instead of answering).
   */
  closedBy(dir: 0 | 1, frame: number, kind: 'reset' | 'closed'): void {
    const offered = this.offered;
    if (this.clientDir === -1 || dir === this.clientDir || offered === null || offered.size === 0) return;
    for (const offer of offered.values()) this.rejected(offer, frame, kind, 0);
    offered.clear();
  }

  private rejected(offer: Offer | undefined, frame: number, kind: BindRejection['kind'], reason: number): void {
    this.sink.bindRejected(this, {
      frame, bindFrame: offer?.frame ?? null, bindTime: offer?.time ?? Number.NaN, kind, reason, alter: offer?.alter ?? false,
      interfaces: [...new Set(offer?.contexts.map((c) => c.uuid) ?? [])],
    });
  }

  private pdu(dir: 0 | 1, v: DcerpcView, b: Uint8Array, frame: number): void {
    switch (v.ptype) {
      case PType.BIND:
      case PType.ALTER_CONTEXT: {
        this.clientDir = dir;
        const ctx = bindContexts(v, b);
        for (const c of ctx) {
          // Until the ack says otherwise, NDR64 is assumed only if it is the sole offer.
          const only64 = c.transferSyntaxes.length > 0 && c.transferSyntaxes.every((t) => t === NDR64_UUID);
          this.contextMap.set(c.contextId, { uuid: c.uuid, ndr64: only64 });
        }
        const offered = this.offered ??= new Map();
        if (offered.size >= MAX_CALLS) offered.delete(offered.keys().next().value!);
        offered.set(v.callId, { contexts: ctx.map((c) => ({ contextId: c.contextId, uuid: c.uuid })), frame, time: this.sink.now(), alter: v.ptype === PType.ALTER_CONTEXT });
        return;
      }
      case PType.BIND_NAK: {
        if (this.clientDir === -1) this.clientDir = dir === 0 ? 1 : 0;
        const reason = bindNakReason(v, b);
        const offer = this.offered?.get(v.callId);
        this.offered?.delete(v.callId);
        if (reason !== null) this.rejected(offer, frame, 'nak', reason);
        return;
      }
      case PType.BIND_ACK:
      case PType.ALTER_CONTEXT_RESP: {
        if (this.clientDir === -1) this.clientDir = dir === 0 ? 1 : 0;
        const ack = bindAck(v, b);
        const offered = this.offered?.get(v.callId);
        this.offered?.delete(v.callId);
        if (offered !== undefined) {
          ack.results.forEach((r, i) => {
            const o = offered.contexts[i];
            if (o === undefined || r.result !== ContextResultCode.ACCEPTANCE) return;
            this.contextMap.set(o.contextId, { uuid: o.uuid, ndr64: r.transferSyntax === NDR64_UUID });
          });
        }
        // No context accepted: the client cannot call anything on this connection. (A bind-time
        // feature context is answered with negotiate_ack, which accepts no interface.)
        const refused = ack.results.find((r) => r.result === ContextResultCode.USER_REJECTION || r.result === ContextResultCode.PROVIDER_REJECTION);
        if (refused !== undefined && !ack.results.some((r) => r.result === ContextResultCode.ACCEPTANCE)) this.rejected(offered, frame, 'contexts', refused.reason);
        if (v.ptype === PType.BIND_ACK) this.sink.bindAck(this, frame, ack.secondaryAddress);
        return;
      }
      case PType.REQUEST: {
        if (this.clientDir === -1) this.clientDir = dir;
        if ((v.flags & PfcFlag.FIRST_FRAG) === 0) return; // later fragments of a request add nothing we use
        const calls = this.callMap;
        if (calls.size >= MAX_CALLS) calls.delete(calls.keys().next().value!);
        const ctx = this.contexts?.get(v.reqContextId);
        let mapInterface: string | null = null;
        let lookup: EptLookupRequest | null = null;
        if (ctx?.uuid === EPM_UUID && v.reqOpnum === EpmOpnum.MAP) {
          mapInterface = parseEptMapRequest(b, v.reqStubOff, v.bodyEnd, v.le, ctx.ndr64)?.tower?.interfaceUuid ?? null;
        } else if (ctx?.uuid === EPM_UUID && v.reqOpnum === EpmOpnum.LOOKUP) {
          lookup = parseEptLookupRequest(b, v.reqStubOff, v.bodyEnd, v.le, ctx.ndr64);
        }
        calls.set(v.callId, { opnum: v.reqOpnum, contextId: v.reqContextId, frame, time: this.sink.now(), mapInterface, lookup, parts: null, partBytes: 0, le: v.le });
        return;
      }
      case PType.RESPONSE: {
        if (this.clientDir === -1) this.clientDir = dir === 0 ? 1 : 0;
        const calls = this.callMap;
        const call = calls.get(v.callId);
        const start = v.respStubOff;
        const end = v.bodyEnd;
        const first = (v.flags & PfcFlag.FIRST_FRAG) !== 0;
        const last = (v.flags & PfcFlag.LAST_FRAG) !== 0;
        if (first && last) {
          this.answer(call ?? null, v.respContextId, b, start, end, v.le, frame);
          calls.delete(v.callId);
          return;
        }
        // Multi-fragment response (C706 §12.6.3.1): collect the stubs until LAST_FRAG.
        const c = call ?? { opnum: -1, contextId: v.respContextId, frame: 0, time: Number.NaN, mapInterface: null, lookup: null, parts: null, partBytes: 0, le: v.le };
        if (first || c.parts === null) { c.parts = []; c.partBytes = 0; }
        if (end > start) { c.parts.push(b.slice(start, end)); c.partBytes += end - start; }
        if (!last) {
          if (call === undefined) {
            // Answers to calls never seen count against the same bound as requests.
            if (calls.size >= MAX_CALLS) calls.delete(calls.keys().next().value!);
            calls.set(v.callId, c);
          }
          if (c.partBytes > MAX_STUB) calls.delete(v.callId);
          return;
        }
        const stub = concat(c.parts);
        calls.delete(v.callId);
        this.answer(call ?? null, v.respContextId, stub, 0, stub.length, v.le, frame);
        return;
      }
      case PType.FAULT: {
        const call = this.calls?.get(v.callId);
        this.calls?.delete(v.callId);
        const ctx = this.contexts?.get(call?.contextId ?? v.respContextId);
        this.sink.fault(this, { frame, requestFrame: call?.frame ?? null, requestTime: call?.time ?? Number.NaN, status: v.faultStatus, interfaceUuid: ctx?.uuid ?? null, opnum: call?.opnum ?? null });
        return;
      }
      default:
    }
  }

  /** Decodes a complete response stub `b[start, end)` for the call it answers. */
  private answer(call: Call | null, contextId: number, b: Uint8Array, start: number, end: number, le: boolean, frame: number): void {
    const ctx = this.contexts?.get(call?.contextId ?? contextId);
    const requestFrame = call?.frame ?? null;
    const requestTime = call?.time ?? Number.NaN;
    // Without the bind (capture started late) the interface is unknown. On the endpoint mapper's
    // port DCOM activation (IRemoteSCMActivator opnums 3, 4) and OXID resolution (IObjectExporter
    // 0-5) share the port and the opnums with EPM (ept_lookup 2, ept_map 3), so there an EPM
    // reading counts only when it is plausible (status, towers, length); else the answer is
    // searched for DCOM string bindings.
    const uuid = ctx?.uuid ?? null;
    const onEpmPort = this.ports[0] === 135 || this.ports[1] === 135;
    const opnum = call?.opnum ?? -1;
    if (uuid === EPM_UUID || (uuid === null && onEpmPort)) {
      const known = uuid === EPM_UUID;
      const ndr64 = ctx?.ndr64 ?? false;
      const accept = (r: EpmResponse | null): r is EpmResponse => r !== null && (known || (plausibleEpmResponse(r) && (r.towers.length > 0 || r.status !== 0)));
      if (opnum === EpmOpnum.MAP || (opnum === -1 && known)) {
        const r = parseEptMapResponse(b, start, end, le, ndr64);
        if (accept(r)) { this.epm('ept_map', r, call, requestFrame, frame); return; }
      } else if (opnum === EpmOpnum.LOOKUP) {
        const r = parseEptLookupResponse(b, start, end, le, ndr64);
        if (accept(r)) { this.epm('ept_lookup', r, call, requestFrame, frame); return; }
      } else if (opnum === -1) {
        // Neither bind nor request captured: only an answer with towers and status 0 is ept_map's.
        const r = parseEptMapResponse(b, start, end, le, false);
        if (r !== null && plausibleEpmResponse(r) && r.status === 0 && r.towers.length > 0) { this.epm('ept_map', r, call, requestFrame, frame); return; }
      }
      if (known) return;
    }
    if (uuid !== null && !DCOM_BINDING_INTERFACES.has(uuid)) return;
    if (uuid === null && !onEpmPort) return;
    const operation = uuid !== null ? (DCOM_OPERATIONS[uuid]?.[opnum] ?? `opnum ${opnum}`) : 'DCOM (interface not seen)';
    // One endpoint per port: the bindings of one answer (host name, each address) name one server.
    const byPort = new Map<number, string[]>();
    const hosts = new Map<number, string>();
    for (const s of scanStringBindings(b, start, end, le)) {
      const l = byPort.get(s.port);
      if (l === undefined) { byPort.set(s.port, [s.address]); hosts.set(s.port, s.host); } else if (!l.includes(s.address)) l.push(s.address);
    }
    for (const [port, bindings] of byPort) {
      this.sink.endpoint(this, { frame, requestFrame, requestTime, source: 'dcom', operation, advertisedHost: hosts.get(port)!, bindings, port, interfaceUuid: uuid, enumeration: false });
    }
  }

  private epm(operation: 'ept_map' | 'ept_lookup', r: EpmResponse, call: Call | null, requestFrame: number | null, frame: number): void {
    const requestTime = call?.time ?? Number.NaN;
    const tcp = r.towers.filter((t) => t.protocol === 'ncacn_ip_tcp' && t.port !== null);
    // ept_lookup lists entries call after call; a lookup of every entry (rpcdump, portqry -e) or
    // one that continues an earlier call ends with EPT_S_NOT_REGISTERED: "no more entries". Without
    // the request, a listing that already gave entries on this conversation is taken as one.
    const lookup = call?.lookup ?? null;
    const listing = operation === 'ept_lookup' && (lookup !== null ? lookup.inquiryType === EptInquiry.ALL_ELTS || lookup.continued : true);
    if (operation === 'ept_lookup') {
      const ended = r.status === EPT_S_NOT_REGISTERED && (lookup !== null ? lookup.inquiryType === EptInquiry.ALL_ELTS || lookup.continued : this.lookupEntries > 0);
      this.lookupEntries += r.towers.length;
      if (ended) return;
    }
    if (r.status !== 0 || (operation === 'ept_map' && tcp.length === 0)) {
      this.sink.epmNoEndpoint(this, { frame, requestFrame, requestTime, operation, status: r.status, interfaceUuid: call?.mapInterface ?? lookup?.interfaceUuid ?? null });
      return;
    }
    for (const t of tcp) {
      this.sink.endpoint(this, { frame, requestFrame, requestTime, source: 'epm', operation, advertisedHost: t.ip, bindings: [], port: t.port!, interfaceUuid: t.interfaceUuid || call?.mapInterface || null, enumeration: listing });
    }
  }
}

function concat(parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}
