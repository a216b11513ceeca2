/**
 * Each sample gives the verdict it was built for: the exact set of warning and error finding
 * ids analyzeFile reports, plus the info findings that must be there and, for the tricky
 * samples, the attempt facts that make the verdict right. A sample that silently stops showing
 * its verdict (or starts showing another) fails here. Every sample must have a row, and
 * together the rows must cover every finding id.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { analyzeFile } from '../../../src/analysis/pipeline.js';
import { FINDING_IDS, type FindingId } from '../../../src/model/finding.js';
import type { FileReport } from '../../../src/model/report.js';
import { BLOCKED_PORT, HEALTHY_PORT, SAMPLES } from '../../../samples/gen/generate.js';

const SAMPLES_DIR = fileURLToPath(new URL('../../../samples/', import.meta.url));

interface Expected {
  /** Exactly these ids, at warning or error severity (order and repeats ignored). */
  errors: FindingId[];
  /** Info-level ids that must also be present. */
  info?: FindingId[];
  /** Facts beyond the ids that make the verdict right. */
  check?: (r: FileReport) => void;
  /**
   * A known rpctrace gap: `errors` is what the file should give (tshark agrees), and today's
   * output differs. The row runs as an expected failure, so fixing the gap turns it red:
   * then delete this field.
   */
  gap?: string;
}

/** Finding ids no small sample can show, with the reason. */
const NO_SAMPLE: Readonly<Record<string, string>> = {
  STATE_LIMIT_REACHED: 'needs more conversations than the flow table holds; samples/ stays under 2 MB',
};

const BLOCKED: Expected = { errors: ['NONSTANDARD_RPC_PORT_BLOCKED'] };
const OK: Expected = { errors: [], info: ['RPC_PORT_OK'] };

/** Attempts to `port`, in frame order. */
const to = (r: FileReport, port: number): FileReport['attempts'] => r.attempts.filter((a) => a.serverPort === port);

/** One blocked attempt with two SYN retransmissions, and the advertised endpoint read from EPM. */
function blockedAttempt(port: number): (r: FileReport) => void {
  return (r) => {
    expect(to(r, port).map((a) => [a.outcome, a.retransmissions])).toEqual([['no-answer', 2]]);
    expect(r.endpoints.map((e) => e.port)).toContain(port);
  };
}

