// Preloaded into node children with `node --import`: on exit, writes this process's peak RSS
// (getrusage ru_maxrss via process.resourceUsage().maxRSS, KiB) and its CPU time (user + system,
// all threads, seconds) to the file named by RPCTRACE_BENCH_RSS_FILE, as "<KiB> <user> <sys>".
// The same shape GNU time writes for `-f '%M %U %S'`. Does nothing when the variable is unset.
import { writeFileSync } from 'node:fs';

const out = process.env.RPCTRACE_BENCH_RSS_FILE;
if (out) {
  process.on('exit', () => {
    try {
      const u = process.resourceUsage();
      writeFileSync(out, `${u.maxRSS} ${u.userCPUTime / 1e6} ${u.systemCPUTime / 1e6}\n`);
    } catch {
      // The bench reports a missing value; never change the child's exit status.
    }
  });
}
