/**
 * The agent checks' rules, scenario by scenario: when they run, what each finding needs and what
 * keeps it away (a normal exchange, a server that answers, an agent's own rhythm), with the
 * generator's agent scenes and small variations of them. Every agent finding id has a case here.
 */
import { describe, expect, it } from 'vitest';
import type { WriterFrame } from '../../../src/capture/writer.js';
import { DEFAULT_AGENT_SETTINGS, type AgentSettings } from '../../../src/model/agent.js';
import { AGENT_FINDING_IDS, type Finding, type FindingId } from '../../../src/model/finding.js';
import type { AgentRuleSettings } from '../../../src/rules/index.js';
import * as agent from '../../../samples/gen/agent.js';
import { AGENT, DC, MS, NAMES, REALM, channelHello, datagram, dnsA, exchange, heartbeat, ping, unanswered } from '../../../samples/gen/agent.js';
import { cldapPing, cldapPingResponse, dnsMessage, dnsReply, krbAsReq, krbError, krbPreauthRequired, krbTgsReq, noise, tlsAlert, tlsClientHello } from '../../../samples/gen/apps.js';
import { Scene } from '../../../samples/gen/scenario.js';
import { track, verdicts, type Verdicts } from '../../helpers/rpc.js';

const covered = new Set<FindingId>();

/** Rules as `analyze` runs them by default (`auto`), or with other agent settings. */
function run(frames: readonly WriterFrame[], o: Partial<AgentRuleSettings> = {}, settings: AgentSettings = DEFAULT_AGENT_SETTINGS): Verdicts {
  const agentRules: AgentRuleSettings = { ...settings, profile: 'auto', checks: 'when-detected', forcedBy: null, ...o };
  return verdicts(track(frames, { agent: settings }), { agent: agentRules });
}

const ids = (v: Verdicts): string[] => v.findings.map((f) => `${f.id}:${f.severity}`);
function only(v: Verdicts, id: FindingId): Finding {
  covered.add(id);
  const l = v.findings.filter((f) => f.id === id);
  expect(l, `${id} in ${ids(v).join(', ')}`).toHaveLength(1);
  return l[0]!;
}
const none = (v: Verdicts): void => expect(v.findings.filter((f) => f.severity !== 'info').map((f) => f.id)).toEqual([]);

/** A 5723 connection that comes up, so the agent checks switch on. */
function channel(s: Scene, clientPort = 49900): void {
  const c = s.tcp({ clientPort, serverPort: 5723, server: MS });
  c.connect();
  channelHello(s, c, clientPort);
}

describe('agent checks: when they run', () => {
  it('run on a capture with 5723 traffic, say why, and name hosts from DNS answers', () => {
    const v = run(agent.agentHealthy());
    none(v);
    expect(v.agent?.reason).toBe('the capture shows TCP 5723 from 10.1.1.50 to scom01.corp.example (10.1.1.30)');
    expect(v.agent?.hosts.map((h) => [h.address, h.name, h.roles])).toEqual([
      [MS, 'scom01.corp.example', ['management-server']], [DC, 'dc01.corp.example', ['domain-controller', 'dns-server']], [AGENT, null, ['agent']],
    ]);
    expect(v.agent?.heartbeats.map((h) => [h.transmissions, h.intervalSeconds, h.gaps])).toEqual([[7, 60, 0]]);
  });

  it('stay off without 5723 traffic under auto, and run when an option forces them', () => {
    const s = new Scene(1);
    unanswered(s, s.tcp({ clientPort: 49900, serverPort: 389, server: DC }));
    s.wait(20_000);
    s.arp();
    const auto = run(s.out);
    expect(auto.agent).toBeNull();
    expect(ids(auto)).toEqual(['CONNECTION_UNANSWERED:warning']);
    const forced = run(s.out, { profile: 'scom', checks: 'always', forcedBy: '--profile scom' });
    expect(forced.agent?.reason).toBe('--profile scom');
    expect(ids(forced)).toEqual(['REQUIRED_PORT_BLOCKED:error']);
  });

  it('a gateway: serves agents on 5723 and is a client of a management server itself', () => {
    const v = run(agent.agentGatewayTlsAlert());
    expect(v.agent?.hosts.find((h) => h.address === agent.GATEWAY)).toMatchObject({ roles: ['gateway'] });
  });
});

