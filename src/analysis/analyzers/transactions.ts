/**
 * Requests and their answers for the services an agent needs from a domain controller, in the
 * manner of Zeek's dns.log and kerberos.log: one record per request with its retransmissions,
 * its answer (or none), and what both say. DNS (UDP and TCP 53), Kerberos (UDP and TCP 88) and
 * the DC locator's LDAP ping (CLDAP, UDP 389). An answer matches only a request to the address
 * it comes from; one from elsewhere with the same id and client port is kept as a stray answer,
 * which answers nothing. DNS answers also name hosts (A and AAAA records), for the report.
 *
 * Per datagram, the port table is read first: datagrams on other ports cost one array read and
 * allocate nothing. State is bounded: unanswered requests waiting for an answer, transactions
 * kept, names, conversations followed over TCP; what the bounds leave out is counted.
 */
import type { PacketInfo } from '../../dissect/packet-info.js';
import { notableTransaction as notable, type AgentDrops, type HostName, type Transaction, type TransactionApp, type UdpFlow } from '../../model/agent.js';
import { dnsRcodeName, dnsTypeName, parseDns, type DnsMessage } from '../../wire/dns.js';
import { KrbMsgType, krbErrorName, parseKrb, type KrbMessage } from '../../wire/kerberos.js';
import { LdapOp, parseLdapMessages, type LdapMessage } from '../../wire/ldap.js';
import { EMPTY, copyBytes, ipv4Text, ipv6Text, u16be, u32be } from '../../wire/bytes.js';
import type { AnalysisContext, Analyzer } from '../analyzer.js';
import { StreamReassembler } from '../tcp-stream.js';

/** What a port carries, in `portApp`. */
const App = { NONE: 0, DNS: 1, KERBEROS: 2, CLDAP: 3, FLOW: 4 } as const;
const DNS_PORT = 53;
const KERBEROS_PORT = 88;
const LDAP_PORT = 389;

/** Requests waiting for an answer, at most; further requests are counted, not tracked. */
const MAX_PENDING = 10_000;
/** Transactions kept in full; past it, only those that are not a plain success (see `notable`). */
const MAX_KEPT = 20_000;
/** Notable transactions kept past MAX_KEPT. */
const MAX_NOTABLE = 5_000;
/** Names learned from DNS answers, at most. */
const MAX_NAMES = 10_000;
/** TCP conversations on 53 and 88 read as message streams, at most. */
const MAX_STREAMS = 2_000;
/** UDP flows on custom required ports, at most. */
const MAX_FLOWS = 10_000;
/** A request repeated within this many seconds is a retransmission; later, a new request. */
const RETRANSMIT_WINDOW = 30;
/** Answers listed per DNS transaction. */
const MAX_ANSWERS = 16;
/** A length prefix above this is not a DNS or Kerberos message over TCP: the stream is given up. */
const MAX_TCP_MESSAGE = 1 << 20;

/** UDP datagrams held before the analyzer goes live, and their bytes, at most; further ones are counted. */
const MAX_HELD = 20_000;
const MAX_HELD_BYTES = 8 << 20;
/** Number columns per held datagram (see `Held`). */
const HELD_COLS = 9;

/**
 * Datagrams held before the analyzer goes live, without an object or a string each: their
 * addresses and payload copied into one growing byte arena, their numbers into one column
 * array (frame, time, epoch, app, ports, address length, arena offset, payload length).
 */
class Held {
  private bytes: Uint8Array = new Uint8Array(0);
  private used = 0;
  private cols = new Float64Array(0);
  count = 0;

  /** Copies one datagram; false when a bound is reached. */
  add(p: PacketInfo, app: number, start: number, end: number, time: number, epoch: number): boolean {
    const alen = p.ipVersion === 4 ? 4 : 16;
    const need = 2 * alen + (end - start);
    if (this.count >= MAX_HELD || this.used + need > MAX_HELD_BYTES) return false;
    if (this.used + need > this.bytes.length) this.bytes = grownBytes(this.bytes, Math.min(MAX_HELD_BYTES, Math.max(64 * 1024, 2 * (this.used + need))));
    if ((this.count + 1) * HELD_COLS > this.cols.length) {
      const c = new Float64Array(Math.max(256, this.cols.length * 2));
      c.set(this.cols);
      this.cols = c;
    }
    const o = this.used;
    copyBytes(p.buf, p.srcOff, p.srcOff + alen, this.bytes, o);
    copyBytes(p.buf, p.dstOff, p.dstOff + alen, this.bytes, o + alen);
    // One native copy: a held datagram is rare enough that its subarray costs nothing, and a
    // byte loop runs interpreted until the analyzer is hot (3 µs a datagram on the benchmark).
    this.bytes.set(p.buf.subarray(start, end), o + 2 * alen);
    this.used += need;
    const k = this.count++ * HELD_COLS;
    const c = this.cols;
    c[k] = p.frame; c[k + 1] = time; c[k + 2] = epoch; c[k + 3] = app; c[k + 4] = p.srcPort; c[k + 5] = p.dstPort;
    c[k + 6] = alen; c[k + 7] = o; c[k + 8] = end - start;
    return true;
  }

