// Preloaded into node children with `node --import`: on exit, writes this process's peak RSS
// (KiB) and its CPU time (user + system, all threads, seconds) to the file named by
// RPCTRACE_BENCH_RSS_FILE, as "<KiB> <user> <sys>", the shape GNU time writes for
// `-f '%M %U %S'`. Does nothing when the variable is unset.
//
// Peak RSS is VmHWM from /proc/self/status where there is one (Linux), not getrusage's
// ru_maxrss: Linux keeps the larger of the pre-exec address space's high-water mark in
// ru_maxrss across execve, and right after fork that address space is the parent's, so a child
// of a bench process holding 300 MB reports at least 300 MB. VmHWM belongs to the address space
// exec created. Elsewhere ru_maxrss (process.resourceUsage().maxRSS) is used.
import { readFileSync, writeFileSync } from 'node:fs';

const out = process.env.RPCTRACE_BENCH_RSS_FILE;
if (out) {
  process.on('exit', () => {
    try {
      const u = process.resourceUsage();
      let peak = u.maxRSS;
      try {
        const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
        if (m !== null) peak = Number(m[1]);
      } catch {
        // No procfs: keep ru_maxrss.
      }
      writeFileSync(out, `${peak} ${u.userCPUTime / 1e6} ${u.systemCPUTime / 1e6}\n`);
    } catch {
      // The bench reports a missing value; never change the child's exit status.
    }
  });
}
