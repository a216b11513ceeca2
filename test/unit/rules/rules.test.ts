import { describe, expect, it } from 'vitest';
import { AGENT_FINDING_IDS, FINDING_IDS, type Finding, type FindingId } from '../../../src/model/finding.js';
import {
  DRSUAPI_V4, EPT_S_NOT_REGISTERED, Icmp4Unreach, NDR_V2, TcpFlag, dcerpcBind, dcerpcBindAck, dcerpcBindNak, dcerpcFault, dcerpcRequest,
  epmMap, type TcpIpTower,
} from '../../../samples/gen/frames.js';
import { CLIENT, ROUTER, SERVER, Scene, unanswered, verdicts, type TrackOptions, type VerdictOptions, type Verdicts } from '../../helpers/rpc.js';

/**
 * The properties every verdict keeps: evidence ascending without repeats, `inferred` exactly
 * on inferred findings, and a display filter to paste into Wireshark.
 */
function checked(v: Verdicts): Verdicts {
  for (const f of v.findings) {
    for (let i = 1; i < f.evidenceFrames.length; i++) expect(f.evidenceFrames[i]!, f.id).toBeGreaterThan(f.evidenceFrames[i - 1]!);
    expect(f.inferred, f.id).toBe(f.id === 'INFERRED_RPC_PORT_BLOCKED');
    expect(f.displayFilter.length, f.id).toBeGreaterThan(0);
    expect(f.title.length, f.id).toBeGreaterThan(0);
  }
  return v;
}

function run(s: Scene, o: VerdictOptions = {}, t: TrackOptions = {}): Verdicts {
  return checked(verdicts(s.track(t), o));
}

const ids = (v: Verdicts): string[] => v.findings.map((f) => `${f.id}:${f.severity}`);
/** Finding ids some test below asserted, for the coverage check at the end. */
const covered = new Set<FindingId>();
const only = (v: Verdicts, id: FindingId): Finding => {
  covered.add(id);
  const l = v.findings.filter((f) => f.id === id);
  expect(l, `${id} in ${ids(v).join(', ')}`).toHaveLength(1);
  return l[0]!;
};

/** An EPM session (connect, bind, ept_map, answer) to SERVER; returns the answer's frame number. */
function epm(s: Scene, towers: readonly TcpIpTower[], status = 0): number {
  const c = s.conv({ port: 135 });
  c.connect();
  epmMap(c, s.clock, { iface: DRSUAPI_V4, towers, status });
  const answer = s.out.length;
  c.close();
  return answer;
}
const tower = (port: number, ip = '0.0.0.0'): TcpIpTower => ({ iface: DRSUAPI_V4, port, ip });