  /** Calls `fn` with each held datagram, in the order they came, then forgets them all. */
  drain(fn: (app: number, b: Uint8Array, start: number, end: number, src: string, sport: number, dst: string, dport: number, frame: number, time: number, epoch: number) => void): void {
    const b = this.bytes;
    const c = this.cols;
    for (let i = 0; i < this.count; i++) {
      const k = i * HELD_COLS;
      const alen = c[k + 6]!;
      const o = c[k + 7]!;
      const text = alen === 4 ? ipv4Text : ipv6Text;
      fn(c[k + 3]!, b, o + 2 * alen, o + 2 * alen + c[k + 8]!, text(b, o), c[k + 4]!, text(b, o + alen), c[k + 5]!, c[k]!, c[k + 1]!, c[k + 2]!);
    }
    this.bytes = EMPTY;
    this.cols = new Float64Array(0);
    this.used = 0;
    this.count = 0;
  }
}

function grownBytes(b: Uint8Array, n: number): Uint8Array {
  const out = new Uint8Array(n);
  out.set(b);
  return out;
}

/** One TCP conversation on 53 or 88: both directions reassembled, the requests waiting for answers. */
interface MessageStream {
  app: typeof App.DNS | typeof App.KERBEROS;
  /** The side that connected to the service port. */
  clientSide: 0 | 1;
  client: string;
  clientPort: number;
  server: string;
  serverPort: number;
  streams: [StreamReassembler, StreamReassembler];
  /** Kerberos: requests in order; DNS: by id. */
  pending: Transaction[];
}

export class TransactionsAnalyzer implements Analyzer {
  readonly name = 'transactions';
  readonly transactions: Transaction[] = [];
  readonly counts: Record<TransactionApp, { requests: number; answered: number }> = {
    dns: { requests: 0, answered: 0 }, kerberos: { requests: 0, answered: 0 }, cldap: { requests: 0, answered: 0 },
  };
  readonly drops: Pick<AgentDrops, 'pendingFull' | 'transactionsNotKept' | 'namesNotKept' | 'undecoded' | 'heldNotKept'> & { streamsNotKept: number } = {
    pendingFull: 0, transactionsNotKept: 0, namesNotKept: 0, undecoded: 0, heldNotKept: 0, streamsNotKept: 0,
  };
  private readonly portApp = new Uint8Array(65536);
  /** Unanswered requests by key (app, client, client port, server, id). */
  private readonly pending = new Map<string, Transaction>();
  /** The same, by the key without the server: an answer from elsewhere finds its request here. */
  private readonly byClient = new Map<string, Transaction>();
  private readonly kept = new Set<Transaction>();
  private notableKept = 0;
  private readonly names = new Map<string, HostName>();
  private readonly streams = new Map<number, MessageStream>();
  private readonly flows = new Map<string, UdpFlow>();
  private ctx!: AnalysisContext;

  /** Datagrams held while not live (see `goLive`). */
  private readonly held = new Held();

  /**
   * `flowPorts`: UDP ports no decoder reads whose datagrams are still counted per client and
   * server (custom required ports). `live`: read datagrams as they come (else hold them until
   * `goLive`).
   */
  constructor(flowPorts: readonly number[] = [], private live = true) {
    for (const p of flowPorts) this.portApp[p] = App.FLOW;
    this.portApp[DNS_PORT] = App.DNS;
    this.portApp[KERBEROS_PORT] = App.KERBEROS;
    this.portApp[LDAP_PORT] = App.CLDAP;
  }

  attach(ctx: AnalysisContext): void {
    this.ctx = ctx;
    ctx.interest.tcpPayloadOn(DNS_PORT);
    ctx.interest.tcpPayloadOn(KERBEROS_PORT);
  }

