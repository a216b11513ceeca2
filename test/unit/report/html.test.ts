/**
 * The HTML report without a browser: one self-contained page (no script, no external resource,
 * a CSP that forbids them and allows the one style sheet by hash), verdicts first, a timeline
 * per failing finding, the ports picture, and every string from a capture or a file name
 * escaped for its context (text, attribute, SVG).
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { renderReport } from '../../../src/report/index.js';
import { CSP, STYLE } from '../../../src/report/html.js';
import { MemorySpool } from '../../../src/report/writer.js';
import { htmlEscape } from '../../../src/report/escape.js';
import { fileReport, finding, HOSTILE, mixedFile, report } from './fixtures.js';
import { describeFinding } from '../../../src/model/finding-text.js';

const RAW_UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/;

describe('HTML report', () => {
  it('is one page with a CSP that forbids scripts and names the style sheet by its hash', async () => {
    const html = await renderReport('html', report([mixedFile()]));
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html.trimEnd().endsWith('</html>')).toBe(true);
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="${CSP.replaceAll("'", '&#39;')}">`);
    expect(CSP).toContain("default-src 'none'");
    expect(CSP).not.toContain('script-src');
    expect(CSP).toContain(`'sha256-${createHash('sha256').update(STYLE).digest('base64')}'`);
    expect(html).toContain(`<style>${STYLE}</style>`);
    expect(html).not.toMatch(/<script|\bsrc=|\bhref=|url\(|@import|style="/i);
    expect(html.match(/<style>/g)).toHaveLength(1);
  });

  it('leads with the header and the verdicts, most severe first, with timelines and the ports picture', async () => {
    const html = await renderReport('html', report([mixedFile()]), { settings: [['expected dynamic range', '49152-65535']] });
    let from = 0;
    for (const s of ['<header>', 'capture.pcap', 'Capture span', 'Verdicts: 1 error, 1 warning, 1 info', 'NONSTANDARD_RPC_PORT_BLOCKED', '<figure class="timeline sev-error">', 'Endpoints advertised', '<figure class="ports">', '<h3>Capture</h3>']) {
      const at = html.indexOf(s, from);
      expect(at, s).toBeGreaterThan(from - 1);
      from = at;
    }
    expect(html).toContain('<span class="tone-error">error</span>');
    expect(html).toContain('<code>ip.addr==10.1.1.50 &amp;&amp; tcp.port in {135, 15595}</code>');
    // One timeline per finding above info with timed evidence: SYN, two retransmissions, the answer.
    const timeline = html.slice(html.indexOf('<figure class="timeline sev-error">'));
    expect(timeline.slice(0, timeline.indexOf('</figure>')).match(/<g class="mark /g)).toHaveLength(4);
    expect(timeline).toContain('class="mark retx"');
    expect(timeline).toContain('class="mark answer"');
    expect(html.match(/<figure class="timeline/g)).toHaveLength(2);
  });

  it('writes the summary of several files first when the sections are spooled', async () => {
    const html = await renderReport('html', report([mixedFile(), fileReport({ path: 'b.pcap' })]), { spool: new MemorySpool() });
    expect(html.indexOf('Summary of 2 files')).toBeLessThan(html.indexOf('<article>'));
    expect(html.indexOf('<header>')).toBeLessThan(html.indexOf('Summary of 2 files'));
    expect(html).toContain('<code>b.pcap</code>');
  });

  for (const s of HOSTILE) {
    it(`escapes ${JSON.stringify(s)} in text, attributes and SVG`, async () => {
      const f = fileReport({
        path: `${s}.pcap`, comments: [{ frame: 1, text: s }],
        findings: [finding({ client: s, title: s, explanation: s, displayFilter: s }), describeFinding({
          id: 'TOWER_ADDRESS_MISMATCH', severity: 'warning', protocol: 'tcp', client: '10.1.1.50', server: '10.1.1.10', port: 49667,
          evidence: [{ frame: 7, role: 'endpoint-answer', time: 1 }], evidenceTotal: 1, inferred: false, params: { kind: 'tower', frame: 7, advertisedHost: s }, folded: null,
        })],
      });
      const html = await renderReport('html', report([f]));
      expect(html).not.toMatch(RAW_UNSAFE);
      expect(html).not.toMatch(/<script|<svg onload|<a |javascript:/i);
      // Quotes from capture text never close an attribute: outside quoted values no tag has an event handler.
      for (const tag of html.match(/<[a-z][^>]*>/gi) ?? []) expect(tag.replace(/="[^"]*"/g, '=""')).not.toMatch(/\son[a-z]+=/i);
      expect(html).toContain(`<title>rpctrace report: ${htmlEscape(`${s}.pcap`)}</title>`);
    });
  }
});

describe('ports as HTML', () => {
  it('writes one page with the ports table, escaped, and no script', async () => {
    const { PORTS_WRITERS } = await import('../../../src/report/index.js');
    let html = '';
    const w = (await PORTS_WRITERS.html())({ write: (s: string) => { html += s; } }, { schemaVersion: 1, tool: { name: 'rpctrace', version: '9.9.9' } });
    w.file({ path: '<b>x</b>.pcap', ports: [{ port: 135, attempts: 1, established: 1, failed: 0, incomplete: 0, servers: 1, inRange: false, advertised: false }], dynamicRanges: [[49152, 65535]], errors: [] });
    w.end();
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).toContain('<code>&lt;b&gt;x&lt;/b&gt;.pcap</code>');
    expect(html).toContain('<td>135</td>');
    expect(html).not.toMatch(/<script|<b>/);
    expect(html.trimEnd().endsWith('</html>')).toBe(true);
  });
});