describe('rules: one finding per story', () => {
  it('a healthy exchange gives RPC_PORT_OK and nothing above info', () => {
    const s = new Scene();
    const answer = epm(s, [tower(49667)]);
    s.wait(0.01);
    const d = s.conv({ port: 49667 });
    const syn = s.out.length + 1;
    d.connect();
    d.send('client', dcerpcBind({ callId: 1, contexts: [{ id: 0, abstract: DRSUAPI_V4, transfer: [NDR_V2] }] }));
    d.send('server', dcerpcBindAck({ callId: 1, secondaryAddress: '49667', results: [{ result: 0, transfer: NDR_V2 }] }));
    d.close();
    const v = run(s);
    expect(v.findings.filter((f) => f.severity !== 'info')).toEqual([]);
    const f = only(v, 'RPC_PORT_OK');
    expect(f).toMatchObject({ client: CLIENT, server: SERVER, port: 49667, inferred: false });
    expect(f.evidenceFrames).toEqual([answer, syn, syn + 1, syn + 2]);
    expect(v.endpoints[0]).toMatchObject({ port: 49667, inRange: true, followUp: 'established', interfaceName: 'DRSUAPI (AD replication)' });
    expect(v.attempts.map((a) => [a.serverPort, a.synFrames[0], a.outcome])).toEqual([[135, 1, 'established'], [49667, syn, 'established']]);
    expect(v.ports.map((p) => [p.port, p.attempts, p.established, p.failed, p.advertised, p.inRange])).toEqual([[135, 1, 1, 0, false, false], [49667, 1, 1, 0, true, true]]);
  });

  it('RPC_DYNAMIC_PORT_BLOCKED: an advertised port in range, SYNs unanswered', () => {
    const s = new Scene();
    const answer = epm(s, [tower(49700)]);
    const syn = s.out.length + 1;
    unanswered(s.conv({ port: 49700 }), s);
    s.wait(12);
    s.conv({ port: 445 }).connect(); // the capture goes on
    const v = run(s);
    const f = only(v, 'RPC_DYNAMIC_PORT_BLOCKED');
    expect(f).toMatchObject({ severity: 'error', client: CLIENT, server: SERVER, port: 49700, inferred: false });
    expect(f.evidenceFrames).toEqual([answer, syn, syn + 1, syn + 2]);
    expect(f.explanation).toContain('49152-65535');
    expect(v.endpoints[0]!.followUp).toBe('no-answer');
    expect(v.findings[0]!.id).toBe('RPC_DYNAMIC_PORT_BLOCKED'); // errors sort first
  });

  it('NONSTANDARD_RPC_PORT_BLOCKED: the advertised port is outside every expected range', () => {
    const s = new Scene();
    epm(s, [tower(15595)]);
    unanswered(s.conv({ port: 15595 }), s);
    const f = only(run(s), 'NONSTANDARD_RPC_PORT_BLOCKED');
    expect(f).toMatchObject({ severity: 'error', port: 15595 });
    expect(f.remediation.join(' ')).toContain('netsh int ipv4 set dynamicport');
  });

  it('NONSTANDARD_RPC_RANGE: a port outside the range that worked here is a warning', () => {
    const s = new Scene();
    epm(s, [tower(15595)]);
    s.conv({ port: 15595 }).connect();
    expect(only(run(s), 'NONSTANDARD_RPC_RANGE')).toMatchObject({ severity: 'warning', port: 15595 });
  });

  it('RPC_PORT_REFUSED by RST and by ICMP, with the refusing frame as evidence', () => {
    const s = new Scene();
    const answer = epm(s, [tower(49700)]);
    const c = s.conv({ port: 49700 });
    c.syn().rst('server');
    const rst = s.out.length;
    const v = run(s);
    const f = only(v, 'RPC_PORT_REFUSED');
    expect(f.evidenceFrames).toEqual([answer, rst - 1, rst]);
    expect(f.title).toContain('RST');

    const t = new Scene();
    const answer2 = epm(t, [tower(49700)]);
    const d = t.conv({ port: 49700 });
    d.syn();
    t.icmp4(d.lastIp, Icmp4Unreach.ADMIN_PROHIBITED);
    const g = only(run(t), 'RPC_PORT_REFUSED');
    expect(g.evidenceFrames).toEqual([answer2, t.out.length - 1, t.out.length]);
    expect(g.explanation).toContain(ROUTER);
    expect(g.displayFilter).toContain('icmp');
  });

  it('EPM_UNREACHABLE and EPM_REFUSED: the endpoint mapper itself', () => {
    const s = new Scene();
    unanswered(s.conv({ port: 135 }), s);
    const f = only(run(s), 'EPM_UNREACHABLE');
    expect(f).toMatchObject({ severity: 'error', port: 135, evidenceFrames: [1, 2, 3] });

    const t = new Scene();
    t.conv({ port: 135 }).syn().rst('server');
    expect(only(run(t), 'EPM_REFUSED')).toMatchObject({ severity: 'error', port: 135, evidenceFrames: [1, 2] });
  });

  it('ENDPOINT_NOT_REGISTERED: EPT_S_NOT_REGISTERED, with request and answer frames', () => {
    const s = new Scene();
    const answer = epm(s, [], EPT_S_NOT_REGISTERED);
    const f = only(run(s), 'ENDPOINT_NOT_REGISTERED');
    expect(f).toMatchObject({ severity: 'error', port: 135, evidenceFrames: [answer - 1, answer] });
    expect(f.explanation).toContain('EPT_S_NOT_REGISTERED');
    expect(f.title).toContain('e3514235-4b06-11d1-ab04-00c04fc2dcd2');
  });

  it('INFERRED_RPC_PORT_BLOCKED: an EPM session without a visible answer, then a high port unanswered', () => {
    const s = new Scene();
    const e = s.conv({ port: 135 });
    e.connect();
    e.send('client', new Uint8Array(200).fill(0x17)); // encrypted: no readable PDU
    e.send('server', new Uint8Array(300).fill(0x17));
    e.close();
    const syn = s.out.length + 1;
    unanswered(s.conv({ port: 49700 }), s);
    const f = only(run(s), 'INFERRED_RPC_PORT_BLOCKED');
    expect(f).toMatchObject({ severity: 'warning', inferred: true, port: 49700 });
    expect(f.evidenceFrames).toEqual([1, 2, syn, syn + 1, syn + 2]);
    expect(f.explanation).toMatch(/^Inferred/);
    // Another client's session to 135 explains nothing about this client's failure.
    const t = new Scene();
    const other = t.conv({ port: 135, client: '10.1.1.99' });
    other.connect();
    other.send('client', new Uint8Array(200).fill(0x17));
    other.close();
    unanswered(t.conv({ port: 49700 }), t);
    expect(run(t).findings.map((x) => x.id)).not.toContain('INFERRED_RPC_PORT_BLOCKED');
  });

  it('HANDSHAKE_NOT_COMPLETED: SYN-ACKs back, no final ACK (advertised port, other port, and TCP 135)', () => {
    for (const port of [49700, 445, 135]) {
      const s = new Scene();
      if (port === 49700) epm(s, [tower(49700)]);
      const c = s.conv({ port });
      c.syn().synAck();
      s.wait(3);
      c.syn().segment('server', TcpFlag.SYN | TcpFlag.ACK, undefined, { seq: c.seqOf('server') - 1 });
      const f = only(run(s), 'HANDSHAKE_NOT_COMPLETED');
      expect(f, `port ${port}`).toMatchObject({ severity: 'warning', port });
      expect(f.evidenceFrames.slice(-4)).toEqual([s.out.length - 3, s.out.length - 2, s.out.length - 1, s.out.length]);
    }
  });

  it('CONNECTION_UNANSWERED: a warning once the client had time to retry, info when the capture ends first', () => {
    const s = new Scene();
    unanswered(s.conv({ port: 445 }), s);
    expect(only(run(s), 'CONNECTION_UNANSWERED')).toMatchObject({ severity: 'warning', port: 445, evidenceFrames: [1, 2, 3] });

    const t = new Scene();
    t.conv({ port: 445 }).syn();
    t.wait(0.5);
    t.conv({ port: 88 }).connect();
    const g = only(run(t), 'CONNECTION_UNANSWERED');
    expect(g).toMatchObject({ severity: 'info', evidenceFrames: [1] });
  });

  it('many clients with the same finding about one server and port are folded into one finding', () => {
    const s = new Scene();
    for (let i = 0; i < 12; i++) unanswered(s.conv({ port: 135, client: `10.9.0.${i + 1}` }), s);
    const v = run(s);
    const f = v.findings.filter((x) => x.id === 'EPM_UNREACHABLE');
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ client: null, server: SERVER, port: 135 });
    expect(f[0]!.title).toContain('and the same for 11 more clients');
    expect(f[0]!.evidenceFrames).toHaveLength(36);
  });

  it('STATE_LIMIT_REACHED: past the attempt bound, SYNs are counted by port and the report says so', () => {
    const s = new Scene();
    for (let i = 0; i < 4; i++) s.conv({ port: 445 }).syn();
    const v = run(s, {}, { limits: { attempts: 2 } });
    const f = only(v, 'STATE_LIMIT_REACHED');
    expect(f).toMatchObject({ severity: 'warning', evidenceFrames: [3, 4] });
    expect(f.explanation).toContain('445: 2');
    expect(v.attempts).toHaveLength(2);
  });

  it('ADVERTISED_PORT_NOT_ATTEMPTED: info when the capture ends soon after, warning when it went on', () => {
    const s = new Scene();
    const answer = epm(s, [tower(49700)]);
    expect(only(run(s), 'ADVERTISED_PORT_NOT_ATTEMPTED')).toMatchObject({ severity: 'info', evidenceFrames: [answer] });
    s.wait(30);
    s.conv({ port: 445 }).connect();
    expect(only(run(s), 'ADVERTISED_PORT_NOT_ATTEMPTED')).toMatchObject({ severity: 'warning', evidenceFrames: [answer] });
  });

  it('ONE_SIDED_CAPTURE: data one way, nothing back; unanswered SYNs between the pair are not called blocked', () => {
    const s = new Scene();
    const c = s.conv({ port: 135 });
    c.syn();
    c.segment('client', TcpFlag.ACK, undefined, { seq: c.seqOf('client') + 1 });
    c.send('client', dcerpcBind({ callId: 1, contexts: [{ id: 0, abstract: DRSUAPI_V4, transfer: [NDR_V2] }] }), { seq: c.seqOf('client') + 1 });
    s.wait(1);
    unanswered(s.conv({ port: 49700 }), s);
    const v = run(s);
    expect(only(v, 'ONE_SIDED_CAPTURE')).toMatchObject({ severity: 'warning', client: CLIENT, server: SERVER });
    expect(v.findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(v.findings.map((f) => f.id)).not.toContain('CONNECTION_UNANSWERED');
  });

  it('SNAPLEN_TOO_SMALL: an RPC segment cut by the snaplen', () => {
    const s = new Scene();
    const answer = epm(s, [tower(49700)]);
    const f = only(run(s, { snaplen: 128 }, { cut: new Map([[answer, 128]]) }), 'SNAPLEN_TOO_SMALL');
    expect(f.severity).toBe('warning');
    expect(f.evidenceFrames).toContain(answer);
  });

  it('DUPLICATE_PACKETS: copies of a frame within 10 ms, ignored and reported as info', () => {
    const s = new Scene();
    s.conv({ port: 445 }).syn();
    s.copyOf(1, 30);
    s.wait(0.01);
    const v = run(s);
    expect(only(v, 'DUPLICATE_PACKETS')).toMatchObject({ severity: 'info', evidenceFrames: [1, 2] });
    expect(v.attempts[0]!.retransmissions).toBe(0);
  });

  it('CONTROL_PACKETS_ONLY: handshakes to 135 but not a byte of payload', () => {
    const s = new Scene();
    s.conv({ port: 135 }).connect().close();
    const v = run(s);
    expect(only(v, 'CONTROL_PACKETS_ONLY').severity).toBe('info');
  });

  it('RPC_FAULT: the server faults a call', () => {
    const s = new Scene();
    const c = s.conv({ port: 135 });
    c.connect();
    c.send('client', dcerpcBind({ callId: 1, contexts: [{ id: 0, abstract: DRSUAPI_V4, transfer: [NDR_V2] }] }));
    c.send('server', dcerpcBindAck({ callId: 1, secondaryAddress: '135', results: [{ result: 0, transfer: NDR_V2 }] }));
    c.send('client', dcerpcRequest({ callId: 2, opnum: 0, stub: new Uint8Array(8) }));
    c.send('server', dcerpcFault({ callId: 2, status: 5 }));
    const f = only(run(s), 'RPC_FAULT');
    expect(f).toMatchObject({ severity: 'warning', port: 135, evidenceFrames: [6, 7] });
    expect(f.title).toContain('0x00000005');
  });

  it('RPC_BIND_REJECTED: a bind_ack that accepts no interface is an error; a bind_nak names its reason', () => {
    const s = new Scene();
    const c = s.conv({ port: 49667 });
    c.connect();
    c.send('client', dcerpcBind({ callId: 1, contexts: [{ id: 0, abstract: DRSUAPI_V4, transfer: [NDR_V2] }] }));
    c.send('server', dcerpcBindAck({ callId: 1, secondaryAddress: '49667', results: [{ result: 2, reason: 1 }] }));
    const f = only(run(s), 'RPC_BIND_REJECTED');
    expect(f).toMatchObject({ severity: 'error', port: 49667, evidenceFrames: [4, 5], evidence: [{ frame: 4, role: 'rpc-bind' }, { frame: 5, role: 'bind-rejected' }] });
    expect(f.params).toMatchObject({ kind: 'contexts', reasonName: 'abstract_syntax_not_supported', interfaceName: 'DRSUAPI (AD replication)', alter: false });
    expect(f.title).toContain('abstract_syntax_not_supported');
    expect(f.explanation).toContain('0x6b5');
    // The port accepted the connection: no port verdict turns this into a success story.
    expect(run(s).findings.map((x) => x.severity)).toContain('error');

    const t = new Scene();
    const d = t.conv({ port: 49667 });
    d.connect();
    d.send('client', dcerpcBind({ callId: 1, contexts: [{ id: 0, abstract: DRSUAPI_V4, transfer: [NDR_V2] }] }));
    d.send('server', dcerpcBindNak({ callId: 1, reason: 2 }));
    const n = only(run(t), 'RPC_BIND_REJECTED');
    expect(n.params).toMatchObject({ kind: 'nak', reason: 2, reasonName: 'local_limit_exceeded' });
    expect(n.explanation).toContain('RPC_S_SERVER_TOO_BUSY');
  });

  it('RPC_BIND_REJECTED: a RST or FIN from the server while the bind waits is a refusal; after the bind_ack it is not', () => {
    for (const close of ['rst', 'fin'] as const) {
      const s = new Scene();
      const c = s.conv({ port: 49667 });
      c.connect();
      c.send('client', dcerpcBind({ callId: 1, contexts: [{ id: 0, abstract: DRSUAPI_V4, transfer: [NDR_V2] }] }));
      if (close === 'rst') c.rst('server'); else c.close('server');
      const f = only(run(s), 'RPC_BIND_REJECTED');
      expect(f).toMatchObject({ severity: 'error', evidence: [{ frame: 4, role: 'rpc-bind' }, { frame: 5, role: 'bind-closed' }] });
      expect(f.params).toMatchObject({ kind: close === 'rst' ? 'reset' : 'closed', reasonName: close === 'rst' ? 'connection reset' : 'connection closed' });
      expect(f.remediation.join(' ')).toContain('netsh rpc filter');
    }
    // Answered first, closed after: a normal end, no refusal; nor a close by the client.
    const t = new Scene();
    const d = t.conv({ port: 49667 });
    d.connect();
    d.send('client', dcerpcBind({ callId: 1, contexts: [{ id: 0, abstract: DRSUAPI_V4, transfer: [NDR_V2] }] }));
    d.send('server', dcerpcBindAck({ callId: 1, secondaryAddress: '49667', results: [{ result: 0, transfer: NDR_V2 }] }));
    d.close('server');
    const u = new Scene();
    const e = u.conv({ port: 49667 });
    e.connect();
    e.send('client', dcerpcBind({ callId: 1, contexts: [{ id: 0, abstract: DRSUAPI_V4, transfer: [NDR_V2] }] }));
    e.rst('client');
    for (const v of [run(t), run(u)]) expect(v.findings.map((x) => x.id)).not.toContain('RPC_BIND_REJECTED');
  });

  it('RPC_BIND_REJECTED: a refused alter_context is a warning, many interfaces refused to one client is a scan (info)', () => {
    const s = new Scene();
    const c = s.conv({ port: 135 });
    c.connect();
    c.send('client', dcerpcBind({ callId: 1, contexts: [{ id: 0, abstract: DRSUAPI_V4, transfer: [NDR_V2] }] }));
    c.send('server', dcerpcBindAck({ callId: 1, secondaryAddress: '135', results: [{ result: 0, transfer: NDR_V2 }] }));
    c.send('client', dcerpcBind({ callId: 2, alter: true, contexts: [{ id: 1, abstract: { uuid: '00000143-0000-0000-c000-000000000046', major: 0, minor: 0 }, transfer: [NDR_V2] }] }));
    c.send('server', dcerpcBindAck({ callId: 2, alter: true, secondaryAddress: '', results: [{ result: 2, reason: 1 }] }));
    expect(only(run(s), 'RPC_BIND_REJECTED')).toMatchObject({ severity: 'warning', params: { alter: true } });

    const t = new Scene();
    for (let i = 0; i < 6; i++) {
      const d = t.conv({ port: 135, clientPort: 50000 + i });
      d.connect();
      d.send('client', dcerpcBind({ callId: 1, contexts: [{ id: 0, abstract: { uuid: `1234567${i}-1234-abcd-ef00-0123456789ab`, major: 1, minor: 0 }, transfer: [NDR_V2] }] }));
      d.send('server', dcerpcBindAck({ callId: 1, secondaryAddress: '135', results: [{ result: 2, reason: 1 }] }));
    }
    const scan = only(run(t), 'RPC_BIND_REJECTED');
    expect(scan).toMatchObject({ severity: 'info', params: { binds: 6, interfaces: 6 } });
    expect(scan.explanation).toContain('interface scanner');
  });

  it('TOWER_ADDRESS_MISMATCH: a tower with another address, and a bind_ack naming another port', () => {
    const s = new Scene();
    const answer = epm(s, [tower(49667, '192.168.99.10')]);
    s.conv({ port: 49667 }).connect();
    const f = only(run(s), 'TOWER_ADDRESS_MISMATCH');
    expect(f).toMatchObject({ severity: 'warning', evidenceFrames: [answer] });
    expect(f.title).toContain('192.168.99.10');

    const t = new Scene();
    const d = t.conv({ port: 49667 });
    d.connect();
    d.send('client', dcerpcBind({ callId: 1, contexts: [{ id: 0, abstract: DRSUAPI_V4, transfer: [NDR_V2] }] }));
    d.send('server', dcerpcBindAck({ callId: 1, secondaryAddress: '49700', results: [{ result: 0, transfer: NDR_V2 }] }));
    expect(only(run(t), 'TOWER_ADDRESS_MISMATCH')).toMatchObject({ port: 49667, evidenceFrames: [5] });
  });

  it('answers on the same port are one story: later answers and every SYN are evidence', () => {
    const s = new Scene();
    const a1 = epm(s, [tower(49700)]);
    const a2 = epm(s, [tower(49700)]);
    const syn = s.out.length + 1;
    unanswered(s.conv({ port: 49700 }), s);
    const f = only(run(s), 'RPC_DYNAMIC_PORT_BLOCKED');
    expect(f.evidenceFrames).toEqual([a1, a2, syn, syn + 1, syn + 2]);
    // The follow-up of an answer ends at the next answer of the same port to the same client.
    expect(run(s).endpoints.map((e) => e.followUpSynFrames)).toEqual([[], [syn]]);
  });

  it('an answer of another port in between does not end a follow-up', () => {
    const s = new Scene();
    epm(s, [tower(49700)]);
    epm(s, [tower(49701)]);
    const syn = s.out.length + 1;
    unanswered(s.conv({ port: 49700 }), s);
    expect(run(s).endpoints.map((e) => [e.port, e.followUpSynFrames])).toEqual([[49700, [syn]], [49701, []]]);
  });
});