  udp(p: PacketInfo): void {
    // A first fragment holds part of the datagram: it is read whole on the frame that completes it.
    if (p.fragment === 1) return;
    const table = this.portApp;
    const app = table[p.dstPort]! !== App.NONE ? table[p.dstPort]! : table[p.srcPort]!;
    if (app === App.NONE) return;
    const start = p.payloadOff;
    const end = start + p.payloadCaptured;
    const time = this.ctx.clock.rel(p.tsSec, p.tsNsec);
    const epoch = p.tsSec + p.tsNsec / 1e9;
    if (this.live) {
      this.datagram(app, p.buf, start, end, p.srcText(), p.srcPort, p.dstText(), p.dstPort, p.frame, time, epoch);
      return;
    }
    if (!this.held.add(p, app, start, end, time, epoch)) this.drops.heldNotKept++;
  }

  /**
   * From now on datagrams are read as they come; the ones held so far first, in order. Under
   * `auto` the analyzer holds them (a copy of the payload, no decoding) until the capture shows
   * 5723 traffic: a capture without any never needs them read.
   */
  goLive(): void {
    if (this.live) return;
    this.live = true;
    this.held.drain((app, b, start, end, src, sport, dst, dport, frame, time, epoch) => this.datagram(app, b, start, end, src, sport, dst, dport, frame, time, epoch));
  }

  /** One datagram of `app`, its payload `b[start, end)`. */
  private datagram(app: number, b: Uint8Array, start: number, end: number, src: string, sport: number, dst: string, dport: number, frame: number, time: number, epoch: number): void {
    switch (app) {
      case App.DNS: {
        const m = parseDns(b, start, end);
        if (m === null) { this.drops.undecoded++; return; }
        this.dns(m, src, sport, dst, dport, frame, time, 'udp');
        return;
      }
      case App.KERBEROS: {
        const m = parseKrb(b, start, end);
        if (m === null) { this.drops.undecoded++; return; }
        this.kerberos(m, src, sport, dst, dport, frame, time, epoch, null);
        return;
      }
      case App.CLDAP: {
        const ms = parseLdapMessages(b, start, end);
        if (ms.length === 0) { this.drops.undecoded++; return; }
        this.cldap(ms, src, sport, dst, dport, frame, time);
        return;
      }
      default:
        this.flow(src, sport, dst, dport, frame, time);
    }
  }

  tcp(p: PacketInfo, id: number, dir: 0 | 1): void {
    if (id < 0 || p.payloadLen === 0) return;
    const sp = p.srcPort;
    const dp = p.dstPort;
    if (sp !== DNS_PORT && dp !== DNS_PORT && sp !== KERBEROS_PORT && dp !== KERBEROS_PORT) return;
    const s = this.stream(p, id, dir);
    // The first fragment of a datagram still being reassembled holds only part of the segment.
    if (s === null || p.fragment === 1) return;
    this.feed(s, p, dir);
  }

  reassembledTcp(p: PacketInfo, id: number, dir: 0 | 1): void {
    if (p.payloadLen === 0) return;
    const s = this.streams.get(id);
    if (s !== undefined) this.feed(s, p, dir);
  }

  finish(): void {
    for (const s of this.streams.values()) { s.streams[0].finish(); s.streams[1].finish(); }
    // Requests never answered: kept when the bound allows (they are what the rules look for).
    for (const t of this.pending.values()) this.complete(t);
    this.pending.clear();
    this.byClient.clear();
  }

  /** Transactions in order of their first frame. */
  sorted(): Transaction[] {
    const first = (t: Transaction): number => t.requestFrames[0] ?? t.answerFrame ?? 0;
    return [...this.transactions].sort((a, b) => first(a) - first(b));
  }

  hostNames(): HostName[] {
    return [...this.names.values()];
  }

  udpFlows(): UdpFlow[] {
    return [...this.flows.values()];
  }

  // ---- DNS

