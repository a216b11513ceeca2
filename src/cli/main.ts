/**
 * The command line: `run(argv, io)` returns an exit code and never calls process.exit; the bin
 * shim does. Only what a command needs is loaded: `--version` answers before commander is.
 */
import { BufferedSink } from '../report/writer.js';
import { ExitCode } from './exit-codes.js';
import { VERSION } from './version.js';

/** Where the CLI writes; tests pass string sinks. */
export interface Io {
  /** Standard output; `isTTY` and `columns` as a terminal's stream has them (tests may set them). */
  out: { write(s: string): unknown; isTTY?: boolean; columns?: number };
  err: { write(s: string): unknown };
  /** Standard input, for `-`. */
  stdin?: AsyncIterable<Uint8Array>;
  /** Columns of the terminal standard output is, or null when it is not one (set by `run`). */
  terminal?: number | null;
  /** Environment for NO_COLOR, FORCE_COLOR and RPCTRACE_REDACT_KEY (default: process.env). */
  env?: Readonly<Record<string, string | undefined>>;
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
    const terminal = io.terminal !== undefined ? io.terminal : io.out.isTTY === true ? (io.out.columns ?? 80) : null;
    const code = await runProgram(argv, { ...io, out, terminal, env: io.env ?? process.env });
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
