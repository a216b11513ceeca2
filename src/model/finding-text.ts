/**
 * The one place where a finding gets its words. Rules conclude facts (finding.ts); this module
 * turns them into the title, explanation, remediation steps and Wireshark display filter that
 * every renderer shows. Text conventions are the catalog's (finding-catalog.ts): `\n` breaks a
 * line, `- ` starts a list item, backticks mark a command.
 */
import {
  MAX_EVIDENCE, type Advertised, type AnyFindingFacts, type AttemptStory, type BlockedStep, type Contrast, type Finding, type FindingFacts,
  type FindingId, type RangeHint, type Refusal,
} from './finding.js';
import { FINDING_CATALOG } from './finding-catalog.js';
import { thousands } from './numbers.js';
import { statusMeaning, statusName } from './rpc-status.js';
import { visible } from './visible.js';

/** The words of one finding. */
interface Words {
  title: string;
  explanation: string;
  remediation: string[];
  displayFilter: string;
}

type Template<K extends FindingId> = (f: FindingFacts<K>) => Words;

/** ept_map / ept_lookup status: no endpoint registered for the interface (C706 Appendix N). */
const EPT_S_NOT_REGISTERED = 0x16c9a0d6;
/** Windows retransmits an unanswered SYN at +3 s and +9 s and gives up about 21 s after the first. */
const WINDOWS_GIVE_UP_SECONDS = 21;

/** `10.0.0.1`'s display-filter field: `ip.addr` or `ipv6.addr`. */
export const ipField = (addr: string): string => (addr.includes(':') ? 'ipv6.addr' : 'ip.addr');

/** Display filter for the conversation(s) between two hosts, optionally on some TCP ports. */
export function convFilter(a: string, b: string, ports: readonly number[]): string {
  const hosts = `${ipField(a)}==${a} && ${ipField(b)}==${b}`;
  const p = [...new Set(ports)];
  if (p.length === 0) return hosts;
  return p.length === 1 ? `${hosts} && tcp.port==${p[0]}` : `${hosts} && tcp.port in {${p.join(' ')}}`;
}

/** `49152-65535, 6005-65534`. */
const rangesOf = (r: readonly (readonly [number, number])[]): string => r.map(([lo, hi]) => `${lo}-${hi}`).join(', ');
const fmtS = (s: number): string => (s < 10 ? `${s.toFixed(1)} s` : `${Math.round(s)} s`);
const fmtMs = (s: number): string => (s < 1 ? `${(s * 1000).toFixed(1)} ms` : fmtS(s));
/** Seconds, or hours and days when there are many: `3.0 s`, `5.2 h`, `365 days`. */
const fmtLong = (s: number): string => (s < 3600 ? fmtS(s) : s < 172_800 ? `${(s / 3600).toFixed(1)} h` : `${Math.round(s / 86400)} days`);
const hex8 = (n: number): string => `0x${(n >>> 0).toString(16).padStart(8, '0')}`;

function abbrev(frames: readonly number[]): string {
  return frames.length <= 8 ? frames.join(', ') : `${frames.slice(0, 8).join(', ')} and ${frames.length - 8} more`;
}

/**
 * The schedule the client's retries followed, as observed: the classic Windows one (first retry
 * after 3 s), a 1 s initial timeout (newer Windows builds and tuned templates, and Linux), or
 * just the delay seen. Empty without a retransmission.
 */
function schedule(s: AttemptStory): string {
  const a = s.attempts.find((x) => x.synOffsets.length > 1);
  if (a === undefined) return '';
  const first = a.synOffsets[1]!;
  if (first >= 2.5 && first <= 3.5) return ' The retries follow the classic Windows schedule (first retry after 3 s, each wait twice the one before: +3 s, +9 s), with which a client gives up about 21 s after the first SYN.';
  if (first >= 0.7 && first <= 1.5) return ' The retries start after 1 s and double (+1 s, +3 s, +7 s, +15 s, ...): an initial timeout of 1 s, as newer Windows builds, tuned TCP templates and Linux use, with more retransmissions than the classic Windows +3 s, +9 s.';
  return ` The first retry came ${fmtS(first)} after the SYN.`;
}

