import { describe, expect, it } from 'vitest';
import type { CaptureAnalysis } from '../../../src/analysis/capture-analysis.js';
import {
  DRSUAPI_V4, EtherType, Icmp4Unreach, Icmp6Unreach, IpProto, TcpFlag, dcerpcBind, dcerpcBindAck,
  dcerpcRequest, dcerpcResponse, epmMap, ethernet, icmpv6Unreachable, ipv6, NDR_V2,
} from '../../../samples/gen/frames.js';
import { CLIENT, CMAC, ROUTER, SERVER, SMAC, Scene, dualStringArray, unanswered, verdicts } from '../../helpers/rpc.js';

const outcomes = (t: CaptureAnalysis): string[] => verdicts(t).attempts.map((a) => a.outcome);

describe('tcp-attempts analyzer: attempt outcomes', () => {
  it('established: SYN, SYN-ACK, ACK', () => {
    const s = new Scene();
    s.conv().connect();
    const t = s.track();
    const [a] = verdicts(t).attempts;
    expect(a).toMatchObject({ client: CLIENT, server: SERVER, serverPort: 135, outcome: 'established', synFrames: [1], synAckFrames: [2], ackFrame: 3, retransmissions: 0 });
    expect(a!.answerSeconds).toBeCloseTo(0.00015, 6);
  });

  it('no-answer: retransmitted SYNs with nothing back', () => {
    const s = new Scene();
    unanswered(s.conv({ port: 49700 }), s);
    const t = s.track();
    const [a] = verdicts(t).attempts;
    expect(a).toMatchObject({ outcome: 'no-answer', synFrames: [1, 2, 3], retransmissions: 2, synAckFrames: [], rstFrames: [], icmp: null, answerSeconds: null });
    expect(a!.retrySeconds).toBeCloseTo(9.0003, 3);
    expect(t.attempts.synRetransmissions).toBe(2);
  });

  it('no-answer for a single SYN once the capture lasts 3 s past it; incomplete before that', () => {
    const s = new Scene();
    s.conv({ port: 49700 }).syn();
    s.wait(1);
    s.conv({ port: 445 }).connect();
    expect(outcomes(s.track())).toEqual(['incomplete', 'established']);
    s.wait(3);
    s.conv({ port: 445 }).connect();
    expect(outcomes(s.track())).toEqual(['no-answer', 'established', 'established']);
  });

  it('reset: the server answers the SYN with RST', () => {
    const s = new Scene();
    s.conv({ port: 49700 }).syn().rst('server');
    const [a] = verdicts(s.track()).attempts;
    expect(a).toMatchObject({ outcome: 'reset', rstFrames: [2], synAckFrames: [] });
  });

  it('icmp-refused: a router sends destination unreachable quoting the SYN', () => {
    const s = new Scene();
    const c = s.conv({ port: 49700 });
    c.syn();
    s.icmp4(c.lastIp, Icmp4Unreach.ADMIN_PROHIBITED);
    const [a] = verdicts(s.track()).attempts;
    expect(a).toMatchObject({ outcome: 'icmp-refused', icmp: { frame: 2, from: ROUTER, type: 3, code: 13 } });
    expect(a!.icmp!.meaning).toMatch(/prohibited/);
  });

  it('icmp-refused over IPv6 (ICMPv6 administratively prohibited)', () => {
    const s = new Scene();
    const c = s.conv({ port: 49700, client: '2001:db8::20', server: '2001:db8::10' });
    c.syn();
    const msg = icmpv6Unreachable('2001:db8::1', '2001:db8::20', Icmp6Unreach.ADMIN_PROHIBITED, c.lastIp);
    const pkt = ipv6({ src: '2001:db8::1', dst: '2001:db8::20', nextHeader: IpProto.ICMPV6 }, msg);
    s.out.push({ ...s.clock.stamp(), data: ethernet({ dst: CMAC, src: SMAC, etherType: EtherType.IPV6 }, pkt) });
    const [a] = verdicts(s.track()).attempts;
    expect(a).toMatchObject({ client: '2001:db8::20', server: '2001:db8::10', outcome: 'icmp-refused', icmp: { frame: 2, from: '2001:db8::1', type: 1, code: 1 } });
  });

  it('answered-not-completed: SYN-ACKs come back, the client never ACKs and keeps retransmitting', () => {
    const s = new Scene();
    const c = s.conv({ port: 49700 });
    c.syn().synAck();
    s.wait(3);
    c.syn().segment('server', TcpFlag.SYN | TcpFlag.ACK, undefined, { seq: c.seqOf('server') - 1 });
    const [a] = verdicts(s.track()).attempts;
    expect(a).toMatchObject({ outcome: 'answered-not-completed', synFrames: [1, 3], synAckFrames: [2, 4], ackFrame: null });
  });

  it('remembers a client that resets after the SYN-ACK (it did get the answer)', () => {
    const s = new Scene();
    const c = s.conv({ port: 49700 });
    c.syn().synAck().rst('client');
    const t = s.track();
    expect(t.attempts.attempts[0]!.clientRstFrame).toBe(3);
    expect(t.attempts.attempts[0]!.rstFrames).toEqual([]);
    expect(outcomes(t)).toEqual(['answered-not-completed']);
  });

  it('a retransmitted SYN-ACK still completes when the client finally ACKs', () => {
    const s = new Scene();
    const c = s.conv({ port: 49700 });
    c.syn().synAck();
    s.wait(1);
    c.segment('server', TcpFlag.SYN | TcpFlag.ACK, undefined, { seq: c.seqOf('server') - 1 }).ack('client');
    const [a] = verdicts(s.track()).attempts;
    expect(a).toMatchObject({ outcome: 'established', synFrames: [1], synAckFrames: [2, 3], ackFrame: 4 });
  });

  it('a SYN retransmission (same ISN) is one attempt; a new ISN on the reused port is a new one', () => {
    const s = new Scene();
    const first = s.conv({ port: 49700, clientPort: 50111, clientIsn: 0x11111111 });
    first.syn();
    s.wait(3);
    first.syn();
    s.wait(6);
    const second = s.conv({ port: 49700, clientPort: 50111, clientIsn: 0x22222222 });
    second.connect();
    const t = s.track({ keepSyns: true });
    const v = verdicts(t);
    expect(v.attempts.map((a) => [a.isn, a.synFrames, a.outcome])).toEqual([
      [0x11111111, [1, 2], 'no-answer'],
      [0x22222222, [3], 'established'],
    ]);
    expect(t.attempts.synRetransmissions).toBe(1);
    expect(t.attempts.synEvents.map((e) => [e.frame, e.retransmitOf, e.attempt])).toEqual([[1, null, 1], [2, 1, 1], [3, null, 2]]);
  });

  it('ignores an ICMP error quoting a different sequence number (not this SYN)', () => {
    const s = new Scene();
    const c = s.conv({ port: 49700 });
    c.syn();
    const other = c.lastIp.slice();
    other[20 + 7] = other[20 + 7]! ^ 0xff; // the quoted TCP sequence number
    s.icmp4(other, Icmp4Unreach.PORT);
    s.wait(4);
    c.syn();
    const [a] = verdicts(s.track()).attempts;
    expect(a).toMatchObject({ outcome: 'no-answer', icmp: null });
  });

  it('ignores an ICMP error quoting the server side, or arriving after the handshake', () => {
    const s = new Scene();
    const c = s.conv({ port: 49700 });
    c.syn().synAck();
    s.icmp4(c.lastIp, Icmp4Unreach.PORT);  // quotes the SYN-ACK
    c.ack('client');
    const [a] = verdicts(s.track()).attempts;
    expect(a).toMatchObject({ outcome: 'established', icmp: null });
  });
});