  private dns(m: DnsMessage, src: string, sport: number, dst: string, dport: number, frame: number, time: number, transport: 'udp' | 'tcp', conv: MessageStream | null = null): void {
    if (!m.response) {
      const t = this.request('dns', transport, src, sport, dst, dport, `${m.id}`, frame, time, (x) => x.dns !== null && x.dns.qname === m.qname && x.dns.qtype === m.qtype, conv);
      if (t !== null && t.dns === null) t.dns = { id: m.id, qname: m.qname, qtype: m.qtype, qtypeName: dnsTypeName(m.qtype), rcode: null, rcodeName: null, truncated: false, answers: [] };
      return;
    }
    const t = this.answer('dns', transport, dst, dport, src, sport, `${m.id}`, frame, time, conv, (x) => x.dns?.id === m.id);
    if (t === null) return;
    t.dns ??= { id: m.id, qname: m.qname, qtype: m.qtype, qtypeName: dnsTypeName(m.qtype), rcode: null, rcodeName: null, truncated: false, answers: [] };
    t.dns.rcode = m.rcode;
    t.dns.rcodeName = dnsRcodeName(m.rcode);
    t.dns.truncated = m.truncated;
    for (const r of m.records) {
      if (r.section === 'answer' && t.dns.answers.length < MAX_ANSWERS && r.data !== '') t.dns.answers.push(r.port > 0 ? `${r.data}:${r.port}` : r.data);
      if ((r.type === 1 || r.type === 28) && r.data !== '' && m.rcode === 0) this.learnName(r.data, r.name, frame);
    }
    this.complete(t);
  }

  private learnName(address: string, name: string, frame: number): void {
    // The earliest answer names the address, whatever order UDP and TCP answers were read in.
    const have = this.names.get(address);
    if (have !== undefined) {
      if (frame < have.frame) this.names.set(address, { address, name, frame });
      return;
    }
    if (this.names.size >= MAX_NAMES) { this.drops.namesNotKept++; return; }
    this.names.set(address, { address, name, frame });
  }

  // ---- Kerberos

  private kerberos(m: KrbMessage, src: string, sport: number, dst: string, dport: number, frame: number, time: number, epoch: number, conv: MessageStream | null): void {
    const transport = conv === null ? 'udp' : 'tcp';
    if (m.type === KrbMsgType.AS_REQ || m.type === KrbMsgType.TGS_REQ) {
      const t = this.request('kerberos', transport, src, sport, dst, dport, '', frame, time, (x) => x.kerberos !== null && x.kerberos.nonce === m.nonce && x.kerberos.request === m.type, conv);
      if (t !== null && t.kerberos === null) {
        t.kerberos = { request: m.type, reply: 0, realm: m.realm, cname: m.cname, sname: m.sname, nonce: m.nonce, errorCode: null, errorName: null, stime: null, ctime: null, captureTime: null };
      }
      return;
    }
    const t = this.answer('kerberos', transport, dst, dport, src, sport, '', frame, time, conv, () => true);
    if (t === null) return;
    const k = (t.kerberos ??= { request: 0, reply: 0, realm: null, cname: null, sname: null, nonce: null, errorCode: null, errorName: null, stime: null, ctime: null, captureTime: null });
    k.reply = m.type;
    if (m.realm !== null) k.realm = m.realm;
    if (m.cname !== null) k.cname = m.cname;
    if (m.sname !== null) k.sname = m.sname;
    if (m.type === KrbMsgType.KRB_ERROR) {
      k.errorCode = m.errorCode;
      k.errorName = m.errorCode === null ? null : krbErrorName(m.errorCode);
      k.stime = m.stime;
      k.ctime = m.ctime;
      k.captureTime = epoch;
    }
    this.complete(t);
  }

  // ---- CLDAP

  private cldap(ms: LdapMessage[], src: string, sport: number, dst: string, dport: number, frame: number, time: number): void {
    const first = ms[0]!;
    if (first.op === LdapOp.SEARCH_REQUEST) {
      const t = this.request('cldap', 'udp', src, sport, dst, dport, `${first.messageId}`, frame, time, (x) => x.cldap?.messageId === first.messageId, null);
      if (t !== null && t.cldap === null) t.cldap = { messageId: first.messageId, filter: first.filter, resultCode: null, entries: 0 };
      return;
    }
    if (first.op !== LdapOp.SEARCH_RES_ENTRY && first.op !== LdapOp.SEARCH_RES_DONE) return;
    const t = this.answer('cldap', 'udp', dst, dport, src, sport, `${first.messageId}`, frame, time, null, (x) => x.cldap?.messageId === first.messageId);
    if (t === null) return;
    const c = (t.cldap ??= { messageId: first.messageId, filter: [], resultCode: null, entries: 0 });
    for (const m of ms) {
      if (m.messageId !== first.messageId) continue;
      if (m.op === LdapOp.SEARCH_RES_ENTRY) c.entries++;
      else if (m.op === LdapOp.SEARCH_RES_DONE) c.resultCode = m.resultCode;
    }
    this.complete(t);
  }

