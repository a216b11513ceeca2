/** Process exit codes, in the manner of linters. Documented in the README and `--help`. */
export const ExitCode = {
  /** No finding at or above `--fail-on`. */
  Ok: 0,
  /** At least one finding at or above `--fail-on`. */
  Findings: 1,
  /** Usage error, or an input that could not be read at all. */
  Usage: 2,
  /** A bug in rpctrace. */
  Internal: 3,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** The exit-code table as printed in `--help`. */
export const EXIT_CODE_HELP = `Exit codes:
  0  no finding at or above --fail-on
  1  findings at or above --fail-on
  2  usage error, or an input that could not be read at all
  3  internal error (a bug in rpctrace: please report it)`;