describe('rules: settings', () => {
  it('--dynamic-range with several ranges: a port in any of them is in range', () => {
    const ranges: [number, number][] = [[5000, 5100], [49152, 65535]];
    const s = new Scene();
    epm(s, [tower(5050)]);
    unanswered(s.conv({ port: 5050 }), s);
    const v = run(s, { dynamicRanges: ranges });
    const f = only(v, 'RPC_DYNAMIC_PORT_BLOCKED');
    expect(f.explanation).toContain('5000-5100, 49152-65535');
    expect(v.endpoints[0]!.inRange).toBe(true);
    expect(v.ports.find((p) => p.port === 5050)!.inRange).toBe(true);
    // The same trace under the default range: the port is non-standard.
    expect(only(run(s), 'NONSTANDARD_RPC_PORT_BLOCKED').port).toBe(5050);
    // And outside both ranges.
    const t = new Scene();
    epm(t, [tower(15595)]);
    unanswered(t.conv({ port: 15595 }), t);
    expect(only(run(t, { dynamicRanges: ranges }), 'NONSTANDARD_RPC_PORT_BLOCKED').explanation).toContain('outside the expected dynamic range 5000-5100, 49152-65535');
  });

  it('follow window: an attempt after it is not a follow-up of the answer', () => {
    const s = new Scene();
    const answer = epm(s, [tower(49700)]);
    s.wait(200);
    const syn = s.out.length + 1;
    unanswered(s.conv({ port: 49700 }), s);
    const late = run(s, { followWindowSeconds: 120 });
    expect(late.endpoints[0]!.followUp).toBe('no-attempt');
    expect(only(late, 'ADVERTISED_PORT_NOT_ATTEMPTED').evidenceFrames).toEqual([answer]);
    // The SYN-ACK of the session to 135 (frame 2) narrows the cause: the server is up.
    const silent = only(late, 'CONNECTION_UNANSWERED');
    expect(silent.evidence.map((e) => [e.frame, e.role])).toEqual([[2, 'answered-elsewhere'], [syn, 'syn'], [syn + 1, 'syn-retransmission'], [syn + 2, 'syn-retransmission']]);
    expect(silent.explanation).toContain(`${SERVER} answers on other ports (TCP 135; SYN-ACK frame 2): it is up and reachable, and only TCP 49700 is dropped`);
    expect(silent.explanation).not.toContain('the server is down');
    const wide = run(s, { followWindowSeconds: 300 });
    expect(wide.endpoints[0]!.followUp).toBe('no-answer');
    expect(only(wide, 'RPC_DYNAMIC_PORT_BLOCKED').evidenceFrames).toEqual([answer, syn, syn + 1, syn + 2]);
  });

  it('an attempt before the answer is not its follow-up', () => {
    const s = new Scene();
    unanswered(s.conv({ port: 49700 }), s);
    epm(s, [tower(49700)]);
    const v = run(s);
    expect(v.endpoints[0]!.followUp).toBe('no-attempt');
    expect(v.findings.map((f) => f.id)).toContain('ADVERTISED_PORT_NOT_ATTEMPTED');
  });

  it('a connection open before the capture proves the port only when it carries traffic after the answer', () => {
    const open = (after: boolean): Verdicts => {
      const s = new Scene();
      const c = s.conv({ port: 49667, clientPort: 49790 });
      c.send('client', new Uint8Array(40));
      c.send('server', new Uint8Array(40));
      const answer = epm(s, [tower(49667)]);
      if (after) {
        s.wait(1);
        c.send('client', new Uint8Array(40));
        c.send('server', new Uint8Array(40));
      }
      s.wait(30);
      expect(answer).toBeGreaterThan(2);
      return run(s);
    };
    const reused = open(true);
    expect(reused.endpoints[0]).toMatchObject({ followUp: 'existing-connection', existingConnection: { clientPort: 49790, firstFrame: 1 } });
    expect(only(reused, 'RPC_PORT_OK').evidence.filter((e) => e.role === 'existing-connection').map((e) => e.frame)[0]).toBe(1);
    // Quiet since before the answer: the client did not go on with it, and made no new one.
    const stale = open(false);
    expect(stale.endpoints[0]).toMatchObject({ followUp: 'no-attempt', existingConnection: null });
    only(stale, 'ADVERTISED_PORT_NOT_ATTEMPTED');
  });

  it('an empty tracker gives no findings', () => {
    const v = run(new Scene());
    expect([v.attempts, v.endpoints, v.findings, v.ports]).toEqual([[], [], [], []]);
  });
});

