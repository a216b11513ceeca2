/**
 * Text from captures and file names is untrusted: packet comments, DCOM bindings, the bind_ack
 * secondary address, read-problem messages and paths must be inert in every format. No control
 * character reaches the terminal or a Markdown file raw (they are shown escaped), Markdown
 * opens no HTML, link or table cell from them, and JSON parses back to the same strings.
 */
import { describe, expect, it } from 'vitest';
import { renderReport, type OutputFormat } from '../../../src/report/index.js';
import { describeFinding } from '../../../src/model/finding-text.js';
import { visible, visibleLines } from '../../../src/model/visible.js';
import { mdText } from '../../../src/report/escape.js';
import type { AnyFindingFacts } from '../../../src/model/finding.js';
import { endpoint, fileReport, HOSTILE, report } from './fixtures.js';

/** Characters that must never appear raw in terminal or Markdown output. */
const RAW_UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/;

function hostileFile(s: string) {
  const tower: AnyFindingFacts = {
    id: 'TOWER_ADDRESS_MISMATCH', severity: 'info', protocol: 'tcp', client: '10.1.1.50', server: '10.1.1.10', port: 49667,
    evidence: [{ frame: 9, role: 'bind-ack', time: 1 }], evidenceTotal: 1, inferred: false,
    params: { kind: 'bind-ack', frame: 9, secondaryAddress: `\n\t49667\r`, listenPort: 49667 }, folded: null,
  };
  const dcom: AnyFindingFacts = {
    id: 'TOWER_ADDRESS_MISMATCH', severity: 'info', protocol: 'tcp', client: '10.1.1.50', server: '10.1.1.10', port: 49667,
    evidence: [{ frame: 7, role: 'endpoint-answer', time: 1 }], evidenceTotal: 1, inferred: false,
    params: { kind: 'tower', frame: 7, advertisedHost: s }, folded: null,
  };
  return fileReport({
    path: `cap ${s}.pcap`,
    comments: [{ frame: 3, text: s }],
    findings: [describeFinding(tower), describeFinding(dcom)],
    endpoints: [endpoint({ source: 'dcom', operation: 'RemoteCreateInstance', advertisedHost: s, bindings: [`${s}[49667]`] })],
    warnings: [{ code: 'io-error', severity: 'warning', offset: 0, message: `cannot read: ${s}` }],
  });
}

describe('visible', () => {
  it('escapes controls, C1, bidirectional and zero-width characters, and nothing else', () => {
    expect(visible('\u001b[2J')).toBe('\\x1b[2J');
    expect(visible('a\r\nb\tc\u0007')).toBe('a\\r\\nb\\tc\\x07');
    expect(visible('\u009b1m')).toBe('\\x9b1m');
    expect(visible('x\u202ey\u2066z\u200b\ufeff')).toBe('x\\u202ey\\u2066z\\u200b\\ufeff');
    expect(visible('tag\u{e0041}')).toBe('tag\\u{e0041}');
    expect(visible('10.1.1.50 -> [fd00::1]:135 C:\\caps\\dc01.pcap 日本語 é')).toBe('10.1.1.50 -> [fd00::1]:135 C:\\caps\\dc01.pcap 日本語 é');
    expect(visibleLines('a\u001b\nb')).toBe('a\\x1b\nb');
  });
});

describe('hostile strings from captures and file names', () => {
  for (const s of HOSTILE) {
    for (const format of ['table', 'md'] as const) {
      it(`${format}: ${JSON.stringify(s)} is shown escaped, never raw`, async () => {
        const out = await renderReport(format, { ...report([hostileFile(s)]), skipped: [{ path: `dir/${s}`, reason: 'not a capture' }] });
        expect(out).not.toMatch(RAW_UNSAFE);
        if (s.startsWith('\u001b')) expect(out).toContain('\\x1b[2J');
        if (s.includes('\u202e')) expect(out).toContain('\\u202e');
        // The forged line never starts a line of its own.
        expect(out.split('\n').some((l) => /^\s*No problems found\./.test(l))).toBe(false);
      });
    }
    it(`json: ${JSON.stringify(s)} parses back unchanged and is written without raw controls`, async () => {
      const r = report([hostileFile(s)]);
      const out = await renderReport('json', r);
      expect(out).not.toMatch(RAW_UNSAFE);
      expect(JSON.parse(out)).toEqual(JSON.parse(JSON.stringify(r)));
    });
  }

  it('Markdown: no raw HTML, no link, no extra table cell from capture text', async () => {
    const out = await renderReport('md', report([hostileFile('<script>x</script> "><svg onload=alert(1)> a|b [l](http://evil.example) www.evil.example a@b.example')]));
    // Outside code spans every `<` is escaped; pipes in table rows are escaped.
    const plain = out.replace(/(`+)[^`]*?\1/g, '');
    expect(plain.replaceAll('<br>', '')).not.toMatch(/(^|[^\\])</m);
    expect(plain).not.toMatch(/(^|[^\\])\]\(/m);
    expect(plain).not.toMatch(/(^|[^\\])www\./m);
    expect(plain).not.toMatch(/(^|[^\\])@/m);
    for (const row of out.split('\n').filter((l) => l.startsWith('| Frame |') || l.startsWith('| 7 |'))) {
      expect(row.split(/(?<!\\)\|/).length).toBe(8);
    }
  });

  it('mdText stops GFM autolinks and keeps the text', () => {
    expect(mdText('see http://x.example/a and WWW.y.example, mail a@b.example')).toBe('see http\\://x.example/a and WWW\\.y.example, mail a\\@b.example');
  });

  it.each(['table', 'md', 'json'] as OutputFormat[])('%s: a finding made from a hostile secondary address keeps its words on one line', async (format) => {
    const out = await renderReport(format, report([hostileFile('x')]));
    expect(out).toContain(format === 'json' ? 'carries the secondary address \\"\\\\n\\\\t49667\\\\r\\"' : 'carries the secondary address');
    if (format === 'table') expect(out.replace(/\s+/g, ' ')).toContain('"\\n\\t49667\\r"');
    if (format === 'md') expect(out.replace(/\s+/g, ' ')).toContain('"\\\\n\\\\t49667\\\\r"');
  });
});
