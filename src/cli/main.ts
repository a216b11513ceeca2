/**
 * The command line: `run(argv, io)` parses, dispatches and returns an exit code. It never calls
 * process.exit; the bin shim does. Heavy modules load only when a command needs them.
 */
import { Command, CommanderError, Option } from 'commander';
import { EXIT_CODE_HELP, ExitCode } from './exit-codes.js';
import { VERSION } from './version.js';

/** Where the CLI writes; tests pass string sinks. */
export interface Io {
  out: { write(s: string): unknown };
  err: { write(s: string): unknown };
  /** Standard input, for `-`. */
  stdin?: AsyncIterable<Uint8Array>;
}

const FORMATS = ['table', 'json'] as const;
const FAIL_ON = ['error', 'warning', 'info', 'none'] as const;

/** Runs the CLI with `argv` (without the node and script names). */
export async function run(argv: readonly string[], io: Io): Promise<ExitCode> {
  let code: ExitCode = ExitCode.Ok;
  const program = new Command('rpctrace')
    .description('Reads packet captures and explains, with frame numbers as proof, why Windows RPC connections fail.')
    .version(VERSION, '-V, --version')
    .addHelpText('after', `\n${EXIT_CODE_HELP}\n\nFormats are recognised by content: pcap (us/ns, either byte order), pcapng, Network Monitor 2.x .cap, each optionally gzip-compressed; '-' reads standard input.`)
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out.write(s), writeErr: (s) => io.err.write(s) })
    .showHelpAfterError('(run rpctrace --help for usage)');

  program
    .command('analyze')
    .description('summarise each capture: format, link types, frames, protocol and TCP control counts, read problems')
    .argument('<capture...>', "capture files, directories (their files, not subdirectories) or '-' for standard input")
    .addOption(new Option('-f, --format <format>', 'output format').choices(FORMATS).default('table'))
    .addOption(new Option('--fail-on <severity>', 'exit 1 when a finding at or above this severity exists').choices(FAIL_ON).default('error'))
    .action(async (captures: string[], opts: { format: (typeof FORMATS)[number]; failOn: (typeof FAIL_ON)[number] }) => {
      const { analyzeCommand } = await import('./analyze-command.js');
      code = await analyzeCommand(captures, opts, io);
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
    if (e instanceof CommanderError) {
      // --help and --version end here with exit code 0; usage errors with 1, which we map to 2.
      return e.exitCode === 0 ? ExitCode.Ok : ExitCode.Usage;
    }
    io.err.write(`rpctrace: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\nThis is a bug in rpctrace ${VERSION}; please report it with the command line and, if you can, the capture.\n`);
    return ExitCode.Internal;
  }
}