describe('capture copies', () => {
  it('skips a copy of a SYN (same IPv4 id) within 10 ms, and counts it', () => {
    const s = new Scene();
    const c = s.conv({ port: 49700 });
    c.syn();
    s.copyOf(1, 40);
    s.wait(0.01);
    c.synAck().ack('client');
    const t = s.track();
    expect(t.copies.copies).toBe(1);
    expect(t.copies.examples.map((x) => [x.copy.frame, x.original.frame])).toEqual([[2, 1]]);
    expect(t.attempts.synRetransmissions).toBe(0);
    expect(verdicts(t).attempts[0]).toMatchObject({ synFrames: [1], synAckFrames: [3], outcome: 'established' });
  });

  it('takes a repeat of the same SYN more than 10 ms later as a retransmission', () => {
    const s = new Scene();
    s.conv({ port: 49700 }).syn();
    s.copyOf(1, 20_000);
    const t = s.track();
    expect(t.copies.copies).toBe(0);
    expect(verdicts(t).attempts[0]!.synFrames).toEqual([1, 2]);
  });

  it('never treats IPv4 id 0 as a copy (DF stacks send every packet with id 0)', () => {
    const s = new Scene();
    s.conv({ port: 49700, clientIpId: 0 }).syn();
    s.copyOf(1, 10);
    const t = s.track();
    expect(t.copies.copies).toBe(0);
    expect(verdicts(t).attempts[0]!.synFrames).toEqual([1, 2]);
  });

  it('a forwarding copy (TTL one lower) counts once, with IPv4 id 0 too; the same TTL with id 0 stays a retransmission', () => {
    const s = new Scene();
    s.conv({ port: 49700, clientIpId: 0 }).syn();
    s.forwardedCopyOf(1, 40);
    s.copyOf(1, 80);
    const t = s.track();
    expect([t.copies.copies, t.copies.forwarded]).toEqual([1, 1]);
    expect(t.copies.examples).toMatchObject([{ copy: { frame: 2 }, original: { frame: 1 }, forwarded: true }]);
    expect(verdicts(t).attempts[0]!.synFrames).toEqual([1, 3]);
  });

  it('an IPv6 forwarding copy (hop limit one lower) counts within 10 ms', () => {
    const s = new Scene();
    s.conv({ port: 49700, client: '2001:db8::20', server: '2001:db8::10' }).syn();
    s.forwardedCopyOf(1, 5000);
    const t = s.track();
    expect([t.copies.copies, t.copies.forwarded]).toEqual([1, 1]);
    expect(verdicts(t).attempts[0]!.synFrames).toEqual([1]);
  });

  it('IPv6 has no identification: only copies within 1 ms count', () => {
    const s = new Scene();
    s.conv({ port: 49700, client: '2001:db8::20', server: '2001:db8::10' }).syn();
    s.copyOf(1, 500);
    s.copyOf(1, 5000);
    const t = s.track();
    expect(t.copies.copies).toBe(1);
    expect(verdicts(t).attempts[0]!.synFrames).toEqual([1, 3]);
  });

  it('skips a copied RST and a copied ICMP error', () => {
    const s = new Scene();
    const c = s.conv({ port: 49700 });
    c.syn().rst('server');
    s.copyOf(2, 5);
    const d = s.conv({ port: 49701 });
    d.syn();
    s.icmp4(d.lastIp, Icmp4Unreach.HOST);
    s.copyOf(5, 5);
    const t = s.track();
    expect(t.copies.copies).toBe(2);
    expect(verdicts(t).attempts.map((a) => [a.outcome, a.rstFrames, a.icmp?.frame ?? null])).toEqual([['reset', [2], null], ['icmp-refused', [], 5]]);
  });
});

