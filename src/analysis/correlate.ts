/**
 * From what the connection engine saw to verdicts: outcomes per attempt, each advertised
 * endpoint followed to the client's next attempts, findings with their proof, a per-port
 * summary. Runs once per file after the last frame; nothing here is on the per-packet path.
 */
import { thousands } from '../model/numbers.js';
import type { Attempt, AttemptOutcome, Endpoint, Finding, FindingId, PortSummary, Severity } from '../model/engine.js';
import { interfaceName } from '../model/interfaces.js';
import { FINDING_CATALOG } from '../model/finding-catalog.js';
import { EPT_S_NOT_REGISTERED } from '../wire/epm.js';
import { statusMeaning, statusName } from '../model/rpc-status.js';
import type { AttemptState, ConnectionTracker, EndpointEvent } from './connections.js';
import { isoNs } from '../capture/timestamp.js';

/** Settings the verdicts depend on. */
export interface CorrelateOptions {
  dynamicRanges: [number, number][];
  followWindowSeconds: number;
  /** The capture's snaplen (0 when unknown). */
  snaplen: number;
  /** Seconds from the first frame to the latest frame. */
  captureSeconds: number;
}

/** Everything the engine adds to a file report. */
export interface Verdicts {
  attempts: Attempt[];
  /** Attempts analyzed but left out of `attempts` (the list is capped; failures are kept first). */
  attemptsOmitted: number;
  endpoints: Endpoint[];
  findings: Finding[];
  ports: PortSummary[];
}

/**
 * Windows retransmits an unanswered SYN after 3 s and 6 s more (TcpMaxConnectRetransmissions
 * = 2) and gives up about 21 s after the first; Linux starts at 1 s. An unanswered SYN with no
 * retransmission is judged only when the capture lasts at least this long after it.
 */
const FIRST_RETRY_SECONDS = 3;
const WINDOWS_GIVE_UP_SECONDS = 21;
/** An answer followed by no attempt is only worth a warning when the capture went on this long. */
const NO_ATTEMPT_GRACE_SECONDS = 5;
/** Evidence lists are capped; the count says how many there were. */
const MAX_EVIDENCE = 50;

const SEVERITY_ORDER: Record<Severity, number> = { error: 0, warning: 1, info: 2 };


