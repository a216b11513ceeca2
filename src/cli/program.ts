/**
 * The command table (commander): parses, dispatches to the command modules (loaded only when
 * their command runs) and returns an exit code. Loaded by main.ts unless the whole command line
 * is `--version`.
 */
import { Command, CommanderError, Option } from 'commander';
import type { OutputFormat } from '../report/index.js';
import { EXIT_CODE_HELP, ExitCode } from './exit-codes.js';
import {
  DEFAULT_FOLLOW_WINDOW_SECONDS, DEFAULT_HEARTBEAT_INTERVAL_SECONDS, DEFAULT_MISSED_HEARTBEATS, DEFAULT_RANGES_TEXT, FAIL_ON, PROFILES, parseDynamicRanges,
  parseFollowWindow, parseMemoryBudget, parseHeartbeatInterval, parseJobs, parseMissedHeartbeats, parseRequired, parseServers,
} from './options.js';
import { DEFAULT_REQUIRED_PORTS, requiredText, type Profile, type RequiredPort } from '../model/agent.js';
import { VERSION } from './version.js';
import { COLOR_WHEN, type ColorWhen } from './output-options.js';
import { visibleLines } from '../model/visible.js';

import type { Io } from './main.js';
import type { ScanFormat } from './scan-job.js';
import type { EngineOptions } from './analyze-command.js';
import { DEFAULT_MEMORY_BUDGET_MIB } from '../model/memory-budget.js';

/** `--format` of analyze and ports; the type check keeps it in step with report/index.ts REPORT_WRITERS. */
const FORMATS = ['table', 'json', 'md', 'html'] as const satisfies readonly OutputFormat[];
const _everyRendererListed: Exclude<OutputFormat, (typeof FORMATS)[number]> extends never ? true : never = true;
void _everyRendererListed;

/** `scan --format`: kept in step with scan-job.ts SCAN_FORMATS by the type check. */
const SCAN_FORMAT_CHOICES = ['table', 'json', 'jsonl', 'csv', 'md', 'html'] as const satisfies readonly ScanFormat[];
type ScanFormatChoice = (typeof SCAN_FORMAT_CHOICES)[number];
const _everyScanFormatListed: Exclude<ScanFormat, ScanFormatChoice> extends never ? true : never = true;
void _everyScanFormatListed;

/** Options every engine command takes, as commander hands them over. */
interface EngineFlags {
  dynamicRange?: [number, number][];
  followWindow: number;
  memoryBudget: number;
}

const engineOptions = (cmd: Command): Command =>
  cmd
    .addOption(new Option('--dynamic-range <ranges>', `expected RPC dynamic port range, START-END; repeat or separate with commas (default: ${DEFAULT_RANGES_TEXT})`).argParser(parseDynamicRanges))
    .addOption(new Option('--follow-window <seconds>', 'seconds after an endpoint answer in which the client\'s connection attempts count as its follow-up').argParser(parseFollowWindow).default(DEFAULT_FOLLOW_WINDOW_SECONDS))
    .addOption(new Option('--memory-budget <MiB>', 'memory for the state of each capture (conversations, attempts, RPC state, buffers, fragments, endpoints, findings); past it the least useful state is released and the report says what was capped').argParser(parseMemoryBudget).default(DEFAULT_MEMORY_BUDGET_MIB));

const engineSettings = (o: EngineFlags): { dynamicRanges: [number, number][]; followWindowSeconds: number; memoryBudgetMiB: number } => ({
  dynamicRanges: o.dynamicRange ?? parseDynamicRanges(DEFAULT_RANGES_TEXT),
  followWindowSeconds: o.followWindow,
  memoryBudgetMiB: o.memoryBudget,
});

/** The agent checks' options of `analyze`, as commander hands them over. */
interface AgentFlags {
  profile: Profile;
  server?: string[];
  require?: RequiredPort[];
  heartbeatInterval: number;
  missedHeartbeats: number;
}

const agentOptions = (cmd: Command): Command =>
  cmd
    .addOption(new Option('--profile <profile>', 'auto: the RPC checks, and the agent checks when the capture shows Operations Manager traffic on 5723; scom: both always; rpc: the RPC checks only').choices(PROFILES).default('auto'))
    .addOption(new Option('--server <host>', 'a management server (address, or name as the capture\'s DNS answers give it); repeat or separate with commas; runs the agent checks').argParser(parseServers))
    .addOption(new Option('--require <ports>', `ports to judge per client and server, as tcp/PORT or udp/PORT, comma-separated or repeated (default: ${DEFAULT_REQUIRED_PORTS.map(requiredText).join(',')}); runs the agent checks`).argParser(parseRequired))
    .addOption(new Option('--heartbeat-interval <seconds>', 'seconds between an agent\'s heartbeats').argParser(parseHeartbeatInterval).default(DEFAULT_HEARTBEAT_INTERVAL_SECONDS))
    .addOption(new Option('--missed-heartbeats <n>', 'heartbeats an agent may miss before the management server raises a heartbeat failure').argParser(parseMissedHeartbeats).default(DEFAULT_MISSED_HEARTBEATS));