describe('rules: every failed attempt belongs to a finding', () => {
  it('a port that refuses with RST, unexplained by RPC, is CONNECTION_REFUSED with the reset as evidence', () => {
    const s = new Scene();
    const c = s.conv({ port: 445 });
    c.syn().rst('server');
    s.wait(5);
    const f = only(run(s), 'CONNECTION_REFUSED');
    expect([f.severity, f.client, f.server, f.port]).toEqual(['warning', CLIENT, SERVER, 445]);
    expect(f.evidence.map((e) => [e.frame, e.role])).toEqual([[1, 'syn'], [2, 'rst']]);
    expect(f.title).toBe(`TCP 445 on ${SERVER}: 1 connection attempt(s) from ${CLIENT} refused (RST)`);
    expect(f.explanation).toContain('TCP 445 is SMB');
  });

  it('a server heard over UDP is up: an unanswered TCP port is then dropped, not a server down', () => {
    const s = new Scene();
    s.udpFromServer(53);
    s.wait(1);
    unanswered(s.conv({ port: 5985 }), s);
    s.wait(30);
    const f = only(run(s), 'CONNECTION_UNANSWERED');
    expect(f.params).toMatchObject({ contrast: { heard: { frame: 1, what: 'udp', port: 53 }, otherPorts: [] } });
    expect(f.evidence.map((e) => [e.frame, e.role])).toEqual([[1, 'answered-elsewhere'], [2, 'syn'], [3, 'syn-retransmission'], [4, 'syn-retransmission']]);
    expect(f.explanation).toContain(`${SERVER} sent UDP from port 53 (frame 1): it is up and reachable, so TCP 5985 is dropped on the way or by its own firewall.`);
    expect(f.explanation).not.toContain('the server is down');
    // UDP from another host says nothing about this one.
    const other = new Scene();
    unanswered(other.conv({ port: 5985 }), other);
    other.wait(30);
    expect(only(run(other), 'CONNECTION_UNANSWERED').explanation).toContain('the server is down or a firewall silently drops TCP 5985');
  });

  it('an ICMP refusal names the device that sent it', () => {
    const s = new Scene();
    const c = s.conv({ port: 8080 });
    c.syn();
    s.icmp4(c.lastIp, Icmp4Unreach.ADMIN_PROHIBITED);
    s.wait(5);
    const f = only(run(s), 'CONNECTION_REFUSED');
    expect(f.evidence.map((e) => e.role)).toEqual(['syn', 'icmp-unreachable']);
    expect(f.explanation).toContain(`from ${ROUTER}`);
    expect(f.displayFilter).toContain('icmp');
  });

  it('one client refused on many ports of one server is one finding (a scan), not one per port', () => {
    const s = new Scene();
    for (let p = 20; p < 35; p++) s.conv({ port: p }).syn().rst('server');
    s.wait(5);
    const v = run(s);
    const f = only(v, 'CONNECTION_REFUSED');
    expect(f.port).toBeNull();
    expect(f.params).toMatchObject({ ports: { count: 15 } });
    expect(f.explanation).toContain('port scan');
  });

  it('other answered connections to the same port narrow an unanswered one: the server listens', () => {
    const s = new Scene();
    s.conv({ port: 3389, client: '10.1.1.77' }).connect();
    unanswered(s.conv({ port: 3389 }), s);
    s.wait(20);
    const f = only(run(s), 'CONNECTION_UNANSWERED');
    expect(f.explanation).toContain(`1 other attempt(s) to ${SERVER}:3389 in this capture were answered (e.g. from 10.1.1.77, SYN-ACK frame 2): the server listens`);
    expect(f.evidence.find((e) => e.role === 'answered-elsewhere')?.frame).toBe(2);
  });

  it('in a random mix of outcomes every failed attempt is cited by some finding', () => {
    const rng = (() => { let x = 7; return () => ((x = (x * 1103515245 + 12345) >>> 0) % 1000) / 1000; })();
    for (let run = 0; run < 20; run++) {
      const s = new Scene();
      for (let i = 0; i < 12; i++) {
        const port = [135, 445, 49700, 50001, 3389][Math.floor(rng() * 5)]!;
        const c = s.conv({ port, client: `10.1.1.${20 + Math.floor(rng() * 3)}` });
        const r = rng();
        if (r < 0.25) c.connect();
        else if (r < 0.45) c.syn().rst('server');
        else if (r < 0.6) { c.syn(); s.icmp4(c.lastIp, Icmp4Unreach.ADMIN_PROHIBITED); }
        else if (r < 0.75) c.syn().synAck();
        else unanswered(c, s);
        s.wait(rng() * 5);
      }
      s.wait(30);
      const v = verdicts(s.track());
      const cited = new Set(v.findings.flatMap((f) => f.evidenceFrames));
      for (const a of v.attempts) {
        if (a.outcome === 'established') continue;
        expect(cited.has(a.synFrames[0]!), `run ${run}: ${a.client} -> ${a.server}:${a.serverPort} ${a.outcome} (frame ${a.synFrames[0]})`).toBe(true);
      }
    }
  });
});