/** "3 SYNs from port 50012 at +0 s, +3.0 s, +9.0 s (frames 12, 15, 18). The retries follow ..." */
function synStory(s: AttemptStory): string {
  const parts = s.attempts.map((a) => {
    const n = a.synFrames.length;
    const when = n === 1 ? '' : n <= 8 ? ` at ${a.synOffsets.map((x) => (x === 0 ? '+0 s' : `+${fmtS(x)}`)).join(', ')}` : ` over ${fmtS(a.retrySeconds)}`;
    return `${n === 1 ? 'a SYN' : `${n} SYNs`} from port ${a.clientPort}${when} (frame${n === 1 ? '' : 's'} ${abbrev(a.synFrames)})`;
  });
  if (s.attemptCount > s.attempts.length) parts.push(`and ${s.attemptCount - s.attempts.length} more attempt(s)`);
  const end = s.lastObservedSeconds >= WINDOWS_GIVE_UP_SECONDS
    ? ` The capture goes on ${fmtS(s.lastObservedSeconds)} after the last attempt's first SYN: long enough for a client with the classic Windows settings to have given up.`
    : s.lastRetransmissions === 0 ? '' : ` The capture ends ${fmtS(s.lastObservedSeconds)} after the first SYN.`;
  return `${parts.join('; ')}.${schedule(s)}${end}`;
}

const HINTS: Record<RangeHint, string> = {
  'wmi-24158': '24158 is the fixed port of WMI running in its own host (`winmgmt /standalonehost`).',
  'legacy-range': 'Ports 1025-5000 are the legacy dynamic range of Windows Server 2003 and XP.',
  'exchange-6005': 'Exchange 2010 Client Access servers move the dynamic range to start at 6005.',
  'dcom-restricted': 'DCOM can be restricted to a configured port range (Rpc\\Internet "Ports").',
  'ad-pinned': 'Domain controllers can pin AD replication (NTDS), Netlogon and FRS/DFSR to static ports.',
  'registry-range': 'A registry RPC port range (HKLM\\SOFTWARE\\Microsoft\\Rpc\\Internet) or a changed `netsh int ipv4 set dynamicport` range makes servers hand out such ports.',
};
const hintText = (hints: readonly RangeHint[]): string => hints.map((h) => HINTS[h]).join(' ');

function blockedSteps(server: string, port: number, inRange: boolean, ranges: string, extra: readonly BlockedStep[]): string[] {
  const steps = [
    `On ${server}, run \`netsh int ipv4 show dynamicportrange tcp\` and look for a fixed RPC port range in HKLM\\SOFTWARE\\Microsoft\\Rpc\\Internet (Ports, PortsInternetAvailable, UseInternetPorts).`,
    inRange
      ? `Allow the dynamic RPC range ${ranges} (TCP) from the client to ${server} on every firewall between them, including Windows Firewall on ${server} ("RPC Dynamic Ports").`
      : `Either allow the range ${server} actually uses (it includes TCP ${port}) through the firewall, or return ${server} to the default with \`netsh int ipv4 set dynamicport tcp start=49152 num=16384\` (remove the Rpc\\Internet key if present) and restart it.`,
  ];
  for (const x of extra) {
    if (x === 'ntds-pinned') steps.push(`DRSUAPI is AD replication: if ${server} is a domain controller with a pinned port (HKLM\\SYSTEM\\CurrentControlSet\\Services\\NTDS\\Parameters "TCP/IP Port"), allow that port.`);
    else if (x === 'netlogon-pinned') steps.push('NETLOGON may be pinned with HKLM\\SYSTEM\\CurrentControlSet\\Services\\Netlogon\\Parameters "DCTcpipPort": allow that port.');
    else steps.push('For DCOM/WMI, check the DCOM restricted port range (dcomcnfg, Rpc\\Internet) and whether WMI runs in its own host with the fixed port 24158 (`winmgmt /standalonehost`).');
  }
  return steps;
}

/** The story of an endpoint answer, and the pieces advertised-port findings reuse. */
function told(a: Advertised): { said: string; range: string; iface: string; ranges: string; filter: string } {
  const iface = a.interfaces.join(' / ');
  const ranges = rangesOf(a.dynamicRanges);
  const src = a.source === 'epm' ? `the endpoint mapper on ${a.server}` : `DCOM (${a.operations.join(', ')}) on ${a.server}`;
  const more = a.answerFrames.length > 1 ? ` (and ${a.answerFrames.length - 1} more answer(s))` : '';
  return {
    said: `At frame ${a.answerFrames[0]}${more} ${src} told ${a.client} that ${iface} listens on TCP ${a.port}`,
    range: a.inRange ? `inside the expected dynamic range ${ranges}` : `outside the expected dynamic range ${ranges}`,
    iface,
    ranges,
    filter: convFilter(a.client, a.server, [a.server === a.client ? a.port : 135, a.port]),
  };
}