const VERDICTS: Readonly<Record<string, Expected>> = {
  'rpc-nonstandard-port-blocked.pcap': { ...BLOCKED, check: blockedAttempt(BLOCKED_PORT) },
  'rpc-healthy.pcap': OK,
  'rpc-nonstandard-port-blocked-be.pcap': BLOCKED,
  'rpc-nonstandard-port-blocked-nsec.pcap': BLOCKED,
  'rpc-nonstandard-port-blocked.pcapng': BLOCKED,
  'rpc-two-sections-be.pcapng': { errors: ['NONSTANDARD_RPC_PORT_BLOCKED'], info: ['RPC_PORT_OK'] },
  'pcapng-mixed-blocks.pcapng': OK,
  'rpc-nonstandard-port-blocked.pcap.gz': BLOCKED,
  'rpc-nonstandard-port-blocked.cap': BLOCKED,
  'rpc-nonstandard-port-blocked-vlan.pcap': BLOCKED,
  'rpc-nonstandard-port-blocked-qinq.pcap': BLOCKED,
  'rpc-nonstandard-port-blocked-sll.pcap': BLOCKED,
  'rpc-nonstandard-port-blocked-sll2.pcap': BLOCKED,
  'rpc-nonstandard-port-blocked-raw.pcap': BLOCKED,
  'rpc-nonstandard-port-blocked-linktype-ipv4.pcap': BLOCKED,
  'rpc-nonstandard-port-blocked-ipv6.pcap': BLOCKED,
  'rpc-nonstandard-port-blocked-ipv6-ethernet.pcap': BLOCKED,
  'rpc-nonstandard-port-blocked-null.pcap': BLOCKED,
  'rpc-nonstandard-port-blocked-loop.pcap': BLOCKED,
  // Four SYNs to 135 and the capture ends 30 ms later: too early to call them unanswered.
  'null-loopback-ipv6-af-values.pcap': { errors: ['CONNECTION_UNANSWERED'] },
  'truncated-inside-last-record.pcap': {
    // The verdict on the frames read, and a warning that the rest could not be: never "no problems".
    errors: ['NONSTANDARD_RPC_PORT_BLOCKED', 'CAPTURE_INCOMPLETE'],
    check: (r) => {
      const f = r.findings.find((x) => x.id === 'CAPTURE_INCOMPLETE')!;
      expect(f.title).toBe(`Reading stopped at byte ${r.errors[0]!.offset}: only the first ${r.frames} frames were analyzed`);
      expect(f.evidence).toEqual([expect.objectContaining({ frame: r.frames, role: 'last-frame-read' })]);
    },
  },
  'not-a-capture.pcap': { errors: [] },
  'empty.pcap': { errors: [] },
  'snaplen-68.pcap': { errors: ['SNAPLEN_TOO_SMALL', 'INFERRED_RPC_PORT_BLOCKED'] },
  'epm-not-registered.pcap': { errors: ['ENDPOINT_NOT_REGISTERED'] },
  // The second tower's host answers, so the port works somewhere; it is outside the range and names another address.
  'epm-multiple-towers.pcap': { errors: ['NONSTANDARD_RPC_RANGE', 'TOWER_ADDRESS_MISMATCH'] },
  'rpc-dynamic-port-reset.pcap': { errors: ['RPC_PORT_REFUSED'] },
  'rpc-dynamic-port-icmp-prohibited.pcap': { errors: ['RPC_PORT_REFUSED'] },
  'rpc-dynamic-port-icmpv6-prohibited.pcap': { errors: ['RPC_PORT_REFUSED'] },
  'epm-fault.pcap': { errors: ['RPC_FAULT'] },
  'rpc-ndr-big-endian.pcap': OK,
  // The EPM answer advertises 49667 to 10.1.1.50; the only later connection is IPv6, from another address.
  'ip-fragments-and-ipv6-extension-headers.pcap': { errors: [] },

  'rpc-dynamic-port-blocked.pcap': { errors: ['RPC_DYNAMIC_PORT_BLOCKED'], check: blockedAttempt(HEALTHY_PORT) },
  'epm-unreachable.pcap': { errors: ['EPM_UNREACHABLE'], check: (r) => expect(to(r, 135).map((a) => a.outcome)).toEqual(['no-answer']) },
  'epm-refused-reset.pcap': { errors: ['EPM_REFUSED'], check: (r) => expect(to(r, 135).map((a) => [a.outcome, a.rstFrames.length])).toEqual([['reset', 3]]) },
  'epm-refused-icmp.pcap': { errors: ['EPM_REFUSED'], check: (r) => expect(to(r, 135).map((a) => [a.outcome, a.icmp?.from])).toEqual([['icmp-refused', '10.1.1.1']]) },
  'epm-encrypted-inferred.pcap': { errors: ['INFERRED_RPC_PORT_BLOCKED'], check: (r) => expect(r.endpoints).toEqual([]) },
  'snaplen-96.pcap': { errors: ['SNAPLEN_TOO_SMALL', 'INFERRED_RPC_PORT_BLOCKED'] },
  'exchange-cas-range-6005.pcap': { errors: ['NONSTANDARD_RPC_RANGE'], check: (r) => expect(to(r, 6005).map((a) => a.outcome)).toEqual(['established']) },
  'handshake-not-completed.pcap': { errors: ['HANDSHAKE_NOT_COMPLETED'], check: (r) => expect(to(r, HEALTHY_PORT).map((a) => [a.outcome, a.retransmissions, a.synAckFrames.length])).toEqual([['answered-not-completed', 2, 5]]) },
  'epm-handshake-not-completed.pcap': { errors: ['HANDSHAKE_NOT_COMPLETED'] },
  // The 5723 SYNs switch the agent checks on: a blocked agent channel is an error, not a warning.
  'scom-agent-5723-unanswered.pcap': {
    errors: ['REQUIRED_PORT_BLOCKED'],
    check: (r) => {
      for (const port of [53, 88, 389]) expect(to(r, port).every((a) => a.outcome === 'established'), `TCP ${port}`).toBe(true);
      expect(to(r, 5723).map((a) => a.outcome)).toEqual(['no-answer']);
      expect(r.findings.map((f) => [f.protocol, f.port])).toEqual([['tcp', 5723]]);
      expect(r.agent?.profile).toBe('auto');
    },
  },
  'agent-healthy.pcap': {
    errors: [],
    check: (r) => {
      expect(r.agent?.hosts.map((h) => h.roles.join('+'))).toEqual(['management-server', 'domain-controller+dns-server', 'agent']);
      expect(r.agent?.transactions).toEqual({
        dns: { requests: 2, answered: 2, unanswered: 0, errors: 0 }, kerberos: { requests: 3, answered: 3, unanswered: 0, errors: 1 }, cldap: { requests: 1, answered: 1, unanswered: 0, errors: 0 },
      });
      expect(r.agent?.heartbeats.map((h) => h.gaps)).toEqual([0]);
    },
  },
  'agent-5723-dropped.pcap': { errors: ['REQUIRED_PORT_BLOCKED'], check: (r) => expect(to(r, 5723).map((a) => [a.outcome, a.retransmissions])).toEqual([['no-answer', 2], ['no-answer', 2]]) },
  'agent-ldap-kerberos-tcp-blocked.pcap': { errors: ['REQUIRED_PORT_BLOCKED'], check: (r) => expect(r.findings.map((f) => `${f.protocol}/${f.port}`)).toEqual(['tcp/389', 'tcp/88']) },
  'agent-dns-failure.pcap': { errors: ['UDP_NO_RESPONSE', 'DNS_FAILURE'] },
  'agent-kerberos-skew.pcap': { errors: ['KERBEROS_ERROR'], check: (r) => expect(to(r, 88).map((a) => a.outcome)).toEqual(['established']) },
  'agent-heartbeat-gap-ping-replies.pcap': { errors: ['HEARTBEAT_GAP', 'AGENT_REACHABLE_NO_HEARTBEAT'] },
  'agent-heartbeat-gap-unreachable.pcap': { errors: ['HEARTBEAT_GAP', 'AGENT_UNREACHABLE'] },
  'agent-heartbeat-120s.pcap': { errors: [], check: (r) => expect(r.agent?.heartbeats.map((h) => [h.intervalSeconds, h.rhythmSeconds])).toEqual([[120, 120]]) },
  'agent-gateway-tls-alert.pcap': { errors: ['AGENT_CHANNEL_TLS_ALERT'] },
  'agent-not-approved.pcap': { errors: ['AGENT_CHANNEL_CLOSED'] },
  'agent-spn-unknown.pcap': { errors: ['AGENT_SPN_ERROR'] },
  'agent-disjoint-namespace.pcap': { errors: ['DISJOINT_NAMESPACE'] },
  'advertised-port-not-attempted.pcap': { errors: ['ADVERTISED_PORT_NOT_ATTEMPTED'] },
  'one-sided-capture.pcap': {
    errors: ['ONE_SIDED_CAPTURE'],
    check: (r) => {
      // No SYN-ACK is in the capture, but the client's ACK (frame 2) goes on from its ISN + 1:
      // the session to 135 was established, inferred. The SYNs to the dynamic port are not.
      expect(r.attempts.map((a) => [a.serverPort, a.outcome, a.inferred, a.ackFrame])).toEqual([[135, 'established', true, 2], [HEALTHY_PORT, 'no-answer', false, null]]);
    },
  },
  'pktmon-snaplen-128.pcapng': { errors: ['SNAPLEN_TOO_SMALL'] },
  'pktmon-duplicates.pcapng': {
    errors: ['NONSTANDARD_RPC_PORT_BLOCKED'],
    info: ['DUPLICATE_PACKETS'],
    check: (r) => {
      blockedAttempt(BLOCKED_PORT)(r);
      expect(r.stats.tcpSynRetransmissions).toBe(2);
    },
  },
  'control-packets-only.pcap': { errors: [], info: ['CONTROL_PACKETS_ONLY'], check: (r) => expect(r.attempts.every((a) => a.outcome === 'established')).toBe(true) },
  'tower-address-mismatch.pcap': { errors: ['TOWER_ADDRESS_MISMATCH'], info: ['RPC_PORT_OK'] },
  'bind-ack-port-mismatch-nat.pcap': { errors: ['TOWER_ADDRESS_MISMATCH'] },
  'rpc-bind-rejected-unknown-interface.pcap': {
    errors: ['RPC_BIND_REJECTED'], info: [],
    check: (r) => expect(r.findings.find((f) => f.id === 'RPC_BIND_REJECTED')).toMatchObject({ severity: 'error', port: 49670, params: { reasonName: 'abstract_syntax_not_supported' } }),
  },
  'rpc-bind-reset-by-firewall.pcap': {
    errors: ['RPC_BIND_REJECTED'], info: [],
    check: (r) => expect(r.findings.find((f) => f.id === 'RPC_BIND_REJECTED')).toMatchObject({ severity: 'error', port: HEALTHY_PORT, params: { kind: 'reset' } }),
  },
  'dcom-activation-blocked.pcap': {
    errors: ['RPC_DYNAMIC_PORT_BLOCKED'],
    check: (r) => {
      expect(r.endpoints.map((e) => [e.source, e.operation, e.port, e.bindings])).toEqual([['dcom', 'RemoteCreateInstance', 49725, ['SERVER[49725]', '10.1.1.10[49725]']]]);
      blockedAttempt(49725)(r);
    },
  },
  'dcom-wmi-24158-blocked.pcap': { errors: ['NONSTANDARD_RPC_PORT_BLOCKED'], check: (r) => expect(r.endpoints.map((e) => [e.source, e.port])).toEqual([['dcom', 24158]]) },

  'epm-response-split-segments.pcap': { ...BLOCKED, check: blockedAttempt(BLOCKED_PORT) },
  // The ept_map answer travels in two IPv4 fragments: reassembled, its tower gives the port.
  'epm-response-ip-fragments.pcap': { ...BLOCKED, check: blockedAttempt(BLOCKED_PORT) },
  'dcerpc-coalesced-pdus.pcap': { ...BLOCKED, check: blockedAttempt(BLOCKED_PORT) },
  'epm-response-out-of-order.pcap': { ...BLOCKED, check: blockedAttempt(BLOCKED_PORT) },
  'epm-response-retransmitted.pcap': { ...BLOCKED, check: blockedAttempt(BLOCKED_PORT) },
  'epm-ndr64.pcap': { errors: ['RPC_DYNAMIC_PORT_BLOCKED'], check: blockedAttempt(HEALTHY_PORT) },
  'rpc-client-port-reused.pcap': {
    ...OK,
    check: (r) => expect(to(r, HEALTHY_PORT).map((a) => [a.clientPort, a.outcome])).toEqual([[49802, 'no-answer'], [49802, 'established']]),
  },
  'rpc-synack-retransmitted.pcap': {
    ...OK,
    check: (r) => expect(to(r, HEALTHY_PORT).map((a) => [a.outcome, a.synAckFrames.length])).toEqual([['established', 2]]),
  },
  'ept-lookup-multi-fragment.pcap': {
    errors: ['RPC_DYNAMIC_PORT_BLOCKED'],
    check: (r) => {
      expect(r.endpoints).toHaveLength(10);
      expect(new Set(r.endpoints.map((e) => `${e.operation} ${e.port}`))).toEqual(new Set([`ept_lookup ${HEALTHY_PORT}`]));
      blockedAttempt(HEALTHY_PORT)(r);
    },
  },
  'epm-lookup-enumeration.pcap': {
    // EPT_S_NOT_REGISTERED after the last entries ends the listing; a listing expects no follow-up.
    errors: [],
    check: (r) => {
      expect(r.endpoints).toHaveLength(7);
      expect(r.endpoints.every((e) => e.operation === 'ept_lookup' && e.enumeration && e.followUp === 'no-attempt')).toBe(true);
      expect(r.findings).toEqual([]);
    },
  },
  'dcom-activation-after-bind.pcap': {
    // No bind: opnum 3 on TCP 135 is not taken for ept_map; the string bindings are read instead.
    errors: ['NONSTANDARD_RPC_PORT_BLOCKED'],
    check: (r) => {
      expect(r.endpoints.map((e) => [e.source, e.port, e.bindings])).toEqual([['dcom', BLOCKED_PORT, ['SERVER[15595]', '10.1.1.10[15595]']]]);
      blockedAttempt(BLOCKED_PORT)(r);
    },
  },
  'connection-refused.pcap': {
    errors: ['CONNECTION_REFUSED', 'CONNECTION_REFUSED'],
    check: (r) => {
      const refused = r.findings.filter((f) => f.id === 'CONNECTION_REFUSED');
      expect(refused.map((f) => [f.server, f.port, (f.params as { refusal: { kind: string } }).refusal.kind])).toEqual([['10.1.1.10', 445, 'reset'], ['10.2.2.10', 5985, 'icmp']]);
    },
  },
  'time-jumps-back.pcap': {
    errors: ['NONSTANDARD_RPC_PORT_BLOCKED', 'TIMESTAMPS_OUT_OF_ORDER'],
    info: ['RPC_PORT_OK'],
    check: (r) => {
      const jump = r.findings.find((f) => f.id === 'TIMESTAMPS_OUT_OF_ORDER')!;
      expect(jump.evidence.map((e) => [e.frame, e.role])).toEqual([[14, 'time-jump']]);
      expect(jump.explanation).toContain('365 days older');
      // Times run forward across the jump: nothing negative, nothing watched for a year.
      for (const a of r.attempts) {
        expect(a.relativeTime).toBeGreaterThanOrEqual(0);
        expect(a.observedSeconds).toBeLessThan(3600);
      }
      expect(r.attempts.map((a) => a.relativeTime)).toEqual([...r.attempts.map((a) => a.relativeTime)].sort((x, y) => x - y));
    },
  },
  'firewall-two-interfaces.pcapng': {
    errors: ['NONSTANDARD_RPC_PORT_BLOCKED'],
    info: ['DUPLICATE_PACKETS'],
    check: (r) => {
      // Each forwarded packet counts once: the session to 135 is one established attempt (not a
      // SYN with a retransmission), the blocked port one attempt of three SYNs.
      expect(r.attempts.map((a) => [a.serverPort, a.outcome, a.synFrames])).toEqual([[135, 'established', [1]], [BLOCKED_PORT, 'no-answer', [21, 22, 23]]]);
      const dup = r.findings.find((f) => f.id === 'DUPLICATE_PACKETS')!;
      expect(dup.params).toMatchObject({ copies: 4, forwarded: 4, forwardedExample: [2, 1] });
      expect(dup.evidence.filter((e) => e.role === 'forwarding-copy').map((e) => [e.frame, e.of])).toEqual([[2, 1], [4, 3], [16, 15], [18, 17]]);
      expect(dup.title).toContain('captured on both sides of a router or firewall');
    },
  },
  'rpc-connection-open-before-capture.pcap': {
    errors: [],
    info: ['RPC_PORT_OK'],
    check: (r) => {
      // No SYN to the port: the connection open since frame 1 that carries calls after the
      // answer proves the port reachable; an attempt that never came is not reported.
      const ok = r.findings.find((f) => f.id === 'RPC_PORT_OK')!;
      expect(ok.evidence.map((e) => [e.frame, e.role])).toEqual([[1, 'existing-connection'], [10, 'endpoint-answer'], [20, 'existing-connection']]);
      expect(ok.params).toMatchObject({ synFrame: null, existing: { clientPort: 49790, firstFrame: 1, lastFrame: 20 } });
      expect(ok.explanation).toContain('open before the capture began');
      expect(r.endpoints.map((e) => [e.port, e.followUp, e.existingConnection])).toEqual([[HEALTHY_PORT, 'existing-connection', { clientPort: 49790, firstFrame: 1, lastFrame: 20 }]]);
      expect(r.attempts.map((a) => a.serverPort)).toEqual([135]);
    },
  },
  'busy-healthy.pcap': {
    errors: [],
    info: ['RPC_PORT_OK'],
    check: (r) => {
      expect(r.frames).toBeGreaterThan(250);
      expect(r.attempts.every((a) => a.outcome === 'established')).toBe(true);
      expect(new Set(r.endpoints.map((e) => e.port))).toEqual(new Set([HEALTHY_PORT, 49668, 49664]));
    },
  },

  // Tunnels and encapsulations: the inner conversation is analysed like any other.
  'tunnel-erspan-ii.pcap': { ...BLOCKED, check: tunnelled('10.1.1.50') },
  'tunnel-erspan-iii.pcap': { ...BLOCKED, check: tunnelled('10.1.1.50') },
  'tunnel-erspan-i.pcap': { ...BLOCKED, check: tunnelled('10.1.1.50') },
  'tunnel-gre.pcap': { ...BLOCKED, check: tunnelled('10.1.1.50') },
  'tunnel-vxlan.pcap': { ...BLOCKED, check: tunnelled('10.1.1.50') },
  'tunnel-geneve.pcap': { ...BLOCKED, check: tunnelled('10.1.1.50') },
  'tunnel-ipip-4in4.pcap': { ...BLOCKED, check: tunnelled('10.1.1.50') },
  'tunnel-ipip-6in4.pcap': { ...BLOCKED, check: tunnelled('fd00:10:1:1::50') },
  'tunnel-gtpu.pcap': { ...BLOCKED, check: tunnelled('10.1.1.50') },
  'tunnel-mpls.pcap': { ...BLOCKED, check: tunnelled('10.1.1.50') },
  'tunnel-pppoe.pcap': { ...BLOCKED, check: tunnelled('10.1.1.50') },
  'tunnel-pbb.pcap': { ...BLOCKED, check: tunnelled('10.1.1.50') },
  'tunnel-fabricpath.pcap': { ...BLOCKED, check: tunnelled('10.1.1.50') },
  // L2TP is recognised, not decoded: no verdict can come from inside it, and the report says so
  // with the frame count rather than 'no problems' alone (tshark decodes it: test/diff/tshark.test.ts).
  'tunnel-l2tp-not-decoded.pcap': {
    errors: [],
    check: (r) => {
      expect(r.warnings.map((w) => w.code)).toEqual(['undecoded-encapsulation']);
      expect(r.warnings[0]!.message).toMatch(/^13 frame\(s\) .*\(L2TP: 13 from frame 1\)/);
      expect(r.anomalies.map((a) => [a.name, a.count])).toEqual([['undecoded_encapsulation', 13]]);
      expect(r.attempts).toEqual([]);
    },
  },
  // Each SYN's TCP header is split over IP fragments: the completing frames are the SYN frames.
  'syn-tcp-header-in-ip-fragments.pcap': { ...BLOCKED, check: (r) => { blockedAttempt(BLOCKED_PORT)(r); expect(to(r, BLOCKED_PORT)[0]!.synFrames).toEqual([12, 14, 16]); } },
  'syn-tcp-header-in-ipv6-fragments.pcap': { ...BLOCKED, check: (r) => { blockedAttempt(BLOCKED_PORT)(r); expect(to(r, BLOCKED_PORT)[0]!.synFrames).toEqual([14, 18, 22]); } },
  // The SYNs lost two option bytes each to the snaplen, not their flags: the port is found.
  'snaplen-68-vlan.pcap': {
    errors: ['SNAPLEN_TOO_SMALL', 'INFERRED_RPC_PORT_BLOCKED'],
    check: (r) => {
      expect(to(r, BLOCKED_PORT).map((a) => [a.outcome, a.retransmissions])).toEqual([['no-answer', 2]]);
      expect(r.anomalies.find((a) => a.name === 'tcp_options_cut')?.count).toBe(5);
    },
  },
  'tcp-data-offset-malformed.pcap': { ...BLOCKED, check: (r) => { blockedAttempt(BLOCKED_PORT)(r); expect(r.anomalies.map((a) => [a.name, a.count, a.firstFrames])).toEqual([['malformed_tcp', 1, [11]]]); } },
  'vlan-many-tags.pcap': { ...BLOCKED, check: blockedAttempt(BLOCKED_PORT) },
};

