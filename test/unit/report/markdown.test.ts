/** The Markdown renderer on hand-built reports: same content as the terminal, escaped for GFM. */
import { describe, expect, it } from 'vitest';
import { renderReport } from '../../../src/report/index.js';
import type { Report } from '../../../src/model/report.js';

const renderMarkdown = (r: Report): Promise<string> => renderReport('md', r);
import { fileReport, finding, mixedFile, report } from './fixtures.js';

/** Cells of a GFM table row, split at unescaped pipes. */
const cells = (row: string): string[] => row.trim().slice(1, -1).split(/(?<!\\)\|/).map((c) => c.trim());

describe('renderMarkdown', () => {
  it('leads with the verdict table, most severe first, then the evidence', async () => {
    const out = await renderMarkdown(report([mixedFile()]));
    expect(out.startsWith('# rpctrace report\n')).toBe(true);
    const rows = out.split('\n').filter((l) => l.startsWith('| error') || l.startsWith('| warning') || l.startsWith('| info'));
    expect(rows.map((r) => cells(r)[0])).toEqual(['error', 'warning', 'info']);
    expect(cells(rows[1]!)[1]).toMatch(/^`INFERRED_RPC_PORT_BLOCKED` \(inferred\)<br>/);
    const order = ['### Verdicts: 1 error, 1 warning, 1 info', '### Evidence', '#### 1. error  `NONSTANDARD_RPC_PORT_BLOCKED`', '#### 2. warning  `INFERRED_RPC_PORT_BLOCKED` (inferred)', '### Endpoints advertised (1)', '### Connection attempts', '### Capture'];
    const at = order.map((s) => out.indexOf(s));
    expect(at.every((i) => i >= 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
  });

  it('escapes pipes in table cells, also inside code spans, and backticks in text', async () => {
    const f = finding({ title: 'a | b `c` *d*', displayFilter: 'tcp.port == 135 || frame contains "`"', client: 'x|y' });
    const out = await renderMarkdown(report([fileReport({ findings: [f] })]));
    const row = out.split('\n').find((l) => l.startsWith('| error'))!;
    expect(cells(row)).toHaveLength(4);
    expect(row).toContain('a \\| b \\`c\\` \\*d\\*');
    expect(row).toContain('x\\|y -> 10.1.1.10:15595');
    expect(out).toContain('Wireshark filter: ``tcp.port == 135 || frame contains "`"``');
    expect(out).toContain('**a | b \\`c\\` \\*d\\***');
  });

  it('keeps commands in the steps as code and escapes untrusted text', async () => {
    const f = fileReport({
      path: 'dir/x`y.pcap',
      comments: [{ frame: 3, text: '<img src=x> [link](http://e) # not a heading' }],
      findings: [finding()],
    });
    const out = await renderMarkdown(report([f]));
    expect(out).toContain('## ``dir/x`y.pcap``');
    expect(out).toContain('1. Run `netsh int ipv4 show dynamicportrange tcp` on the server.');
    expect(out).toContain('- frame 3: `<img src=x> [link](http://e) # not a heading`');
  });

  it('abbreviates long frame lists in the table and keeps up to 50 in the details', async () => {
    const frames = Array.from({ length: 60 }, (_, i) => i + 1);
    const out = await renderMarkdown(report([fileReport({ findings: [finding({ evidenceFrames: frames })] })]));
    const row = out.split('\n').find((l) => l.startsWith('| error'))!;
    expect(cells(row)[3]).toBe('1, 2, 3, 4, 5, 6, 7, 8 +52 more');
    expect(out).toContain(`Evidence frames: ${frames.slice(0, 50).join(', ')} +10 more`);
  });

  it('says next to the verdicts when frames of an unsupported link type were not analyzed', async () => {
    const out = await renderMarkdown(report([fileReport({ warnings: [{ code: 'unsupported-link-type', severity: 'warning', offset: 0, message: '5 frame(s) of a link type rpctrace cannot decode were counted but not analyzed' }] })]));
    const verdicts = out.slice(0, out.indexOf('Endpoints advertised'));
    expect(verdicts).toContain('No problems found.\n\nNot everything was analyzed: 5 frame(s) of a link type rpctrace cannot decode were counted but not analyzed (warning unsupported-link-type).');
  });

  it('says "No problems found." without findings and lists skipped files', async () => {
    const r = report([fileReport()]);
    r.skipped.push({ path: 'd/notes.txt', reason: 'not a capture file' });
    const out = await renderMarkdown(r);
    expect(out).toContain('No problems found.');
    expect(out).toContain('- `d/notes.txt`: not a capture file');
  });
});
