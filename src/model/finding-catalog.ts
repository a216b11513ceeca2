/**
 * What every finding id means, for `rpctrace explain <ID>` and the README: severity, a generic
 * title, a one-sentence summary, the long explanation and the remediation steps. Findings in a
 * report carry their own specific title, explanation and steps; this is the background.
 *
 * Text conventions (renderers rely on them): each `\n` is a real line break; a blank line
 * separates paragraphs; a line starting with `- ` is a list item; a line starting with two
 * spaces is a command, printed as is.
 */
import type { FindingId, Severity } from './finding.js';

export { RPC_STATUS, statusMeaning, statusName } from './rpc-status.js';

/** The catalog entry of one finding id. */
export interface FindingInfo {
  readonly severity: Severity;
  /** Short generic name. */
  readonly title: string;
  /** One sentence. */
  readonly summary: string;
  /** Plain words: what the trace shows, why it happens, what is fact and what is inference. */
  readonly explanation: string;
  /** Concrete steps, in the order to take them. */
  readonly remediation: readonly string[];
}

/** Higher is more severe; `--fail-on` and the sort order of reports use it. */
export const SEVERITY_RANK = { error: 3, warning: 2, info: 1 } as const satisfies Record<Severity, number>;

/** Severities, most severe first. */
export const SEVERITIES: readonly Severity[] = ['error', 'warning', 'info'];

const RETRIES =
  'How Windows retries: with the classic settings a Windows client sends the SYN at t, again at t+3 s and t+9 s (the wait doubles each time), and gives up about 21 s after the first SYN. Newer builds and tuned TCP templates start with a 1 s timeout and retransmit more often (`Get-NetTCPSetting`: InitialRtoMs, MaxSynRetransmissions), so SYNs come at t, t+1, t+3, t+7, t+15 s; Linux does the same. Either way the wait doubles, and SYNs with the same ports and sequence number are one attempt retransmitted, not several attempts. rpctrace describes the schedule each capture shows.';

const SPECIAL_CASES = [
  'Firewall rules are often written for 49152-65535, the Windows default since Vista and Server 2008, while the server hands out ports from elsewhere. Known cases:',
  '- a range set in the registry under HKLM\\SOFTWARE\\Microsoft\\Rpc\\Internet (values Ports, PortsInternetAvailable, UseInternetPorts); the DCOM restricted-ports setting in dcomcnfg (Default Protocols, Connection-oriented TCP/IP, Properties) writes the same values;',
  '- Exchange 2010 Client Access servers: setup moves the dynamic range to start at 6005 (59530 ports);',
  '- WMI moved into its own process with `winmgmt /standalonehost`, which listens on the fixed port 24158;',
  '- a DCOM application given a fixed endpoint in its AppID (Endpoints value);',
  '- Active Directory services pinned to a port: NTDS "TCP/IP Port" (replication, DRSUAPI), Netlogon "DCTcpipPort", FRS "RPC TCP/IP Port Assignment", a DFSR static port (`dfsrdiag StaticRPC`);',
  '- Windows Server 2003 and XP, which hand out ports from the legacy range 1025-5000.',
].join('\n');

const CHECK_RANGE = 'On the server, see which range it uses: `netsh int ipv4 show dynamicportrange tcp` (and `netsh int ipv6 show dynamicportrange tcp`), and look for a Ports value under HKLM\\SOFTWARE\\Microsoft\\Rpc\\Internet.';

const HOW_TO_CAPTURE = [
  'How to capture so that rpctrace can give firm verdicts: capture on both ends at the same time (client and server), without a capture filter or with one that keeps both directions (for example `host <client> and host <server>`), keep whole packets, and start before the client first connects to TCP 135. On Windows:',
  '  pktmon start --capture --comp nics --pkt-size 0',
  '  pktmon stop',
  '  pktmon etl2pcap PktMon.etl --out rpc.pcapng',
  'or `netsh trace start capture=yes tracefile=C:\\temp\\rpc.etl` and `netsh trace stop`. pktmon keeps only the first 128 bytes of every packet unless given `--pkt-size 0`, which hides the endpoint mapper answers, and with its default `--comp all` logs a packet once for every component it passes.',
].join('\n');


const AGENT_NEEDS = [
  'What an Operations Manager agent needs on the network (the product\'s troubleshooting guide):',
  '- TCP 5723 from the agent (or gateway) to its management server or gateway: every heartbeat, event and configuration goes over it;',
  '- LDAP (TCP and UDP 389), Kerberos (TCP and UDP 88) and DNS (TCP and UDP 53) to the domain controllers: to find them, to log on and to authenticate the management server (SPN MSOMHSvc/<server>);',
  '- RPC (TCP 135, then a port of the dynamic range) from the management server to the agent, for agent push installation and repair.',
].join('\n');

const AGENT_CHECK_CAPTURE = 'Capture on the agent and on the management server at the same time (`pktmon start --capture --comp nics --pkt-size 0`, or `netsh trace start capture=yes`), long enough to hold several heartbeat intervals, and run rpctrace on both captures: what leaves one side and never reaches the other was dropped in between.';

const CERT_CHECKLIST = [
  'Certificate checklist, on both computers (gateway or agent, and management server):',
  '- a certificate in the computer\'s Personal store (Local Computer, not the user) with its private key;',
  '- enhanced key usage Server Authentication (1.3.6.1.5.5.7.3.1) and Client Authentication (1.3.6.1.5.5.7.3.2);',
  '- subject name equal to the computer\'s fully qualified domain name as the other side connects to it;',
  '- within its validity period, its revocation list reachable;',
  '- the issuing root CA in Trusted Root Certification Authorities on the other computer (and the intermediates in Intermediate Certification Authorities);',
  '- imported for Operations Manager with MOMCertImport.exe (it writes the serial number to HKLM\\SOFTWARE\\Microsoft\\Microsoft Operations Manager\\3.0\\Machine Settings\\ChannelCertificateSerialNumber), then the Health Service restarted.',
].join('\n');