/** Computes the verdicts for one file. */
export function correlate(t: ConnectionTracker, o: CorrelateOptions): Verdicts {
  const attempts = t.attempts.map((a) => toAttempt(a, o.captureSeconds));
  const index = new Map<AttemptState, number>();
  t.attempts.forEach((a, i) => index.set(a, i));
  const inRange = (port: number): boolean => o.dynamicRanges.some(([lo, hi]) => port >= lo && port <= hi);
  const ranges = o.dynamicRanges.map(([lo, hi]) => `${lo}-${hi}`).join(', ');
  const oneSided = oneSidedPairs(t);

  // Attempts by client|server|port, in frame order, for follow-up lookups.
  const byTarget = new Map<string, number[]>();
  attempts.forEach((a, i) => {
    const k = key(a.client, a.server, a.serverPort);
    let l = byTarget.get(k);
    if (l === undefined) byTarget.set(k, (l = []));
    l.push(i);
  });

  // The frame of the next answer offering the same port to the same client, per answer
  // (one pass from the end: a capture with many answers must not cost their square).
  const nextSame: number[] = new Array<number>(t.endpoints.length);
  const seen = new Map<string, number>();
  for (let i = t.endpoints.length - 1; i >= 0; i--) {
    const e = t.endpoints[i]!;
    const k = key(e.client, e.server, e.port);
    nextSame[i] = seen.get(k) ?? Number.POSITIVE_INFINITY;
    seen.set(k, e.frame);
  }
  const ends = t.endpoints.map((e, i) => toEndpoint(e, nextSame[i]!, attempts, byTarget, o, inRange));
  const endpoints = ends.map((x) => x.endpoint);
  /** Indexes into `attempts` of each endpoint's follow-ups (the report carries their SYN frames). */
  const followOf = new Map(ends.map((x) => [x.endpoint, x.follow] as const));
  const findings: Finding[] = [];
  const explained = new Set<number>();

  // 1. Each advertised (client, server, port): how the client's follow-up attempts fared.
  for (const g of groupBy(endpoints, (e) => key(e.client, e.server, e.port))) {
    const first = g[0]!;
    const att = unique(g.flatMap((e) => followOf.get(e)!));
    att.forEach((i) => explained.add(i));
    const answerFrames = g.map((e) => e.frame);
    const iface = describeInterfaces(g);
    const src = first.source === 'epm' ? `the endpoint mapper on ${first.server}` : `DCOM (${unique(g.map((e) => e.operation)).join(', ')}) on ${first.server}`;
    const said = `At frame ${answerFrames[0]}${answerFrames.length > 1 ? ` (and ${answerFrames.length - 1} more answer(s))` : ''} ${src} told ${first.client} that ${iface} listens on TCP ${first.port}`;
    const range = first.inRange ? `inside the expected dynamic range ${ranges}` : `outside the expected dynamic range ${ranges}`;
    const filter = convFilter(first.client, first.server, [first.server === first.client ? first.port : 135, first.port]);
    const hint = rangeHint(first.port, g);
    if (att.length === 0) {
      const lastAnswer = g[g.length - 1]!;
      const observed = o.captureSeconds - lastAnswer.time;
      findings.push(finding('ADVERTISED_PORT_NOT_ATTEMPTED', observed < NO_ATTEMPT_GRACE_SECONDS ? 'info' : 'warning', {
        title: `${first.server} advertised TCP ${first.port} (${iface}); no attempt from ${first.client} to it follows`,
        client: first.client, server: first.server, port: first.port, evidence: answerFrames,
        explanation: `${said} (${range}). No SYN from ${first.client} to ${first.server}:${first.port} appears after it; the capture goes on for ${fmtS(Math.max(0, observed))} after the last answer. ` +
          `If this capture was taken at the server, the client's SYNs never arrived: something on the way drops them. If it was taken at the client, the client did not try (it may have used another transport, such as a named pipe over SMB, or the capture ended too soon).`,
        remediation: [
          `Capture at ${first.client} and ${first.server} at the same time to see whether SYNs to TCP ${first.port} leave the client.`,
          `Check firewalls between ${first.client} and ${first.server} for TCP ${first.port}${first.inRange ? '' : ` (outside ${ranges})`}.`,
        ],
        displayFilter: filter, inferred: false,
      }));
      continue;
    }
    const outs = att.map((i) => attempts[i]!);
    const established = outs.filter((a) => a.outcome === 'established');
    if (established.length > 0) {
      const ok = established[0]!;
      findings.push(finding(first.inRange ? 'RPC_PORT_OK' : 'NONSTANDARD_RPC_RANGE', first.inRange ? 'info' : 'warning', {
        title: first.inRange
          ? `${iface} on ${first.server}:${first.port} (advertised) answered`
          : `${first.server} hands out TCP ${first.port} (${iface}), outside ${ranges}; it worked here`,
        client: first.client, server: first.server, port: first.port,
        evidence: [...answerFrames, ...ok.synFrames, ...ok.synAckFrames, ...(ok.ackFrame !== null ? [ok.ackFrame] : [])],
        explanation: `${said} (${range}). The client connected: SYN frame ${ok.synFrames[0]}, SYN-ACK frame ${ok.synAckFrames[0]}${ok.answerSeconds !== null ? ` after ${fmtMs(ok.answerSeconds)}` : ''}.` +
          (first.inRange ? '' : ` It works on this path, but a firewall that only allows ${ranges} will block it elsewhere. ${hint}`),
        remediation: first.inRange ? [] : [
          `On ${first.server}, run \`netsh int ipv4 show dynamicportrange tcp\` and check the registry RPC port settings (HKLM\\SOFTWARE\\Microsoft\\Rpc\\Internet) to see which range it uses.`,
          `Either allow that range through every firewall between clients and ${first.server}, or return it to the default with \`netsh int ipv4 set dynamicport tcp start=49152 num=16384\` (and remove the Internet ports key), then restart the service.`,
        ],
        displayFilter: filter, inferred: false,
      }));
      continue;
    }
    const last = decisive(outs);
    const syns = outs.flatMap((a) => a.synFrames);
    const pair = pairKey(first.client, first.server);
    if (last.outcome === 'no-answer') {
      if (oneSided.has(pair)) continue; // the capture cannot show answers between these hosts: reported below
      const id: FindingId = first.inRange ? 'RPC_DYNAMIC_PORT_BLOCKED' : 'NONSTANDARD_RPC_PORT_BLOCKED';
      findings.push(finding(id, 'error', {
        title: `TCP ${first.port} on ${first.server} (${iface}, advertised) is blocked: ${syns.length} SYN(s) from ${first.client} unanswered`,
        client: first.client, server: first.server, port: first.port, evidence: [...answerFrames, ...syns],
        explanation: `${said} (${range}). The client then tried to connect: ${synStory(outs)} None was answered: no SYN-ACK, no RST, no ICMP message. ` +
          `Something between the two hosts silently drops TCP ${first.port}; the client reports "The RPC server is unavailable" (0x800706BA). ` +
          (first.inRange ? `The port is in the expected range, so the firewall does not allow the dynamic RPC range at all, or the server's own firewall blocks it.` : `The port is outside the range firewalls are usually opened for. ${hint}`),
        remediation: blockedRemediation(first.server, first.port, first.inRange, ranges, g),
        displayFilter: filter, inferred: false,
      }));
    } else if (last.outcome === 'reset' || last.outcome === 'icmp-refused') {
      const a = last;
      const how = a.outcome === 'reset'
        ? `${first.server} answered with RST (frame ${a.rstFrames[0]}): nothing listens on TCP ${first.port} any more, or a firewall rejects with a reset`
        : `an ICMP ${a.icmp!.meaning} message from ${a.icmp!.from} (frame ${a.icmp!.frame}, type ${a.icmp!.type} code ${a.icmp!.code}) refused it${a.icmp!.from !== first.server ? `: a router or firewall on the way, not the server, rejected it` : ''}`;
      findings.push(finding('RPC_PORT_REFUSED', 'error', {
        title: `TCP ${first.port} on ${first.server} (${iface}, advertised) refused: ${a.outcome === 'reset' ? 'RST' : `ICMP ${a.icmp!.meaning}`}`,
        client: first.client, server: first.server, port: first.port,
        evidence: [...answerFrames, ...syns, ...outs.flatMap((x) => x.rstFrames), ...outs.flatMap((x) => (x.icmp !== null ? [x.icmp.frame] : []))],
        explanation: `${said} (${range}). The client's connection attempt (${synStory(outs)}) was refused: ${how}.`,
        remediation: a.outcome === 'reset'
          ? [`On ${first.server}, check that the service behind ${iface} is running and listening: \`netstat -ano | findstr :${first.port}\`.`, `If it listens, look for a firewall that rejects TCP ${first.port} with a reset.`]
          : [`Find the device at ${a.icmp!.from} and allow TCP ${first.port} from ${first.client} to ${first.server}${first.inRange ? ` (the dynamic RPC range ${ranges})` : ''}.`],
        displayFilter: a.outcome === 'icmp-refused' ? `${filter} || (icmp || icmpv6)` : filter, inferred: false,
      }));
    } else if (last.outcome === 'answered-not-completed') {
      findings.push(handshakeFinding(last, filter));
    } else {
      findings.push(incompleteFinding(last, `${said} (${range}). `));
    }
  }

  // 2. EPM answers without a usable endpoint.
  for (const g of groupBy(t.noEndpoints, (e) => `${key(e.client, e.server, 0)}|${e.interfaceUuid ?? ''}|${e.status}`)) {
    const e = g[0]!;
    const name = e.interfaceUuid !== null ? `${interfaceName(e.interfaceUuid) ?? 'interface'} (${e.interfaceUuid})` : 'the requested interface';
    const notReg = e.status === EPT_S_NOT_REGISTERED;
    const frames = g.flatMap((x) => (x.requestFrame !== null ? [x.requestFrame, x.frame] : [x.frame]));
    findings.push(finding('ENDPOINT_NOT_REGISTERED', 'error', {
      title: `The endpoint mapper on ${e.server} has no TCP endpoint for ${name}`,
      client: e.client, server: e.server, port: 135, evidence: frames,
      explanation: `At frame ${e.frame} ${e.client} asked the endpoint mapper on ${e.server} (${e.operation}) where ${name} listens, and got ` +
        (notReg ? `EPT_S_NOT_REGISTERED (0x16c9a0d6): no endpoint is registered for it. The service that provides the interface is not running on ${e.server}, or it does not listen on TCP.`
          : e.status !== 0 ? `status 0x${e.status.toString(16).padStart(8, '0')} and no endpoint.` : `no TCP endpoint (the interface may be registered only on named pipes or local RPC).`) +
        ` The client cannot connect and reports "There are no more endpoints available from the endpoint mapper" (1753, 0x6d9) or "The RPC server is unavailable".`,
      remediation: [`On ${e.server}, start the service that provides ${name} and check it registers ncacn_ip_tcp (e.g. \`portqry -n ${e.server} -e 135\` lists the registered endpoints).`],
      displayFilter: `${convFilter(e.client, e.server, [135])} && dcerpc`, inferred: false,
    }));
  }

  // 3. The endpoint mapper itself.
  const epm = attempts.map((a, i) => [a, i] as const).filter(([a]) => a.serverPort === 135);
  for (const g of groupBy(epm, ([a]) => pairKey(a.client, a.server))) {
    g.forEach(([, i]) => explained.add(i));
    if (g.some(([a]) => a.outcome === 'established')) continue;
    if (g.some(([a]) => a.outcome === 'answered-not-completed')) {
      // The endpoint mapper answered, but the client never completed the handshake: the same
      // asymmetric-path verdict as on any other port (section 5 skips attempts explained here).
      const open = g.filter(([a, i]) => a.outcome === 'answered-not-completed' && t.attempts[i]!.clientRstFrame === null);
      const a = open[open.length - 1]?.[0];
      if (a !== undefined) findings.push(handshakeFinding(a, convFilter(a.client, a.server, [135])));
      continue;
    }
    const all = g.map(([a]) => a);
    const last = decisive(all);
    if (last.outcome === 'no-answer') {
      if (oneSided.has(pairKey(last.client, last.server))) continue;
      findings.push(finding('EPM_UNREACHABLE', 'error', {
        title: `The endpoint mapper on ${last.server} (TCP 135) does not answer ${last.client}: ${all.reduce((n, a) => n + a.synFrames.length, 0)} SYN(s) unanswered`,
        client: last.client, server: last.server, port: 135, evidence: all.flatMap((a) => a.synFrames),
        explanation: `${last.client} tried to reach the endpoint mapper on ${last.server}: ${synStory(all)} Nothing answered: no SYN-ACK, no RST, no ICMP. Every RPC client first asks TCP 135 which port to use, so no RPC over TCP to ${last.server} can work from this client ("The RPC server is unavailable", 0x800706BA).`,
        remediation: [`Allow TCP 135 from ${last.client} to ${last.server} on every firewall between them (and in ${last.server}'s own firewall).`, `Check that ${last.server} is up and that the RPC service (RpcSs) runs.`],
        displayFilter: convFilter(last.client, last.server, [135]), inferred: false,
      }));
    } else if (last.outcome === 'reset' || last.outcome === 'icmp-refused') {
      findings.push(finding('EPM_REFUSED', 'error', {
        title: `The endpoint mapper on ${last.server} (TCP 135) refused ${last.client}: ${last.outcome === 'reset' ? 'RST' : `ICMP ${last.icmp!.meaning} from ${last.icmp!.from}`}`,
        client: last.client, server: last.server, port: 135,
        evidence: [...all.flatMap((a) => a.synFrames), ...all.flatMap((a) => a.rstFrames), ...all.flatMap((a) => (a.icmp !== null ? [a.icmp.frame] : []))],
        explanation: `${last.client} tried to reach the endpoint mapper on ${last.server} (${synStory(all)}) and was refused ${last.outcome === 'reset' ? `with a reset (frame ${last.rstFrames[0]}): nothing listens on TCP 135, or a firewall rejects it` : `by ICMP ${last.icmp!.meaning} from ${last.icmp!.from} (frame ${last.icmp!.frame})`}.`,
        remediation: [`Allow TCP 135 from ${last.client} to ${last.server}.`, `Check that the RPC service (RpcSs) runs on ${last.server}.`],
        displayFilter: convFilter(last.client, last.server, [135]), inferred: false,
      }));
    } else if (last.outcome === 'incomplete') {
      findings.push(incompleteFinding(last, ''));
    }
  }

  // 4. The pattern without a visible answer: a session to 135, then failures to a high port.
  // Sessions to 135 by client and server, in frame order (looked up per group of failures).
  const epmSessions = new Map<string, Attempt[]>();
  for (const a of attempts) {
    if (a.serverPort !== 135 || (a.outcome !== 'established' && a.outcome !== 'answered-not-completed')) continue;
    const k = `${a.client}>${a.server}`;
    const l = epmSessions.get(k);
    if (l === undefined) epmSessions.set(k, [a]);
    else l.push(a);
  }
  const answeredPairs = new Set(t.endpoints.map((e) => pairKey(e.client, e.server)));
  for (const g of groupBy(
    attempts.map((a, i) => [a, i] as const).filter(([a, i]) => !explained.has(i) && a.serverPort >= 1024 && a.serverPort !== 135 && (a.outcome === 'no-answer' || a.outcome === 'reset' || a.outcome === 'icmp-refused')),
    ([a]) => key(a.client, a.server, a.serverPort),
  )) {
    const [a] = g[0]!;
    const session = epmSessions.get(`${a.client}>${a.server}`)?.find((s) => s.relativeTime <= a.relativeTime && a.relativeTime - s.relativeTime <= o.followWindowSeconds);
    if (session === undefined || answeredPairs.has(pairKey(a.client, a.server))) continue;
    if (a.outcome === 'no-answer' && oneSided.has(pairKey(a.client, a.server))) continue;
    g.forEach(([, i]) => explained.add(i));
    const all = g.map(([x]) => x);
    findings.push(finding('INFERRED_RPC_PORT_BLOCKED', 'warning', {
      title: `Probably an RPC dynamic port: TCP ${a.serverPort} on ${a.server} ${a.outcome === 'no-answer' ? 'unanswered' : 'refused'} right after an endpoint-mapper session`,
      client: a.client, server: a.server, port: a.serverPort,
      evidence: [...session.synFrames.slice(0, 1), ...session.synAckFrames.slice(0, 1), ...all.flatMap((x) => x.synFrames), ...all.flatMap((x) => x.rstFrames)],
      explanation: `Inferred, not read from an RPC answer: ${a.client} had a session with the endpoint mapper on ${a.server} (TCP 135, SYN frame ${session.synFrames[0]}) and ${fmtS(a.relativeTime - session.relativeTime)} later tried TCP ${a.serverPort} on the same server: ${synStory(all)} ` +
        `${a.outcome === 'no-answer' ? 'No answer came back.' : 'It was refused.'} This is the shape of an RPC client following an endpoint-mapper answer to a blocked dynamic port, but the answer itself is not visible in the capture (it started late, the snaplen cut the payload, or the RPC traffic is encrypted), so rpctrace cannot confirm that ${a.serverPort} is the advertised port. ` +
        `${inRange(a.serverPort) ? `TCP ${a.serverPort} is inside ${ranges}.` : `TCP ${a.serverPort} is outside ${ranges}. ${rangeHint(a.serverPort, [])}`}`,
      remediation: [
        `Capture again with full packets (no snaplen) from before the client contacts TCP 135, to see the endpoint mapper's answer.`,
        ...blockedRemediation(a.server, a.serverPort, inRange(a.serverPort), ranges, []),
      ],
      displayFilter: convFilter(a.client, a.server, [135, a.serverPort]), inferred: true,
    }));
  }

  // 5. Other attempts that failed.
  const rest = attempts.map((a, i) => [a, i] as const).filter(([, i]) => !explained.has(i));
  for (const g of groupBy(rest.filter(([a]) => a.outcome === 'no-answer' && !oneSided.has(pairKey(a.client, a.server))), ([a]) => `${a.server}|${a.serverPort}`)) {
    const all = g.map(([a]) => a);
    const a = all[0]!;
    const clients = unique(all.map((x) => x.client));
    findings.push(finding('CONNECTION_UNANSWERED', 'warning', {
      title: `TCP ${a.serverPort} on ${a.server}: ${all.length} connection attempt(s) from ${clients.length === 1 ? clients[0] : `${clients.length} clients`} unanswered`,
      client: clients.length === 1 ? clients[0]! : null, server: a.server, port: a.serverPort, evidence: all.flatMap((x) => x.synFrames),
      explanation: `${synStory(all)} No SYN-ACK, RST or ICMP came back: the server is down or a firewall silently drops TCP ${a.serverPort}.${portHint(a.serverPort)}`,
      remediation: [`Check that ${a.server} is reachable and listens on TCP ${a.serverPort}, and that firewalls allow it from ${clients.length <= 5 ? clients.join(', ') : `${clients.slice(0, 5).join(', ')} and ${clients.length - 5} more client(s)`}.`],
      displayFilter: clients.length === 1 ? convFilter(clients[0]!, a.server, [a.serverPort]) : `${ipField(a.server)}==${a.server} && tcp.port==${a.serverPort}`, inferred: false,
    }));
  }
  const unfinished = rest.filter(([x]) => x.outcome === 'incomplete' && x.serverPort !== 135).map(([a]) => a);
  if (unfinished.length > 0) {
    findings.push(finding('CONNECTION_UNANSWERED', 'info', {
      title: `${unfinished.length} connection attempt(s) were still unanswered when the capture ended`,
      client: null, server: null, port: null, evidence: unfinished.flatMap((a) => a.synFrames),
      explanation: `These SYNs came less than 3 s before the end of the capture, before a Windows client would even retransmit, so rpctrace cannot tell whether they would have been answered: ${unfinished.slice(0, 5).map((a) => `${a.client} -> ${a.server}:${a.serverPort} (frame ${a.synFrames[0]})`).join(', ')}${unfinished.length > 5 ? ', ...' : ''}.`,
      remediation: ['Capture for at least 30 s after the failing operation starts.'],
      displayFilter: 'tcp.flags.syn==1 && tcp.flags.ack==0', inferred: false,
    }));
  }
  for (const g of groupBy(rest.filter(([a, i]) => a.outcome === 'answered-not-completed' && t.attempts[i]!.clientRstFrame === null), ([a]) => key(a.client, a.server, a.serverPort))) {
    findings.push(handshakeFinding(g[g.length - 1]![0], convFilter(g[0]![0].client, g[0]![0].server, [g[0]![0].serverPort])));
  }

  // 6. Capture quality.
  for (const [pair, ev] of oneSided) {
    const [x, y] = pair.split('|') as [string, string];
    findings.push(finding('ONE_SIDED_CAPTURE', 'warning', {
      title: `Only one direction between ${ev.sender} and ${ev.sender === x ? y : x} is in the capture`,
      client: ev.sender, server: ev.sender === x ? y : x, port: null, evidence: ev.frames,
      explanation: `${ev.sender} sends data to ${ev.sender === x ? y : x} (frames ${ev.frames.slice(0, 5).join(', ')}), so answers must exist, yet the capture holds no packet at all in the other direction. The capture saw one direction only (asymmetric routing past the capture point, a one-way span port, or a capture filter), so rpctrace does not call unanswered SYNs between these hosts dropped.`,
      remediation: ['Capture on one of the two hosts themselves, or on a span port that mirrors both directions.'],
      displayFilter: convFilter(x, y, []), inferred: false,
    }));
  }
  if (t.rpcPayloadCut > 0 || (o.snaplen > 0 && o.snaplen < 256 && t.payloadCut > 0)) {
    findings.push(finding('SNAPLEN_TOO_SMALL', 'warning', {
      title: `Packets were cut to ${o.snaplen > 0 ? `${o.snaplen} bytes` : 'a short length'}: ${t.rpcPayloadCut > 0 ? `${t.rpcPayloadCut} RPC segment(s) incomplete` : 'payload missing'}`,
      client: null, server: null, port: null, evidence: t.cutExamples,
      explanation: `The capture keeps only the first ${o.snaplen > 0 ? `${o.snaplen} bytes` : 'bytes'} of each packet; ${t.payloadCut} TCP segment(s) lost part of their payload${t.rpcPayloadCut > 0 ? `, ${t.rpcPayloadCut} of them on RPC conversations` : ''}. Endpoint-mapper answers are then invisible and verdicts about dynamic ports can only be inferred. pktmon keeps 128 bytes by default.`,
      remediation: ['Capture full packets: `pktmon start --capture --pkt-size 0`, `netsh trace start capture=yes`, or tcpdump/Wireshark without -s.'],
      displayFilter: 'frame.cap_len < frame.len', inferred: false,
    }));
  }
  if (t.duplicates > 0) {
    findings.push(finding('DUPLICATE_PACKETS', 'info', {
      title: `The same packets were captured more than once: ${t.duplicates} SYN/FIN/RST/ICMP frame(s) are copies; ignored`,
      client: null, server: null, port: null, evidence: t.duplicateExamples.flat(),
      explanation: `${t.duplicates} SYN, FIN, RST or ICMP frame(s) repeat an earlier frame within 10 ms with the same IP identification and header (e.g. frame ${t.duplicateExamples[0]![0]} repeats ${t.duplicateExamples[0]![1]}); rpctrace checks only these, the frames whose repetition could change a verdict, so the data and ACK frames of this capture are probably copied too. pktmon writes one copy per network component a packet crosses, and span ports can mirror a packet twice. Each checked packet was counted once, so copies are not mistaken for retransmissions.`,
      remediation: ['With pktmon, filter to one component (`pktmon start --capture --comp nics`) to record each packet once.'],
      displayFilter: 'tcp.analysis.duplicate_ack || tcp.analysis.retransmission', inferred: false,
    }));
  }
  // Only a filter explains established connections without a byte of payload, one of them to 135 or several.
  const establishedCount = attempts.filter((a) => a.outcome === 'established').length;
  if (t.payloadSegments === 0 && (establishedCount >= 3 || attempts.some((a) => a.serverPort === 135 && a.outcome === 'established'))) {
    findings.push(finding('CONTROL_PACKETS_ONLY', 'info', {
      title: 'The capture holds only TCP control packets (no payload)',
      client: null, server: null, port: null, evidence: [],
      explanation: `None of the ${t.tcpSegments} TCP segments carries payload although ${establishedCount} connection(s) were established: either the capture was filtered to SYN/FIN/RST packets, or the connections carried no data (a port scan). Handshake outcomes are exact, but endpoint-mapper answers are invisible, so any verdict about advertised ports is inferred.`,
      remediation: ['Capture without a TCP-flags filter to see the endpoint-mapper answers on TCP 135.'],
      displayFilter: 'tcp.len > 0', inferred: false,
    }));
  }
  for (const g of groupBy(t.faults, (f) => `${key(f.client, f.server, f.serverPort)}|${f.status}`)) {
    const f = g[0]!;
    const iface = f.interfaceUuid !== null ? interfaceName(f.interfaceUuid) ?? f.interfaceUuid : 'an unknown interface';
    findings.push(finding('RPC_FAULT', 'warning', {
      title: `${f.server}:${f.serverPort} answered ${g.length} call(s) from ${f.client} with fault ${statusName(f.status)}`,
      client: f.client, server: f.server, port: f.serverPort, evidence: g.flatMap((x) => (x.requestFrame !== null ? [x.requestFrame, x.frame] : [x.frame])),
      explanation: `The server rejected a call to ${iface}${f.opnum !== null ? ` (opnum ${f.opnum})` : ''} with fault ${statusName(f.status)} (frame ${f.frame})${statusMeaning(f.status) !== null ? `: ${statusMeaning(f.status)}` : ''}. The connection works; the call itself failed.`,
      remediation: [`Look up the status: \`certutil -error 0x${f.status.toString(16).padStart(8, '0')}\`; check the client and server versions and permissions.`],
      displayFilter: `${convFilter(f.client, f.server, [f.serverPort])} && dcerpc.pkt_type == 3`, inferred: false,
    }));
  }
  for (const e of endpoints) {
    const h = e.advertisedHost;
    if (e.source !== 'epm' || h === null || h === '0.0.0.0' || h === e.server || !isIpLiteral(h)) continue;
    findings.push(finding('TOWER_ADDRESS_MISMATCH', 'warning', {
      title: `${e.server} advertised ${h}:${e.port}, an address other than the one the client used`,
      client: e.client, server: e.server, port: e.port, evidence: [e.frame],
      explanation: `At frame ${e.frame} the endpoint mapper on ${e.server} answered with a tower for ${h}:${e.port}. The client reached the server as ${e.server}: the server is multi-homed or behind NAT. Windows clients connect to the address they already use, so this usually works, but firewall rules written for ${h} do not cover ${e.server}.`,
      remediation: [`Make sure firewall rules for the dynamic port cover ${e.server} as well as ${h}.`],
      displayFilter: `frame.number == ${e.frame}`, inferred: false,
    }));
  }
  for (const b of t.bindAcks) {
    const port = Number(b.secondaryAddress);
    if (b.secondaryAddress === '' || !Number.isInteger(port) || port === b.serverPort || b.serverPort === 135) continue;
    findings.push(finding('TOWER_ADDRESS_MISMATCH', 'warning', {
      title: `${b.server}:${b.serverPort} says in its bind_ack that it listens on port ${port}`,
      client: b.client, server: b.server, port: b.serverPort, evidence: [b.frame],
      explanation: `The bind_ack at frame ${b.frame} carries the secondary address "${b.secondaryAddress}": the server sees itself on port ${port}, while the client reached it on ${b.serverPort}. A NAT or port-forwarding device sits between them.`,
      remediation: ['Check port translation between client and server; RPC endpoints advertised by the server use its own view of the port.'],
      displayFilter: `frame.number == ${b.frame}`, inferred: false,
    }));
  }

  if (t.untrackedSyns > 0 || t.untrackedPackets > 0) {
    const top = t.untrackedSynPorts(5);
    findings.push(finding('STATE_LIMIT_REACHED', 'warning', {
      title: `More than ${thousands(t.attempts.length)} connection attempts: ${thousands(t.untrackedSyns)} further SYN(s) counted, not tracked`,
      client: null, server: null, port: null, evidence: t.limitExamples,
      explanation: `rpctrace tracks at most ${thousands(t.limits.attempts)} connection attempts and ${thousands(t.limits.conversations)} conversations per capture. This capture went past that: ${thousands(t.untrackedSyns)} SYN(s) opened no tracked attempt${t.untrackedPackets > 0 ? ` and ${thousands(t.untrackedPackets)} TCP packet(s) belonged to conversations that did not fit` : ''} (from frame ${t.limitExamples[0] ?? '?'} on). Their outcome is unknown; verdicts about the tracked attempts are unaffected. Untracked SYNs by destination port: ${top.map(([port, n]) => `${port}: ${thousands(n)}`).join(', ')}. So many attempts usually mean a SYN flood or a port scan.`,
      remediation: [...FINDING_CATALOG.STATE_LIMIT_REACHED.remediation],
      displayFilter: 'tcp.flags.syn==1 && tcp.flags.ack==0', inferred: false,
    }));
  }

  const folded = foldPerClient(findings);
  findings.length = 0;
  findings.push(...folded);
  findings.sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] || (a.evidenceFrames[0] ?? 0) - (b.evidenceFrames[0] ?? 0));
  const listed = listedAttempts(attempts, ends.flatMap((x) => x.follow));
  return { attempts: listed, attemptsOmitted: attempts.length - listed.length, endpoints, findings, ports: portSummary(attempts, endpoints, inRange) };
}

