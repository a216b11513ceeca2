/**
 * The command line: `run(argv, io)` returns an exit code and never calls process.exit; the bin
 * shim does. Only what a command needs is loaded: `--version` answers before commander is.
 */
import { BufferedSink } from '../report/writer.js';
import { ExitCode } from './exit-codes.js';
import { VERSION } from './version.js';

/** Where the CLI writes; tests pass string sinks. */
export interface Io {
  out: { write(s: string): unknown };
  err: { write(s: string): unknown };
  /** Standard input, for `-`. */
  stdin?: AsyncIterable<Uint8Array>;
}

/** Runs the CLI with `argv` (without the node and script names). */
export async function run(argv: readonly string[], io: Io): Promise<ExitCode> {
  if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
    io.out.write(`${VERSION}\n`);
    return ExitCode.Ok;
  }
  const out = new BufferedSink(io.out);
  try {
    const { runProgram } = await import('./program.js');
    const code = await runProgram(argv, { ...io, out });
    out.flush();
    return code;
  } catch (e: unknown) {
    out.flush();
    // A bug, never bad input: say so plainly; the stack only when asked for (RPCTRACE_DEBUG=1).
    const detail = e instanceof Error ? (process.env.RPCTRACE_DEBUG === '1' ? (e.stack ?? e.message) : e.message) : String(e);
    io.err.write(`rpctrace: internal error: ${detail}\nThis is a bug in rpctrace ${VERSION}; please report it with the command line and, if you can, the capture (RPCTRACE_DEBUG=1 adds the stack trace).\n`);
    return ExitCode.Internal;
  }
}
