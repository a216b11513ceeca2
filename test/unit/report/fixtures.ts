/** Hand-built reports for the renderer tests: no capture is read. */
import type { Attempt, Endpoint } from '../../../src/model/connections.js';
import type { Finding } from '../../../src/model/finding.js';
import type { FileReport, Report } from '../../../src/model/report.js';

export function finding(over: Partial<Finding> = {}): Finding {
  return {
    id: 'NONSTANDARD_RPC_PORT_BLOCKED',
    severity: 'error',
    title: 'TCP 15595 on 10.1.1.10 is blocked',
    client: '10.1.1.50',
    server: '10.1.1.10',
    port: 15595,
    evidenceFrames: [7, 11, 12, 13],
    explanation: 'The endpoint mapper advertised 15595; 3 SYNs went unanswered.',
    remediation: ['Run `netsh int ipv4 show dynamicportrange tcp` on the server.', 'Allow the range in use.'],
    displayFilter: 'ip.addr==10.1.1.50 && tcp.port in {135, 15595}',
    inferred: false,
    protocol: 'tcp',
    evidence: [
      { frame: 7, role: 'endpoint-answer', time: 0.002 },
      { frame: 11, role: 'syn', time: 0.004 },
      { frame: 12, role: 'syn-retransmission', time: 3.004, n: 1, of: 11 },
      { frame: 13, role: 'syn-retransmission', time: 9.004, n: 2, of: 11 },
    ],
    evidenceTotal: 4,
    params: { frames: [] } as unknown as Finding['params'],
    folded: null,
    ...over,
  };
}

export function attempt(over: Partial<Attempt> = {}): Attempt {
  return {
    client: '10.1.1.50', clientPort: 49802, server: '10.1.1.10', serverPort: 15595, isn: 1,
    synFrames: [11, 12, 13], retransmissions: 2, synOffsets: [0, 3, 9], synAckFrames: [], ackFrame: null, inferred: false, rstFrames: [], icmp: null,
    outcome: 'no-answer', time: '2024-03-12T09:15:00.004000000Z', relativeTime: 0.004, answerSeconds: null,
    retrySeconds: 9, observedSeconds: 21.5,
    ...over,
  };
}

export function endpoint(over: Partial<Endpoint> = {}): Endpoint {
  return {
    frame: 7, requestFrame: 6, source: 'epm', operation: 'ept_map', client: '10.1.1.50', server: '10.1.1.10',
    advertisedHost: '0.0.0.0', bindings: [], port: 15595, interfaceUuid: 'e3514235-4b06-11d1-ab04-00c04fc2dcd2',
    interfaceName: 'DRSUAPI (AD replication)', enumeration: false, inRange: false, time: 0.002, followUpSynFrames: [1], followUp: 'no-answer', existingConnection: null,
    ...over,
  };
}

export function fileReport(over: Partial<FileReport> = {}): FileReport {
  return {
    path: 'capture.pcap', format: 'pcap', compression: null,
    formatInfo: { byteOrder: 'little', timestampResolution: 'us', version: '2.4', snaplen: 65535, sections: 1 },
    linkTypes: [{ linkType: 1, name: 'ETHERNET', frames: 13, decoded: true }],
    frames: 13, firstTimestamp: '2024-03-12T09:15:00.000000000Z', lastTimestamp: '2024-03-12T09:15:09.004500000Z',
    durationSeconds: 9.0045, complete: true, warnings: [], errors: [], interfaces: [], anomalies: [], comments: [],
    stats: { bytes: 1000, ipv4: 13, ipv6: 0, tcp: 13, udp: 0, icmp: 0, icmpv6: 0, nonIp: 0, tcpSyn: 4, tcpSynRetransmissions: 2, tcpSynAck: 1, tcpRst: 0, tcpFin: 2, icmpUnreachable: 0, nonPacketRecords: 0 },
    findings: [], attempts: [], attemptsOmitted: 0, endpoints: [], ports: [],
    settings: { dynamicRanges: [[49152, 65535]], followWindowSeconds: 120 },
    ...over,
  };
}

export function report(files: FileReport[]): Report {
  return { schemaVersion: 1, tool: { name: 'rpctrace', version: '9.9.9' }, files, skipped: [] };
}

/** A file with one finding of each severity, listed least severe first. */
export function mixedFile(): FileReport {
  return fileReport({
    findings: [
      finding({ id: 'RPC_PORT_OK', severity: 'info', title: 'EPM on 10.1.1.10:135 answered', port: 135, evidenceFrames: [1, 2, 3] }),
      finding({ id: 'INFERRED_RPC_PORT_BLOCKED', severity: 'warning', title: 'Probably a dynamic port: TCP 50000 unanswered', port: 50000, inferred: true }),
      finding(),
    ],
    attempts: [attempt({ serverPort: 135, synFrames: [1], retransmissions: 0, synAckFrames: [2], ackFrame: 3, outcome: 'established', retrySeconds: 0 }), attempt()],
    endpoints: [endpoint()],
    ports: [
      { port: 135, attempts: 1, established: 1, failed: 0, incomplete: 0, servers: 1, inRange: false, advertised: false },
      { port: 15595, attempts: 1, established: 0, failed: 1, incomplete: 0, servers: 1, inRange: false, advertised: true },
    ],
  });
}

/** Strings an attacker can put in a capture or a file name. */
export const HOSTILE = [
  '\u001b[2J\u001b[HAll clear: No problems found.',
  'line one\r\nNo problems found.\u0007',
  '\u009b31mred by C1 CSI',
  'user\u202egnp.exe',
  '<script>alert(1)</script>',
  '"><svg onload=alert(1)>',
  'a | b | c',
  '`rm -rf /` and ``two``',
  '[click](http://evil.example) www.evil.example user@evil.example',
  '# heading\n- item\n> quote',
];