/** Findings of one id about one server and port, one per client, at most; more are folded into one. */
const MAX_PER_CLIENT_FINDINGS = 10;

/**
 * Folds findings that differ only by client (one per client of the same id, server and port)
 * into one when there are many: a SYN flood from spoofed sources or a scan must not bury the
 * report under thousands of copies. The folded finding keeps the first one's explanation and
 * says how many clients it stands for.
 */
function foldPerClient(findings: readonly Finding[]): Finding[] {
  const groups = groupBy(findings.map((f, i) => [f, i] as const), ([f]) => (f.client === null ? `#${f.id}|${f.title}` : `${f.id}|${f.server}|${f.port}`));
  const out: [Finding, number][] = [];
  for (const g of groups) {
    if (g.length <= MAX_PER_CLIENT_FINDINGS) { out.push(...g.map(([f, i]) => [f, i] as [Finding, number])); continue; }
    const [first, at] = g[0]!;
    const clients = g.map(([f]) => f.client!);
    const frames = unique(g.flatMap(([f]) => f.evidenceFrames)).sort((a, b) => a - b);
    out.push([{
      ...first,
      title: `${first.title} (and the same for ${g.length - 1} more clients)`,
      client: null,
      evidenceFrames: frames.slice(0, MAX_EVIDENCE),
      explanation: `${first.explanation} The same finding holds for ${g.length - 1} more clients (${clients.slice(1, 6).join(', ')}${g.length > 6 ? ', ...' : ''}); ${frames.length} evidence frames in all${frames.length > MAX_EVIDENCE ? `, the first ${MAX_EVIDENCE} listed` : ''}. So many clients at once usually means a scan or a flood.`,
      displayFilter: first.port !== null ? `${first.server !== null ? `${ipField(first.server)}==${first.server} && ` : ''}tcp.port==${first.port}` : first.displayFilter,
    }, at]);
  }
  return out.sort((a, b) => a[1] - b[1]).map(([f]) => f);
}