  // ---- Matching

  /**
   * A request from `client:cport` to `server:sport`: a retransmission of the pending one with
   * the same key when `same` says it asks the same thing within RETRANSMIT_WINDOW, else a new
   * transaction (the previous one, if any, is closed unanswered). Over TCP the conversation
   * keeps its own queue. Null when the pending table is full.
   */
  private request(
    app: TransactionApp, transport: 'udp' | 'tcp', client: string, cport: number, server: string, sport: number, id: string,
    frame: number, time: number, same: (t: Transaction) => boolean, conv: MessageStream | null,
  ): Transaction | null {
    if (conv !== null) {
      const t = this.transaction(app, transport, client, cport, server, sport, frame, time);
      if (conv.pending.length < 64) conv.pending.push(t);
      return t;
    }
    const key = `${app}|${client}|${cport}|${server}|${id}`;
    const old = this.pending.get(key);
    if (old !== undefined) {
      if (same(old) && time - old.requestTimes[old.requestTimes.length - 1]! <= RETRANSMIT_WINDOW) {
        old.requestFrames.push(frame);
        old.requestTimes.push(time);
        return old;
      }
      this.pending.delete(key);
      this.complete(old);
    } else if (this.pending.size >= MAX_PENDING) {
      this.drops.pendingFull++;
      return null;
    }
    const t = this.transaction(app, transport, client, cport, server, sport, frame, time);
    this.pending.set(key, t);
    this.byClient.set(`${app}|${client}|${cport}|${id}`, t);
    return t;
  }

  /**
   * An answer from `server:sport` to `client:cport`: the pending request it answers, completed;
   * or, when only a request to another address has this id and client port, a stray answer noted
   * on that request (null: it answers nothing); or, when no request was seen, a transaction of
   * the answer alone (the capture began after the request).
   */
  private answer(
    app: TransactionApp, transport: 'udp' | 'tcp', client: string, cport: number, server: string, sport: number, id: string,
    frame: number, time: number, conv: MessageStream | null, fits: (t: Transaction) => boolean,
  ): Transaction | null {
    let t: Transaction | undefined;
    if (conv !== null) {
      const i = conv.pending.findIndex(fits);
      if (i >= 0) [t] = conv.pending.splice(i, 1);
    } else {
      const key = `${app}|${client}|${cport}|${server}|${id}`;
      t = this.pending.get(key);
      if (t !== undefined) {
        this.pending.delete(key);
        const ck = `${app}|${client}|${cport}|${id}`;
        if (this.byClient.get(ck) === t) this.byClient.delete(ck);
      } else {
        const asked = this.byClient.get(`${app}|${client}|${cport}|${id}`);
        if (asked !== undefined && asked.server !== server && asked.answerFrame === null) {
          asked.strayFrames.push(frame);
          asked.strayFrom ??= server;
          return null;
        }
      }
    }
    if (t === undefined) {
      t = this.transaction(app, transport, client, cport, server, sport, 0, Number.NaN);
      t.requestFrames.length = 0;
      t.requestTimes.length = 0;
    }
    if (t.answerFrame !== null) return null;
    t.answerFrame = frame;
    t.answerTime = time;
    this.counts[app].answered++;
    // The caller fills in the answer's facts, then calls `complete`.
    return t;
  }

  private transaction(app: TransactionApp, transport: 'udp' | 'tcp', client: string, cport: number, server: string, sport: number, frame: number, time: number): Transaction {
    const t: Transaction = {
      app, transport, client, clientPort: cport, server, serverPort: sport, requestFrames: [frame], requestTimes: [time],
      answerFrame: null, answerTime: Number.NaN, strayFrames: [], strayFrom: null, dns: null, kerberos: null, cldap: null,
    };
    if (frame > 0) this.counts[app].requests++;
    if (this.transactions.length < MAX_KEPT) {
      this.transactions.push(t);
      this.kept.add(t);
    }
    return t;
  }

  /** A transaction is over (answered, superseded, or the capture ended): keep it if it is not yet and it matters. */
  private complete(t: Transaction): void {
    if (this.kept.has(t)) return;
    if (notable(t) && this.notableKept < MAX_NOTABLE) {
      this.notableKept++;
      this.transactions.push(t);
      this.kept.add(t);
    } else {
      this.drops.transactionsNotKept++;
    }
  }

  // ---- Custom UDP ports

