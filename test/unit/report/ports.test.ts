/** The ports writers on a hand-built document. */
import { describe, expect, it } from 'vitest';
import type { PortsReport } from '../../../src/model/ports-report.js';
import { PORTS_WRITERS, type OutputFormat } from '../../../src/report/index.js';

const doc: PortsReport = {
  schemaVersion: 1,
  tool: { name: 'rpctrace', version: '9.9.9' },
  files: [
    { path: 'a|b.pcap', dynamicRanges: [[49152, 65535], [6005, 6010]], errors: [], ports: [{ port: 6006, attempts: 3, established: 1, failed: 2, incomplete: 0, servers: 2, advertised: true, inRange: true }] },
    { path: 'empty.pcap', dynamicRanges: [[49152, 65535]], errors: [], ports: [] },
  ],
};

async function render(format: OutputFormat): Promise<string> {
  let out = '';
  const w = (await PORTS_WRITERS[format]())({ write: (s: string) => { out += s; } }, doc);
  for (const f of doc.files) w.file(f);
  w.end();
  return out;
}

describe('ports writers', () => {
  it('renders a table per file', async () => {
    const out = await render('table');
    expect(out).toContain('a|b.pcap\n========\n\nExpected dynamic range: 49152-65535, 6005-6010');
    expect(out).toMatch(/│ 6006\s+│ 3\s+│ 1\s+│ 2\s+│ 0\s+│ 2\s+│ yes\s+│ yes\s+│/);
    expect(out).toContain('empty.pcap\n==========\n\nExpected dynamic range: 49152-65535\nNo TCP connection attempts.');
  });

  it('renders Markdown with the path in a code span', async () => {
    const out = await render('md');
    expect(out).toContain('## `a|b.pcap`');
    expect(out).toContain('| 6006 | 3 | 1 | 2 | 0 | 2 | yes | yes |');
  });

  it('renders the JSON document exactly as JSON.stringify would', async () => {
    expect(await render('json')).toBe(`${JSON.stringify(doc, null, 2)}\n`);
  });
});