/** Attempts listed in a report, at most; more would make the report itself the problem. */
const MAX_LISTED_ATTEMPTS = 20_000;

/**
 * The attempts a report lists, in frame order: all of them when few; otherwise the ones
 * endpoints cite and every unsuccessful one first, then established ones up to the cap.
 */
function listedAttempts(all: readonly Attempt[], cited: readonly number[]): Attempt[] {
  if (all.length <= MAX_LISTED_ATTEMPTS) return [...all];
  const keep = new Set<number>();
  for (const i of cited) if (keep.size < MAX_LISTED_ATTEMPTS) keep.add(i);
  for (let i = 0; i < all.length && keep.size < MAX_LISTED_ATTEMPTS; i++) if (all[i]!.outcome !== 'established') keep.add(i);
  for (let i = 0; i < all.length && keep.size < MAX_LISTED_ATTEMPTS; i++) keep.add(i);
  return [...keep].sort((a, b) => a - b).map((i) => all[i]!);
}

/**
 * The attempt whose outcome speaks for a group: the last one, unless it is `incomplete` (the
 * capture ended on it) and an earlier one ended clearly.
 */
function decisive(outs: readonly Attempt[]): Attempt {
  for (let i = outs.length - 1; i >= 0; i--) if (outs[i]!.outcome !== 'incomplete') return outs[i]!;
  return outs[outs.length - 1]!;
}