describe('dcerpc analyzer: RPC conversations', () => {
  it('reports EPM endpoints with the conversation, server port and time of the answer', () => {
    const s = new Scene();
    const c = s.conv();
    c.connect();
    s.wait(0.5);
    epmMap(c, s.clock, { iface: DRSUAPI_V4, towers: [{ iface: DRSUAPI_V4, port: 49667, ip: '0.0.0.0' }] });
    const t = s.track();
    expect(t.dcerpc.endpoints).toHaveLength(1);
    expect(t.dcerpc.endpoints[0]).toMatchObject({ client: CLIENT, server: SERVER, serverPort: 135, port: 49667, frame: 7, requestFrame: 6, source: 'epm', operation: 'ept_map' });
    expect(t.dcerpc.endpoints[0]!.time).toBeGreaterThan(0.5);
    expect(t.dcerpc.bindAcks).toMatchObject([{ frame: 5, client: CLIENT, server: SERVER, serverPort: 135, secondaryAddress: '135' }]);
  });

  it('recognises DCE/RPC on a dynamic port by a PDU header in its first segments, and leaves other protocols alone', () => {
    const s = new Scene();
    const rpc = s.conv({ port: 49700 });
    rpc.connect();
    const IOXID = { uuid: '99fcfec4-5260-101b-bbcb-00aa0021347a', major: 0, minor: 0 };
    rpc.send('client', dcerpcBind({ callId: 1, contexts: [{ id: 0, abstract: IOXID, transfer: [NDR_V2] }] }));
    rpc.send('server', dcerpcBindAck({ callId: 1, secondaryAddress: '49700', results: [{ result: 0, transfer: NDR_V2 }] }));
    rpc.send('client', dcerpcRequest({ callId: 2, opnum: 5, stub: new Uint8Array(16) }));
    rpc.send('server', dcerpcResponse({ callId: 2, stub: dualStringArray(['SRV[50001]']) }));
    const http = s.conv({ port: 8080 });
    http.connect();
    // A side's first 8 segments are probed (a capture may start inside a PDU); a DCE/RPC header
    // that an HTTP body happens to hold after them is not.
    for (let i = 0; i < 8; i++) http.send('client', new TextEncoder().encode(`GET /${i} HTTP/1.1\r\nHost: x\r\n\r\n`));
    http.send('client', dcerpcBind({ callId: 1, contexts: [{ id: 0, abstract: IOXID, transfer: [NDR_V2] }] }));
    const t = s.track();
    expect(t.dcerpc.endpoints.map((e) => [e.serverPort, e.source, e.operation, e.port])).toEqual([[49700, 'dcom', 'ResolveOxid2', 50001]]);
    expect(t.dcerpc.rpcConversations().map((c) => [c.ports[1], c.pdus])).toEqual([[49700, 4]]);
  });

  it('counts segments the snaplen cut, on RPC conversations apart, and keeps reading after them', () => {
    const s = new Scene();
    const c = s.conv();
    c.connect();
    epmMap(c, s.clock, { iface: DRSUAPI_V4, towers: [{ iface: DRSUAPI_V4, port: 49667, ip: '0.0.0.0' }] });
    // Frame 7 (the ept_map response) cut to 100 bytes: no endpoint can come out of it.
    const t = s.track({ cut: new Map([[7, 100]]) });
    expect([t.conversations.payloadCut, t.dcerpc.payloadCut, t.conversations.cutExamples.map((x) => x.frame)]).toEqual([1, 1, [7]]);
    expect(t.dcerpc.endpoints).toEqual([]);
    expect(t.dcerpc.bindAcks).toHaveLength(1);
  });

  it('stops adding conversations at maxFlows without failing', () => {
    const s = new Scene();
    for (let i = 0; i < 20; i++) s.conv({ port: 445, clientPort: 40000 + i }).syn();
    const t = s.track({ maxFlows: 5 });
    expect(t.attempts.attempts).toHaveLength(5);
    expect(t.conversations.flows.dropped).toBe(15);
  });

  it('ignores frames without TCP/ICMP and records that are not packets', () => {
    const s = new Scene();
    s.out.push({ ...s.clock.stamp(), data: ethernet({ dst: CMAC, src: SMAC, etherType: 0x0806 }, new Uint8Array(28)) });
    s.conv({ port: 445 }).connect();
    const t = s.track();
    expect(t.conversations.segments).toBe(3);
    expect(t.attempts.attempts).toHaveLength(1);
  });
});