/** Well-known TCP ports, named where an unanswered attempt to them is explained. */
const KNOWN_PORTS: Readonly<Record<number, string>> = {
  53: ' TCP 53 is DNS.', 88: ' TCP 88 is Kerberos.', 135: ' TCP 135 is the RPC endpoint mapper.', 139: ' TCP 139 is NetBIOS session (SMB over NetBIOS).',
  389: ' TCP 389 is LDAP.', 445: ' TCP 445 is SMB; RPC over named pipes uses it.', 464: ' TCP 464 is Kerberos password change.', 636: ' TCP 636 is LDAPS.',
  3268: ' TCP 3268 is the global catalog.', 5723: ' TCP 5723 is the System Center Operations Manager agent channel.', 5985: ' TCP 5985 is WinRM.',
};

const who = (f: { client: string | null; server: string | null; port: number | null }): { client: string; server: string; port: number } =>
  ({ client: f.client ?? '?', server: f.server ?? '?', port: f.port ?? 0 });

function blocked(f: FindingFacts<'NONSTANDARD_RPC_PORT_BLOCKED' | 'RPC_DYNAMIC_PORT_BLOCKED'>): Words {
  const { advertised: a, story, steps } = f.params;
  const t = told(a);
  return {
    title: `TCP ${a.port} on ${a.server} (${t.iface}, advertised) is blocked: ${story.synCount} SYN(s) from ${a.client} unanswered`,
    explanation: `${t.said} (${t.range}). The client then tried to connect: ${synStory(story)} None was answered: no SYN-ACK, no RST, no ICMP message. ` +
      `Something between the two hosts silently drops TCP ${a.port}; the client reports "The RPC server is unavailable" (0x800706BA). ` +
      (a.inRange ? 'The port is in the expected range, so the firewall does not allow the dynamic RPC range at all, or the server\'s own firewall blocks it.' : `The port is outside the range firewalls are usually opened for. ${hintText(a.hints)}`),
    remediation: blockedSteps(a.server, a.port, a.inRange, t.ranges, steps),
    displayFilter: t.filter,
  };
}

function reached(f: FindingFacts<'RPC_PORT_OK' | 'NONSTANDARD_RPC_RANGE'>): Words {
  const { advertised: a, synFrame, synAckFrame, answerSeconds, existing } = f.params;
  const t = told(a);
  const how = existing !== null
    ? `The client made no new connection: it went on using one to that port (from its port ${existing.clientPort}) that was open before the capture began, with traffic both ways from frame ${existing.firstFrame} to frame ${existing.lastFrame}.`
    : `The client connected: SYN frame ${synFrame ?? '?'}, SYN-ACK frame ${synAckFrame ?? '?'}${answerSeconds !== null ? ` after ${fmtMs(answerSeconds)}` : ''}.`;
  return {
    title: a.inRange ? `${t.iface} on ${a.server}:${a.port} (advertised) answered` : `${a.server} hands out TCP ${a.port} (${t.iface}), outside ${t.ranges}; it worked here`,
    explanation: `${t.said} (${t.range}). ${how}` +
      (a.inRange ? '' : ` It works on this path, but a firewall that only allows ${t.ranges} will block it elsewhere. ${hintText(a.hints)}`),
    remediation: a.inRange ? [] : [
      `On ${a.server}, run \`netsh int ipv4 show dynamicportrange tcp\` and check the registry RPC port settings (HKLM\\SOFTWARE\\Microsoft\\Rpc\\Internet) to see which range it uses.`,
      `Either allow that range through every firewall between clients and ${a.server}, or return it to the default with \`netsh int ipv4 set dynamicport tcp start=49152 num=16384\` (and remove the Internet ports key), then restart the service.`,
    ],
    displayFilter: t.filter,
  };
}

const refusalShort = (r: Refusal): string => (r.kind === 'reset' ? 'RST' : `ICMP ${r.meaning}`);

/** What the rest of the capture says about a server whose port did not answer. */
function contrastText(server: string, port: number, c: Contrast): string {
  const parts: string[] = [];
  if (c.samePortExample !== null) {
    parts.push(` Yet ${c.samePortAnswered} other attempt(s) to ${server}:${port} in this capture were answered (e.g. from ${c.samePortExample.client}, SYN-ACK frame ${c.samePortExample.synAckFrame}): the server listens, so the drop is specific to these clients or moments (a firewall rule by source address, a route, or a listen queue that was full).`);
  }
  if (c.otherPorts.length > 0) {
    parts.push(` ${server} answers on other ports (TCP ${c.otherPorts.join(', ')}; SYN-ACK frame ${c.otherPortsFrame ?? '?'}): it is up and reachable, and only TCP ${port} is dropped on the way or by its own firewall.`);
  }
  return parts.join('');
}