/** The agent options as the engine takes them; a usage error when they contradict `--profile rpc`. */
function agentSettings(o: AgentFlags, cmd: Command): Pick<EngineOptions, 'profile' | 'agent' | 'agentForcedBy'> {
  if (o.profile === 'rpc' && (o.server !== undefined || o.require !== undefined)) {
    cmd.error(`error: --profile rpc runs the RPC checks only; ${o.server !== undefined ? '--server' : '--require'} asks for the agent checks (use --profile scom or auto)`);
  }
  const forcedBy = o.require !== undefined ? `--require ${o.require.map(requiredText).join(',')}` : o.server !== undefined ? `--server ${o.server.join(',')}` : null;
  return {
    profile: o.profile,
    agent: { heartbeatIntervalSeconds: o.heartbeatInterval, missedHeartbeats: o.missedHeartbeats, required: o.require ?? [...DEFAULT_REQUIRED_PORTS], servers: o.server ?? [] },
    agentForcedBy: forcedBy,
  };
}

/** Parses `argv` and runs the command. Throws only on bugs (main.ts reports them). */
export async function runProgram(argv: readonly string[], io: Io): Promise<ExitCode> {
  let code: ExitCode = ExitCode.Ok;
  const program = new Command('rpctrace')
    .description('Reads packet captures and explains, with frame numbers as proof, why Windows RPC connections fail.')
    .version(VERSION, '-V, --version')
    .addHelpText('after', `\n${EXIT_CODE_HELP}\n\nFormats are recognised by content: pcap (us/ns, either byte order), pcapng, Network Monitor 2.x .cap, each optionally gzip-compressed; '-' reads standard input, and named pipes (<(zcat x.pcap.gz), /dev/stdin, FIFOs) are read like it.\nTunnels are opened and the innermost packet analysed: VLAN tags (any number), MPLS, PPPoE, PBB, FabricPath, GRE (incl. PPTP), ERSPAN I/II/III, VXLAN(-GPE), Geneve, IP in IP, GTP-U. Frames inside an encapsulation not decoded (L2TP, EtherIP, NSH, other payload types) are counted and reported in the warning 'undecoded-encapsulation'.`)
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out.write(s), writeErr: (s) => io.err.write(visibleLines(s)) })
    .showHelpAfterError('(run rpctrace --help for usage)');

  agentOptions(engineOptions(
    program
      .command('analyze')
      .description('say why RPC connections fail: verdicts with frame numbers as proof, then the evidence, the endpoints advertised, failed connection attempts and a capture summary')
      .argument('<capture...>', "capture files, directories (their files, not subdirectories: 'rpctrace scan' reads those) or '-' for standard input")
      .addOption(new Option('-f, --format <format>', 'output format: table for the terminal, json (the versioned document), md (Markdown for a support ticket), html (one self-contained page with timelines, for a ticket)').choices(FORMATS).default('table'))
      .addOption(new Option('--fail-on <severity>', 'exit 1 when a finding at or above this severity exists (none: never)').choices(FAIL_ON).default('error'))
      .addOption(new Option('-o, --output <file>', 'write the report to this file instead of standard output (never over an input)'))
      .addOption(new Option('--evidence <file.pcapng>', 'also write the frames that back the findings to this pcapng file, each with a comment naming the finding, its role and its original frame number (files only: a capture is read twice)'))
      .addOption(new Option('--redact', 'replace IP and MAC addresses, host names, file names and text from the capture by consistent keyed pseudonyms, in the report and the evidence file'))
      .addOption(new Option('--redact-key <key>', 'key of the pseudonyms, to keep them the same across runs (implies --redact; with --redact, RPCTRACE_REDACT_KEY gives it too); without it a random key per run'))
      .addOption(new Option('--color <when>', 'colour severities: auto (only on a terminal; NO_COLOR and FORCE_COLOR are honoured), always, never').choices(COLOR_WHEN).default('auto')),
  )).action(async (captures: string[], opts: EngineFlags & AgentFlags & { format: (typeof FORMATS)[number]; failOn: (typeof FAIL_ON)[number]; output?: string; color: ColorWhen; evidence?: string; redact?: boolean; redactKey?: string }, cmd: Command) => {
    const agent = agentSettings(opts, cmd);
    const { analyzeCommand } = await import('./analyze-command.js');
    code = await analyzeCommand(captures, {
      ...engineSettings(opts), ...agent, format: opts.format, failOn: opts.failOn, color: opts.color, ...(opts.output !== undefined ? { output: opts.output } : {}),
      ...(opts.evidence !== undefined ? { evidence: opts.evidence } : {}),
      ...(opts.redact === true ? { redact: true } : {}),
      ...(opts.redactKey !== undefined ? { redactKey: opts.redactKey } : {}),
    }, io);
  });

  engineOptions(
    program
      .command('ports')
      .description('per server port: connection attempts, established, failed, incomplete, servers, whether advertised and whether in the expected range')
      .argument('<capture...>', "capture files, directories (their files, not subdirectories: 'rpctrace scan' reads those) or '-' for standard input")
      .addOption(new Option('-f, --format <format>', 'output format').choices(FORMATS).default('table')),
  ).action(async (captures: string[], opts: EngineFlags & { format: (typeof FORMATS)[number] }) => {
    const { portsCommand } = await import('./ports-command.js');
    code = await portsCommand(captures, { ...engineSettings(opts), format: opts.format }, io);
  });

  agentOptions(engineOptions(
    program
      .command('scan')
      .description('find every capture in folders (with their subfolders) and .zip archives, analyze them in parallel, and summarise: one row per file, then the findings and targets across files')
      .argument('<path...>', 'folders, capture files or .zip archives (captures are recognised by content, whatever their names)')
      .addOption(new Option('-f, --format <format>', 'output format: table (summary for the terminal), json (the analyze document plus an aggregate), jsonl (one record per line, as files finish), csv (one row per file), md (the summary in Markdown), html (the summary as one self-contained page)').choices(SCAN_FORMAT_CHOICES).default('table'))
      .addOption(new Option('--fail-on <severity>', 'exit 1 when a finding at or above this severity exists in any file (none: never)').choices(FAIL_ON).default('error'))
      .option('--no-recursive', 'read only the files directly inside each folder, not its subfolders')
      .addOption(new Option('-j, --jobs <n>', 'files analyzed at once, each in a worker thread (default: the number of cores)').argParser(parseJobs))
      .addOption(new Option('-o, --output <file>', 'write the output to FILE (through a temporary file renamed at the end; never over an input) instead of standard output'))
      .option('-q, --quiet', 'no progress bar (it is shown on standard error only when that is a terminal)')
      .addOption(new Option('--redact', 'replace IP and MAC addresses, host names, file names and text from the captures by consistent keyed pseudonyms in every output, the same across all files of the scan'))
      .addOption(new Option('--redact-key <key>', 'key of the pseudonyms, to keep them the same across runs (implies --redact; with --redact, RPCTRACE_REDACT_KEY gives it too); without it a random key per run'))
      .addOption(new Option('--color <when>', 'colour severities in the table: auto (only on a terminal; NO_COLOR and FORCE_COLOR are honoured), always, never').choices(COLOR_WHEN).default('auto'))
      .addHelpText('after', `\nA member of a .zip archive is reported as ARCHIVE/MEMBER (its name as stored; never used as a path). Encrypted members, zips inside zips and methods other than stored and deflate are skipped with the reason; symbolic links are followed only inside the folder named, each folder once.\n\n${EXIT_CODE_HELP}\n  3 wins over 2, and 2 over 1; for scan, 3 means rpctrace failed on a file (reported as internal-error; the other files are read). Skipped files are not failures.`),
  )).action(async (paths: string[], opts: EngineFlags & AgentFlags & { format: ScanFormatChoice; failOn: (typeof FAIL_ON)[number]; recursive: boolean; jobs?: number; output?: string; quiet?: boolean; color: ColorWhen; redact?: boolean; redactKey?: string }, cmd: Command) => {
    const agent = agentSettings(opts, cmd);
    const { scanCommand, defaultJobs } = await import('./scan-command.js');
    code = await scanCommand(paths, {
      ...engineSettings(opts), ...agent, format: opts.format, failOn: opts.failOn, recursive: opts.recursive, jobs: opts.jobs ?? defaultJobs(),
      quiet: opts.quiet === true, output: opts.output ?? null, color: opts.color,
      ...(opts.redact === true ? { redact: true } : {}), ...(opts.redactKey !== undefined ? { redactKey: opts.redactKey } : {}),
    }, io);
  });

  program
    .command('explain')
    .description('explain a finding id (case-insensitive): what the capture shows, why it happens, what to do; without an id, list every id')
    .argument('[id]', 'a finding id such as NONSTANDARD_RPC_PORT_BLOCKED')
    .action(async (id: string | undefined) => {
      const { explainCommand } = await import('./explain-command.js');
      code = explainCommand(id, io);
    });

  program
    .command('syn')
    .description('list every TCP SYN (without ACK): frame, time, addresses, ports, flags, and which frame a retransmission repeats')
    .argument('<capture>', "a capture file or '-' for standard input")
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json'] as const).default('text'))
    .action(async (capture: string, opts: { format: 'text' | 'json' }) => {
      const { synCommand } = await import('./syn-command.js');
      code = await synCommand(capture, opts, io);
    });

  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (e: unknown) {
    // --help and --version end here with exit code 0; usage errors with 1, which we map to 2.
    if (e instanceof CommanderError) return e.exitCode === 0 ? ExitCode.Ok : ExitCode.Usage;
    throw e;
  }
}