describe('REQUIRED_PORT_BLOCKED', () => {
  it('TCP 5723: every attempt unanswered; the evidence is each SYN', () => {
    const f = only(run(agent.agent5723Dropped()), 'REQUIRED_PORT_BLOCKED');
    expect([f.protocol, f.client, f.server, f.port, f.evidence.map((e) => e.role)]).toEqual(['tcp', AGENT, MS, 5723, ['syn', 'syn-retransmission', 'syn-retransmission', 'syn', 'syn-retransmission', 'syn-retransmission']]);
    expect(f.title).toBe('TCP 5723 from 10.1.1.50 to scom01.corp.example (10.1.1.30) is blocked: 6 SYN(s) unanswered');
    expect(f.explanation).toContain('event 21006');
  });

  it('TCP 389 and 88 while UDP answers: the UDP answer 2 ms earlier and the KDC\'s RESPONSE_TOO_BIG say why', () => {
    const v = run(agent.agentLdapKerberosTcpBlocked());
    const [ldap, krb] = v.findings;
    expect([ldap?.port, krb?.port]).toEqual([389, 88]);
    expect(ldap!.explanation).toContain('UDP 389 to the same server answered 2.1 ms earlier (frame 12), so dc01.corp.example (10.1.1.10) is up and only TCP 389 is filtered.');
    expect(krb!.explanation).toContain('with KRB_ERR_RESPONSE_TOO_BIG: dc01.corp.example (10.1.1.10) is up, its answer does not fit in UDP, so the client needs TCP 88, and TCP 88 is blocked.');
    expect(krb!.explanation).toContain('20057');
  });

  it('is not reported, nor is CONNECTION_UNANSWERED, for a pair with one working connection', () => {
    const s = new Scene(2);
    channel(s);
    unanswered(s, s.tcp({ clientPort: 49901, serverPort: 389, server: DC }));
    s.wait(1000);
    s.tcp({ clientPort: 49902, serverPort: 389, server: DC }).connect();
    s.wait(20_000);
    none(run(s.out));
  });

  it('names the refusal: RST from the server', () => {
    const s = new Scene(3);
    const c = s.tcp({ clientPort: 49903, serverPort: 5723, server: MS });
    c.syn();
    c.rst('server');
    s.wait(25_000);
    s.arp();
    const f = only(run(s.out), 'REQUIRED_PORT_BLOCKED');
    expect(f.params).toMatchObject({ how: 'reset', refusal: { kind: 'reset' } });
    expect(f.title).toContain('refused with RST');
  });

  it('UDP: all requests unanswered while the same server answers over TCP', () => {
    const s = new Scene(4);
    channel(s);
    datagram(s, AGENT, 53001, DC, 53, dnsMessage(0x11, 'scom01.corp.example', 1, null), 0x11);
    s.wait(1000);
    datagram(s, AGENT, 53001, DC, 53, dnsMessage(0x11, 'scom01.corp.example', 1, null), 0x12);
    s.tcp({ clientPort: 49904, serverPort: 389, server: DC }).connect();
    s.wait(5000);
    s.arp();
    const f = only(run(s.out), 'REQUIRED_PORT_BLOCKED');
    expect([f.protocol, f.port, f.displayFilter]).toEqual(['udp', 53, 'ip.addr==10.1.1.50 && ip.addr==10.1.1.10 && udp.port==53']);
    expect(f.explanation).toContain('TCP 389 to the same server answered');
  });

  it('a custom list (--require): ports no decoder reads are judged from the datagrams both ways', () => {
    const s = new Scene(5);
    channel(s);
    for (let i = 0; i < 3; i++) { datagram(s, AGENT, 40000, DC, 161, noise(i, 40), 0x20 + i); s.wait(1000); }
    s.wait(5000);
    s.arp();
    const settings = { ...DEFAULT_AGENT_SETTINGS, required: [{ protocol: 'udp' as const, port: 161 }] };
    const v = run(s.out, {}, settings);
    expect(ids(v)).toEqual(['UDP_NO_RESPONSE:warning']);
    expect(v.agent?.requiredPorts).toEqual([{ client: AGENT, server: DC, protocol: 'udp', port: 161, attempts: 3, answered: 0, failed: 3, incomplete: 0 }]);
  });
});

