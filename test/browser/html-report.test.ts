/**
 * The HTML report in a real browser (headless chromium, its own --dump-dom): the verdicts and
 * the timeline are in the page as loaded, hostile strings from a capture stay text (no element,
 * no attribute, no script comes from them), and a screenshot can be taken. The screenshot in
 * docs/ that the README shows is rewritten with UPDATE_SCREENSHOT=1.
 */
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.js';
import { renderReport } from '../../src/report/index.js';
import { describeFinding } from '../../src/model/finding-text.js';
import { CHROMIUM_SKIP_REASON, HAVE_CHROMIUM, dumpDom, screenshot } from '../helpers/chromium.js';
import { EXTERNAL_TEST_MS } from '../helpers/external.js';
import { ROOT, SAMPLES } from '../helpers/corpus.js';
import { fileReport, HOSTILE, report } from '../unit/report/fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'rpctrace-html-'));

async function htmlOf(argv: string[], out: string): Promise<number> {
  let err = '';
  const code = await run(['analyze', ...argv, '--format', 'html', '--output', out], { out: { write: () => {} }, err: { write: (s: string) => { err += s; } }, env: {} });
  expect(err).toBe('');
  return code;
}

describe.skipIf(!HAVE_CHROMIUM)(`HTML report in headless chromium${CHROMIUM_SKIP_REASON}`, () => {
  it('shows the verdicts, a timeline of the failing conversation and the ports picture', async () => {
    const page = join(dir, 'blocked.html');
    expect(await htmlOf([join(SAMPLES, 'rpc-nonstandard-port-blocked.pcap')], page)).toBe(1);
    const dom = dumpDom(page);
    expect(dom).toContain('Verdicts: 1 error, 0 warnings, 0 info');
    expect(dom).toContain('NONSTANDARD_RPC_PORT_BLOCKED');
    expect(dom).toContain('TCP 15595 on 10.1.1.10 (DRSUAPI (AD replication), advertised) is blocked');
    const timeline = dom.slice(dom.indexOf('<figure class="timeline sev-error">'));
    expect(timeline.length).toBeGreaterThan(0);
    // The SYN, its two retransmissions and the endpoint answer, each a mark with its frame number.
    expect(timeline.match(/<g class="mark (syn|retx|answer)">/g)).toHaveLength(4);
    for (const frame of [7, 11, 12, 13]) expect(timeline).toContain(`>${frame}</text>`);
    expect(dom).toContain('<figure class="ports">');
    expect(dom).not.toContain('<script');
  }, EXTERNAL_TEST_MS);

  it('draws a heartbeat silence: the last transmission, the shaded silence, the end of the capture', async () => {
    const page = join(dir, 'heartbeat.html');
    expect(await htmlOf([join(SAMPLES, 'agent-heartbeat-gap-unreachable.pcap')], page)).toBe(1);
    const dom = dumpDom(page);
    expect(dom).toContain('HEARTBEAT_GAP');
    const timeline = dom.slice(dom.indexOf('<figure class="timeline sev-error">'));
    expect(timeline).toMatch(/<g class="gap"><title>318 s without a transmission, to the end of the capture<\/title><rect /);
    expect(timeline).toContain('<g class="mark heartbeat"><title>frame 15: last transmission before the silence');
    expect(timeline).toContain('<g class="mark other"><title>frame 22: end of the capture');
    expect(timeline).toContain('<span class="key heartbeat">last transmission before the silence</span>');
  }, EXTERNAL_TEST_MS);

  it('keeps hostile strings from captures and file names as text', async () => {
    const findings = HOSTILE.map((s, i) => describeFinding({
      id: 'TOWER_ADDRESS_MISMATCH', severity: 'warning', protocol: 'tcp', client: '10.1.1.50', server: '10.1.1.10', port: 49667,
      evidence: [{ frame: 7 + i, role: 'endpoint-answer', time: i }], evidenceTotal: 1, inferred: false, params: { kind: 'tower', frame: 7 + i, advertisedHost: s }, folded: null,
    }));
    const f = fileReport({ path: HOSTILE.join(' '), comments: HOSTILE.map((text, i) => ({ frame: i + 1, text })), findings });
    const page = join(dir, 'hostile.html');
    writeFileSync(page, await renderReport('html', report([f])));
    const dom = dumpDom(page);
    expect(dom).not.toMatch(/<script|<svg onload|<a[\s>]/i);
    for (const tag of dom.match(/<[a-z][^>]*>/gi) ?? []) expect(tag.replace(/="[^"]*"/g, '=""')).not.toMatch(/\son[a-z]+=/i);
    // The strings are there, as text.
    expect(dom).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(dom).toContain('"&gt;&lt;svg onload=alert(1)&gt;');
    expect(dom).toContain('\\x1b[2J\\x1b[HAll clear');
    expect(dom).toContain('user\\u202egnp.exe');
  }, EXTERNAL_TEST_MS);

  it('scan --format html: the summary of a folder as one page, hostile file names as text', async () => {
    const tree = mkdtempSync(join(dir, 'scan-'));
    copyFileSync(join(SAMPLES, 'rpc-nonstandard-port-blocked.pcap'), join(tree, 'dc01.pcap'));
    copyFileSync(join(SAMPLES, 'rpc-healthy.pcap'), join(tree, '<img src=x onerror=alert(1)>\u001b[2J.pcap'));
    const page = join(dir, 'scan.html');
    let err = '';
    const code = await run(['scan', '-q', '--jobs', '1', '--format', 'html', '--output', page, tree], { out: { write: () => {} }, err: { write: (s: string) => { err += s; } }, env: {} });
    expect([code, err]).toEqual([1, '']);
    const dom = dumpDom(page);
    expect(dom).toContain('<title>rpctrace scan</title>');
    expect(dom).toContain('2 files read');
    expect(dom).toContain('NONSTANDARD_RPC_PORT_BLOCKED');
    expect(dom).toContain('10.1.1.10 TCP 15595');
    expect(dom).toContain('&lt;img src=x onerror=alert(1)&gt;\\x1b[2J.pcap');
    expect(dom).not.toMatch(/<img|<script/i);
  }, EXTERNAL_TEST_MS);

  it('takes a screenshot of a sample report (docs/report-sample.png with UPDATE_SCREENSHOT=1)', async () => {
    const page = join(dir, 'sample.html');
    // Paths as a user in the project would type them (the test runs there).
    await htmlOf(['samples/dcom-activation-blocked.pcap', 'samples/rpc-dynamic-port-icmp-prohibited.pcap'], page);
    const png = join(dir, 'sample.png');
    screenshot(page, png, 1150, 2200);
    const bytes = readFileSync(png);
    expect(bytes.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
    if (process.env.UPDATE_SCREENSHOT === '1') copyFileSync(png, join(ROOT, 'docs', 'report-sample.png'));
  }, EXTERNAL_TEST_MS);
});
