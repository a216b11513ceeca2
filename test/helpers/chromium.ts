/**
 * Headless chromium for the HTML report's browser tests: Debian's `chromium` package (.ci/run
 * installs it), driven by its own --dump-dom and --screenshot, with a fresh profile per call and
 * nothing fetched from the network. Tests skip with a printed reason when it is absent.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { EXTERNAL_CALL_MS } from './external.js';

const BINARY = ['chromium', 'chromium-browser'].find((b) => spawnSync(b, ['--version'], { stdio: 'ignore', timeout: EXTERNAL_CALL_MS }).status === 0) ?? null;

export const HAVE_CHROMIUM = BINARY !== null;
export const CHROMIUM_SKIP_REASON = HAVE_CHROMIUM ? '' : ' (skipped: chromium is not installed; .ci/run installs it, on Debian: apt-get install chromium)';

/** Flags that work in a container as root, with no GPU, no network and no first-run work. */
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--hide-scrollbars', '--mute-audio'];

function chromium(args: string[]): string {
  if (BINARY === null) throw new Error('chromium is not installed');
  const profile = mkdtempSync(join(tmpdir(), 'rpctrace-chromium-'));
  try {
    const r = spawnSync(BINARY, [...FLAGS, `--user-data-dir=${profile}`, ...args], { encoding: 'utf8', timeout: EXTERNAL_CALL_MS, maxBuffer: 64 << 20 });
    if (r.error !== undefined) throw new Error(`chromium: ${r.error.message}`);
    if (r.status !== 0) throw new Error(`chromium exited with ${r.status}: ${r.stderr.slice(-2000)}`);
    return r.stdout;
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
}

/** The DOM of the page at `file` after it loaded, as chromium serialises it. */
export function dumpDom(file: string): string {
  return chromium(['--dump-dom', pathToFileURL(file).href]);
}

/** A PNG screenshot of the page at `file`. */
export function screenshot(file: string, png: string, width = 1150, height = 1800): void {
  chromium([`--window-size=${width},${height}`, `--screenshot=${png}`, pathToFileURL(file).href]);
}