  private flow(src: string, sport: number, dst: string, dport: number, frame: number, time: number): void {
    const toServer = this.portApp[dport] === App.FLOW;
    const client = toServer ? src : dst;
    const server = toServer ? dst : src;
    const port = toServer ? dport : sport;
    const key = `${client}|${server}|${port}`;
    let f = this.flows.get(key);
    if (f === undefined) {
      if (!toServer || this.flows.size >= MAX_FLOWS) return;
      f = { client, server, port, requests: 0, answers: 0, firstFrame: frame, firstTime: time, lastRequestTime: time, firstAnswerFrame: null };
      this.flows.set(key, f);
    }
    if (toServer) {
      f.requests++;
      f.lastRequestTime = time;
    } else {
      f.answers++;
      f.firstAnswerFrame ??= frame;
    }
  }

  // ---- TCP message streams

  /** The conversation's message streams, made on its first payload segment on 53 or 88. */
  private stream(p: PacketInfo, id: number, dir: 0 | 1): MessageStream | null {
    const have = this.streams.get(id);
    if (have !== undefined) return have;
    if (this.streams.size >= MAX_STREAMS) { this.drops.streamsNotKept++; return null; }
    const toService = p.dstPort === DNS_PORT || p.dstPort === KERBEROS_PORT;
    const clientSide: 0 | 1 = toService ? dir : dir === 0 ? 1 : 0;
    const serverSide: 0 | 1 = clientSide === 0 ? 1 : 0;
    const fl = this.ctx.conversations.flows;
    const servicePort = toService ? p.dstPort : p.srcPort;
    const t = this.ctx.conversations;
    const side = (n: 0 | 1): StreamReassembler => {
      const r = new StreamReassembler((b, off, len, frame) => this.messages(s, n, b, off, len, frame), this.ctx.streamLoss);
      if (t.isn(id, n) !== -1) r.setIsn(t.isn(id, n));
      return r;
    };
    const s: MessageStream = {
      app: servicePort === DNS_PORT ? App.DNS : App.KERBEROS,
      clientSide,
      client: fl.address(id, clientSide),
      clientPort: fl.port(id, clientSide),
      server: fl.address(id, serverSide),
      serverPort: fl.port(id, serverSide),
      streams: [side(0), side(1)],
      pending: [],
    };
    this.streams.set(id, s);
    return s;
  }

  private feed(s: MessageStream, p: PacketInfo, dir: 0 | 1): void {
    const r = s.streams[dir];
    if (p.payloadCaptured < p.payloadLen) {
      r.segment(p.buf, p.payloadOff, p.payloadCaptured, p.seq, p.frame);
      r.lost((p.seq + p.payloadCaptured) >>> 0, p.payloadLen - p.payloadCaptured);
    } else {
      r.segment(p.buf, p.payloadOff, p.payloadLen, p.seq, p.frame);
    }
  }

  /**
   * Whole messages from one direction of a TCP conversation: DNS behind a 2-byte length (RFC
   * 1035 §4.2.2), Kerberos behind a 4-byte length whose high bit is reserved (RFC 4120
   * §7.2.2). Returns the bytes used; a length that cannot be right ends the stream's reading.
   */
  private messages(s: MessageStream, side: 0 | 1, b: Uint8Array, off: number, len: number, frame: number): number {
    const hdr = s.app === App.DNS ? 2 : 4;
    const fromClient = side === s.clientSide;
    const time = this.ctx.clock.now();
    let used = 0;
    while (len - used >= hdr) {
      const at = off + used;
      const n = hdr === 2 ? u16be(b, at) : u32be(b, at);
      if (n === 0 || n > MAX_TCP_MESSAGE) return len; // not a message stream: drop what is there
      if (len - used < hdr + n) break;
      const start = at + hdr;
      const [src, sport, dst, dport] = fromClient ? [s.client, s.clientPort, s.server, s.serverPort] : [s.server, s.serverPort, s.client, s.clientPort];
      if (s.app === App.DNS) {
        const m = parseDns(b, start, start + n);
        if (m === null) this.drops.undecoded++;
        else this.dns(m, src, sport, dst, dport, frame, time, 'tcp', s);
      } else {
        const m = parseKrb(b, start, start + n);
        const epoch = this.ctx.clock.nowSec + this.ctx.clock.nowNsec / 1e9;
        if (m === null) this.drops.undecoded++;
        else this.kerberos(m, src, sport, dst, dport, frame, time, epoch, s);
      }
      used += hdr + n;
    }
    return used;
  }
}