describe('UDP requests and answers', () => {
  it('UDP_NO_RESPONSE: an answer from another address answers nothing, and is named', () => {
    const v = run(agent.agentDnsFailure());
    const f = only(v, 'UDP_NO_RESPONSE');
    expect(f.params).toMatchObject({ app: 'dns', requests: { requests: 1, datagrams: 3 }, stray: { from: agent.OTHER_DNS, frames: [2] } });
    expect(f.evidence.map((e) => [e.frame, e.role])).toEqual([[1, 'request'], [2, 'stray-answer'], [3, 'request-retransmission'], [6, 'request-retransmission']]);
  });

  it('a request the capture ends too soon after is not judged', () => {
    const s = new Scene(6);
    channel(s);
    datagram(s, AGENT, 53002, DC, 53, dnsMessage(0x21, 'scom01.corp.example', 1, null), 0x21);
    s.wait(500);
    s.arp();
    none(run(s.out));
  });

  it('DNS_FAILURE: the DC locator\'s SRV name, not a workstation\'s everyday NXDOMAIN', () => {
    const v = run(agent.agentDnsFailure());
    const f = only(v, 'DNS_FAILURE');
    expect(f.params).toMatchObject({ qname: '_ldap._tcp.dc._msdcs.corp.example', qtype: 'SRV', rcode: 3, rcodeName: 'NXDOMAIN', need: 'dc-locator', frame: 5, requestFrame: 4 });
    expect(v.findings.some((x) => JSON.stringify(x.params).includes('wpad'))).toBe(false);
  });

  it('DNS_FAILURE is not reported when a later answer for the same need succeeds', () => {
    const s = new Scene(7);
    channel(s);
    const name = '_ldap._tcp.dc._msdcs.corp.example';
    exchange(s, AGENT, 53003, agent.OTHER_DNS, 53, dnsMessage(0x31, name, 33, null), dnsReply(0x31, name, 33, { rcode: 3 }), 1, 0x31);
    exchange(s, AGENT, 53004, DC, 53, dnsMessage(0x32, name, 33, null), dnsReply(0x32, name, 33, { answers: [{ type: 'SRV', priority: 0, weight: 100, port: 389, target: 'dc01.corp.example' }] }), 1, 0x32);
    none(run(s.out));
  });

  it('KERBEROS_ERROR: clock skew against the client\'s time in the error; PREAUTH_REQUIRED is normal', () => {
    const s = new Scene(8);
    channel(s);
    exchange(s, AGENT, 53005, DC, 88, krbAsReq(NAMES, 1, false, 1), krbPreauthRequired(NAMES), 1, 0x41);
    const skew = krbError({ code: 37, realm: REALM, sname: ['MSOMHSvc', 'scom01.corp.example'], stime: '20240312092500Z', susec: 0, ctime: '20240312091500Z', cusec: 0 });
    exchange(s, AGENT, 53006, DC, 88, krbTgsReq(NAMES, ['MSOMHSvc', 'scom01.corp.example'], 2, 2), skew, 1, 0x42);
    const f = only(run(s.out), 'KERBEROS_ERROR');
    expect(f.params).toMatchObject({ code: 37, name: 'KRB_AP_ERR_SKEW', request: 'TGS-REQ', skewSeconds: 600, skewAgainst: 'client-time', serverTime: '2024-03-12T09:25:00.000Z' });
    expect(f.title).toContain('clocks 10 min apart');
  });

  it('KERBEROS_ERROR against the capture\'s clock, over TCP 88, after a normal switch from UDP', () => {
    const f = only(run(agent.agentKerberosSkew()), 'KERBEROS_ERROR');
    expect(f.params).toMatchObject({ code: 37, skewAgainst: 'capture-clock', request: 'AS-REQ' });
    expect(f.protocol).toBe('tcp');
    expect(f.title).toContain('clocks 7 min 31 s apart');
  });

  it('KRB_ERR_RESPONSE_TOO_BIG with no TCP 88 attempt after it is a warning', () => {
    const s = new Scene(9);
    channel(s);
    const big = krbError({ code: 52, realm: REALM, sname: ['krbtgt', REALM], stime: '20240312091500Z', susec: 0 });
    exchange(s, AGENT, 53007, DC, 88, krbAsReq(NAMES, 3, true, 3), big, 1, 0x51);
    s.wait(5000);
    const f = only(run(s.out), 'KERBEROS_ERROR');
    expect([f.severity, f.params]).toMatchObject(['warning', { code: 52, noTcpFollowUp: true }]);
  });

  it('AGENT_SPN_ERROR: the MSOMHSvc principal unknown, one finding per name asked', () => {
    const v = run(agent.agentSpnUnknown());
    covered.add('AGENT_SPN_ERROR');
    expect(v.findings.map((f) => [f.id, (f.params as { host: string }).host])).toEqual([['AGENT_SPN_ERROR', 'scom01.corp.example'], ['AGENT_SPN_ERROR', 'SCOM01']]);
    expect(v.findings[0]!.remediation[0]).toContain('setspn -F -Q MSOMHSvc/scom01.corp.example');
  });

  it('DISJOINT_NAMESPACE: the management server\'s DNS domain is not the realm', () => {
    const f = only(run(agent.agentDisjointNamespace()), 'DISJOINT_NAMESPACE');
    expect(f.params).toMatchObject({ realm: 'CORP.EXAMPLE', name: 'scom01.ops.example.net', domain: 'ops.example.net', role: 'management-server' });
    expect(f.protocol).toBeNull();
  });

  it('reads the LDAP ping and names its DC', () => {
    const s = new Scene(10);
    channel(s);
    exchange(s, AGENT, 53008, DC, 389, cldapPing(4, 'corp.example', 'WS50'), cldapPingResponse(4, { forest: 'corp.example', domain: 'corp.example', host: 'dc01.corp.example', netbiosDomain: 'CORP', netbiosHost: 'DC01', site: 'S' }), 1, 0x61);
    const v = run(s.out);
    none(v);
    expect(v.agent?.hosts.find((h) => h.address === DC)?.why[0]?.text).toBe('the DC locator\'s LDAP ping on UDP 389, answered 10.1.1.50');
    expect(v.agent?.transactions.cldap).toEqual({ requests: 1, answered: 1, unanswered: 0, errors: 0 });
  });
});