function toAttempt(a: AttemptState, captureSeconds: number): Attempt {
  const observed = Math.max(0, captureSeconds - a.firstSyn);
  let outcome: AttemptOutcome;
  if (a.synAckFrames.length > 0) outcome = a.ackFrame !== null ? 'established' : 'answered-not-completed';
  else if (a.icmp !== null) outcome = 'icmp-refused';
  else if (a.rstFrames.length > 0) outcome = 'reset';
  else if (a.synFrames.length > 1 || observed >= FIRST_RETRY_SECONDS) outcome = 'no-answer';
  else outcome = 'incomplete';
  return {
    client: a.client, clientPort: a.clientPort, server: a.server, serverPort: a.serverPort, isn: a.isn,
    synFrames: [...a.synFrames], retransmissions: a.synFrames.length - 1,
    synOffsets: a.synTimes.map((x) => round(x - a.firstSyn)), synAckFrames: [...a.synAckFrames],
    ackFrame: a.ackFrame, rstFrames: [...a.rstFrames], icmp: a.icmp, outcome,
    time: isoNs(a.tsSec, a.tsNsec), relativeTime: round(a.firstSyn),
    answerSeconds: Number.isNaN(a.answeredAt) ? null : round(a.answeredAt - a.firstSyn),
    retrySeconds: round(a.lastSyn - a.firstSyn),
    observedSeconds: round(observed),
  };
}