/** "10.0.0.5, 10.0.0.6 and 3 more client(s)". */
const clientList = (clients: readonly string[], count: number): string => (count <= clients.length ? clients.join(', ') : `${clients.join(', ')} and ${count - clients.length} more client(s)`);

const TEMPLATES: { readonly [K in FindingId]: Template<K> } = {
  NONSTANDARD_RPC_PORT_BLOCKED: blocked,
  RPC_DYNAMIC_PORT_BLOCKED: blocked,
  RPC_PORT_OK: reached,
  NONSTANDARD_RPC_RANGE: reached,

  ADVERTISED_PORT_NOT_ATTEMPTED: (f) => {
    const { advertised: a, observedSeconds } = f.params;
    const t = told(a);
    return {
      title: `${a.server} advertised TCP ${a.port} (${t.iface}); no attempt from ${a.client} to it follows`,
      explanation: `${t.said} (${t.range}). No SYN from ${a.client} to ${a.server}:${a.port} appears after it; the capture goes on for ${fmtS(observedSeconds)} after the last answer. ` +
        'If this capture was taken at the server, the client\'s SYNs never arrived: something on the way drops them. If it was taken at the client, the client did not try (it may have used another transport, such as a named pipe over SMB, or the capture ended too soon).',
      remediation: [
        `Capture at ${a.client} and ${a.server} at the same time to see whether SYNs to TCP ${a.port} leave the client.`,
        `Check firewalls between ${a.client} and ${a.server} for TCP ${a.port}${a.inRange ? '' : ` (outside ${t.ranges})`}.`,
      ],
      displayFilter: t.filter,
    };
  },

  RPC_PORT_REFUSED: (f) => {
    const { advertised: a, story, refusal: r } = f.params;
    const t = told(a);
    const how = r.kind === 'reset'
      ? `${a.server} answered with RST (frame ${r.frame}): nothing listens on TCP ${a.port} any more, or a firewall rejects with a reset`
      : `an ICMP ${r.meaning} message from ${r.from} (frame ${r.frame}, type ${r.type} code ${r.code}) refused it${r.from !== a.server ? ': a router or firewall on the way, not the server, rejected it' : ''}`;
    return {
      title: `TCP ${a.port} on ${a.server} (${t.iface}, advertised) refused: ${refusalShort(r)}`,
      explanation: `${t.said} (${t.range}). The client's connection attempt (${synStory(story)}) was refused: ${how}.`,
      remediation: r.kind === 'reset'
        ? [`On ${a.server}, check that the service behind ${t.iface} is running and listening: \`netstat -ano | findstr :${a.port}\`.`, `If it listens, look for a firewall that rejects TCP ${a.port} with a reset.`]
        : [`Find the device at ${r.from} and allow TCP ${a.port} from ${a.client} to ${a.server}${a.inRange ? ` (the dynamic RPC range ${t.ranges})` : ''}.`],
      displayFilter: r.kind === 'icmp' ? `${t.filter} || (icmp || icmpv6)` : t.filter,
    };
  },

  HANDSHAKE_NOT_COMPLETED: (f) => {
    const { client, server, port } = who(f);
    const p = f.params;
    return {
      title: `${server}:${port} answered ${client} with SYN-ACK, but the handshake never completed`,
      explanation: `${client} sent SYN (frame ${p.synFrame}) and ${server} answered with ${p.synAckCount} SYN-ACK(s) (frames ${p.synAckFrames.join(', ')}), but the client never sent the final ACK${p.retransmissions > 0 ? ` and kept retransmitting its SYN (${p.retransmissions} time(s))` : ''}. The SYN-ACK does not reach the client: asymmetric routing, or a stateful firewall on the return path that drops it.`,
      remediation: [`Check the return path from ${server} to ${client}: routes, and stateful firewalls that saw only one direction.`, `Capture at ${client} to confirm the SYN-ACK never arrives.`],
      displayFilter: convFilter(client, server, p.filterPorts),
    };
  },

  CONNECTION_UNANSWERED: (f) => {
    const p = f.params;
    const { client, server, port } = who(f);
    if (p.kind === 'capture-ended') {
      const lead = p.advertised === null ? '' : (() => { const t = told(p.advertised); return `${t.said} (${t.range}). `; })();
      return {
        title: `TCP ${port} on ${server}: the capture ends ${fmtS(p.observedSeconds)} after ${client}'s SYN, before any answer`,
        explanation: `${lead}${client} sent a SYN to ${server}:${port} (frame ${p.synFrame}) and the capture ended ${fmtS(p.observedSeconds)} later, before Windows would even retransmit it (after 3 s). rpctrace cannot tell whether it would have been answered.`,
        remediation: ['Capture for at least 30 s after the failing operation starts.'],
        displayFilter: convFilter(client, server, [port]),
      };
    }
    if (p.kind === 'capture-ended-many') {
      return {
        title: `${p.count} connection attempt(s) were still unanswered when the capture ended`,
        explanation: `These SYNs came less than 3 s before the end of the capture, before a Windows client would even retransmit, so rpctrace cannot tell whether they would have been answered: ${p.attempts.map((a) => `${a.client} -> ${a.server}:${a.port} (frame ${a.synFrame})`).join(', ')}${p.count > p.attempts.length ? ', ...' : ''}.`,
        remediation: ['Capture for at least 30 s after the failing operation starts.'],
        displayFilter: 'tcp.flags.syn==1 && tcp.flags.ack==0',
      };
    }
    const clients = clientList(p.clients, p.clientCount);
    const c = p.contrast;
    const why = c.samePortExample === null && c.otherPorts.length === 0 ? `: the server is down or a firewall silently drops TCP ${port}.` : '.';
    return {
      title: `TCP ${port} on ${server}: ${p.story.attemptCount} connection attempt(s) from ${p.clientCount === 1 ? p.clients[0] : `${p.clientCount} clients`} unanswered`,
      explanation: `${synStory(p.story)} No SYN-ACK, RST or ICMP came back${why}${contrastText(server, port, c)}${KNOWN_PORTS[port] ?? ''}`,
      remediation: [`Check that ${server} is reachable and listens on TCP ${port}, and that firewalls allow it from ${clients}.`],
      displayFilter: p.clientCount === 1 ? convFilter(p.clients[0]!, server, [port]) : `${ipField(server)}==${server} && tcp.port==${port}`,
    };
  },

  CONNECTION_REFUSED: (f) => {
    const p = f.params;
    const { server } = who(f);
    const r = p.refusal;
    const target = p.ports === null ? `TCP ${f.port ?? '?'} on ${server}` : `${p.ports.count} TCP ports of ${server}`;
    const who2 = p.clientCount === 1 ? p.clients[0]! : `${p.clientCount} clients`;
    const how = r.kind === 'reset'
      ? `${server} answered with RST (frame ${r.frame}): nothing listens there, or a firewall rejects with a reset`
      : `an ICMP ${r.meaning} message from ${r.from} (frame ${r.frame}, type ${r.type} code ${r.code})${r.from !== server ? ' refused it: a router or firewall on the way, not the server, rejected it' : ' refused it'}`;
    const scan = p.ports === null ? '' : ` The refused ports include ${p.ports.first.join(', ')}${p.ports.count > p.ports.first.length ? ', ...' : ''}: so many refusals from one server in one capture usually mean a port scan.`;
    const filter = p.clientCount === 1 ? convFilter(p.clients[0]!, server, p.ports === null ? [f.port ?? 0] : []) : `${ipField(server)}==${server}${p.ports === null ? ` && tcp.port==${f.port ?? 0}` : ''}`;
    return {
      title: `${target}: ${p.story.attemptCount} connection attempt(s) from ${who2} refused (${refusalShort(r)})`,
      explanation: `${synStory(p.story)} The last attempt was refused: ${how}.${scan}${p.ports === null ? KNOWN_PORTS[f.port ?? 0] ?? '' : ''}`,
      remediation: r.kind === 'reset'
        ? [`On ${server}, check that the service listens: \`netstat -ano | findstr :${f.port ?? '<port>'}\`; start it, or point ${clientList(p.clients, p.clientCount)} at the right port.`, 'If it listens, look for a firewall that rejects the port with a reset (compare the reset\'s TTL and MAC address with the server\'s other packets).']
        : [`Find the device at ${r.from} and allow the port from ${clientList(p.clients, p.clientCount)} to ${server}.`],
      displayFilter: r.kind === 'icmp' ? `${filter} || (icmp || icmpv6)` : filter,
    };
  },

  ENDPOINT_NOT_REGISTERED: (f) => {
    const { client, server } = who(f);
    const p = f.params;
    const name = p.interfaceUuid !== null ? `${p.interfaceName ?? 'interface'} (${p.interfaceUuid})` : 'the requested interface';
    const got = p.status === EPT_S_NOT_REGISTERED
      ? `EPT_S_NOT_REGISTERED (0x16c9a0d6): no endpoint is registered for it. The service that provides the interface is not running on ${server}, or it does not listen on TCP.`
      : p.status !== 0 ? `status ${hex8(p.status)} and no endpoint.` : 'no TCP endpoint (the interface may be registered only on named pipes or local RPC).';
    return {
      title: `The endpoint mapper on ${server} has no TCP endpoint for ${name}`,
      explanation: `At frame ${p.frame} ${client} asked the endpoint mapper on ${server} (${p.operation}) where ${name} listens, and got ${got}` +
        ' The client cannot connect and reports "There are no more endpoints available from the endpoint mapper" (1753, 0x6d9) or "The RPC server is unavailable".',
      remediation: [`On ${server}, start the service that provides ${name} and check it registers ncacn_ip_tcp (e.g. \`portqry -n ${server} -e 135\` lists the registered endpoints).`],
      displayFilter: `${convFilter(client, server, [135])} && dcerpc`,
    };
  },

  EPM_UNREACHABLE: (f) => {
    const { client, server } = who(f);
    const { story } = f.params;
    return {
      title: `The endpoint mapper on ${server} (TCP 135) does not answer ${client}: ${story.synCount} SYN(s) unanswered`,
      explanation: `${client} tried to reach the endpoint mapper on ${server}: ${synStory(story)} Nothing answered: no SYN-ACK, no RST, no ICMP. Every RPC client first asks TCP 135 which port to use, so no RPC over TCP to ${server} can work from this client ("The RPC server is unavailable", 0x800706BA).`,
      remediation: [`Allow TCP 135 from ${client} to ${server} on every firewall between them (and in ${server}'s own firewall).`, `Check that ${server} is up and that the RPC service (RpcSs) runs.`],
      displayFilter: convFilter(client, server, [135]),
    };
  },

  EPM_REFUSED: (f) => {
    const { client, server } = who(f);
    const { story, refusal: r } = f.params;
    return {
      title: `The endpoint mapper on ${server} (TCP 135) refused ${client}: ${r.kind === 'reset' ? 'RST' : `ICMP ${r.meaning} from ${r.from}`}`,
      explanation: `${client} tried to reach the endpoint mapper on ${server} (${synStory(story)}) and was refused ${r.kind === 'reset' ? `with a reset (frame ${r.frame}): nothing listens on TCP 135, or a firewall rejects it` : `by ICMP ${r.meaning} from ${r.from} (frame ${r.frame})`}.`,
      remediation: [`Allow TCP 135 from ${client} to ${server}.`, `Check that the RPC service (RpcSs) runs on ${server}.`],
      displayFilter: convFilter(client, server, [135]),
    };
  },

  INFERRED_RPC_PORT_BLOCKED: (f) => {
    const { client, server, port } = who(f);
    const p = f.params;
    const ranges = rangesOf(p.dynamicRanges);
    return {
      title: `Probably an RPC dynamic port: TCP ${port} on ${server} ${p.refused ? 'refused' : 'unanswered'} right after an endpoint-mapper session`,
      explanation: `Inferred, not read from an RPC answer: ${client} had a session with the endpoint mapper on ${server} (TCP 135, SYN frame ${p.epmSynFrame}) and ${fmtS(p.delaySeconds)} later tried TCP ${port} on the same server: ${synStory(p.story)} ` +
        `${p.refused ? 'It was refused.' : 'No answer came back.'} This is the shape of an RPC client following an endpoint-mapper answer to a blocked dynamic port, but the answer itself is not visible in the capture (it started late, the snaplen cut the payload, or the RPC traffic is encrypted), so rpctrace cannot confirm that ${port} is the advertised port. ` +
        (p.inRange ? `TCP ${port} is inside ${ranges}.` : `TCP ${port} is outside ${ranges}. ${hintText(p.hints)}`),
      remediation: [
        'Capture again with full packets (no snaplen) from before the client contacts TCP 135, to see the endpoint mapper\'s answer.',
        ...blockedSteps(server, port, p.inRange, ranges, p.steps),
      ],
      displayFilter: convFilter(client, server, [135, port]),
    };
  },

  ONE_SIDED_CAPTURE: (f) => {
    const { client: sender, server: other } = who(f);
    const [x, y] = sender < other ? [sender, other] : [other, sender];
    return {
      title: `Only one direction between ${sender} and ${other} is in the capture`,
      explanation: `${sender} sends data to ${other} (frames ${f.evidence.slice(0, 5).map((e) => e.frame).join(', ')}), so answers must exist, yet the capture holds no packet at all in the other direction. The capture saw one direction only (asymmetric routing past the capture point, a one-way span port, or a capture filter), so rpctrace does not call unanswered SYNs between these hosts dropped.`,
      remediation: ['Capture on one of the two hosts themselves, or on a span port that mirrors both directions.'],
      displayFilter: convFilter(x, y, []),
    };
  },

  SNAPLEN_TOO_SMALL: (f) => {
    const { snaplen, payloadCut, rpcPayloadCut } = f.params;
    return {
      title: `Packets were cut to ${snaplen > 0 ? `${snaplen} bytes` : 'a short length'}: ${rpcPayloadCut > 0 ? `${rpcPayloadCut} RPC segment(s) incomplete` : 'payload missing'}`,
      explanation: `The capture keeps only the first ${snaplen > 0 ? `${snaplen} bytes` : 'bytes'} of each packet; ${payloadCut} TCP segment(s) lost part of their payload${rpcPayloadCut > 0 ? `, ${rpcPayloadCut} of them on RPC conversations` : ''}. Endpoint-mapper answers are then invisible and verdicts about dynamic ports can only be inferred. pktmon keeps 128 bytes by default.`,
      remediation: ['Capture full packets: `pktmon start --capture --pkt-size 0`, `netsh trace start capture=yes`, or tcpdump/Wireshark without -s.'],
      displayFilter: 'frame.cap_len < frame.len',
    };
  },

  DUPLICATE_PACKETS: (f) => {
    const { copies, example } = f.params;
    return {
      title: `The same packets were captured more than once: ${copies} SYN/FIN/RST/ICMP frame(s) are copies; ignored`,
      explanation: `${copies} SYN, FIN, RST or ICMP frame(s) repeat an earlier frame within 10 ms with the same IP identification and header (e.g. frame ${example[0]} repeats ${example[1]}); rpctrace checks only these, the frames whose repetition could change a verdict, so the data and ACK frames of this capture are probably copied too. pktmon writes one copy per network component a packet crosses, and span ports can mirror a packet twice. Each checked packet was counted once, so copies are not mistaken for retransmissions.`,
      remediation: ['With pktmon, filter to one component (`pktmon start --capture --comp nics`) to record each packet once.'],
      displayFilter: 'tcp.analysis.duplicate_ack || tcp.analysis.retransmission',
    };
  },

  CONTROL_PACKETS_ONLY: (f) => ({
    title: 'The capture holds only TCP control packets (no payload)',
    explanation: `None of the ${f.params.tcpSegments} TCP segments carries payload although ${f.params.established} connection(s) were established: either the capture was filtered to SYN/FIN/RST packets, or the connections carried no data (a port scan). Handshake outcomes are exact, but endpoint-mapper answers are invisible, so any verdict about advertised ports is inferred.`,
    remediation: ['Capture without a TCP-flags filter to see the endpoint-mapper answers on TCP 135.'],
    displayFilter: 'tcp.len > 0',
  }),

  RPC_FAULT: (f) => {
    const { client, server, port } = who(f);
    const p = f.params;
    const iface = p.interfaceUuid !== null ? p.interfaceName ?? p.interfaceUuid : 'an unknown interface';
    const meaning = statusMeaning(p.status);
    return {
      title: `${server}:${port} answered ${p.calls} call(s) from ${client} with fault ${statusName(p.status)}`,
      explanation: `The server rejected a call to ${iface}${p.opnum !== null ? ` (opnum ${p.opnum})` : ''} with fault ${statusName(p.status)} (frame ${p.frame})${meaning !== null ? `: ${meaning}` : ''}. The connection works; the call itself failed.`,
      remediation: [`Look up the status: \`certutil -error ${hex8(p.status)}\`; check the client and server versions and permissions.`],
      displayFilter: `${convFilter(client, server, [port])} && dcerpc.pkt_type == 3`,
    };
  },

  TOWER_ADDRESS_MISMATCH: (f) => {
    const { server, port } = who(f);
    const p = f.params;
    if (p.kind === 'tower') {
      // Read from the answer's bytes: shown with any control character escaped (visible.ts).
      const h = visible(p.advertisedHost);
      return {
        title: `${server} advertised ${h}:${port}, an address other than the one the client used`,
        explanation: `At frame ${p.frame} the endpoint mapper on ${server} answered with a tower for ${h}:${port}. The client reached the server as ${server}: the server is multi-homed or behind NAT. Windows clients connect to the address they already use, so this usually works, but firewall rules written for ${h} do not cover ${server}.`,
        remediation: [`Make sure firewall rules for the dynamic port cover ${server} as well as ${h}.`],
        displayFilter: `frame.number == ${p.frame}`,
      };
    }
    return {
      title: `${server}:${port} says in its bind_ack that it listens on port ${p.listenPort}`,
      explanation: `The bind_ack at frame ${p.frame} carries the secondary address "${visible(p.secondaryAddress)}": the server sees itself on port ${p.listenPort}, while the client reached it on ${port}. A NAT or port-forwarding device sits between them.`,
      remediation: ['Check port translation between client and server; RPC endpoints advertised by the server use its own view of the port.'],
      displayFilter: `frame.number == ${p.frame}`,
    };
  },

  CAPTURE_INCOMPLETE: (f) => {
    const p = f.params;
    return {
      title: `Reading stopped at byte ${p.offset}: only the first ${p.frames} frames were analyzed`,
      explanation: `${p.message} (${p.code}). The verdicts cover the ${thousands(p.frames)} frames before that point${f.evidence.length > 0 ? ` (up to frame ${f.evidence[0]!.frame})` : ''}; a failure after it cannot be ruled out.`,
      remediation: ['Copy the capture again once the capture program has stopped, or cut the readable frames out with `editcap`, and analyze it again.'],
      displayFilter: f.evidence.length > 0 ? `frame.number == ${f.evidence[0]!.frame}` : 'frame',
    };
  },

  TIMESTAMPS_OUT_OF_ORDER: (f) => {
    const p = f.params;
    const first = f.evidence[0]?.frame ?? '?';
    return {
      title: `Time goes backwards in the capture: frame ${first} is older than the frame before it${p.jumps > 1 ? ` (${p.jumps} jumps back)` : ''}`,
      explanation: `Frame ${first} is ${fmtLong(p.largestSeconds)} older than the latest frame before it${p.jumps > 1 ? `, the largest of ${p.jumps} jumps back` : ''}: the capture is probably several traces joined in file order, or the capturing machine's clock was set back. rpctrace keeps relative times running forward across each jump, so a duration that spans one is not real.`,
      remediation: ['Analyze each trace on its own, or join them by time: `mergecap -w merged.pcapng first.pcapng second.pcapng` (without -a).'],
      displayFilter: `frame.number >= ${first}`,
    };
  },

  STATE_LIMIT_REACHED: (f) => {
    const p = f.params;
    const first = f.evidence[0]?.frame ?? '?';
    return {
      title: `More than ${thousands(p.trackedAttempts)} connection attempts: ${thousands(p.untrackedSyns)} further SYN(s) counted, not tracked`,
      explanation: `rpctrace tracks at most ${thousands(p.maxAttempts)} connection attempts and ${thousands(p.maxConversations)} conversations per capture. This capture went past that: ${thousands(p.untrackedSyns)} SYN(s) opened no tracked attempt${p.untrackedPackets > 0 ? ` and ${thousands(p.untrackedPackets)} TCP packet(s) belonged to conversations that did not fit` : ''} (from frame ${first} on). Their outcome is unknown; verdicts about the tracked attempts are unaffected. Untracked SYNs by destination port: ${p.topPorts.map(([port, n]) => `${port}: ${thousands(n)}`).join(', ')}. So many attempts usually mean a SYN flood or a port scan.`,
      remediation: [...FINDING_CATALOG.STATE_LIMIT_REACHED.remediation],
      displayFilter: 'tcp.flags.syn==1 && tcp.flags.ack==0',
    };
  },
};

