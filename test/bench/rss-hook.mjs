// Preloaded into node children with `node --import`: on exit, writes this process's peak RSS
// (getrusage ru_maxrss via process.resourceUsage().maxRSS, in KiB) to the file named by
// RPCTRACE_BENCH_RSS_FILE. Exact for the process itself; does nothing when the variable is unset.
import { writeFileSync } from 'node:fs';

const out = process.env.RPCTRACE_BENCH_RSS_FILE;
if (out) {
  process.on('exit', () => {
    try {
      writeFileSync(out, `${process.resourceUsage().maxRSS}\n`);
    } catch {
      // The bench reports a missing value; never change the child's exit status.
    }
  });
}