/**
 * An answer with its follow-up attempts, which end at `limit`, the frame of the next answer
 * offering the same port to the same client (the corpus's rule), or when the window closes.
 */
function toEndpoint(
  e: EndpointEvent, limit: number, attempts: readonly Attempt[],
  byTarget: Map<string, number[]>, o: CorrelateOptions, inRange: (p: number) => boolean,
): { endpoint: Endpoint; follow: number[] } {
  const time = e.time;
  // The client connects to the address it already uses, or (DCOM) to an address of a binding.
  const hosts = new Set([e.server]);
  for (const h of [e.advertisedHost, ...e.bindings.map((x) => x.replace(/\[\d+\]$/, ''))]) {
    if (h !== null && isIpLiteral(h) && h !== '0.0.0.0') hosts.add(h);
  }
  const follow: number[] = [];
  for (const h of hosts) {
    for (const ai of byTarget.get(key(e.client, h, e.port)) ?? []) {
      const a = attempts[ai]!;
      const f = a.synFrames[0]!;
      if (f > e.frame && f < limit && a.relativeTime - time <= o.followWindowSeconds) follow.push(ai);
    }
  }
  follow.sort((x, y) => attempts[x]!.synFrames[0]! - attempts[y]!.synFrames[0]!);
  const outs = follow.map((x) => attempts[x]!.outcome);
  const followUp = outs.length === 0 ? 'no-attempt' : outs.includes('established') ? 'established' : outs[outs.length - 1]!;
  const endpoint: Endpoint = {
    frame: e.frame, requestFrame: e.requestFrame, source: e.source, operation: e.operation,
    client: e.client, server: e.server, advertisedHost: e.advertisedHost, bindings: e.bindings, port: e.port,
    interfaceUuid: e.interfaceUuid, interfaceName: e.interfaceUuid !== null ? interfaceName(e.interfaceUuid) : null,
    inRange: inRange(e.port), followUpSynFrames: follow.map((x) => attempts[x]!.synFrames[0]!), followUp, time: round(time),
  };
  return { endpoint, follow };
}

/**
 * Host pairs where one side talks (sends data) and nothing at all comes back. Two passes over
 * the conversations: first the ones that are one-sided themselves (data one way, no packet the
 * other), then, for their host pairs only, whether any conversation carried a packet back.
 * Nothing is kept per conversation, so a flood of conversations costs no memory here.
 */