/** The words of `f` from its template. */
function wordsOf(f: AnyFindingFacts): Words {
  return (TEMPLATES[f.id] as Template<FindingId>)(f as FindingFacts);
}

/**
 * A finding with its words: the facts, plus title, explanation, remediation and display filter
 * made from them here. A folded finding says how many clients it stands for; a finding whose
 * evidence list was capped says how many frames there were.
 */
export function describeFinding(f: AnyFindingFacts): Finding {
  const w = wordsOf(f);
  let { title, explanation, displayFilter } = w;
  if (f.folded !== null) {
    const n = f.folded.count;
    title = `${title} (and the same for ${n} more clients)`;
    explanation = `${explanation} The same finding holds for ${n} more clients (${f.folded.clients.join(', ')}${n > f.folded.clients.length ? ', ...' : ''}); ${f.evidenceTotal} evidence frames in all${f.evidenceTotal > MAX_EVIDENCE ? `, the first ${MAX_EVIDENCE} listed` : ''}. So many clients at once usually means a scan or a flood.`;
    if (f.port !== null) displayFilter = `${f.server !== null ? `${ipField(f.server)}==${f.server} && ` : ''}tcp.port==${f.port}`;
  } else if (f.evidenceTotal > MAX_EVIDENCE) {
    explanation = `${explanation} (${f.evidenceTotal} evidence frames; the first ${MAX_EVIDENCE} are listed.)`;
  }
  return {
    id: f.id, severity: f.severity, title, client: f.client, server: f.server, port: f.port,
    evidenceFrames: f.evidence.map((e) => e.frame),
    explanation, remediation: w.remediation, displayFilter, inferred: f.inferred,
    protocol: f.protocol, evidence: f.evidence, evidenceTotal: f.evidenceTotal, params: f.params, folded: f.folded,
  };
}