describe('heartbeats', () => {
  it('HEARTBEAT_GAP and AGENT_REACHABLE_NO_HEARTBEAT: the silence to the end, and the ping replies in it', () => {
    const v = run(agent.agentHeartbeatGap(true, 66));
    const g = only(v, 'HEARTBEAT_GAP');
    expect(g.params).toMatchObject({ transport: 'tcp', intervalSeconds: 60, missed: 5, toFrame: null, captureEndFrame: 26, transmissions: 5 });
    expect(g.inferred).toBe(true);
    const r = only(v, 'AGENT_REACHABLE_NO_HEARTBEAT');
    expect(r.params).toMatchObject({ requests: 4, replies: 4 });
    expect(r.evidence.filter((e) => e.role === 'echo-reply')).toHaveLength(4);
  });

  it('AGENT_UNREACHABLE: the pings get no reply', () => {
    const v = run(agent.agentHeartbeatGap(false, 67));
    expect(only(v, 'AGENT_UNREACHABLE').params).toMatchObject({ requests: 4 });
    only(v, 'HEARTBEAT_GAP');
  });

  it('a silence that ends: its first and last frames, the missed heartbeats between', () => {
    const s = new Scene(11);
    const c = s.tcp({ clientPort: 49905, serverPort: 5723, server: MS });
    c.connect();
    for (const t of [1, 61, 121, 481, 541]) { s.at(t * 1000); heartbeat(s, c, t); }
    const v = run(s.out);
    const g = only(v, 'HEARTBEAT_GAP');
    expect(g.params).toMatchObject({ silenceSeconds: 360, missed: 5 });
    expect(g.evidence.map((e) => e.role)).toEqual(['transmission-before', 'transmission-after']);
    expect(v.findings.map((f) => f.id)).toEqual(['HEARTBEAT_GAP']);
  });

  it('an agent\'s own longer rhythm is recognised; the configured interval can be changed', () => {
    none(run(agent.agentHeartbeat120()));
    const v = run(agent.agentHeartbeat120());
    expect(v.agent?.heartbeats.map((h) => [h.intervalSeconds, h.rhythmSeconds, h.gaps])).toEqual([[120, 120, 0]]);
    // Told the agents miss after 2 heartbeats, the 300 s silence of a 120 s agent is a gap.
    const strict = run(agent.agentHeartbeat120(), {}, { ...DEFAULT_AGENT_SETTINGS, missedHeartbeats: 2 });
    expect(strict.findings.map((f) => f.id)).toEqual(['HEARTBEAT_GAP']);
  });

  it('UDP heartbeats are timed too; a retransmission of old data is not a heartbeat', () => {
    const s = new Scene(12);
    for (const t of [1, 61, 121]) { s.at(t * 1000); datagram(s, AGENT, 49999, MS, 5723, noise(t, 80), t); }
    s.at(500_000);
    ping(s, MS, AGENT, 1, false);
    s.wait(5000);
    s.arp();
    const v = run(s.out);
    expect(v.findings.map((f) => f.id).sort()).toEqual(['AGENT_UNREACHABLE', 'HEARTBEAT_GAP']);
    expect(v.findings[0]!.protocol).toBe('udp');
  });
});