function oneSidedPairs(t: ConnectionTracker): Map<string, { sender: string; frames: number[] }> {
  const candidates = new Map<string, { sender: string; receiver: string; frames: number[] }>();
  t.forEachConversation((id, pkts0, pkts1, data0, data1, firstFrame) => {
    if (!((data0 > 0 && pkts1 === 0) || (data1 > 0 && pkts0 === 0))) return;
    const d: 0 | 1 = data0 > 0 && pkts1 === 0 ? 0 : 1;
    const from = t.flows.address(id, d);
    const to = t.flows.address(id, d === 0 ? 1 : 0);
    const k = `${from}>${to}`;
    let c = candidates.get(k);
    if (c === undefined) candidates.set(k, (c = { sender: from, receiver: to, frames: [] }));
    if (c.frames.length < 10) c.frames.push(firstFrame);
  });
  if (candidates.size === 0) return new Map();
  const answered = new Set<string>();
  t.forEachConversation((id, pkts0, pkts1) => {
    for (const d of [0, 1] as const) {
      if ((d === 0 ? pkts0 : pkts1) === 0) continue;
      const k = `${t.flows.address(id, d === 0 ? 1 : 0)}>${t.flows.address(id, d)}`;
      if (candidates.has(k)) answered.add(k);
    }
  });
  const out = new Map<string, { sender: string; frames: number[] }>();
  for (const [k, c] of candidates) if (!answered.has(k)) out.set(pairKey(c.sender, c.receiver), { sender: c.sender, frames: c.frames });
  return out;
}

function portSummary(attempts: readonly Attempt[], endpoints: readonly Endpoint[], inRange: (p: number) => boolean): PortSummary[] {
  const m = new Map<number, PortSummary & { serverSet: Set<string> }>();
  const advertised = new Set(endpoints.map((e) => e.port));
  for (const a of attempts) {
    let s = m.get(a.serverPort);
    if (s === undefined) m.set(a.serverPort, (s = { port: a.serverPort, attempts: 0, established: 0, failed: 0, incomplete: 0, servers: 0, advertised: advertised.has(a.serverPort), inRange: inRange(a.serverPort), serverSet: new Set() }));
    s.attempts++;
    if (a.outcome === 'established') s.established++;
    else if (a.outcome === 'incomplete') s.incomplete++;
    else s.failed++;
    s.serverSet.add(a.server);
  }
  return [...m.values()].sort((a, b) => a.port - b.port).map(({ serverSet, ...s }) => ({ ...s, servers: serverSet.size }));
}

function handshakeFinding(a: Attempt, filter: string): Finding {
  return finding('HANDSHAKE_NOT_COMPLETED', 'warning', {
    title: `${a.server}:${a.serverPort} answered ${a.client} with SYN-ACK, but the handshake never completed`,
    client: a.client, server: a.server, port: a.serverPort, evidence: [...a.synFrames, ...a.synAckFrames],
    explanation: `${a.client} sent SYN (frame ${a.synFrames[0]}) and ${a.server} answered with ${a.synAckFrames.length} SYN-ACK(s) (frames ${a.synAckFrames.slice(0, 5).join(', ')}), but the client never sent the final ACK${a.retransmissions > 0 ? ` and kept retransmitting its SYN (${a.retransmissions} time(s))` : ''}. The SYN-ACK does not reach the client: asymmetric routing, or a stateful firewall on the return path that drops it.`,
    remediation: [`Check the return path from ${a.server} to ${a.client}: routes, and stateful firewalls that saw only one direction.`, `Capture at ${a.client} to confirm the SYN-ACK never arrives.`],
    displayFilter: filter, inferred: false,
  });
}

function incompleteFinding(a: Attempt, lead: string): Finding {
  return finding('CONNECTION_UNANSWERED', 'warning', {
    title: `TCP ${a.serverPort} on ${a.server}: the capture ends ${fmtS(a.observedSeconds)} after ${a.client}'s SYN, before any answer`,
    client: a.client, server: a.server, port: a.serverPort, evidence: a.synFrames,
    explanation: `${lead}${a.client} sent a SYN to ${a.server}:${a.serverPort} (frame ${a.synFrames[0]}) and the capture ended ${fmtS(a.observedSeconds)} later, before Windows would even retransmit it (after 3 s). rpctrace cannot tell whether it would have been answered.`,
    remediation: ['Capture for at least 30 s after the failing operation starts.'],
    displayFilter: convFilter(a.client, a.server, [a.serverPort]), inferred: false,
  });
}

/** "3 SYN(s) (frames 12, 15, 18) at +0 s, +3.0 s, +9.0 s; Windows gives up ..." */
function synStory(all: readonly Attempt[]): string {
  const outs = all.length > 5 ? all.slice(0, 5) : all;
  const parts = outs.map((a) => {
    const n = a.synFrames.length;
    const when = n === 1 ? '' : n <= 8 ? ` at ${a.synOffsets.map((x) => (x === 0 ? '+0 s' : `+${fmtS(x)}`)).join(', ')}` : ` over ${fmtS(a.retrySeconds)}`;
    return `${n === 1 ? 'a SYN' : `${n} SYNs`} from port ${a.clientPort}${when} (frame${n === 1 ? '' : 's'} ${abbrev(a.synFrames)})`;
  });
  if (all.length > outs.length) parts.push(`and ${all.length - outs.length} more attempt(s)`);
  const last = all[all.length - 1]!;
  const gaveUp = last.observedSeconds >= WINDOWS_GIVE_UP_SECONDS
    ? ' The capture goes on long enough for a Windows client (retries at +3 s and +9 s) to have given up.'
    : last.retransmissions === 0 ? '' : ` The capture ends ${fmtS(last.observedSeconds)} after the first SYN; Windows retries at +3 s and +9 s and gives up about 21 s after the first.`;
  return `${parts.join('; ')}.${gaveUp}`;
}

