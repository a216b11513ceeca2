/**
 * vitest global setup: says, once and on the default reporter, which tests skip on this machine
 * and why (the skipped tests' titles say it too).
 */
import { CORPUS, HAVE_CORPUS } from '../helpers/corpus.js';
import { HAVE_TSHARK } from '../helpers/tshark.js';
import { HAVE_CHROMIUM } from '../helpers/chromium.js';

export default function announceSkips(): void {
  if (!HAVE_TSHARK) process.stderr.write('rpctrace tests: tshark is not installed, so the differential tests against tshark skip (.ci/run installs it; on Debian: apt-get install tshark)\n');
  if (!HAVE_CHROMIUM) process.stderr.write('rpctrace tests: chromium is not installed, so the HTML report\'s browser tests skip (.ci/run installs it; on Debian: apt-get install chromium)\n');
  if (!HAVE_CORPUS) process.stderr.write(`rpctrace tests: ${CORPUS} is absent, so the tests on the shared corpus of real captures skip\n`);
}