/** The classic failure read inside a tunnel: the inner client's attempt, and nothing left undecoded. */
function tunnelled(client: string): (r: FileReport) => void {
  return (r) => {
    blockedAttempt(BLOCKED_PORT)(r);
    expect(to(r, BLOCKED_PORT)[0]!.client).toBe(client);
    expect(r.warnings).toEqual([]);
    expect(r.anomalies).toEqual([]);
  };
}

describe('sample verdicts', () => {
  it('has a row for every sample and a sample for every row', () => {
    expect(Object.keys(VERDICTS).sort()).toEqual(SAMPLES.map((s) => s.name).sort());
  });

  it('covers every finding id (except those listed in NO_SAMPLE)', () => {
    const shown = new Set(Object.values(VERDICTS).flatMap((v) => (v.gap !== undefined ? [] : [...v.errors, ...(v.info ?? [])])));
    expect(FINDING_IDS.filter((id) => !shown.has(id) && NO_SAMPLE[id] === undefined)).toEqual([]);
  });

  for (const [name, want] of Object.entries(VERDICTS)) {
    const test = want.gap !== undefined ? it.fails : it;
    test(`${name}: ${want.errors.length > 0 ? want.errors.join(', ') : 'no warning'}${want.gap !== undefined ? ` (known gap: ${want.gap})` : ''}`, async () => {
      const { report } = await analyzeFile(join(SAMPLES_DIR, name));
      const got = [...new Set(report.findings.filter((f) => f.severity !== 'info').map((f) => f.id))].sort();
      expect(got).toEqual([...new Set(want.errors)].sort());
      const info = new Set(report.findings.filter((f) => f.severity === 'info').map((f) => f.id));
      for (const id of want.info ?? []) expect(info.has(id), `info ${id}`).toBe(true);
      want.check?.(report);
    });
  }
});
