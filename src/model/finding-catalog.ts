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
      'If the application still fails, the cause lies above TCP: authentication, permissions or the application itself. Look for RPC_FAULT findings and the server\'s event logs. A capture with this finding is also a useful baseline to compare with a failing one.',
    ].join('\n'),
    remediation: [
      'Nothing to change for this path.',
      'If the application still reports an error, look for RPC_FAULT findings and read the server\'s event logs.',
    ],
  },
  STATE_LIMIT_REACHED: {
    severity: 'warning',
    title: 'Too many connections to track one by one',
    summary: 'The capture holds more conversations or connection attempts than rpctrace tracks individually; the rest were counted by port.',
    explanation: [
      'rpctrace keeps a bounded amount of state per capture so that a SYN flood, a port scan or a very busy server cannot exhaust memory: a fixed number of TCP conversations and of connection attempts (the finding states both) are tracked one by one. Past those bounds, further SYNs are counted per destination port and reported here, and the packets of conversations that did not fit are not analyzed.',
      '',
      'Fact and inference: the counts are exact. Verdicts about the tracked attempts stay exact; nothing is concluded about the untracked ones, whose outcome is unknown. A capture that reaches these bounds is usually a scan or flood (thousands of SYNs per second from few sources, to many ports or addresses), or covers a very long period.',
    ].join('\n'),
    remediation: [
      'If the SYNs come from few sources to many ports or addresses, look for a scanner or a flood (the top ports are listed in the finding).',
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
} as const satisfies Record<FindingId, FindingInfo>;

/** The catalog entry for `id`, matched case-insensitively; null when unknown. */
export function findFinding(id: string): { id: FindingId; info: FindingInfo } | null {
  const key = id.trim().toUpperCase();
  return Object.hasOwn(FINDING_CATALOG, key) ? { id: key as FindingId, info: FINDING_CATALOG[key as FindingId] } : null;
}