describe('the 5723 channel', () => {
  it('AGENT_CHANNEL_TLS_ALERT: who sent which alert, and whether the client is a gateway', () => {
    const f = only(run(agent.agentGatewayTlsAlert()), 'AGENT_CHANNEL_TLS_ALERT');
    expect(f.params).toMatchObject({ from: agent.GATEWAY, to: MS, level: 2, description: 48, descriptionName: 'unknown_ca', count: 2, gateway: true });
  });

  it('a close_notify is the normal end of a session', () => {
    const s = new Scene(13);
    const c = s.tcp({ clientPort: 49906, serverPort: 5723, server: MS });
    c.connect();
    c.send('client', tlsClientHello(1));
    c.send('client', tlsAlert(1, 0));
    c.close('client');
    none(run(s.out));
  });

  it('AGENT_CHANNEL_CLOSED: closed by the server right after authentication, every time', () => {
    const f = only(run(agent.agentNotApproved()), 'AGENT_CHANNEL_CLOSED');
    expect(f.params).toMatchObject({ closes: 3, kind: 'fin', clientPayloads: 2, serverPayloads: 2 });
    expect(f.explanation).toContain('20070');
  });

  it('one close is a restart, not a rejection', () => {
    const s = new Scene(14);
    const c = s.tcp({ clientPort: 49907, serverPort: 5723, server: MS });
    c.connect();
    channelHello(s, c, 1);
    c.close('server');
    s.wait(5000);
    channel(s, 49908);
    none(run(s.out));
  });
});

describe('many agents', () => {
  it('the same blocked port from many agents folds into one finding, as an outage, not a scan', () => {
    const s = new Scene(16);
    for (let i = 0; i < 12; i++) unanswered(s, s.tcp({ client: `10.1.1.${100 + i}`, clientPort: 49900, serverPort: 5723, server: MS }));
    s.wait(30_000);
    s.arp();
    const f = only(run(s.out), 'REQUIRED_PORT_BLOCKED');
    expect(f.folded?.count).toBe(11);
    expect(f.explanation).toContain('The same finding holds for 11 more clients');
    expect(f.explanation).not.toContain('scan');
    expect(f.displayFilter).toBe('ip.addr==10.1.1.30 && tcp.port==5723');
  });
});

describe('names from DNS', () => {
  it('the words name hosts as the capture names them; filters keep the addresses', () => {
    const s = new Scene(15);
    dnsA(s, AGENT, 53009, DC, 0x71, 'scom01.corp.example', MS);
    unanswered(s, s.tcp({ clientPort: 49909, serverPort: 5723, server: MS }));
    s.wait(20_000);
    s.arp();
    const f = only(run(s.out), 'REQUIRED_PORT_BLOCKED');
    expect(f.title).toContain('scom01.corp.example (10.1.1.30)');
    expect(f.displayFilter).toBe('ip.addr==10.1.1.50 && ip.addr==10.1.1.30 && tcp.port==5723');
    expect([f.client, f.server]).toEqual([AGENT, MS]);
  });
});

describe('agent rules: coverage', () => {
  it('every agent finding id has a scenario above', () => {
    expect(AGENT_FINDING_IDS.filter((id) => !covered.has(id))).toEqual([]);
  });
});