describe('rules: how far the capture can be trusted', () => {
  it('a file cut part-way gets CAPTURE_INCOMPLETE: never "no problems" for frames never read', () => {
    const s = new Scene();
    s.conv({ port: 445 }).connect();
    const v = run(s, { readStop: { offset: 400, code: 'truncated-record', message: 'pcap: file ends inside record 4', frames: 3, lastFrame: { frame: 3, time: 0.0003 } } });
    const f = only(v, 'CAPTURE_INCOMPLETE');
    expect([f.severity, f.title]).toEqual(['warning', 'Reading stopped at byte 400: only the first 3 frames were analyzed']);
    expect(f.explanation).toContain('a failure after it cannot be ruled out');
    expect(f.displayFilter).toBe('frame.number == 3');
    expect(ids(run(s))).toEqual([]);
  });

  it('time that goes back more than a second is TIMESTAMPS_OUT_OF_ORDER, and relative times keep running forward', () => {
    const s = new Scene();
    s.conv({ port: 445 }).connect();
    s.clock.sec -= 7200;
    s.conv({ port: 445 }).connect();
    const v = run(s);
    const f = only(v, 'TIMESTAMPS_OUT_OF_ORDER');
    expect(f.evidence.map((e) => [e.frame, e.role])).toEqual([[4, 'time-jump']]);
    expect(f.explanation).toContain('2.0 h older');
    expect(v.attempts.map((a) => a.relativeTime >= 0 && a.observedSeconds < 10)).toEqual([true, true]);
    // Jitter under a second is not a jump.
    const t = new Scene();
    t.conv({ port: 445 }).connect();
    t.clock.advanceMs(-500);
    t.conv({ port: 445 }).connect();
    expect(ids(run(t))).toEqual([]);
  });
});

describe('rules: coverage', () => {
  it('every finding id has a scenario above', () => {
    // Runs last in this file (vitest keeps declaration order). A new id needs a small trace here.
    // The agent checks' ids have their scenarios in agent-rules.test.ts.
    expect(FINDING_IDS.filter((id) => !covered.has(id) && !(AGENT_FINDING_IDS as readonly string[]).includes(id))).toEqual([]);
  });
});