describe('data the engine had to drop is reported as anomalies', () => {
  const anomaly = (t: CaptureAnalysis, name: string): { count: number; firstFrames: number[] } | undefined =>
    t.dissector.anomalies.summary().find((a) => a.name === name);

  it('an IP datagram whose last fragment never came: incomplete_ip_datagram at its first fragment', () => {
    const s = new Scene();
    const c = s.conv({ port: 135 });
    c.connect();
    c.send('client', dcerpcBind({ callId: 1, contexts: [{ id: 0, abstract: DRSUAPI_V4, transfer: [NDR_V2] }] }), { fragmentData: 32 });
    const first = 4;
    s.out.pop(); // the last fragment is lost
    c.send('client', new Uint8Array(8));
    const t = s.track();
    expect(anomaly(t, 'incomplete_ip_datagram')).toMatchObject({ count: 1, firstFrames: [first] });
    // Complete, the same datagram is no anomaly.
    const whole = new Scene();
    const d = whole.conv({ port: 135 });
    d.connect();
    d.send('client', dcerpcBind({ callId: 1, contexts: [{ id: 0, abstract: DRSUAPI_V4, transfer: [NDR_V2] }] }), { fragmentData: 32 });
    expect(anomaly(whole.track(), 'incomplete_ip_datagram')).toBeUndefined();
  });

  it('a segment missing from a reassembled stream: tcp_stream_gap where it resumed, and the bytes dropped unread', () => {
    const s = new Scene();
    const c = s.conv({ port: 135 });
    c.connect();
    const bind = dcerpcBind({ callId: 1, contexts: [{ id: 0, abstract: DRSUAPI_V4, transfer: [NDR_V2] }] });
    c.send('client', bind.subarray(0, 24));
    c.send('client', bind.subarray(24, 48));
    c.send('client', bind.subarray(48));
    s.out.splice(4, 1); // frame 5 (the middle piece) never reached the capture
    c.send('server', dcerpcBindAck({ callId: 1, secondaryAddress: '135', results: [{ result: 0, transfer: NDR_V2 }] }));
    const t = s.track();
    expect(anomaly(t, 'tcp_stream_gap')).toMatchObject({ count: 1, firstFrames: [5] });
    expect(anomaly(t, 'tcp_bytes_discarded')).toMatchObject({ count: 24, firstFrames: [5] });
  });
});
