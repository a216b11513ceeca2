/**
 * The one place where a finding gets its words. Rules conclude facts (finding.ts); this module
 * turns them into the title, explanation, remediation steps and Wireshark display filter that
 * every renderer shows. Text conventions are the catalog's (finding-catalog.ts): `\n` breaks a
 * line, `- ` starts a list item, backticks mark a command.
 */
import type { HostRole } from './agent.js';
import {
  AGENT_FINDING_IDS, MAX_EVIDENCE, type Advertised, type AnyFindingFacts, type AttemptStory, type BlockedStep, type Contrast, type Finding, type FindingFacts,
  type FindingId, type FindingParams, type KerberosErrorFacts, type RangeHint, type Refusal, type RequestStory, type RequiredPortNeed,
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

/**
 * How a host is written in prose: `name (address)` where DNS answers in the capture named it,
 * else the address. Display filters and commands keep the address.
 */
export type HostText = (address: string) => string;

/** The namer for a map of names by address (identity without names). */
export function hostText(names: ReadonlyMap<string, string> | undefined): HostText {
  if (names === undefined || names.size === 0) return (a) => a;
  return (a) => {
    const n = names.get(a);
    return n === undefined ? a : `${n} (${a})`;
  };
}

type Template<K extends FindingId> = (f: FindingFacts<K>, h: HostText) => Words;

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
  return p.length === 1 ? `${hosts} && tcp.port==${p[0]}` : `${hosts} && tcp.port in {${p.join(', ')}}`;
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
function told(a: Advertised, h: HostText): { said: string; range: string; iface: string; ranges: string; filter: string } {
  const iface = a.interfaces.join(' / ');
  const ranges = rangesOf(a.dynamicRanges);
  const src = a.source === 'epm' ? `the endpoint mapper on ${h(a.server)}` : `DCOM (${a.operations.join(', ')}) on ${h(a.server)}`;
  const more = a.answerFrames.length > 1 ? ` (and ${a.answerFrames.length - 1} more answer(s))` : '';
  return {
    said: `At frame ${a.answerFrames[0]}${more} ${src} told ${h(a.client)} that ${iface} listens on TCP ${a.port}`,
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

/** Distinct interfaces refused to one client from which the refusals read as an interface scan. */
export const BIND_SCAN_INTERFACES = 5;

/** What a bind refusal's reason means for the client. */
function bindReasonText(kind: FindingParams['RPC_BIND_REJECTED']['kind'], reason: number): string {
  if (kind === 'reset' || kind === 'closed') {
    return `no bind_ack or bind_nak came. A firewall or intrusion prevention system that inspects RPC ${kind === 'reset' ? 'resets' : 'closes'} connections like this when the interface is not allowed (the ${kind === 'reset' ? 'RST' : 'FIN'} then comes from the firewall, with the server's address); so does a server process that refuses the connection or has stopped. The client reports "The RPC server is unavailable" (0x800706BA) or a connection closed error.`;
  }
  if (kind === 'contexts') {
    if (reason === 1) return 'the process listening on this port does not offer that interface (or that version of it). The client reached a port that belongs to another service, or to a service that has since restarted elsewhere; it reports RPC_S_UNKNOWN_IF (0x6b5), "The interface is unknown".';
    if (reason === 2) return 'the server accepts none of the transfer syntaxes offered (NDR, NDR64).';
    if (reason === 3) return 'the server is at a limit of its own.';
    return 'the server gave no reason.';
  }
  if (reason === 1 || reason === 2) return 'the server is out of resources or at its limit of connections; the client reports RPC_S_SERVER_TOO_BUSY (0x6bb).';
  if (reason === 4) return 'the server does not speak the protocol version the client used.';
  if (reason === 8) return 'the server does not accept the authentication service the client used (Kerberos, NTLM or Negotiate).';
  if (reason === 9) return 'the server could not verify the client\'s authentication data.';
  return 'the server gave no reason; its event logs may.';
}

/** What to do about a bind refusal, by reason. */
function bindReasonSteps(kind: FindingParams['RPC_BIND_REJECTED']['kind'], reason: number, server: string, port: number): string[] {
  if (kind === 'reset' || kind === 'closed') {
    return [
      `Look for RPC inspection between the client and ${server}: a firewall or IPS rule that filters RPC by interface UUID, or Windows RPC filters on the server (\`netsh rpc filter show filter\`).`,
      `Capture on ${server} itself at the same time: if the server never sent this ${kind === 'reset' ? 'RST' : 'FIN'}, a device in between did.`,
      `Check that the service behind TCP ${port} is running, and read ${server}'s System and Application logs at the time.`,
    ];
  }
  if (kind === 'contexts' && reason === 1) {
    return [
      `On ${server}, find which process owns TCP ${port}: \`netstat -abno | findstr :${port}\`.`,
      `Compare with what the endpoint mapper advertises for the interface: \`portqry -n ${server} -e 135\`; a client that connects to a port remembered from earlier (or pinned in its configuration) reaches whatever listens there now.`,
      'Restart the service that should register the interface, and check that both sides run versions that share it.',
    ];
  }
  if (kind === 'nak' && (reason === 1 || reason === 2)) return [`Check ${server}'s load and its number of RPC connections at the time, and its System log for RPC and resource events.`];
  if (kind === 'nak' && (reason === 8 || reason === 9)) {
    return [
      'Check the service\'s SPN (`setspn -Q <spn>`) and time synchronisation on both sides (`w32tm /query /status`).',
      'Check NTLM and Kerberos restrictions in the security policy of client and server (Network security: Restrict NTLM).',
    ];
  }
  return [`Read ${server}'s System and Application logs at the time of the refusal.`];
}

/** `host:port` in prose: `dc01.corp.example (10.1.1.10):389` when named. */
const hostPortText = (h: HostText, addr: string, port: number): string => `${h(addr)}:${port}`;

const who = (f: { client: string | null; server: string | null; port: number | null }): { client: string; server: string; port: number } =>
  ({ client: f.client ?? '?', server: f.server ?? '?', port: f.port ?? 0 });

function blocked(f: FindingFacts<'NONSTANDARD_RPC_PORT_BLOCKED' | 'RPC_DYNAMIC_PORT_BLOCKED'>, h: HostText): Words {
  const { advertised: a, story, steps } = f.params;
  const t = told(a, h);
  return {
    title: `TCP ${a.port} on ${h(a.server)} (${t.iface}, advertised) is blocked: ${story.synCount} SYN(s) from ${h(a.client)} unanswered`,
    explanation: `${t.said} (${t.range}). The client then tried to connect: ${synStory(story)} None was answered: no SYN-ACK, no RST, no ICMP message. ` +
      `Something between the two hosts silently drops TCP ${a.port}; the client reports "The RPC server is unavailable" (0x800706BA). ` +
      (a.inRange ? 'The port is in the expected range, so the firewall does not allow the dynamic RPC range at all, or the server\'s own firewall blocks it.' : `The port is outside the range firewalls are usually opened for. ${hintText(a.hints)}`),
    remediation: blockedSteps(h(a.server), a.port, a.inRange, t.ranges, steps),
    displayFilter: t.filter,
  };
}

function reached(f: FindingFacts<'RPC_PORT_OK' | 'NONSTANDARD_RPC_RANGE'>, h: HostText): Words {
  const { advertised: a, synFrame, synAckFrame, answerSeconds, existing } = f.params;
  const t = told(a, h);
  const how = existing !== null
    ? `The client made no new connection: it went on using one to that port (from its port ${existing.clientPort}) that was open before the capture began, with traffic both ways from frame ${existing.firstFrame} to frame ${existing.lastFrame}.`
    : `The client connected: SYN frame ${synFrame ?? '?'}, SYN-ACK frame ${synAckFrame ?? '?'}${answerSeconds !== null ? ` after ${fmtMs(answerSeconds)}` : ''}.`;
  return {
    title: a.inRange ? `${t.iface} on ${hostPortText(h, a.server, a.port)} (advertised) answered` : `${h(a.server)} hands out TCP ${a.port} (${t.iface}), outside ${t.ranges}; it worked here`,
    explanation: `${t.said} (${t.range}). ${how}` +
      (a.inRange ? '' : ` It works on this path, but a firewall that only allows ${t.ranges} will block it elsewhere. ${hintText(a.hints)}`),
    remediation: a.inRange ? [] : [
      `On ${h(a.server)}, run \`netsh int ipv4 show dynamicportrange tcp\` and check the registry RPC port settings (HKLM\\SOFTWARE\\Microsoft\\Rpc\\Internet) to see which range it uses.`,
      `Either allow that range through every firewall between clients and ${h(a.server)}, or return it to the default with \`netsh int ipv4 set dynamicport tcp start=49152 num=16384\` (and remove the Internet ports key), then restart the service.`,
    ],
    displayFilter: t.filter,
  };
}

// ---------------------------------------------------------------------------------------------
// Agent checks: the pieces their words share

/** `ip.addr==a && ip.addr==b`. */
const hostsFilter = (a: string, b: string): string => `${ipField(a)}==${a} && ${ipField(b)}==${b}`;

/** `9 min 20 s`, `1 h 2 min`, `45 s`. */
export function fmtDuration(s: number): string {
  const t = Math.round(s);
  if (t < 60) return fmtS(s);
  const h = Math.floor(t / 3600);
  const m = Math.floor((t % 3600) / 60);
  const sec = t % 60;
  if (h > 0) return `${h} h${m > 0 ? ` ${m} min` : ''}`;
  return `${m} min${sec > 0 ? ` ${sec} s` : ''}`;
}

const ROLE_NAMES: Record<HostRole, string> = {
  agent: 'the agent', gateway: 'a gateway', 'management-server': 'a management server', 'domain-controller': 'a domain controller', 'dns-server': 'a DNS server',
};

/** `the agent `, `the management server ` before a host, or nothing. */
const rolePrefix = (r: HostRole | null): string => (r === null ? '' : `${ROLE_NAMES[r].replace(/^an? /, 'the ')} `);
const capital = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

/** "3 request(s) (5 datagram(s) with the retransmissions, frames 12, 14, 18): SRV _ldap._tcp.dc._msdcs.corp.example". */
function requestsText(r: RequestStory): string {
  const asked = r.asked.length > 0 ? `: ${r.asked.join('; ')}${r.requests > r.asked.length ? '; ...' : ''}` : '';
  return `${r.requests} request(s) (${r.datagrams} datagram(s) with the retransmissions, frame${r.frames.length === 1 ? '' : 's'} ${abbrev(r.frames)})${asked}`;
}

/** What fails with each required port, in the troubleshooting guide's words. */
const NEED_TEXT: Record<RequiredPortNeed, string> = {
  'agent-channel': 'TCP 5723 is the agent channel: without it the agent logs event 21006 ("The OpsMgr Connector could not connect to <server>:5723", error 10060) and, with no other management server to fail over to, 21016; after four missed heartbeats the server raises "Health Service Heartbeat Failure".',
  kerberos: 'Port 88 is Kerberos: without it the agent gets no ticket for its management server and logs event 20057 ("Failed to initialize security context for target MSOMHSvc/<server>", 0x80090311 "No authority could be contacted for authentication").',
  ldap: 'Port 389 is LDAP (over UDP, the DC locator\'s LDAP ping): without it the domain controller cannot be located or read, and authentication fails as without Kerberos (event 20057, 0x80090311 "No authority could be contacted for authentication").',
  dns: 'Port 53 is DNS: without it the domain controllers and the management server cannot be found by name.',
  rpc: 'TCP 135 is the RPC endpoint mapper: the management server uses it, then a dynamic port, to push, repair and uninstall agents.',
  other: 'The port is in the list given with --require.',
};

const NEED_STEPS: Record<RequiredPortNeed, string[]> = {
  'agent-channel': ['On <server>, check that the Health Service listens: `netstat -ano | findstr :5723`. Once the agent connects, events 21006 and 21016 stop.'],
  kerberos: ['The agent needs TCP and UDP 88 and 389 to every domain controller the DC locator may hand it (all those of its site, and others when they fail).'],
  ldap: ['The agent needs TCP and UDP 389 and 88 to every domain controller the DC locator may hand it (all those of its site, and others when they fail).'],
  dns: ['The agent\'s DNS servers must answer over UDP and TCP 53 (TCP for answers too large for UDP).'],
  rpc: ['Agent push also needs the dynamic RPC range (49152-65535 by default) from the management server to the agent.'],
  other: [],
};

const APP_NAMES: Record<'dns' | 'kerberos' | 'cldap' | 'udp', string> = { dns: 'DNS', kerberos: 'Kerberos', cldap: 'the LDAP ping (CLDAP)', udp: 'UDP' };

const APP_CONSEQUENCE: Record<'dns' | 'kerberos' | 'cldap' | 'udp', string> = {
  dns: 'Without answers the client cannot find the domain controllers or the management server by name.',
  kerberos: 'Without answers the client tries the next KDC or fails to authenticate (event 20057 on an Operations Manager agent).',
  cldap: 'The DC locator sends this LDAP ping to find a domain controller that serves it; without an answer it tries another one, and logons and agent authentication slow down or fail.',
  udp: '',
};

const APP_STEPS: Record<'dns' | 'kerberos' | 'cldap' | 'udp', string[]> = {
  dns: ['Ask the same server from the client: `Resolve-DnsName <name> -Server <server>`; check that the DNS Server service runs on <server>.'],
  kerberos: ['Check that the Kerberos Key Distribution Center service runs on <server>; from the client, `klist get krbtgt` tests a ticket request.'],
  cldap: ['From the client: `nltest /dsgetdc:<domain> /force`; check that the Netlogon service runs on <server>.'],
  udp: [],
};

/** RCODE names and what they mean for the client. */
const RCODE_MEANING: Readonly<Record<string, string>> = {
  NXDOMAIN: 'the name does not exist in the zone this server knows',
  SERVFAIL: 'the server could not get an answer (a broken forwarder or delegation, a zone that does not load)',
  REFUSED: 'the server will not answer this client (recursion or the zone is restricted)',
  FORMERR: 'the server could not read the query',
  NOTIMP: 'the server does not support the query',
};

/** Why the agent needs the name that failed. */
function dnsNeed(need: FindingParams['DNS_FAILURE']['need'], qname: string): string {
  switch (need) {
    case 'dc-locator': return `This is the DC locator's query for the domain controllers: without an answer the agent finds no domain controller, so Kerberos and LDAP fail (event 20057 on the agent). A DNS server that does not know the record does not hold the Active Directory zone (the client uses the wrong DNS server), or the domain controllers failed to register it.`;
    case 'kerberos-locator': return 'This is the query for the domain\'s KDCs: without an answer Kerberos cannot start (event 20057 on an agent).';
    case 'gc-locator': return 'This is the query for the global catalog servers of the forest.';
    case 'domain-controller': return `${qname} is a domain controller the locator's SRV answer named: without its address the client cannot reach it.`;
    case 'management-server': return `${qname} is a management server's name: without its address the agent cannot connect to TCP 5723 (event 21006), nor ask Kerberos for MSOMHSvc/${qname}.`;
    case 'domain': return `${qname} is the domain's own name, which the DC locator also resolves.`;
  }
}

/** Kerberos error codes: what they mean here. */
const KRB_MEANING: Readonly<Record<number, string>> = {
  6: 'The client principal does not exist in the KDC\'s database (the account was deleted, or the client asks the wrong domain).',
  7: 'No account holds the service principal name asked for: the SPN is not registered.',
  8: 'More than one account holds the principal: a duplicate SPN.',
  13: 'The KDC cannot grant the options requested (often harmless, as with a request the KDC answers by a referral; repeated, it means the ticket cannot be issued).',
  14: 'The client and the KDC share no encryption type (RC4 or DES disabled on one side only, or an account without AES keys).',
  18: 'The client account is disabled, locked out or expired.',
  23: 'The password of the account has expired.',
  24: 'Pre-authentication failed: a wrong password (a stale one cached by a service, or a computer account out of sync).',
  32: 'The ticket presented has expired.',
  37: 'The clocks of the client and the KDC differ by more than Kerberos allows (5 minutes by default).',
  41: 'The ticket presented could not be decrypted by the service\'s key: the SPN is registered on another account too, or the account\'s password changed on one side only.',
  52: 'The KDC\'s answer does not fit in UDP: the client must repeat the request over TCP 88.',
  68: 'The request went to the wrong realm (a referral the client did not follow).',
};

/** Steps per Kerberos error code. */
const KRB_STEPS: Readonly<Record<number, string[]>> = {
  37: [
    'Compare the clocks: `w32tm /stripchart /computer:<DC> /samples:3 /dataonly` on the client.',
    'Check the client\'s time source (`w32tm /query /status`: domain members follow the domain hierarchy), then `w32tm /resync`.',
    'On a virtual machine, make sure the host\'s time synchronization does not fight the domain\'s.',
  ],
  7: ['Look the SPN up: `setspn -Q <SPN>`; register it on the service\'s account with `setspn -S <SPN> <account>`.', 'After a fix, clear the client\'s tickets (`klist purge`) and try again.'],
  8: ['Find the duplicates: `setspn -X` (domain) or `setspn -F -Q <SPN>` (forest); remove the extra ones with `setspn -D`.'],
  41: ['Look for the SPN on more than one account: `setspn -F -Q <SPN>`.', 'Repair the computer account\'s secure channel on the service\'s computer: `Test-ComputerSecureChannel -Repair`.', 'Clear the client\'s tickets (`klist purge`) and try again.'],
  6: ['Check that the account exists in the domain the client asks (`Get-ADComputer`, `Get-ADUser`), and that the client asks its own domain\'s DCs.'],
  24: ['Update the password the client uses (a service account\'s stored password, or `Test-ComputerSecureChannel -Repair` for a computer account).'],
  18: ['Enable or unlock the account (`Get-ADUser <name> -Properties Enabled,LockedOut`).'],
  14: ['Align the allowed encryption types (the "Network security: Configure encryption types allowed for Kerberos" policy) on clients, servers and domain controllers; reset the account\'s password to create AES keys.'],
  52: ['Allow TCP 88 from the client to the domain controllers, and check the client\'s own firewall.'],
};

/** "At frame 40 the KDC on dc01 answered ws50's TGS-REQ (frame 39) for MSOMHSvc/scom01@CORP.EXAMPLE with KRB_AP_ERR_SKEW (37)." */
function krbTold(p: KerberosErrorFacts, client: string, server: string): string {
  const req = p.request ?? 'request';
  return `At frame ${p.frame} the KDC on ${server} answered ${client}'s ${req}${p.requestFrame !== null ? ` (frame ${p.requestFrame})` : ''}` +
    `${p.principal !== null ? ` for ${p.principal}${p.realm !== null ? `@${p.realm}` : ''}` : ''} with ${p.name} (${p.code})${p.count > 1 ? `, ${p.count} times in all` : ''}.`;
}

/** The clock difference of a skew error, in words. */
function skewText(p: KerberosErrorFacts): string {
  const d = p.skewSeconds ?? 0;
  const against = p.skewAgainst === 'client-time'
    ? 'the client\'s time, which the KDC copied into the error from the request'
    : 'the capture\'s clock at that frame (the clock of the computer that captured: if that is the client, this is the client\'s clock)';
  return ` The KDC's clock read ${p.serverTime ?? '?'}, ${fmtDuration(Math.abs(d))} ${d >= 0 ? 'ahead of' : 'behind'} ${against}.`;
}

/** What a TLS alert says, by description. */
function tlsMeaning(d: number, from: string, to: string): string {
  switch (d) {
    case 48: return `unknown_ca: ${from} does not trust the certification authority that issued ${to}'s certificate (its root is not in ${from}'s Trusted Root Certification Authorities, or an intermediate is missing).`;
    case 42: case 43: case 46: return `${from} cannot use ${to}'s certificate: a wrong key usage (Server and Client Authentication are both needed), a subject that is not the computer's FQDN, or a certificate without its private key.`;
    case 45: return `${to}'s certificate has expired.`;
    case 44: return `${to}'s certificate has been revoked.`;
    case 40: return `${from} found nothing acceptable: ${to} sent no certificate, or the two share no algorithm.`;
    case 116: return `${from} requires a certificate and ${to} sent none.`;
    case 49: return `${from} refused access after the handshake.`;
    case -1: return 'The alert is encrypted (it came after the handshake), so its reason cannot be read; it ends the connection all the same.';
    default: return `${from} ended the handshake.`;
  }
}

const refusalShort = (r: Refusal): string => (r.kind === 'reset' ? 'RST' : `ICMP ${r.meaning}`);

/** What the rest of the capture says about a server whose port did not answer. */
function contrastText(server: string, port: number, c: Contrast, h: HostText): string {
  const parts: string[] = [];
  if (c.samePortExample !== null) {
    parts.push(` Yet ${c.samePortAnswered} other attempt(s) to ${hostPortText(h, server, port)} in this capture were answered (e.g. from ${h(c.samePortExample.client)}, SYN-ACK frame ${c.samePortExample.synAckFrame}): the server listens, so the drop is specific to these clients or moments (a firewall rule by source address, a route, or a listen queue that was full).`);
  }
  if (c.otherPorts.length === 0 && c.heard !== null) {
    const sent = c.heard.what === 'udp' ? `sent UDP from port ${c.heard.port ?? '?'} (frame ${c.heard.frame})` : `answered a ping (echo reply, frame ${c.heard.frame})`;
    parts.push(` ${h(server)} ${sent}: it is up and reachable, so TCP ${port} is dropped on the way or by its own firewall${c.samePortExample !== null ? ' for these clients' : ''}.`);
  }
  if (c.otherPorts.length > 0) {
    parts.push(` ${h(server)} answers on other ports (TCP ${c.otherPorts.join(', ')}; SYN-ACK frame ${c.otherPortsFrame ?? '?'}): it is up and reachable, and only TCP ${port} is dropped on the way or by its own firewall.`);
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

  ADVERTISED_PORT_NOT_ATTEMPTED: (f, h) => {
    const { advertised: a, observedSeconds } = f.params;
    const t = told(a, h);
    return {
      title: `${h(a.server)} advertised TCP ${a.port} (${t.iface}); no attempt from ${h(a.client)} to it follows`,
      explanation: `${t.said} (${t.range}). No SYN from ${h(a.client)} to ${hostPortText(h, a.server, a.port)} appears after it; the capture goes on for ${fmtS(observedSeconds)} after the last answer. ` +
        'If this capture was taken at the server, the client\'s SYNs never arrived: something on the way drops them. If it was taken at the client, the client did not try (it may have used another transport, such as a named pipe over SMB, or the capture ended too soon).',
      remediation: [
        `Capture at ${h(a.client)} and ${h(a.server)} at the same time to see whether SYNs to TCP ${a.port} leave the client.`,
        `Check firewalls between ${h(a.client)} and ${h(a.server)} for TCP ${a.port}${a.inRange ? '' : ` (outside ${t.ranges})`}.`,
      ],
      displayFilter: t.filter,
    };
  },

  RPC_PORT_REFUSED: (f, h) => {
    const { advertised: a, story, refusal: r } = f.params;
    const t = told(a, h);
    const how = r.kind === 'reset'
      ? `${h(a.server)} answered with RST (frame ${r.frame}): nothing listens on TCP ${a.port} any more, or a firewall rejects with a reset`
      : `an ICMP ${r.meaning} message from ${h(r.from)} (frame ${r.frame}, type ${r.type} code ${r.code}) refused it${r.from !== a.server ? ': a router or firewall on the way, not the server, rejected it' : ''}`;
    return {
      title: `TCP ${a.port} on ${h(a.server)} (${t.iface}, advertised) refused: ${refusalShort(r)}`,
      explanation: `${t.said} (${t.range}). The client's connection attempt (${synStory(story)}) was refused: ${how}.`,
      remediation: r.kind === 'reset'
        ? [`On ${h(a.server)}, check that the service behind ${t.iface} is running and listening: \`netstat -ano | findstr :${a.port}\`.`, `If it listens, look for a firewall that rejects TCP ${a.port} with a reset.`]
        : [`Find the device at ${h(r.from)} and allow TCP ${a.port} from ${h(a.client)} to ${h(a.server)}${a.inRange ? ` (the dynamic RPC range ${t.ranges})` : ''}.`],
      displayFilter: r.kind === 'icmp' ? `${t.filter} || (icmp || icmpv6)` : t.filter,
    };
  },

  HANDSHAKE_NOT_COMPLETED: (f, h) => {
    const { client, server, port } = who(f);
    const p = f.params;
    return {
      title: `${hostPortText(h, server, port)} answered ${h(client)} with SYN-ACK, but the handshake never completed`,
      explanation: `${h(client)} sent SYN (frame ${p.synFrame}) and ${h(server)} answered with ${p.synAckCount} SYN-ACK(s) (frames ${p.synAckFrames.join(', ')}), but the client never sent the final ACK${p.retransmissions > 0 ? ` and kept retransmitting its SYN (${p.retransmissions} time(s))` : ''}. The SYN-ACK does not reach the client: asymmetric routing, or a stateful firewall on the return path that drops it.`,
      remediation: [`Check the return path from ${h(server)} to ${h(client)}: routes, and stateful firewalls that saw only one direction.`, `Capture at ${h(client)} to confirm the SYN-ACK never arrives.`],
      displayFilter: convFilter(client, server, p.filterPorts),
    };
  },

  CONNECTION_UNANSWERED: (f, h) => {
    const p = f.params;
    const { client, server, port } = who(f);
    if (p.kind === 'capture-ended') {
      const lead = p.advertised === null ? '' : (() => { const t = told(p.advertised, h); return `${t.said} (${t.range}). `; })();
      return {
        title: `TCP ${port} on ${h(server)}: the capture ends ${fmtS(p.observedSeconds)} after ${h(client)}'s SYN, before any answer`,
        explanation: `${lead}${h(client)} sent a SYN to ${hostPortText(h, server, port)} (frame ${p.synFrame}) and the capture ended ${fmtS(p.observedSeconds)} later, before Windows would even retransmit it (after 3 s). rpctrace cannot tell whether it would have been answered.`,
        remediation: ['Capture for at least 30 s after the failing operation starts.'],
        displayFilter: convFilter(client, server, [port]),
      };
    }
    if (p.kind === 'capture-ended-many') {
      return {
        title: `${p.count} connection attempt(s) were still unanswered when the capture ended`,
        explanation: `These SYNs came less than 3 s before the end of the capture, before a Windows client would even retransmit, so rpctrace cannot tell whether they would have been answered: ${p.attempts.map((a) => `${h(a.client)} -> ${hostPortText(h, a.server, a.port)} (frame ${a.synFrame})`).join(', ')}${p.count > p.attempts.length ? ', ...' : ''}.`,
        remediation: ['Capture for at least 30 s after the failing operation starts.'],
        displayFilter: 'tcp.flags.syn==1 && tcp.flags.ack==0',
      };
    }
    const clients = clientList(p.clients.map(h), p.clientCount);
    const c = p.contrast;
    const why = c.samePortExample === null && c.otherPorts.length === 0 && c.heard === null ? `: the server is down or a firewall silently drops TCP ${port}.` : '.';
    return {
      title: `TCP ${port} on ${h(server)}: ${p.story.attemptCount} connection attempt(s) from ${p.clientCount === 1 ? h(p.clients[0]!) : `${p.clientCount} clients`} unanswered`,
      explanation: `${synStory(p.story)} No SYN-ACK, RST or ICMP came back${why}${contrastText(server, port, c, h)}${KNOWN_PORTS[port] ?? ''}`,
      remediation: [`Check that ${h(server)} is reachable and listens on TCP ${port}, and that firewalls allow it from ${clients}.`],
      displayFilter: p.clientCount === 1 ? convFilter(p.clients[0]!, server, [port]) : `${ipField(server)}==${server} && tcp.port==${port}`,
    };
  },

  CONNECTION_REFUSED: (f, h) => {
    const p = f.params;
    const { server } = who(f);
    const r = p.refusal;
    const target = p.ports === null ? `TCP ${f.port ?? '?'} on ${h(server)}` : `${p.ports.count} TCP ports of ${h(server)}`;
    const who2 = p.clientCount === 1 ? h(p.clients[0]!) : `${p.clientCount} clients`;
    const how = r.kind === 'reset'
      ? `${h(server)} answered with RST (frame ${r.frame}): nothing listens there, or a firewall rejects with a reset`
      : `an ICMP ${r.meaning} message from ${h(r.from)} (frame ${r.frame}, type ${r.type} code ${r.code})${r.from !== server ? ' refused it: a router or firewall on the way, not the server, rejected it' : ' refused it'}`;
    const scan = p.ports === null ? '' : ` The refused ports include ${p.ports.first.join(', ')}${p.ports.count > p.ports.first.length ? ', ...' : ''}: so many refusals from one server in one capture usually mean a port scan.`;
    const filter = p.clientCount === 1 ? convFilter(p.clients[0]!, server, p.ports === null ? [f.port ?? 0] : []) : `${ipField(server)}==${server}${p.ports === null ? ` && tcp.port==${f.port ?? 0}` : ''}`;
    return {
      title: `${target}: ${p.story.attemptCount} connection attempt(s) from ${who2} refused (${refusalShort(r)})`,
      explanation: `${synStory(p.story)} The last attempt was refused: ${how}.${scan}${p.ports === null ? KNOWN_PORTS[f.port ?? 0] ?? '' : ''}`,
      remediation: r.kind === 'reset'
        ? [`On ${h(server)}, check that the service listens: \`netstat -ano | findstr :${f.port ?? '<port>'}\`; start it, or point ${clientList(p.clients.map(h), p.clientCount)} at the right port.`, 'If it listens, look for a firewall that rejects the port with a reset (compare the reset\'s TTL and MAC address with the server\'s other packets).']
        : [`Find the device at ${h(r.from)} and allow the port from ${clientList(p.clients.map(h), p.clientCount)} to ${h(server)}.`],
      displayFilter: r.kind === 'icmp' ? `${filter} || (icmp || icmpv6)` : filter,
    };
  },

  ENDPOINT_NOT_REGISTERED: (f, h) => {
    const { client, server } = who(f);
    const p = f.params;
    const name = p.interfaceUuid !== null ? `${p.interfaceName ?? 'interface'} (${p.interfaceUuid})` : 'the requested interface';
    const got = p.status === EPT_S_NOT_REGISTERED
      ? `EPT_S_NOT_REGISTERED (0x16c9a0d6): no endpoint is registered for it. The service that provides the interface is not running on ${h(server)}, or it does not listen on TCP.`
      : p.status !== 0 ? `status ${hex8(p.status)} and no endpoint.` : 'no TCP endpoint (the interface may be registered only on named pipes or local RPC).';
    return {
      title: `The endpoint mapper on ${h(server)} has no TCP endpoint for ${name}`,
      explanation: `At frame ${p.frame} ${h(client)} asked the endpoint mapper on ${h(server)} (${p.operation}) where ${name} listens, and got ${got}` +
        ' The client cannot connect and reports "There are no more endpoints available from the endpoint mapper" (1753, 0x6d9) or "The RPC server is unavailable".',
      remediation: [`On ${h(server)}, start the service that provides ${name} and check it registers ncacn_ip_tcp (e.g. \`portqry -n ${server} -e 135\` lists the registered endpoints).`],
      displayFilter: `${convFilter(client, server, [135])} && dcerpc`,
    };
  },

  EPM_UNREACHABLE: (f, h) => {
    const { client, server } = who(f);
    const { story } = f.params;
    return {
      title: `The endpoint mapper on ${h(server)} (TCP 135) does not answer ${h(client)}: ${story.synCount} SYN(s) unanswered`,
      explanation: `${h(client)} tried to reach the endpoint mapper on ${h(server)}: ${synStory(story)} Nothing answered: no SYN-ACK, no RST, no ICMP. Every RPC client first asks TCP 135 which port to use, so no RPC over TCP to ${h(server)} can work from this client ("The RPC server is unavailable", 0x800706BA).`,
      remediation: [`Allow TCP 135 from ${h(client)} to ${h(server)} on every firewall between them (and in ${h(server)}'s own firewall).`, `Check that ${h(server)} is up and that the RPC service (RpcSs) runs.`],
      displayFilter: convFilter(client, server, [135]),
    };
  },

  EPM_REFUSED: (f, h) => {
    const { client, server } = who(f);
    const { story, refusal: r } = f.params;
    return {
      title: `The endpoint mapper on ${h(server)} (TCP 135) refused ${h(client)}: ${r.kind === 'reset' ? 'RST' : `ICMP ${r.meaning} from ${h(r.from)}`}`,
      explanation: `${h(client)} tried to reach the endpoint mapper on ${h(server)} (${synStory(story)}) and was refused ${r.kind === 'reset' ? `with a reset (frame ${r.frame}): nothing listens on TCP 135, or a firewall rejects it` : `by ICMP ${r.meaning} from ${h(r.from)} (frame ${r.frame})`}.`,
      remediation: [`Allow TCP 135 from ${h(client)} to ${h(server)}.`, `Check that the RPC service (RpcSs) runs on ${h(server)}.`],
      displayFilter: convFilter(client, server, [135]),
    };
  },

  INFERRED_RPC_PORT_BLOCKED: (f, h) => {
    const { client, server, port } = who(f);
    const p = f.params;
    const ranges = rangesOf(p.dynamicRanges);
    return {
      title: `Probably an RPC dynamic port: TCP ${port} on ${h(server)} ${p.refused ? 'refused' : 'unanswered'} right after an endpoint-mapper session`,
      explanation: `Inferred, not read from an RPC answer: ${h(client)} had a session with the endpoint mapper on ${h(server)} (TCP 135, SYN frame ${p.epmSynFrame}) and ${fmtS(p.delaySeconds)} later tried TCP ${port} on the same server: ${synStory(p.story)} ` +
        `${p.refused ? 'It was refused.' : 'No answer came back.'} This is the shape of an RPC client following an endpoint-mapper answer to a blocked dynamic port, but the answer itself is not visible in the capture (it started late, the snaplen cut the payload, or the RPC traffic is encrypted), so rpctrace cannot confirm that ${port} is the advertised port. ` +
        (p.inRange ? `TCP ${port} is inside ${ranges}.` : `TCP ${port} is outside ${ranges}. ${hintText(p.hints)}`),
      remediation: [
        'Capture again with full packets (no snaplen) from before the client contacts TCP 135, to see the endpoint mapper\'s answer.',
        ...blockedSteps(h(server), port, p.inRange, ranges, p.steps),
      ],
      displayFilter: convFilter(client, server, [135, port]),
    };
  },

  ONE_SIDED_CAPTURE: (f, h) => {
    const { client: sender, server: other } = who(f);
    const [x, y] = sender < other ? [sender, other] : [other, sender];
    return {
      title: `Only one direction between ${h(sender)} and ${h(other)} is in the capture`,
      explanation: `${h(sender)} sends data to ${h(other)} (frames ${f.evidence.slice(0, 5).map((e) => e.frame).join(', ')}), so answers must exist, yet the capture holds no packet at all in the other direction. The capture saw one direction only (asymmetric routing past the capture point, a one-way span port, or a capture filter), so rpctrace does not call unanswered SYNs between these hosts dropped.`,
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
    const { copies, example, forwarded, forwardedExample: fx } = f.params;
    const local = copies - forwarded;
    const checked = 'rpctrace checks only SYN, FIN, RST and ICMP frames, whose repetition could change a verdict, so the data and ACK frames of this capture are probably repeated too. Each checked packet was counted once, so copies are not mistaken for retransmissions.';
    const forwarding = fx === null ? '' : `${forwarded === copies ? 'They' : `${forwarded} of them`} reappear with the TTL (or hop limit) one lower (e.g. frame ${fx[0]} repeats ${fx[1]}): forwarding copies. The capture was taken on a router or firewall that recorded each packet it forwarded on both of its interfaces, once as it came in and once as it went out. `;
    const atOnePoint = local === 0 ? '' : `${fx === null ? 'They were' : `The other ${local} were`} recorded twice at the same point (e.g. frame ${example[0]} repeats ${example[1]}): pktmon writes one copy per network component a packet crosses, and span ports can mirror a packet twice. `;
    return {
      title: forwarded === copies
        ? `Forwarded packets were captured on both sides of a router or firewall: ${copies} SYN/FIN/RST/ICMP frame(s) are forwarding copies; ignored`
        : `The same packets were captured more than once: ${copies} SYN/FIN/RST/ICMP frame(s) are copies${forwarded > 0 ? ` (${forwarded} forwarding copies)` : ''}; ignored`,
      explanation: `${copies} SYN, FIN, RST or ICMP frame(s) repeat an earlier frame within 10 ms with the same ${fx === null ? 'IP identification, addresses and header' : 'addresses and header'}. ${forwarding}${atOnePoint}${checked}`,
      remediation: [
        ...(local > 0 ? ['With pktmon, filter to one component (`pktmon start --capture --comp nics`) to record each packet once.'] : []),
        ...(forwarded > 0 ? ['Nothing to change for the verdicts. To look at one side of the device, filter on its interface in Wireshark (`frame.interface_id == 0`), or capture on one interface; a packet that shows on one side only was stopped by the device.'] : []),
      ],
      displayFilter: 'tcp.analysis.duplicate_ack || tcp.analysis.retransmission',
    };
  },

  CONTROL_PACKETS_ONLY: (f) => ({
    title: 'The capture holds only TCP control packets (no payload)',
    explanation: `None of the ${f.params.tcpSegments} TCP segments carries payload although ${f.params.established} connection(s) were established: either the capture was filtered to SYN/FIN/RST packets, or the connections carried no data (a port scan). Handshake outcomes are exact, but endpoint-mapper answers are invisible, so any verdict about advertised ports is inferred.`,
    remediation: ['Capture without a TCP-flags filter to see the endpoint-mapper answers on TCP 135.'],
    displayFilter: 'tcp.len > 0',
  }),

  RPC_FAULT: (f, h) => {
    const { client, server, port } = who(f);
    const p = f.params;
    const iface = p.interfaceUuid !== null ? p.interfaceName ?? p.interfaceUuid : 'an unknown interface';
    const meaning = statusMeaning(p.status);
    return {
      title: `${hostPortText(h, server, port)} answered ${p.calls} call(s) from ${h(client)} with fault ${statusName(p.status)}`,
      explanation: `The server rejected a call to ${iface}${p.opnum !== null ? ` (opnum ${p.opnum})` : ''} with fault ${statusName(p.status)} (frame ${p.frame})${meaning !== null ? `: ${meaning}` : ''}. The connection works; the call itself failed.`,
      remediation: [`Look up the status: \`certutil -error ${hex8(p.status)}\`; check the client and server versions and permissions.`],
      displayFilter: `${convFilter(client, server, [port])} && dcerpc.pkt_type == 3`,
    };
  },

  RPC_BIND_REJECTED: (f, h) => {
    const { client, server, port } = who(f);
    const p = f.params;
    const iface = p.interfaceUuid !== null ? `${p.interfaceName ?? 'interface'} (${p.interfaceUuid})` : 'the interface asked for (the bind is not in the capture)';
    const what = p.kind === 'nak' ? `a bind_nak, reason ${p.reasonName} (${p.reason})`
      : p.kind === 'contexts' ? `a ${p.alter ? 'alter_context_resp' : 'bind_ack'} that accepted no interface, reason ${p.reasonName} (${p.reason})`
      : `a ${p.kind === 'reset' ? 'RST' : 'FIN'} from its side instead of an answer`;
    const pdu = p.alter ? 'an alter_context' : 'a bind';
    const more = p.binds > 1 ? ` ${p.binds} ${p.alter ? 'alter_contexts' : 'binds'} were refused this way.` : '';
    const scan = p.interfaces >= BIND_SCAN_INTERFACES ? ` ${p.interfaces} different interfaces were refused to this client: that is what an interface scanner (rpcdump, nmap) does, not an application failing.` : '';
    const fallback = p.alter && p.interfaces < BIND_SCAN_INTERFACES ? ' The refusal came on a connection already bound: a client may fall back to another interface, so check whether its calls go on.' : '';
    return {
      title: `${hostPortText(h, server, port)} refused ${pdu} from ${h(client)} to ${p.interfaceName ?? p.interfaceUuid ?? 'an interface'}: ${p.reasonName}`,
      explanation: `The TCP connection from ${h(client)} to ${hostPortText(h, server, port)} works, but at frame ${p.frame} the server ${p.kind === 'reset' || p.kind === 'closed' ? 'met' : 'answered'} ${pdu}${p.bindFrame !== null ? ` (frame ${p.bindFrame})` : ''} for ${iface} with ${what}: ${bindReasonText(p.kind, p.reason)}${more}${scan}${fallback}`,
      remediation: bindReasonSteps(p.kind, p.reason, server, port),
      displayFilter: p.kind === 'reset' || p.kind === 'closed'
        ? `${convFilter(client, server, [port])} && (dcerpc.pkt_type in {11, 14} || tcp.flags.reset == 1 || tcp.flags.fin == 1)`
        : `${convFilter(client, server, [port])} && dcerpc.pkt_type in {11, 12, 13, 14, 15}`,
    };
  },

  TOWER_ADDRESS_MISMATCH: (f, h) => {
    const { server, port } = who(f);
    const p = f.params;
    if (p.kind === 'tower') {
      // Read from the answer's bytes: shown with any control character escaped (visible.ts).
      const adv = visible(p.advertisedHost);
      return {
        title: `${h(server)} advertised ${adv}:${port}, an address other than the one the client used`,
        explanation: `At frame ${p.frame} the endpoint mapper on ${h(server)} answered with a tower for ${adv}:${port}. The client reached the server as ${h(server)}: the server is multi-homed or behind NAT. Windows clients connect to the address they already use, so this usually works, but firewall rules written for ${adv} do not cover ${server}.`,
        remediation: [`Make sure firewall rules for the dynamic port cover ${server} as well as ${adv}.`],
        displayFilter: `frame.number == ${p.frame}`,
      };
    }
    return {
      title: `${hostPortText(h, server, port)} says in its bind_ack that it listens on port ${p.listenPort}`,
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
    const from = p.fromFrame;
    const budget = `the memory budget (${thousands(p.budgetMiB)} MiB of state, \`--memory-budget\`)`;
    const kept = 'Verdicts about the state that was kept are unaffected.';
    const remediation = [...FINDING_CATALOG.STATE_LIMIT_REACHED.remediation];
    switch (p.kind) {
      case 'attempts':
        return {
          title: `More than ${thousands(p.trackedAttempts)} connection attempts: ${thousands(p.untrackedSyns)} further SYN(s) counted, not tracked`,
          explanation: `rpctrace tracked ${thousands(p.maxAttempts)} connection attempts within ${budget}. From frame ${from} on, ${thousands(p.untrackedSyns)} SYN(s) opened no tracked attempt. Their outcome is unknown; verdicts about the tracked attempts are unaffected. Untracked SYNs by destination port: ${p.topPorts.map(([port, n]) => `${port}: ${thousands(n)}`).join(', ')}. So many attempts usually mean a SYN flood or a port scan.`,
          remediation, displayFilter: `tcp.flags.syn==1 && tcp.flags.ack==0 && frame.number >= ${from}`,
        };
      case 'conversations':
        return {
          title: `More than ${thousands(p.maxConversations)} TCP conversations: ${thousands(p.untrackedPackets)} packet(s) of further conversations counted, not analyzed`,
          explanation: `rpctrace tracked ${thousands(p.maxConversations)} TCP conversations within ${budget}. From frame ${from} on, ${thousands(p.untrackedPackets)} TCP packet(s) belonged to conversations that did not fit: they are counted in the summary, and nothing is concluded about them. ${kept}`,
          remediation, displayFilter: `tcp && frame.number >= ${from}`,
        };
      case 'dcerpc':
        return {
          title: `DCE/RPC state of ${thousands(p.released + p.notKept)} conversation(s) released or not kept to stay within the memory budget`,
          explanation: `To stay within ${budget}, rpctrace released the DCE/RPC state of ${thousands(p.released)} conversation(s) and did not keep it for ${thousands(p.notKept)} more, from frame ${from} on: first those that never produced a valid PDU, then those idle for a while. Endpoint mapper and DCOM answers that came later on those conversations were not read. ${kept} So many RPC conversations at once usually mean a scan of port 135 or traffic that only looks like DCE/RPC.`,
          remediation, displayFilter: `dcerpc && frame.number >= ${from}`,
        };
      case 'stream-buffers':
        return {
          title: `${thousands(p.notKept)} byte(s) of TCP streams not reassembled to stay within the memory budget`,
          explanation: `To stay within ${budget}, rpctrace did not buffer ${thousands(p.notKept)} byte(s) of DCE/RPC streams waiting to complete a PDU, from frame ${from} on; the streams went on after them, as after a gap in the capture. A PDU those bytes belonged to was not read. ${kept}`,
          remediation, displayFilter: `dcerpc && frame.number >= ${from}`,
        };
      case 'ip-fragments':
        return {
          title: `${thousands(p.released + p.notKept)} incomplete IP datagram(s) given up to make room for newer fragments`,
          explanation: `rpctrace waits for the fragments of at most 256 IP datagrams at a time, within ${budget}. From frame ${from} on, ${thousands(p.released + p.notKept)} datagram(s) still incomplete were given up, the stalest first; a later fragment of one of them completes nothing. Many first fragments never completed usually mean a fragment flood, or a capture that misses one direction's fragments. ${kept}`,
          remediation, displayFilter: `(ip.flags.mf==1 || ip.frag_offset > 0) && frame.number >= ${from}`,
        };
      case 'endpoints':
        return {
          title: `${thousands(p.notKept)} endpoint mapper or DCOM answer(s) not kept to stay within the memory budget`,
          explanation: `rpctrace keeps the endpoints the endpoint mapper and DCOM advertise, and their other answers (errors, faults, bind_acks), within ${budget}. From frame ${from} on, ${thousands(p.notKept)} answer(s) were read but not kept: no verdict follows them. ${kept}`,
          remediation, displayFilter: `(epm || dcerpc.pkt_type == 2 || dcerpc.pkt_type == 3) && frame.number >= ${from}`,
        };
      case 'one-sided-pairs':
        return {
          title: `${thousands(p.notKept)} further host pair(s) seen one way only not kept to stay within the memory budget`,
          explanation: `rpctrace looks, after the last frame, for host pairs the capture saw one way only (data from one side, nothing back), within ${budget}. Past what that holds, ${thousands(p.notKept)} more pair(s), from frame ${from} on, were not kept: a one-way capture between those hosts is not reported, and their unanswered attempts are judged as if the capture could show answers. So many one-way hosts usually mean a scan, a flood, or a capture of one direction only.`,
          remediation, displayFilter: `tcp && frame.number >= ${from}`,
        };
      case 'findings':
        return {
          title: `${thousands(p.notKept)} further finding(s) not listed to stay within the memory budget`,
          explanation: `The report lists the findings that fit ${budget}, most severe first; ${thousands(p.notKept)} more were found but are not listed (the first of them cites frame ${from}). Cut the capture to the hosts of interest to see them.`,
          remediation, displayFilter: `frame.number >= ${from}`,
        };
    }
  },
  REQUIRED_PORT_BLOCKED: (f, h) => {
    const { client, server, port } = who(f);
    const p = f.params;
    const udp = f.protocol === 'udp';
    const P = udp ? 'UDP' : 'TCP';
    let what: string;
    let how: string;
    if (p.requests !== null) {
      what = `${p.requests.requests} request(s) unanswered`;
      how = `${capital(rolePrefix(p.clientRole))}${h(client)} sent ${requestsText(p.requests)} to UDP ${port} on ${rolePrefix(p.serverRole)}${h(server)}, and none was answered; the capture goes on ${fmtS(p.requests.lastObservedSeconds)} after the last.`;
    } else {
      const r = p.refusal;
      what = p.how === 'reset' ? 'refused with RST' : p.how === 'icmp-refused' && r?.kind === 'icmp' ? `refused by ICMP ${r.meaning}` : `${p.story?.synCount ?? 0} SYN(s) unanswered`;
      const tried = `${capital(rolePrefix(p.clientRole))}${h(client)} tried to connect to TCP ${port} on ${rolePrefix(p.serverRole)}${h(server)}: ${p.story !== null ? synStory(p.story) : ''}`;
      how = r === null
        ? `${tried} None was answered: no SYN-ACK, no RST, no ICMP message. Something on the way drops TCP ${port} silently.`
        : r.kind === 'reset'
          ? `${tried} ${h(server)} answered with a reset (frame ${r.frame}): nothing listens on TCP ${port}, or a firewall rejects it.`
          : `${tried} An ICMP ${r.meaning} message from ${h(r.from)} (frame ${r.frame}) refused it${r.from !== server ? ': a router or firewall on the way rejected it' : ''}.`;
    }
    const context = p.context.map((c) => (c.kind === 'answered-elsewhere'
      ? ` ${c.protocol.toUpperCase()} ${c.port} to the same server answered ${c.seconds >= 0 ? `${fmtMs(c.seconds)} earlier` : `${fmtMs(-c.seconds)} later`} (frame ${c.frame}), so ${h(server)} is up and only ${P} ${port} is filtered.`
      : ` The KDC answered over UDP ${fmtMs(c.seconds)} earlier (frame ${c.frame}) with KRB_ERR_RESPONSE_TOO_BIG: ${h(server)} is up, its answer does not fit in UDP, so the client needs TCP 88, and TCP 88 is blocked.`)).join('');
    return {
      title: `${P} ${port} from ${h(client)} to ${h(server)} is blocked: ${what}`,
      explanation: `${how}${context} ${NEED_TEXT[p.need]}`.trimEnd(),
      remediation: [
        udp ? `From ${h(client)}, test it: \`portqry -n ${server} -p udp -e ${port}\`.` : `From ${h(client)}, test it: \`Test-NetConnection ${server} -Port ${port}\`.`,
        `Allow ${P} ${port} from ${h(client)} to ${h(server)} on every firewall between them and in ${h(server)}'s Windows Firewall.`,
        ...NEED_STEPS[p.need].map((s) => s.replaceAll('<server>', h(server))),
      ],
      // Parenthesised: \`a && b || c\` would show every ICMP message of the capture.
      displayFilter: p.refusal?.kind === 'icmp'
        ? `${hostsFilter(client, server)} && (${udp ? 'udp' : 'tcp'}.port==${port} || icmp || icmpv6)`
        : `${hostsFilter(client, server)} && ${udp ? 'udp' : 'tcp'}.port==${port}`,
    };
  },

  UDP_NO_RESPONSE: (f, h) => {
    const { client, server, port } = who(f);
    const p = f.params;
    const app = APP_NAMES[p.app];
    const stray = p.stray === null ? '' : ` Answers with the requests' id and client port came from ${h(p.stray.from)} (frame${p.stray.frames.length === 1 ? '' : 's'} ${abbrev(p.stray.frames)}), not from ${h(server)}: they do not answer the requests, and the client drops them too (a multi-homed server answering from another address, or NAT on the path).`;
    return {
      title: `${app} on ${h(server)} does not answer ${h(client)}: ${p.requests.requests} request(s) unanswered`,
      explanation: `${h(client)} sent ${app} on ${h(server)} (UDP ${port}) ${requestsText(p.requests)}, and no answer came from it; the capture goes on ${fmtS(p.requests.lastObservedSeconds)} after the last.${stray} ${APP_CONSEQUENCE[p.app]} The cause is not in the capture: a firewall that drops UDP ${port}, a server that is down, or a service that does not run on it.`,
      remediation: [...APP_STEPS[p.app].map((s) => s.replaceAll('<server>', server)), `Check that firewalls allow UDP ${port} from ${h(client)} to ${h(server)}.`],
      displayFilter: p.stray === null ? `${hostsFilter(client, server)} && udp.port==${port}` : `(${hostsFilter(client, server)} && udp.port==${port}) || (${hostsFilter(client, p.stray.from)} && udp.port==${port})`,
    };
  },

  DNS_FAILURE: (f, h) => {
    const { client, server } = who(f);
    const p = f.params;
    return {
      title: `${h(server)} answered ${p.rcodeName} for ${p.qtype} ${p.qname}${p.count > 1 ? ` (${p.count} times)` : ''}`,
      explanation: `At frame ${p.frame} the DNS server ${h(server)} answered ${h(client)}'s query for ${p.qtype} ${p.qname}${p.requestFrame !== null ? ` (frame ${p.requestFrame})` : ''} with ${p.rcodeName} (${p.rcode}): ${RCODE_MEANING[p.rcodeName] ?? 'the query failed'}. ${dnsNeed(p.need, p.qname)}`,
      remediation: [
        `Ask the same server: \`nslookup -type=${p.qtype} ${p.qname} ${server}\`.`,
        `On ${h(client)}, check the DNS servers (\`ipconfig /all\`): they must be DNS servers that hold or forward the Active Directory zone.`,
        ...(p.need === 'management-server' ? ['On the management server, register its name again (`ipconfig /registerdns`) and check its A record in the zone.']
          : p.need === 'domain-controller' ? ['On that domain controller, `ipconfig /registerdns`, and check its A record in the zone.']
            : ['On the domain controllers, register the locator records again (`nltest /dsregdns`, or restart the Netlogon service), then `dcdiag /test:dns`.']),
      ],
      displayFilter: `dns.qry.name == "${p.qname}" && dns.flags.rcode == ${p.rcode}`,
    };
  },

  KERBEROS_ERROR: (f, h) => {
    const { client, server } = who(f);
    const p = f.params;
    const skew = p.skewSeconds !== null ? skewText(p) : '';
    return {
      title: p.noTcpFollowUp
        ? `The KDC ${h(server)} told ${h(client)} to use TCP 88 (KRB_ERR_RESPONSE_TOO_BIG); no TCP 88 attempt follows`
        : `The KDC ${h(server)} answered ${h(client)}${p.principal !== null ? ` for ${p.principal}` : ''} with ${p.name}${p.skewSeconds !== null ? `: clocks ${fmtDuration(Math.abs(p.skewSeconds))} apart` : ''}`,
      explanation: `${krbTold(p, h(client), h(server))} ${KRB_MEANING[p.code] ?? 'The KDC refused the request.'}${skew}` +
        (p.noTcpFollowUp ? ' No TCP 88 attempt from the client follows in the capture: its own firewall stops it, or the capture ended before it.' : '') +
        ' On an Operations Manager agent a Kerberos failure shows as event 20057 ("Failed to initialize security context for target MSOMHSvc/<server>").',
      remediation: KRB_STEPS[p.code] ?? ['Look the error up (RFC 4120 §7.5.9) and read the System log of the KDC and of the client at the time of the error.', 'After a fix, clear the client\'s tickets (`klist purge`) and try again.'],
      displayFilter: `kerberos.error_code == ${p.code} && ${ipField(server)}==${server}`,
    };
  },

  AGENT_SPN_ERROR: (f, h) => {
    const { client, server } = who(f);
    const p = f.params;
    const spn = p.principal ?? `MSOMHSvc/${p.host}`;
    return {
      title: `Kerberos rejects ${spn}, the management server's SPN: ${p.name}`,
      explanation: `${krbTold(p, h(client), h(server))} ${KRB_MEANING[p.code] ?? ''} MSOMHSvc/<server> is the Health Service's service principal name, registered on the management server's computer account; the agent asks Kerberos for a ticket to it to authenticate ${p.host}. Without the ticket the agent logs event 21001 ("could not connect to MSOMHSvc/${p.host} because mutual authentication failed. Verify the SPN is properly registered on the server") and 20057.`,
      remediation: [
        `Look the SPN up: \`setspn -Q ${spn}\`; find duplicates across the forest: \`setspn -F -Q ${spn}\`, and remove the extra ones with \`setspn -D\`.`,
        `Register it on the management server's computer account: \`setspn -S ${spn} <server>\`, and MSOMHSvc/<NetBIOS name> too.`,
        `On ${h(client)}, purge the computer's tickets (\`klist -li 0x3e7 purge\`) and restart the Health Service.`,
      ],
      displayFilter: `kerberos.error_code == ${p.code} && kerberos.SNameString == "MSOMHSvc"`,
    };
  },

  HEARTBEAT_GAP: (f, h) => {
    const { client: agent, server } = who(f);
    const p = f.params;
    const T = p.transport.toUpperCase();
    const until = p.toFrame !== null ? `, until frame ${p.toFrame}` : p.captureEndFrame !== null ? `, to the end of the capture (frame ${p.captureEndFrame})` : '';
    const rhythm = p.rhythmSeconds !== null && p.intervalSeconds !== p.configuredIntervalSeconds
      ? ` The agent's own rhythm is one transmission every ${fmtS(p.rhythmSeconds)}, longer than the configured ${fmtS(p.configuredIntervalSeconds)}: it is judged against that.`
      : '';
    return {
      title: `No heartbeat from ${h(agent)} to ${h(server)} for ${fmtDuration(p.silenceSeconds)}: ${p.missed} heartbeat(s) missed`,
      explanation: `${h(agent)} sent ${p.transmissions} transmission(s) to its management server ${h(server)} on ${T} 5723. After frame ${p.fromFrame} nothing came for ${fmtDuration(p.silenceSeconds)}${until}: ${p.missed} heartbeats at one every ${fmtS(p.intervalSeconds)}, more than the ${p.threshold} the server lets an agent miss before it raises "Health Service Heartbeat Failure".${rhythm} That the transmissions are heartbeats is inferred: their content is encrypted. A capture taken at the server cannot tell an agent that sent nothing from packets lost on the way.`,
      remediation: [
        `On ${h(agent)}: is the Health Service running (\`Get-Service HealthService\`)? Read the Operations Manager event log around the silence (events 21006, 20057, 20070, 21001).`,
        `From ${h(server)}, test the path: \`Test-NetConnection ${agent}\`; from ${h(agent)}: \`Test-NetConnection ${server} -Port 5723\`.`,
        'If the agent is configured for another heartbeat interval, run rpctrace with --heartbeat-interval set to it.',
      ],
      displayFilter: `${hostsFilter(agent, server)} && ${p.transport}.port==5723`,
    };
  },

  AGENT_UNREACHABLE: (f, h) => {
    const { client: agent, server } = who(f);
    const p = f.params;
    return {
      title: `${h(agent)} does not answer ${h(server)}'s ping during the heartbeat silence: ${p.requests} echo request(s) unanswered`,
      explanation: `${h(agent)}'s transmissions to ${h(server)} stopped after frame ${p.silenceFromFrame} (${fmtDuration(p.silenceSeconds)} of silence, see HEARTBEAT_GAP). During the silence ${h(server)} pinged it: ${p.requests} ICMP echo request(s) from frame ${p.firstRequestFrame} on, and no echo reply came back. Operations Manager raises both "Health Service Heartbeat Failure" and "Failed to Connect to Computer": the computer cannot be reached (it is off or disconnected, the path is broken, or a firewall drops ICMP echo as well).`,
      remediation: [
        `Check that ${h(agent)} is running and connected (console, hypervisor, network).`,
        `From ${h(server)}: \`Test-NetConnection ${agent}\` and \`tracert ${agent}\`; check the route and the firewalls between them.`,
        `If the computer is up, allow ICMP echo to it from the management servers (the "File and Printer Sharing (Echo Request - ICMPv4-In)" rule) and look at its Health Service.`,
      ],
      displayFilter: `${hostsFilter(agent, server)} && (icmp || icmpv6)`,
    };
  },

  AGENT_REACHABLE_NO_HEARTBEAT: (f, h) => {
    const { client: agent, server } = who(f);
    const p = f.params;
    return {
      title: `${h(agent)} answers ${h(server)}'s ping but sends no heartbeats: its Health Service has a problem`,
      explanation: `${h(agent)}'s transmissions to ${h(server)} stopped after frame ${p.silenceFromFrame} (${fmtDuration(p.silenceSeconds)} of silence, see HEARTBEAT_GAP). During the silence ${h(server)} pinged it ${p.requests} time(s) and got ${p.replies} echo reply(ies) (the first at frame ${p.firstReplyFrame}): the computer is up and reachable. Operations Manager raises "Health Service Heartbeat Failure" without "Failed to Connect to Computer": the agent's Health Service is stopped, hung, cannot authenticate or was rejected, or a firewall lets ICMP through but not TCP 5723.`,
      remediation: [
        `On ${h(agent)}: \`Get-Service HealthService\`, and the Operations Manager event log around the silence.`,
        'Restart the Health Service; if it stays silent, stop it, rename the "Health Service State" folder under the agent\'s installation folder, and start it again.',
        `From ${h(agent)}: \`Test-NetConnection ${server} -Port 5723\`.`,
      ],
      displayFilter: `${hostsFilter(agent, server)} && (icmp || icmpv6 || tcp.port==5723 || udp.port==5723)`,
    };
  },

  AGENT_CHANNEL_TLS_ALERT: (f, h) => {
    const { client, server } = who(f);
    const p = f.params;
    const name = p.descriptionName ?? 'an encrypted alert';
    const level = p.level === 2 ? 'a fatal' : p.level === 1 ? 'a warning' : 'an encrypted';
    return {
      title: `TLS on 5723 between ${h(client)} and ${h(server)} failed: ${p.descriptionName !== null ? `alert ${p.descriptionName}` : 'encrypted alert'} from ${h(p.from)}`,
      explanation: `At frame ${p.frame} ${h(p.from)} sent ${level} TLS alert${p.descriptionName !== null ? ` ${name} (${p.description})` : ''} to ${h(p.to)} on the agent channel (TCP 5723)${p.count > 1 ? `; ${p.count} alerts in all` : ''}. ${tlsMeaning(p.description, h(p.from), h(p.to))} ` +
        `${p.gateway ? `${h(client)} is a gateway (agents connect to it on 5723 in this capture); g` : 'G'}ateways and agents outside the server's Kerberos trust authenticate with certificates, and this handshake failed, so the channel does not come up. The Operations Manager event log on both sides holds the matching events (20050 to 20077, 21007, 21021, 21036).`,
      remediation: [
        `On ${h(client)} and ${h(server)}: a certificate in the computer's Personal store with its private key, Server and Client Authentication usages, the subject equal to the computer's FQDN, valid and not revoked, its root CA trusted on the other side (\`certutil -verify -urlfetch <file>\` shows chain problems).`,
        'Import the certificate with `MOMCertImport.exe` and restart the Health Service on both.',
        'In Wireshark, use Decode As (TCP port 5723, TLS) to read the handshake.',
      ],
      displayFilter: `${hostsFilter(client, server)} && tcp.port==5723 && tcp.payload[0] == 0x15`,
    };
  },

  AGENT_CHANNEL_CLOSED: (f, h) => {
    const { client, server } = who(f);
    const p = f.params;
    return {
      title: `${h(server)} closes ${h(client)}'s agent channel right after authentication (${p.closes} connection(s))`,
      explanation: `${h(client)} connected to ${h(server)} on TCP 5723 ${p.closes} time(s); each time both sides exchanged a few messages (the first time ${p.clientPayloads} segment(s) from the agent, ${p.serverPayloads} from the server) and ${h(server)} ended the connection with a ${p.kind === 'fin' ? 'FIN' : 'reset'} ${p.seconds.map(fmtS).join(', ')} after it began (frame${p.closeFrames.length === 1 ? '' : 's'} ${abbrev(p.closeFrames)}). This is what the agent's event 20070 reports: "connected to <server>, but the connection was closed immediately after authentication occurred": the agent is not authorized to talk to this management server (pending approval, rejected manual installs, or removed from the management group). The cause is inferred from the pattern: the content is encrypted.`,
      remediation: [
        'In the Operations Manager shell: `Get-SCOMPendingManagement | Approve-SCOMPendingManagement` (or Administration, Device Management, Pending Management).',
        'Check Administration, Settings, Security: whether new manual agent installations are rejected or held for review.',
        `On ${h(server)}, read the Operations Manager event log for event 20000 ("A device which is not part of this management group has attempted to access this Health Service").`,
      ],
      displayFilter: `${hostsFilter(client, server)} && tcp.port==5723 && (tcp.flags.fin==1 || tcp.flags.reset==1)`,
    };
  },

  DISJOINT_NAMESPACE: (f) => {
    const p = f.params;
    const role = p.role === null ? '' : ` (${ROLE_NAMES[p.role]})`;
    return {
      title: `${p.name} (${p.address}) is outside the Kerberos realm ${p.realm}: a disjoint namespace`,
      explanation: `DNS in this capture names ${p.address}${role} ${p.name} (frame ${p.dnsFrame}), in the DNS domain ${p.domain}, while Kerberos in the same capture uses the realm ${p.realm} (frame ${p.kerberosFrame}). Kerberos names a service by the name the client uses: an agent connecting to ${p.name} asks for MSOMHSvc/${p.name}, and that SPN must be registered besides the one with the domain's suffix; the DNS suffix search list must cover both domains. Whether the namespace is disjoint by design a capture cannot tell; when the SPNs are missing, expect AGENT_SPN_ERROR or event 21001.`,
      remediation: [
        `List the SPNs of the account behind ${p.name}: \`setspn -L <computer>\`; add the missing one with \`setspn -S MSOMHSvc/${p.name} <computer>\`.`,
        'Check the domain\'s msDS-AllowedDNSSuffixes when computers register names outside the domain\'s suffix.',
        `Add ${p.domain} and the domain's own suffix to the agents' DNS suffix search list.`,
      ],
      displayFilter: `${p.address.includes(':') ? 'dns.aaaa' : 'dns.a'} == ${p.address} || kerberos.realm == "${p.realm}"`,
    };
  },
};

/** The words of `f` from its template. */
function wordsOf(f: AnyFindingFacts, h: HostText): Words {
  return (TEMPLATES[f.id] as Template<FindingId>)(f as FindingFacts, h);
}

/**
 * A finding with its words: the facts, plus title, explanation, remediation and display filter
 * made from them here. A folded finding says how many clients it stands for; a finding whose
 * evidence list was capped says how many frames there were.
 */
export function describeFinding(f: AnyFindingFacts, names?: ReadonlyMap<string, string>): Finding {
  const h = hostText(names);
  const w = wordsOf(f, h);
  let { title, explanation, displayFilter } = w;
  if (f.folded !== null) {
    const n = f.folded.count;
    title = `${title} (and the same for ${n} more clients)`;
    // Many agents failing against one server is an outage, not a scan: only the RPC findings say so.
    const scan = (AGENT_FINDING_IDS as readonly string[]).includes(f.id) ? '' : ' So many clients at once usually means a scan or a flood.';
    explanation = `${explanation} The same finding holds for ${n} more clients (${f.folded.clients.map(h).join(', ')}${n > f.folded.clients.length ? ', ...' : ''}); ${f.evidenceTotal} evidence frames in all${f.evidenceTotal > MAX_EVIDENCE ? `, the first ${MAX_EVIDENCE} listed` : ''}.${scan}`;
    if (f.port !== null) displayFilter = `${f.server !== null ? `${ipField(f.server)}==${f.server} && ` : ''}${f.protocol === 'udp' ? 'udp' : 'tcp'}.port==${f.port}`;
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