function blockedRemediation(server: string, port: number, inRange: boolean, ranges: string, g: readonly Endpoint[]): string[] {
  const steps = [
    `On ${server}, run \`netsh int ipv4 show dynamicportrange tcp\` and look for a fixed RPC port range in HKLM\\SOFTWARE\\Microsoft\\Rpc\\Internet (Ports, PortsInternetAvailable, UseInternetPorts).`,
    inRange
      ? `Allow the dynamic RPC range ${ranges} (TCP) from the client to ${server} on every firewall between them, including Windows Firewall on ${server} ("RPC Dynamic Ports").`
      : `Either allow the range ${server} actually uses (it includes TCP ${port}) through the firewall, or return ${server} to the default with \`netsh int ipv4 set dynamicport tcp start=49152 num=16384\` (remove the Rpc\\Internet key if present) and restart it.`,
  ];
  const names = new Set(g.map((e) => e.interfaceUuid));
  if (names.has('e3514235-4b06-11d1-ab04-00c04fc2dcd2')) steps.push(`DRSUAPI is AD replication: if ${server} is a domain controller with a pinned port (HKLM\\SYSTEM\\CurrentControlSet\\Services\\NTDS\\Parameters "TCP/IP Port"), allow that port.`);
  if (names.has('12345678-1234-abcd-ef00-01234567cffb')) steps.push(`NETLOGON may be pinned with HKLM\\SYSTEM\\CurrentControlSet\\Services\\Netlogon\\Parameters "DCTcpipPort": allow that port.`);
  if (g.some((e) => e.source === 'dcom') || port === 24158) steps.push(`For DCOM/WMI, check the DCOM restricted port range (dcomcnfg, Rpc\\Internet) and whether WMI runs in its own host with the fixed port 24158 (\`winmgmt /standalonehost\`).`);
  return steps;
}

/** Names the known special cases a port number suggests. */
function rangeHint(port: number, g: readonly Endpoint[]): string {
  const hints: string[] = [];
  if (port === 24158) hints.push('24158 is the fixed port of WMI running in its own host (`winmgmt /standalonehost`).');
  if (port >= 1025 && port <= 5000) hints.push('Ports 1025-5000 are the legacy dynamic range of Windows Server 2003 and XP.');
  const names = g.map((e) => e.interfaceName ?? '');
  const exchangeOrUnknown = g.length === 0 || names.some((n) => n === '' || n.startsWith('Exchange'));
  if (port >= 6005 && port <= 59530 && exchangeOrUnknown) hints.push('Exchange 2010 Client Access servers move the dynamic range to start at 6005.');
  if (g.some((e) => e.source === 'dcom')) hints.push('DCOM can be restricted to a configured port range (Rpc\\Internet "Ports").');
  if (g.some((e) => e.interfaceUuid === 'e3514235-4b06-11d1-ab04-00c04fc2dcd2' || e.interfaceUuid === '12345678-1234-abcd-ef00-01234567cffb' || e.interfaceUuid === 'f5cc59b4-4264-101a-8c59-08002b2f8426' || e.interfaceUuid === '897e2e5f-93f3-4376-9c9c-fd2277495c27')) {
    hints.push('Domain controllers can pin AD replication (NTDS), Netlogon and FRS/DFSR to static ports.');
  }
  if (hints.length === 0) hints.push('A registry RPC port range (HKLM\\SOFTWARE\\Microsoft\\Rpc\\Internet) or a changed `netsh int ipv4 set dynamicport` range makes servers hand out such ports.');
  return hints.join(' ');
}

function portHint(port: number): string {
  const known: Record<number, string> = {
    53: ' TCP 53 is DNS.', 88: ' TCP 88 is Kerberos.', 135: ' TCP 135 is the RPC endpoint mapper.', 139: ' TCP 139 is NetBIOS session (SMB over NetBIOS).',
    389: ' TCP 389 is LDAP.', 445: ' TCP 445 is SMB; RPC over named pipes uses it.', 464: ' TCP 464 is Kerberos password change.', 636: ' TCP 636 is LDAPS.',
    3268: ' TCP 3268 is the global catalog.', 5723: ' TCP 5723 is the System Center Operations Manager agent channel.', 5985: ' TCP 5985 is WinRM.',
  };
  return known[port] ?? '';
}

function describeInterfaces(g: readonly Endpoint[]): string {
  const names = unique(g.map((e) => e.interfaceName ?? e.interfaceUuid ?? (e.source === 'dcom' ? 'a DCOM object' : 'an interface')));
  return names.join(' / ');
}

interface FindingInput {
  title: string;
  client: string | null;
  server: string | null;
  port: number | null;
  evidence: number[];
  explanation: string;
  remediation: string[];
  displayFilter: string;
  inferred: boolean;
}

function finding(id: FindingId, severity: Severity, f: FindingInput): Finding {
  const frames = unique(f.evidence).sort((a, b) => a - b);
  return {
    id, severity, title: f.title, client: f.client, server: f.server, port: f.port,
    evidenceFrames: frames.slice(0, MAX_EVIDENCE),
    explanation: frames.length > MAX_EVIDENCE ? `${f.explanation} (${frames.length} evidence frames; the first ${MAX_EVIDENCE} are listed.)` : f.explanation,
    remediation: f.remediation, displayFilter: f.displayFilter, inferred: f.inferred,
  };
}

const isIpLiteral = (h: string): boolean => /^\d{1,3}(\.\d{1,3}){3}$/.test(h) || /^[0-9a-f:]+$/i.test(h) && h.includes(':');

const ipField = (addr: string): string => (addr.includes(':') ? 'ipv6.addr' : 'ip.addr');

/** Display filter for the conversation(s) between two hosts, optionally on some TCP ports. */
export function convFilter(a: string, b: string, ports: readonly number[]): string {
  const hosts = `${ipField(a)}==${a} && ${ipField(b)}==${b}`;
  const p = unique(ports);
  if (p.length === 0) return hosts;
  return p.length === 1 ? `${hosts} && tcp.port==${p[0]}` : `${hosts} && tcp.port in {${p.join(' ')}}`;
}

const key = (c: string, s: string, p: number): string => `${c}|${s}|${p}`;
const pairKey = (a: string, b: string): string => (a < b ? `${a}|${b}` : `${b}|${a}`);

function groupBy<T>(xs: readonly T[], k: (x: T) => string): T[][] {
  const m = new Map<string, T[]>();
  for (const x of xs) {
    const kk = k(x);
    let l = m.get(kk);
    if (l === undefined) m.set(kk, (l = []));
    l.push(x);
  }
  return [...m.values()];
}

function unique<T>(xs: readonly T[]): T[] {
  return [...new Set(xs)];
}

function abbrev(frames: readonly number[]): string {
  return frames.length <= 8 ? frames.join(', ') : `${frames.slice(0, 8).join(', ')} and ${frames.length - 8} more`;
}

const round = (x: number): number => Math.round(x * 1e6) / 1e6;
const fmtS = (s: number): string => (s < 10 ? `${s.toFixed(1)} s` : `${Math.round(s)} s`);
const fmtMs = (s: number): string => (s < 1 ? `${(s * 1000).toFixed(1)} ms` : fmtS(s));