/** Every finding id, described. */
export const FINDING_CATALOG = {
  NONSTANDARD_RPC_PORT_BLOCKED: {
    severity: 'error',
    title: 'Advertised RPC port outside the expected range is blocked',
    summary: 'The endpoint mapper (or DCOM) handed out a port outside the expected dynamic range, and the client\'s connection to that port failed.',
    explanation: [
      'The capture shows the whole RPC exchange. The client connected to the endpoint mapper on TCP 135 and asked which port serves an interface; the server answered with a port outside the expected dynamic range (49152-65535 unless --dynamic-range says otherwise). The client then opened a new TCP connection to that port, and that connection failed: its SYNs went unanswered, or came back refused by a reset or an ICMP unreachable message. The application reports "The RPC server is unavailable" (error 1722, 0x800706BA).',
      '',
      'Fact and inference: the port is read from the server\'s own answer and the failed SYNs are in the capture; both are facts, with frame numbers. That a firewall causes the failure is an inference, but a strong one: TCP 135 on the same server worked moments earlier, so the server is up and reachable, and only the new port fails. Unanswered SYNs point to a filter that drops silently; a reset, or an ICMP "administratively prohibited" from a router, to one that rejects.',
      '',
      RETRIES,
      '',
      SPECIAL_CASES,
    ].join('\n'),
    remediation: [
      CHECK_RANGE,
      'Either allow the range actually in use (or the fixed port) from the client to the server on every firewall in the path and in the server\'s Windows Firewall, or return the server to the default range with `netsh int ipv4 set dynamicport tcp start=49152 num=16384` (and the same for ipv6).',
      'If the port is fixed on purpose (WMI 24158 after `winmgmt /standalonehost`, a DCOM application endpoint, NTDS "TCP/IP Port", Netlogon "DCTcpipPort", FRS or DFSR static ports, Exchange static RPC ports), allow exactly that port, or remove the setting (`winmgmt /sharedhost` for WMI).',
      'If HKLM\\SOFTWARE\\Microsoft\\Rpc\\Internet holds a Ports value nobody intended, delete the Rpc\\Internet values; if it is intended, make the firewall rules match it.',
      'Restart the affected service (or the server) so it registers a port from the new range, then capture again: rpctrace should report RPC_PORT_OK for the same interface.',
    ],
  },
  RPC_DYNAMIC_PORT_BLOCKED: {
    severity: 'error',
    title: 'Advertised RPC port in the dynamic range is blocked',
    summary: 'The server advertised a port inside the expected dynamic range, and the client\'s connection to it was dropped or rejected.',
    explanation: [
      'The client reached the endpoint mapper on TCP 135 and got a port inside the expected dynamic range, but its connection to that port failed: the SYNs went unanswered, or an ICMP destination-unreachable (often "administratively prohibited" from a router or firewall) came back. The application reports "The RPC server is unavailable" (error 1722, 0x800706BA).',
      '',
      'Fact and inference: the advertised port and the failed SYNs are facts in the capture. The cause is inferred: something between client and server, or the server\'s own Windows Firewall, lets TCP 135 through but not the dynamic ports. Common cases: a network firewall that allows only 135 (an "RPC" service object that covers just the endpoint mapper, or a DCE/RPC inspection helper that is disabled or does not see the endpoint mapper exchange); a server whose inbound rule for this service (they use the "RPC Dynamic Ports" keyword) is disabled in the active profile; security software on the server.',
      '',
      RETRIES,
    ].join('\n'),
    remediation: [
      'On the server, confirm the service listens on the advertised port: `netstat -ano | findstr :<port>`, then `tasklist /svc /fi "PID eq <pid>"`.',
      'Check the server\'s Windows Firewall: the inbound rules of the role or service (for example "Active Directory Domain Services", "Windows Management Instrumentation (WMI)", "Remote Event Log Management") must be enabled for the active profile (`Get-NetFirewallRule -Direction Inbound -Enabled True`).',
      'On network firewalls between client and server, allow TCP 49152-65535 from the client to the server, or enable the firewall\'s DCE/RPC (MS-RPC) inspection so that it opens the advertised port, making sure the TCP 135 exchange passes through the same firewall.',
      'If policy forbids the whole range, restrict the server to a small range (HKLM\\SOFTWARE\\Microsoft\\Rpc\\Internet Ports, or the service\'s own static-port setting), allow exactly that range, and run rpctrace with --dynamic-range set to it.',
      'Capture again after the change: rpctrace should report RPC_PORT_OK.',
    ],
  },
  RPC_PORT_REFUSED: {
    severity: 'error',
    title: 'Connection to the advertised RPC port refused',
    summary: 'The client\'s SYN to the advertised port was answered with a reset (or ICMP port unreachable): nothing accepted the connection.',
    explanation: [
      'The endpoint mapper handed out a port, the client sent a SYN to it, and the answer was a TCP reset (RST) from the server\'s address, or an ICMP port-unreachable message. The client usually tries again once or twice and then reports "The RPC server is unavailable" (0x800706BA).',
      '',
      'Fact and inference: the reset is a fact; who sent it is not always what it looks like. Either nothing listened on that port at that moment (the service stopped or restarted after registering, so the endpoint mapper still handed out its old port; or a load balancer or NAT sent the connection to another server that does not have this endpoint, as with an Exchange 2010 Client Access array whose servers use different dynamic ports), or a firewall rejected the connection and sent the reset on the server\'s behalf. A reset whose TTL or source MAC address differs from the server\'s other packets comes from a device in between.',
    ].join('\n'),
    remediation: [
      'On the server, check that the service is running and listening on the port: `netstat -ano | findstr :<port>`; restart the service if the endpoint mapper hands out a port nothing listens on.',
      'Compare the TTL and source MAC address of the reset with those of the server\'s SYN-ACK on TCP 135: if they differ, a firewall sent the reset; check its logs and allow the port as for a blocked one (`rpctrace explain RPC_DYNAMIC_PORT_BLOCKED`).',
      'Behind a load balancer or NAT (for example an Exchange 2010 Client Access array), give every server the same static RPC ports so that any of them can answer the advertised port.',
      'Capture again after the change.',
    ],
  },
  EPM_UNREACHABLE: {
    severity: 'error',
    title: 'Endpoint mapper (TCP 135) unreachable',
    summary: 'The client\'s SYNs to TCP 135 went unanswered or drew an ICMP unreachable, so the client never learned which port to use.',
    explanation: [
      'Every RPC call over TCP (and every DCOM activation) starts with a connection to the endpoint mapper on TCP 135. Here the client\'s SYNs to port 135 got no SYN-ACK: they were retransmitted and the client gave up, or an ICMP destination-unreachable came back. Nothing after this point can work, so the application reports "The RPC server is unavailable" (0x800706BA).',
      '',
      'Fact and inference: the unanswered SYNs are facts. Why is inferred: the server is down or at another address (stale DNS), a firewall drops TCP 135, the server\'s Windows Firewall has no rule allowing the endpoint mapper for this client, or routing is broken. An ICMP host or network unreachable from a router points to routing or ARP; "administratively prohibited" to a filter. A capture taken on the client alone cannot show whether the SYNs reached the server.',
      '',
      RETRIES,
    ].join('\n'),
    remediation: [
      'Check that the client uses the right address for the server (`Resolve-DnsName <server>`, `ping <server>`).',
      'Test the port from the client: `Test-NetConnection <server> -Port 135` or `portqry -n <server> -e 135`.',
      'Allow TCP 135 from the client to the server on every firewall in the path and in the server\'s Windows Firewall (the role\'s "RPC Endpoint Mapper" / RPC-EPMAP rule, or "Windows Management Instrumentation (DCOM-In)" for WMI and DCOM).',
      'If an ICMP host or network unreachable came back, fix routing or ARP between client and server first.',
      'Capture on the server at the same time as on the client: if the SYNs never arrive there, the drop is in the network.',
    ],
  },
  EPM_REFUSED: {
    severity: 'error',
    title: 'Endpoint mapper (TCP 135) refused the connection',
    summary: 'The client\'s SYN to TCP 135 was answered with a reset or an ICMP port unreachable: nothing accepted connections on the endpoint mapper port.',
    explanation: [
      'The client\'s SYN to TCP 135 was answered at once with a TCP reset (or an ICMP port-unreachable message). On a running Windows server the RPC service (RpcSs) always listens on 135, so a refusal is unusual.',
      '',
      'Fact and inference: the refusal is a fact. Likely causes, inferred: a firewall that rejects rather than drops (it sends the reset on the server\'s behalf), an address that belongs to another machine (stale DNS record, NAT to the wrong host, an IP reused by a non-Windows device), or a server that is shutting down or starting. A reset whose TTL or source MAC address differs from the server\'s other packets comes from a device in between.',
    ].join('\n'),
    remediation: [
      'Check which host answered: compare the reset\'s TTL and source MAC address with other packets from the server, and check the DNS record and any NAT rule for the server\'s address.',
      'On the server, confirm that RpcSs listens: `netstat -ano | findstr :135`.',
      'Allow TCP 135 from the client to the server on the firewall that sends the reset or the ICMP message.',
      'Capture again after the change.',
    ],
  },
  ENDPOINT_NOT_REGISTERED: {
    severity: 'error',
    title: 'Interface not registered with the endpoint mapper',
    summary: 'The endpoint mapper answered that no endpoint is registered for the requested interface (EPT_S_NOT_REGISTERED, 0x16c9a0d6), so the client has no port to connect to.',
    explanation: [
      'The network path works: the client reached the endpoint mapper on TCP 135 and got an answer. The answer (ept_map status 0x16c9a0d6, EPT_S_NOT_REGISTERED, no towers) says that no server process on that machine has registered the requested interface for TCP. Windows reports error 1753, "There are no more endpoints available from the endpoint mapper" (0x6D9).',
      '',
      'This is a fact read from the server\'s answer, not an inference. Usual causes: the service that provides the interface is not running (Netlogon, Active Directory Domain Services, WMI, Task Scheduler, Remote Registry, the print spooler, ...); the role is not installed on that machine (DRSUAPI asked of a member server that is not, or not yet, a domain controller, often because DNS points at the wrong host); the service registered only named pipes or local RPC, not TCP; or the client asks for an interface version the server does not have.',
    ].join('\n'),
    remediation: [
      'Identify the interface from the finding (its name or UUID) and the service that provides it (for example DRSUAPI: NTDS; NETLOGON: Netlogon; WMI: Winmgmt; ITaskSchedulerService: Schedule; WINREG: RemoteRegistry; SPOOLSS: Spooler).',
      'Start the service that registers the interface and set its start type: `sc query <service>`, `sc start <service>` (or `Start-Service <service>`).',
      'Check that the client targets the right server: the A, CNAME and SRV records should lead to the machine that runs the service.',
      'List what the server registered: `portqry -n <server> -e 135` prints the endpoint mapper\'s database.',
      'Capture again: the ept_map answer should then carry a tower with a port.',
    ],
  },
  INFERRED_RPC_PORT_BLOCKED: {
    severity: 'warning',
    title: 'RPC port probably blocked (inferred from the pattern)',
    summary: 'The client talked to TCP 135 and then failed to connect to another port on the same server; the endpoint mapper answer is not visible, so the link between the two is inferred.',
    explanation: [
      'The capture shows a successful connection from the client to TCP 135 on a server, followed within the follow-up window (--follow-window, 120 s by default) by SYNs from the same client to another port on the same server that went unanswered or were refused. That is the pattern of a blocked RPC dynamic port.',
      '',
      'Fact and inference: the connection to 135 and the failed SYNs are facts. That the endpoint mapper handed out the failing port is an inference: its answer could not be read (the packets are cut short by the snaplen, only TCP control packets were captured, the answer was lost, or the capture started after it), so the port could also belong to something else. A capture with whole packets turns this into a firm verdict.',
      '',
      RETRIES,
      '',
      SPECIAL_CASES,
      '',
      HOW_TO_CAPTURE,
    ].join('\n'),
    remediation: [
      'Capture again with whole packets, on both ends, starting before the client\'s first connection to TCP 135: `pktmon start --capture --comp nics --pkt-size 0` or `netsh trace start capture=yes`.',
      'On the server, check whether the port belongs to an RPC service: `netstat -ano | findstr :<port>`, then `tasklist /svc /fi "PID eq <pid>"`.',
      CHECK_RANGE,
      'Then follow the steps for a blocked port: `rpctrace explain NONSTANDARD_RPC_PORT_BLOCKED` (port outside the expected range) or `rpctrace explain RPC_DYNAMIC_PORT_BLOCKED` (inside it).',
    ],
  },
  NONSTANDARD_RPC_RANGE: {
    severity: 'warning',
    title: 'RPC port advertised outside the expected range',
    summary: 'The server advertised a port outside the expected dynamic range; it may work here, but firewall rules written for 49152-65535 will not cover it.',
    explanation: [
      'The endpoint mapper (or a DCOM answer) handed out a port outside the expected dynamic range (49152-65535 unless --dynamic-range says otherwise). This is read from the server\'s answer: a fact. In this capture the connection to that port did not fail (it succeeded, or was not tried), so nothing is broken yet; but any client behind a firewall that allows only the default range will fail with "The RPC server is unavailable" (0x800706BA).',
      '',
      SPECIAL_CASES,
      '',
      'If the range is intended, tell rpctrace with --dynamic-range (for example `--dynamic-range 6005-65534` for an Exchange 2010 Client Access server) and this warning goes away.',
    ].join('\n'),
    remediation: [
      CHECK_RANGE,
      'If the range is deliberate (Exchange 2010, a restricted DCOM or RPC range, a pinned Active Directory or WMI port), document it, allow it on every firewall between clients and the server, and pass it to rpctrace with --dynamic-range.',
      'Otherwise return to the default with `netsh int ipv4 set dynamicport tcp start=49152 num=16384` (and the same for ipv6), remove unintended values under HKLM\\SOFTWARE\\Microsoft\\Rpc\\Internet, and restart the affected services.',
    ],
  },
  HANDSHAKE_NOT_COMPLETED: {
    severity: 'warning',
    title: 'Server answered, client never completed the handshake',
    summary: 'A SYN-ACK came back, but the client\'s final ACK is not in the capture.',
    explanation: [
      'The client sent a SYN, the server answered with a SYN-ACK, and the client never sent the ACK that completes the TCP handshake. Often the client retransmits its SYN and the server its SYN-ACK until both give up.',
      '',
      'Fact and inference: the SYN-ACK without an ACK is a fact at the capture point. Where the SYN-ACK got lost is inferred: a firewall on the return path drops it (typical with asymmetric routing, where a stateful firewall sees only one direction and discards the SYN-ACK as unexpected), the client\'s own firewall or security software drops it, or the capture sees only one direction of the traffic. If the client keeps retransmitting the SYN with the same sequence number after the SYN-ACK was sent, the SYN-ACK never reached it.',
      '',
      HOW_TO_CAPTURE,
    ].join('\n'),
    remediation: [
      'Capture on the client and on the server at the same time to see where the SYN-ACK disappears.',
      'Check that traffic in both directions takes the same path (`tracert` from each end) and that stateful firewalls see both directions.',
      'Check the client\'s firewall and security software: `netsh advfirewall set allprofiles logging droppedconnections enable`, then read %systemroot%\\system32\\LogFiles\\Firewall\\pfirewall.log.',
    ],
  },
  CONNECTION_UNANSWERED: {
    severity: 'warning',
    title: 'TCP connection attempt unanswered',
    summary: 'The client\'s SYNs to this port got no answer, and no endpoint mapper or DCOM answer in the capture explains the port.',
    explanation: [
      'The client sent SYNs (the first and its retransmissions) to this port and nothing came back before the client gave up or the capture ended.',
      '',
      'Fact and inference: the unanswered SYNs are facts. rpctrace cannot tie the port to an endpoint mapper answer, so it cannot say whether RPC is involved: it may be a well-known port (445 SMB, 389 LDAP, 88 Kerberos, 3268 global catalog, 5985 WinRM) or an RPC port learned before the capture started. The usual cause is a firewall that drops silently, otherwise a host that is down or unreachable.',
      '',
      RETRIES,
    ].join('\n'),
    remediation: [
      'Test the port from the client: `Test-NetConnection <server> -Port <port>`.',
      'On the server, check that something listens on it: `netstat -ano | findstr :<port>`.',
      'Allow the port on the firewalls between client and server and in the server\'s Windows Firewall if the traffic is wanted.',
      'If the port is an RPC dynamic port, capture again from before the client contacts TCP 135 so the endpoint mapper answer ties it to an interface.',
    ],
  },
  CONNECTION_REFUSED: {
    severity: 'warning',
    title: 'TCP connection attempt refused',
    summary: 'The client\'s SYNs to this port were answered with a reset or an ICMP unreachable message, and no endpoint mapper or DCOM answer in the capture explains the port.',
    explanation: [
      'The client sent a SYN to this port and the answer was a TCP reset (RST) from the server\'s address, or an ICMP destination-unreachable message (often "administratively prohibited" from a router or firewall). Nothing accepted the connection.',
      '',
      'Fact and inference: the refusal is a fact. Who sent it is not always what it looks like: nothing listened on the port (the service is stopped, or listens on another address), or a firewall rejected the connection and answered on the server\'s behalf. An ICMP message names the device that sent it; a reset whose TTL or source MAC address differs from the server\'s other packets comes from a device in between. When one client is refused on many ports of one server in a short time, the capture most likely shows a port scan, not a failing application.',
    ].join('\n'),
    remediation: [
      'On the server, check that the service listens on the port: `netstat -ano | findstr :<port>`; start it, or point the client at the right port.',
      'If it listens, compare the TTL and source MAC address of the reset with the server\'s other packets, or find the device that sent the ICMP message, and allow the port there.',
      'If the port is an RPC dynamic port, capture again from before the client contacts TCP 135 so the endpoint mapper answer ties it to an interface.',
    ],
  },
  ADVERTISED_PORT_NOT_ATTEMPTED: {
    severity: 'warning',
    title: 'Advertised port never contacted',
    summary: 'The server advertised an endpoint, but the capture shows no connection attempt from the client to that port within the follow-up window.',
    explanation: [
      'The endpoint mapper or DCOM answer handed the client a port, and within the follow-up window (--follow-window, 120 s by default) no SYN from that client to that port appears.',
      '',
      'Fact and inference: the answer is a fact; the missing SYN is a fact only for this capture point. If the capture was taken on the server, SYNs dropped by a firewall in between never arrive there, and a blocked port looks exactly like this. Other reasons: a capture filter or an early end of the capture left the connection out; the client connected to another address the answer listed (see TOWER_ADDRESS_MISMATCH) or used another transport (named pipes over SMB 445, RPC over HTTP); the client reused a connection it already had; or it failed before connecting (its own outbound firewall, which drops before the packet reaches the network adapter, or an authentication error).',
      '',
      HOW_TO_CAPTURE,
    ].join('\n'),
    remediation: [
      'Capture on the client too, without a capture filter, and long enough to include the connection.',
      'Look for a connection to the same port on another address the answer listed.',
      'Check the client\'s outbound firewall and the application\'s own error.',
      'If the client connects later than the window allows, widen it with --follow-window.',
    ],
  },
  ONE_SIDED_CAPTURE: {
    severity: 'warning',
    title: 'Only one direction of traffic captured',
    summary: 'Packets of one direction are missing, so answers (or requests) cannot be seen and some verdicts are uncertain.',
    explanation: [
      'The capture holds the packets of one side of the conversations but not the other: for example the client\'s SYNs and data but nothing from the server, or acknowledgements for data that was never captured.',
      '',
      'Fact and inference: the missing direction is a fact about the capture, not about the network. With one direction missing, an unanswered SYN may have been answered on a path the capture did not see, so "blocked" verdicts from this capture are uncertain. Typical causes: a switch mirror (SPAN) port set to copy only received or only sent traffic, asymmetric routing past the capture point, a capture filter such as `src host`, or capturing on one member of a NIC team.',
      '',
      HOW_TO_CAPTURE,
    ].join('\n'),
    remediation: [
      'Capture on the client and the server themselves (`pktmon start --capture --comp nics --pkt-size 0`, or `netsh trace start capture=yes`), at the same time.',
      'If a mirror port is used, mirror both directions (received and sent) of the port or VLAN.',
      'Remove capture filters that keep only one direction.',
      'Run rpctrace on the new captures.',
    ],
  },
  SNAPLEN_TOO_SMALL: {
    severity: 'warning',
    title: 'Packets cut short by the capture (snaplen)',
    summary: 'Frames were captured truncated, so DCE/RPC and endpoint mapper contents (the advertised ports) cannot be read.',
    explanation: [
      'Frames that carry TCP data were saved shorter than they were on the wire (captured length below original length). The TCP handshakes are still visible, but the DCE/RPC payload is not: the endpoint mapper answer that names the port lies beyond the cut, so rpctrace cannot read which port was advertised, and any port verdict from this capture is inferred.',
      '',
      'pktmon keeps only 128 bytes of every packet by default, which cuts every endpoint mapper answer; old tcpdump versions kept 68 or 96 bytes; a snaplen may also be set in Wireshark or dumpcap.',
      '',
      HOW_TO_CAPTURE,
    ].join('\n'),
    remediation: [
      'Capture again with whole packets: `pktmon start --capture --pkt-size 0`, `tcpdump -s 0`, or dumpcap/Wireshark without a snaplen limit; `netsh trace start capture=yes` also works.',
      'Run rpctrace on the new capture; the inferred findings should turn into firm ones.',
    ],
  },
  DUPLICATE_PACKETS: {
    severity: 'info',
    title: 'Duplicate packets in the capture',
    summary: 'The same packets appear more than once, as copies made by the capture set-up rather than retransmissions on the network.',
    explanation: [
      'Identical packets appear twice or more, microseconds or milliseconds apart. They are copies made by the capture, not retransmissions: a real SYN retransmission comes seconds later (3 s, then 6 s) with the same content.',
      '',
      'Typical causes: pktmon with its default `--comp all` logs a packet once for every component it passes (network adapter, virtual switch, filter drivers); a mirror port that copies both ingress and egress of several ports or a VLAN; capturing on a bond or team and its members at once (Linux "any"). Nothing is wrong on the network; this is information about the capture.',
      '',
      'Forwarding copies are a case of their own: a router or firewall that captures on two interfaces records a packet it forwards once as it comes in and once as it leaves, the second time with the TTL (IPv6: hop limit) one lower and its own MAC addresses. rpctrace tells them apart by that decrement, also when the IPv4 identification is 0 (which otherwise cannot tell a copy from a retransmission). Such a capture shows both sides of the device: a packet seen on one side only was stopped by it.',
    ].join('\n'),
    remediation: [
      'Capture on the network adapters only: `pktmon start --capture --comp nics --pkt-size 0`.',
      'Remove copies from an existing capture with `editcap -D 10 in.pcapng out.pcapng`.',
      'On a mirror port, copy each packet once (one direction per port, or one port per path).',
    ],
  },
  CONTROL_PACKETS_ONLY: {
    severity: 'info',
    title: 'Only TCP control packets captured',
    summary: 'The capture holds SYN, SYN-ACK, RST and FIN packets but no TCP data, so endpoint mapper answers cannot be read and port verdicts are inferred.',
    explanation: [
      'Every TCP packet in the capture is a control packet (SYN, SYN-ACK, RST, FIN or a bare ACK); no packet carries data. Connection outcomes (answered, reset, unanswered) are still facts, but the endpoint mapper answers that say which port serves which interface are missing, so any link between TCP 135 and a later port is inferred.',
      '',
      'Typical causes: a capture filter on TCP flags (for example `tcp[tcpflags] & (tcp-syn|tcp-rst|tcp-fin) != 0`), or a capture rebuilt from firewall or flow logs.',
      '',
      HOW_TO_CAPTURE,
    ].join('\n'),
    remediation: [
      'Capture again without a flag filter, keeping whole packets (`pktmon start --capture --comp nics --pkt-size 0`, or `netsh trace start capture=yes`).',
      'Run rpctrace on the new capture.',
    ],
  },
  RPC_FAULT: {
    severity: 'warning',
    title: 'RPC call answered with a fault',
    summary: 'A DCE/RPC request was answered with a fault PDU instead of a response; the status code says why.',
    explanation: [
      'The server received the call and answered with a fault PDU carrying a status code instead of a response. The network path works (a fact); the call itself failed. When the failed call is the ept_map request to the endpoint mapper, the client learns no port and stops there.',
      '',
      'Common statuses:',
      '- 5, nca_s_fault_access_denied (ERROR_ACCESS_DENIED): the caller may not use the interface: account rights, DCOM launch and access permissions, WMI namespace security, or DCOM hardening (KB5004442) refusing a client below packet-integrity authentication;',
      '- 0x1c010003, nca_s_unk_if: the server does not know the interface UUID or version;',
      '- 0x1c010002, nca_s_op_rng_error: the operation number is not in the server\'s version of the interface (client newer than server);',
      '- 0x1c01000b, nca_s_proto_error, and 0x6f7, nca_s_fault_ndr: the server could not parse the request;',
      '- 0x721, nca_s_fault_sec_pkg_error: authentication failed inside Kerberos or NTLM (time skew, missing or duplicate SPN).',
    ].join('\n'),
    remediation: [
      'Read the status in the finding (name and code) and the System and Application event logs on the server at the time of the call.',
      'For access denied: check the account\'s rights, DCOM permissions (dcomcnfg, Component Services, My Computer, Properties, COM Security), WMI namespace security (wmimgmt.msc), and DistributedCOM events 10016 and 10036 on the server.',
      'For nca_s_unk_if or nca_s_op_rng_error: compare the client\'s and server\'s versions of the product or role; update the older side.',
      'For security package errors: check time synchronisation (`w32tm /query /status`) and SPNs (`setspn -Q <spn>`).',
    ],
  },
  RPC_BIND_REJECTED: {
    severity: 'error',
    title: 'RPC bind refused by the server',
    summary: 'The TCP connection worked, but the server refused the DCE/RPC bind: a bind_nak, a bind_ack that accepted none of the interfaces offered, or a reset instead of an answer.',
    explanation: [
      'Before its first call on a connection, an RPC client binds: it names the interface (a UUID and version) and the transfer syntaxes it can use, and the server accepts or refuses each. Here the server refused: with a bind_nak and a reason, or with a bind_ack whose every presentation context was rejected. The network path works (a fact: the handshake and the answer are in the capture); the client can make no call on this connection.',
      '',
      'The reasons seen in practice:',
      '- abstract_syntax_not_supported (in a bind_ack): the process listening on that port does not offer the interface: the client reached a port that belongs to another service (a stale endpoint, a port reused after the service restarted, a pinned port shared by mistake), or the versions differ. The client reports RPC_S_UNKNOWN_IF (0x6b5), "The interface is unknown".',
      '- proposed_transfer_syntaxes_not_supported: the server accepts none of NDR and NDR64 as offered.',
      '- temporary_congestion or local_limit_exceeded (bind_nak): the server is out of resources or at its limit of connections (RPC_S_SERVER_TOO_BUSY, 0x6bb).',
      '- authentication_type_not_recognized or invalid_checksum (bind_nak): the server does not accept the authentication the client used, or could not verify it.',
      '- reason_not_specified: the server gave no reason; its event logs may.',
      '- no answer but a RST or FIN from the server\'s side while the bind waited: a firewall or IPS that inspects RPC and refuses the interface (the reset carries the server\'s address), or a server process that refuses the connection.',
      '',
      'An alter_context refused on a connection already bound is a warning: some clients try a newer interface first and fall back to an older one. Many different interfaces refused to one client is what interface scanners do (rpcdump, nmap): that is reported as information.',
    ].join('\n'),
    remediation: [
      'For abstract_syntax_not_supported: find which process owns the port on the server (`netstat -abno | findstr :<port>`), compare with what the endpoint mapper advertises (`portqry -n <server> -e 135`), and restart the service that should register the interface.',
      'For congestion or limits: check the server\'s load, its count of RPC connections, and the System log at the time of the refusal.',
      'For a reset or close instead of an answer: look for RPC inspection (a firewall or IPS rule by interface UUID, or Windows RPC filters: `netsh rpc filter show filter`), and capture on the server too to see whether it sent the reset.',
      'For authentication reasons: check the SPN of the service (`setspn -Q <spn>`), time synchronisation (`w32tm /query /status`), and NTLM or Kerberos restrictions in the security policy of both sides.',
    ],
  },
  TOWER_ADDRESS_MISMATCH: {
    severity: 'warning',
    title: 'Advertised address differs from the address the client used',
    summary: 'The endpoint answer (or a bind_ack) names an address or port other than the one the client contacted: the server is multi-homed or behind NAT.',
    explanation: [
      'Endpoint mapper towers and DCOM string bindings carry a network address as well as a port, and a bind_ack carries the port the server believes it listens on. Here the answer names an address (or port) other than the one the client used to reach the server.',
      '',
      'Fact and inference: the address in the answer is a fact; the cause is inferred: a multi-homed server (backup, storage or cluster networks), NAT or port forwarding between client and server, or a VPN. For endpoint mapper answers, Windows clients keep the address they already reached and take only the port, so the connection usually works, but firewall rules written for the advertised address do not cover the one in use. DCOM answers list every address and name of the server and the client tries them in order: an address it cannot reach costs a full SYN timeout (about 21 s) before the next one, so activation is slow or fails.',
    ].join('\n'),
    remediation: [
      'Check which addresses the server has (`ipconfig /all`) and which of them the client can reach.',
      'Make firewall rules for the RPC ports cover the address the client actually uses as well as the advertised one.',
      'On a multi-homed server, stop publishing addresses clients cannot reach (DNS registration and binding order of the extra adapters), or make every advertised address reachable.',
      'Through NAT or port forwarding, use a firewall with DCE/RPC inspection that rewrites the answers, or route RPC traffic without translation.',
    ],
  },
  RPC_PORT_OK: {
    severity: 'info',
    title: 'Advertised RPC port reachable',
    summary: 'The client connected to the port the server advertised: this RPC path works.',
    explanation: [
      'The endpoint mapper (or DCOM) handed out a port and the client\'s connection to it completed the TCP handshake, or (in a capture that began mid-stream) the client went on using a connection to that port that was already open, with traffic both ways after the answer. Both are facts in the capture.',
      '',
      'If the application still fails, the cause lies above TCP: authentication, permissions or the application itself. Look for RPC_FAULT and RPC_BIND_REJECTED findings and the server\'s event logs. A capture with this finding is also a useful baseline to compare with a failing one.',
    ].join('\n'),
    remediation: [
      'Nothing to change for this path.',
      'If the application still reports an error, look for RPC_FAULT and RPC_BIND_REJECTED findings and read the server\'s event logs.',
    ],
  },
  STATE_LIMIT_REACHED: {
    severity: 'warning',
    title: 'State capped by the memory budget',
    summary: 'The capture needed more state than the memory budget holds; the finding names what was capped, how much, and from which frame.',
    explanation: [
      'rpctrace keeps all the state that grows with a capture within one memory budget (160 MiB by default, `--memory-budget`), so that a SYN flood, a port scan, a fragment flood or a very busy server cannot exhaust memory: TCP conversations, connection attempts, DCE/RPC conversations and their stream buffers, IP fragments, advertised endpoints and other RPC answers, and the findings listed. When the budget is full, what is least useful goes first (DCE/RPC conversations that never produced a valid PDU, then idle ones; the stalest fragments), and then new state is counted instead of kept. There is one finding per kind of state that was capped.',
      '',
      'Fact and inference: the counts are exact. Verdicts about the state that was kept stay exact; nothing is concluded about what was not kept. Past the attempts\' cap, further SYNs are counted per destination port. A capture that reaches the budget is usually a scan or flood (thousands of SYNs per second from few sources, to many ports or addresses), or covers a very long period.',
    ].join('\n'),
    remediation: [
      'If the SYNs come from few sources to many ports or addresses, look for a scanner or a flood (the top ports are listed in the finding).',
      'Give rpctrace a larger budget when the machine has the memory: `--memory-budget 512` (MiB).',
      'To analyze a failing RPC connection in such a capture, cut it to the time and hosts of interest first, e.g. `editcap -A <start> -B <end>` or `tshark -r in.pcap -w out.pcap -Y "ip.addr==CLIENT && ip.addr==SERVER"`.',
    ],
  },
  CAPTURE_INCOMPLETE: {
    severity: 'warning',
    title: 'Capture file damaged or cut part-way',
    summary: 'Reading stopped before the end of the file (it is cut short or damaged there); the verdicts cover only the frames before that point.',
    explanation: [
      'The file ends inside a record, or a record or block at that point is malformed, so nothing after it can be read. Everything before it was analyzed, and the findings of this report are about those frames only: a failure after that point cannot be ruled out, so "no problems found" would be a claim the capture does not support.',
      '',
      'Typical causes: a capture copied while it was still being written, a capture program killed before it closed the file, a transfer that was cut off, a disk that filled up.',
    ].join('\n'),
    remediation: [
      'Copy the capture again once the capture program has stopped, and compare the file sizes.',
      'If the damage is in the middle of the file, the rest may still be readable: `editcap -r in.pcapng part.pcapng <first>-<last>` cuts out a range of frames, and tshark reports where it stops.',
      'Analyze the complete capture again.',
    ],
  },
  TIMESTAMPS_OUT_OF_ORDER: {
    severity: 'warning',
    title: 'Capture time goes backwards',
    summary: 'Some frames are older than the frames before them: the capture is several traces joined in file order, or its clock was set back while it ran.',
    explanation: [
      'Frames in a capture file normally come in time order. Here at least one frame is more than a second older than the latest frame before it. That happens when traces are joined one after the other (`mergecap -a`, `cat` of pcap bodies, a capture tool that appended to an old file), or when the clock of the capturing machine was set back (a time sync step, a virtual machine restored).',
      '',
      'rpctrace keeps its relative times running forward: after each jump back, times go on from the latest time before it, as if the pieces followed one another. Verdicts about connections inside one piece stay right; a time or a "watched for" figure that spans a jump is not a real duration, and a connection whose SYN and answer sit in different pieces may be mismatched.',
    ].join('\n'),
    remediation: [
      'Analyze each trace on its own, or join them by time: `mergecap -w merged.pcapng first.pcapng second.pcapng` (without -a).',
      'If the capturing machine\'s clock was stepped, look for the time service events at that moment (`w32tm /query /status`, System log event 35 and 37 of Time-Service) before trusting time differences across it.',
    ],
  },

  REQUIRED_PORT_BLOCKED: {
    severity: 'error',
    title: 'A port the Operations Manager agent needs is blocked',
    summary: 'Connections or requests from a client to a port the agent needs (5723 to its management server, 88, 389 or 53 to a domain controller) went unanswered or were refused.',
    explanation: [
      AGENT_NEEDS,
      '',
      'What the capture shows: for TCP, the client\'s SYNs to the port and their retransmissions, with no SYN-ACK, or a reset, or an ICMP destination-unreachable; for UDP, requests (DNS, Kerberos, CLDAP) the server asked never answered although the same server answered this client on another port or protocol. Each client and server pair is judged on its own: a pair with one working connection to the port is not blocked.',
      '',
      'What fails with it:',
      '- TCP 5723: the agent logs event 21006 ("The OpsMgr Connector could not connect to <server>:5723", error 10060) and, when no other management server is configured, 21016 ("there are no failover hosts"); the agent shows as not monitored, and after four missed heartbeats the server raises "Health Service Heartbeat Failure".',
      '- TCP or UDP 88 and 389: Kerberos and LDAP fail, so the agent cannot authenticate the management server: event 20057 ("Failed to initialize security context for target MSOMHSvc/<server>", 0x80090311 "No authority could be contacted for authentication"). The DC locator answers over UDP 389 while LDAP itself needs TCP 389; a Kerberos answer too large for UDP (KRB_ERR_RESPONSE_TOO_BIG, usual with the group memberships of a computer account) sends the client to TCP 88.',
      '- TCP or UDP 53: the domain controllers and the management server cannot be found by name.',
      '- TCP 135 from the management server: agent push installation and repair fail (the RPC checks report the detail).',
      '',
      'Fact and inference: the unanswered or refused packets are facts. That a firewall drops them is an inference, a strong one when the same server answered the same client on another port or protocol moments before: the server is up, only this port is filtered. The finding says so when the capture shows it.',
      '',
      RETRIES,
    ].join('\n'),
    remediation: [
      'From the agent, test the port: `Test-NetConnection <server> -Port <port>` for TCP; `portqry -n <server> -p udp -e <port>` for UDP.',
      'Allow the port from the client to the server on every firewall between them and in the server\'s Windows Firewall: TCP 5723 to management servers and gateways; TCP and UDP 88, 389 and 53 to the domain controllers; TCP 135 and the dynamic RPC range from the management servers to the agents.',
      'On a management server, check that the Health Service listens: `netstat -ano | findstr :5723`.',
      AGENT_CHECK_CAPTURE,
    ],
  },
  UDP_NO_RESPONSE: {
    severity: 'warning',
    title: 'UDP requests got no answer',
    summary: 'DNS, Kerberos or CLDAP requests over UDP got no answer from the server they were sent to.',
    explanation: [
      'UDP has no handshake: the request and the absence of an answer are all a capture can show. rpctrace matches each answer to its request: DNS by transaction id, client port and server; Kerberos by client port and server (a retransmission repeats the request\'s nonce); CLDAP (the DC locator\'s LDAP ping on UDP 389) by message id. A request counts as unanswered when the client sent it again, or when the capture goes on at least 3 s after it; sooner than that it is left undecided.',
      '',
      'An answer from an address other than the one asked does not answer the request: the Windows DNS and Kerberos clients drop it, exactly as if nothing had come. A multi-homed DNS server that answers from another interface, or NAT on the path, produces this; the finding names such answers.',
      '',
      'What follows: unanswered DNS means the domain controllers or the management server cannot be found; unanswered Kerberos means the client tries the next KDC or fails to authenticate (event 20057 on an agent); an unanswered LDAP ping makes the DC locator try another domain controller, slowly.',
      '',
      'Fact and inference: the missing answer is a fact at the capture point. Why is not: a firewall that drops UDP, a server that is down, or a service that is not running on it. When the same server answers other requests of this client, rpctrace reports REQUIRED_PORT_BLOCKED instead.',
    ].join('\n'),
    remediation: [
      'Ask the same server yourself from the client: `Resolve-DnsName <name> -Server <server>` for DNS, `nltest /dsgetdc:<domain>` for the DC locator, `klist get krbtgt` for Kerberos.',
      'Check that the service runs on the server (DNS Server, Kerberos Key Distribution Center, Netlogon) and that firewalls allow the UDP port from the client.',
      'If answers come back from another address, make the server answer from the address it is asked on (a multi-homed DNS server: bind it to one interface), or remove the NAT that rewrites it.',
    ],
  },
  DNS_FAILURE: {
    severity: 'error',
    title: 'A name the agent needs does not resolve',
    summary: 'A DNS server answered NXDOMAIN, SERVFAIL or REFUSED for a name the agent needs: the domain controllers\' SRV records, a domain controller or a management server.',
    explanation: [
      'The DC locator asks DNS for the SRV records `_ldap._tcp.dc._msdcs.<domain>` (and the site-specific and Kerberos ones, `_kerberos._tcp`, `_kerberos._udp`) to find the domain controllers; the agent resolves its management server\'s name to connect to TCP 5723 and to ask Kerberos for the SPN MSOMHSvc/<name>. rpctrace reports an error answer for these names only: a client asks for many names that do not exist (suffix search lists, WPAD, ISATAP), and those NXDOMAINs are normal.',
      '',
      'The codes: NXDOMAIN (3), the name does not exist in the zone the server knows: the client uses a DNS server that does not hold the Active Directory zone (a public resolver, the internet provider\'s), or the domain controllers failed to register their records; SERVFAIL (2), the server could not get an answer (a broken forwarder or delegation, a zone that does not load); REFUSED (5), the server will not answer this client (recursion or zone transfer restricted).',
      '',
      'Fact and inference: the error answer is a fact. A failure that a later successful answer for the same kind of record follows is not reported: the client found the name another way (the next suffix, another server).',
    ].join('\n'),
    remediation: [
      'Ask the same server: `nslookup -type=SRV _ldap._tcp.dc._msdcs.<domain> <server>` or `Resolve-DnsName <name> -Server <server>`.',
      'Check the client\'s DNS servers (`ipconfig /all`): they must be DNS servers that hold or forward the Active Directory zone.',
      'On the domain controllers, register the locator records again (`nltest /dsregdns`, or restart the Netlogon service) and test with `dcdiag /test:dns`; for a management server\'s name, `ipconfig /registerdns` on it.',
    ],
  },
  KERBEROS_ERROR: {
    severity: 'error',
    title: 'A domain controller answered Kerberos with an error',
    summary: 'A KDC answered an AS or TGS request with a KRB-ERROR that stops authentication: clock skew, an unknown principal, a modified ticket, a wrong password.',
    explanation: [
      'The KDC (every domain controller) answers a Kerberos request it cannot grant with a KRB-ERROR carrying an error code (RFC 4120 §7.5.9), its own time and the service the request was for. rpctrace reads it over UDP and TCP 88.',
      '',
      'Two errors are normal and never reported alone: KDC_ERR_PREAUTH_REQUIRED (25), which answers the first AS-REQ of nearly every logon; and KRB_ERR_RESPONSE_TOO_BIG (52), which tells the client to repeat a UDP request over TCP 88 (reported only when no TCP 88 attempt follows; when TCP 88 is blocked, REQUIRED_PORT_BLOCKED says so).',
      '',
      'Common errors:',
      '- KRB_AP_ERR_SKEW (37): the client\'s and the KDC\'s clocks differ by more than the allowed skew (5 minutes by default). rpctrace gives the difference between the KDC\'s time in the error and the client\'s time, when the KDC copied it into the error, or else the capture\'s clock at that frame (the clock of the machine that captured);',
      '- KDC_ERR_S_PRINCIPAL_UNKNOWN (7): no account holds the service principal name asked for (for MSOMHSvc/<server>, see AGENT_SPN_ERROR);',
      '- KDC_ERR_C_PRINCIPAL_UNKNOWN (6): the client account does not exist in this domain;',
      '- KRB_AP_ERR_MODIFIED (41): a ticket could not be decrypted: the SPN is on two accounts, or the account\'s password changed on one side only;',
      '- KDC_ERR_PREAUTH_FAILED (24): wrong password; KDC_ERR_CLIENT_REVOKED (18): the account is disabled or locked; KDC_ERR_ETYPE_NOSUPP (14): no common encryption type.',
      '',
      'On an Operations Manager agent these show as event 20057 ("Failed to initialize security context for target MSOMHSvc/<server>") in the Operations Manager log.',
    ].join('\n'),
    remediation: [
      'For clock skew: compare the clocks (`w32tm /stripchart /computer:<DC> /samples:3 /dataonly`), check the client\'s time source (`w32tm /query /status`), then `w32tm /resync`.',
      'For an unknown or duplicated principal: `setspn -Q <SPN>` and `setspn -X` (duplicates); register it on the right account with `setspn -S`.',
      'For KRB_AP_ERR_MODIFIED: look for duplicate SPNs, and repair the computer account\'s secure channel: `Test-ComputerSecureChannel -Repair`.',
      'After a fix, clear the client\'s tickets (`klist purge`, or `klist -li 0x3e7 purge` for the computer account) and try again.',
    ],
  },
  AGENT_SPN_ERROR: {
    severity: 'error',
    title: 'Kerberos rejects the management server\'s SPN (MSOMHSvc)',
    summary: 'The KDC answered a ticket request for MSOMHSvc/<management server> with an error: the Health Service SPN is missing, duplicated, or on the wrong account.',
    explanation: [
      'An agent in the management server\'s forest authenticates the server with Kerberos, asking the KDC for a ticket to the service principal name MSOMHSvc/<server FQDN> (and MSOMHSvc/<NetBIOS name>), which must be registered on the management server\'s computer account. This is mutual authentication: without the ticket the agent does not trust the server.',
      '',
      'KDC_ERR_S_PRINCIPAL_UNKNOWN (7): no account holds the SPN; KDC_ERR_PRINCIPAL_NOT_UNIQUE (8) or KRB_AP_ERR_MODIFIED (41): it is registered on more than one account, or on an account whose key is not the server\'s. The agent logs event 21001 ("The OpsMgr Connector could not connect to MSOMHSvc/<server> because mutual authentication failed. Verify the SPN is properly registered on the server") and 20057.',
      '',
      'The name in the SPN is the one the agent was configured with; in a disjoint namespace (DNS suffix not the Active Directory domain) the registered SPN may carry the other suffix (see DISJOINT_NAMESPACE).',
    ].join('\n'),
    remediation: [
      'Look the SPN up: `setspn -Q MSOMHSvc/<server FQDN>`; find duplicates across the forest: `setspn -F -Q MSOMHSvc/<server FQDN>`.',
      'Register it on the management server\'s computer account, for both names: `setspn -S MSOMHSvc/<server FQDN> <server>` and `setspn -S MSOMHSvc/<server NetBIOS name> <server>`; remove it from any other account with `setspn -D`.',
      'On the agent, purge the computer\'s tickets (`klist -li 0x3e7 purge`) and restart the Health Service (`Restart-Service HealthService`).',
    ],
  },
  HEARTBEAT_GAP: {
    severity: 'error',
    title: 'Agent heartbeats missing',
    summary: 'The agent sent nothing to its management server on 5723 for longer than the heartbeat interval times the heartbeats the server lets it miss.',
    explanation: [
      'An agent sends a heartbeat to its management server over 5723 every 60 seconds by default (in practice over its TCP connection; the heartbeat documentation also describes UDP, which rpctrace reads too). After 4 missed heartbeats (the default) the server raises "Health Service Heartbeat Failure" and pings the computer; when the ping gets no reply it also raises "Failed to Connect to Computer". Both alerts: the computer cannot be reached. Only the first: the computer answers, but the agent\'s Health Service has a problem (AGENT_UNREACHABLE and AGENT_REACHABLE_NO_HEARTBEAT say which, when the capture holds the ping).',
      '',
      'rpctrace measures the silences between the agent\'s transmissions to the server on 5723: TCP segments that carry new data (a retransmission of old data does not count) and UDP datagrams. A silence longer than the interval times the missed heartbeats (--heartbeat-interval, 60 s, and --missed-heartbeats, 4) is a gap. An agent configured for a longer interval is recognised from its own rhythm (at least three gaps of half the interval or more, half of them within 15% of their median, the median over 1.2 times the configured interval) and judged against that.',
      '',
      'Fact and inference: the silence is a fact at the capture point. That the transmissions are heartbeats is inferred: their content is encrypted. A capture taken at the server cannot tell an agent that sent nothing from packets dropped on the way.',
    ].join('\n'),
    remediation: [
      'On the agent: is the Health Service running (`Get-Service HealthService`)? Read the Operations Manager event log (events 21006, 20057, 20070, 21001).',
      'From the management server, ping the agent and test the path: `Test-NetConnection <agent>`; from the agent, `Test-NetConnection <server> -Port 5723`.',
      'If the agent is configured for another heartbeat interval (Administration, Settings, Heartbeat, or an override), run rpctrace with --heartbeat-interval set to it.',
      AGENT_CHECK_CAPTURE,
    ],
  },
  AGENT_UNREACHABLE: {
    severity: 'error',
    title: 'Agent does not answer the management server\'s ping',
    summary: 'During the heartbeat silence the management server pinged the agent and got no echo reply: the computer cannot be reached ("Failed to Connect to Computer").',
    explanation: [
      'After the missed heartbeats the management server checks whether the computer is still there with an ICMP echo request (ping). Here the requests from the management server to the agent are in the capture and no echo reply came back: the computer is off, disconnected or unreachable on the network, or a firewall on the way or on the computer drops ICMP echo. Operations Manager raises both "Health Service Heartbeat Failure" and "Failed to Connect to Computer".',
      '',
      'Fact and inference: the unanswered echo requests are facts. A firewall that blocks ICMP echo (Windows Firewall\'s "File and Printer Sharing (Echo Request - ICMPv4-In)" rule disabled, or a network policy) makes a running computer look unreachable here; the heartbeat silence alone says only that the agent did not send.',
    ].join('\n'),
    remediation: [
      'Check that the computer is running and connected (console, hypervisor, the network team).',
      'From the management server: `Test-NetConnection <agent>`, `tracert <agent>`; check the route and firewalls between them.',
      'If the computer is up, allow ICMP echo to it from the management servers (the "Echo Request - ICMPv4-In" rule) so that the server\'s check works, and look at the agent as for AGENT_REACHABLE_NO_HEARTBEAT.',
    ],
  },
  AGENT_REACHABLE_NO_HEARTBEAT: {
    severity: 'error',
    title: 'Agent answers ping but sends no heartbeats',
    summary: 'The agent\'s computer answered the management server\'s ping during the heartbeat silence: the computer is up, its Health Service is not talking to the server.',
    explanation: [
      'After the missed heartbeats the management server pinged the agent and the computer answered. Operations Manager then raises "Health Service Heartbeat Failure" without "Failed to Connect to Computer": the network path for ICMP works, and the problem is the agent\'s Health Service or its channel on 5723.',
      '',
      'Usual causes: the Health Service stopped, hung or restarts in a loop; its cache (Health Service State) is corrupt or full; it cannot authenticate the server (events 20057, 21001) or the server rejects it (20070); it was moved to another management server (failover, look for 5723 traffic to another server); or a firewall allows ICMP but not TCP 5723.',
    ].join('\n'),
    remediation: [
      'On the agent: `Get-Service HealthService`; read the Operations Manager event log around the silence.',
      'Restart the Health Service; if it stays silent, stop it, rename the "Health Service State" folder under the agent\'s installation folder, and start it again.',
      'From the agent: `Test-NetConnection <server> -Port 5723`.',
    ],
  },
  AGENT_CHANNEL_TLS_ALERT: {
    severity: 'error',
    title: 'TLS handshake on the agent channel (5723) failed',
    summary: 'A TLS alert on TCP 5723 ended the certificate handshake between a gateway (or an agent using certificates) and a management server.',
    explanation: [
      'Gateways, and agents outside the management server\'s Kerberos trust (workgroup computers, untrusted domains), authenticate with certificates: the two sides run a mutually authenticated TLS handshake on TCP 5723. A TLS alert record in that handshake says why one side gave up:',
      '- unknown_ca (48): the sender does not trust the CA that issued the other side\'s certificate;',
      '- bad_certificate (42), unsupported_certificate (43), certificate_unknown (46): the certificate is unusable (wrong key usage, wrong subject, no private key);',
      '- certificate_expired (45), certificate_revoked (44): as the names say;',
      '- handshake_failure (40): no certificate or no common algorithm.',
      'An encrypted alert (after the handshake) cannot be read; it still ends the connection.',
      '',
      'The Operations Manager event log on the gateway or agent, and on the management server, holds the matching events (20050 to 20077, 21007, 21021, 21036: no certificate found, the certificate cannot be used, the peer could not be authenticated).',
      '',
      CERT_CHECKLIST,
      '',
      'Wireshark does not decode TCP 5723 as TLS by itself: use Decode As (TCP port 5723, TLS) to read the handshake.',
    ].join('\n'),
    remediation: [
      'Read the alert in the finding: who sent it is the side that rejected the other\'s certificate.',
      'Go through the certificate checklist of `rpctrace explain AGENT_CHANNEL_TLS_ALERT` on both computers; `certutil -verify -urlfetch <certificate file>` shows chain and revocation problems.',
      'Import the certificate with `MOMCertImport.exe` (on the gateway or agent; on the management server too) and restart the Health Service on both.',
    ],
  },
  AGENT_CHANNEL_CLOSED: {
    severity: 'error',
    title: 'Management server closes the agent channel after authentication',
    summary: 'The agent\'s connections to 5723 are accepted and exchange a few messages, then the management server closes them: the agent is not approved or not allowed.',
    explanation: [
      'The pattern: the agent connects to TCP 5723, both sides exchange a few messages (the authentication), and the management server ends the connection with a FIN or a reset; the agent tries again later and the same happens. The agent logs event 20070: "The OpsMgr Connector connected to <server>, but the connection was closed immediately after authentication occurred. The most likely cause of this error is that the agent is not authorized to communicate with the server, or the server has not received configuration."',
      '',
      'Usual causes: a manually installed agent waiting in Pending Management (or the management group set to reject manual installations); an agent deleted from the console that still reports; a management group name that does not match.',
      '',
      'Fact and inference: the closes and their timing are facts; the cause is inferred from the pattern (the content is encrypted).',
    ].join('\n'),
    remediation: [
      'In the Operations Manager shell: `Get-SCOMPendingManagement | Approve-SCOMPendingManagement` (or Administration, Device Management, Pending Management in the console).',
      'Check Administration, Settings, Security: "Reject new manual agent installations" versus "Review new manual agent installations in pending management view".',
      'On the management server, read the Operations Manager event log for event 20000 ("A device which is not part of this management group has attempted to access this Health Service").',
    ],
  },
  DISJOINT_NAMESPACE: {
    severity: 'warning',
    title: 'A host\'s DNS domain differs from the Kerberos realm',
    summary: 'A host the agent works with has a DNS name outside the Kerberos realm seen in the same capture (a disjoint namespace): SPNs and name lookups must match it.',
    explanation: [
      'In a disjoint namespace a computer\'s primary DNS suffix is not its Active Directory domain\'s DNS name: the realm is CORP.EXAMPLE, yet the management server answers to scom01.ops.example.net. Kerberos names services by the name the client uses, so the agent asks for MSOMHSvc/scom01.ops.example.net, and that SPN must be registered on the management server\'s account besides the one with the domain suffix. The DC locator and the agent\'s name lookups need the DNS suffix search list to cover both.',
      '',
      'Fact and inference: the DNS answer and the realm are facts; whether the namespace is disjoint by design is not something a capture can tell. It works when the SPNs and suffixes are in place; when they are not, expect AGENT_SPN_ERROR or event 21001 on the agent.',
    ].join('\n'),
    remediation: [
      'List the management server\'s SPNs: `setspn -L <server>`; both MSOMHSvc/<name in DNS> and MSOMHSvc/<name in the domain> must be there (`setspn -S` adds one).',
      'Check the domain\'s msDS-AllowedDNSSuffixes when computers register names outside the domain\'s suffix.',
      'Configure the agents\' DNS suffix search list to include both suffixes, and configure the agent with the management server name that its SPN carries.',
    ],
  },
} as const satisfies Record<FindingId, FindingInfo>;

/** The catalog entry for `id`, matched case-insensitively; null when unknown. */
export function findFinding(id: string): { id: FindingId; info: FindingInfo } | null {
  const key = id.trim().toUpperCase();
  return Object.hasOwn(FINDING_CATALOG, key) ? { id: key as FindingId, info: FINDING_CATALOG[key as FindingId] } : null;
}
