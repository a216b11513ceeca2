/** The terminal renderer on hand-built reports: verdicts first, most severe first, evidence after. */
import { describe, expect, it } from 'vitest';
import { renderReport } from '../../../src/report/index.js';
import { WIDTH } from '../../../src/report/text.js';
import type { Report } from '../../../src/model/report.js';

const renderTable = (r: Report): Promise<string> => renderReport('table', r);
import { attempt, endpoint, fileReport, finding, mixedFile, report } from './fixtures.js';

/** The text of the last column of every table row in `text`, top to bottom. */
const lastColumn = (text: string): string =>
  text.split('\n').filter((l) => l.startsWith('│')).map((l) => l.split('│').at(-2)!.trim()).filter((c) => c !== '').join(' ');

describe('renderTable', () => {
  it('leads with the verdicts, then evidence, endpoints, attempts and the capture summary', async () => {
    const out = await renderTable(report([mixedFile()]));
    const order = ['Verdicts: 1 error, 1 warning, 1 info', '\nEvidence\n', 'Endpoints advertised (1)', 'Connection attempts: 2 attempts: 1 established, 1 no-answer', '\nCapture\n'];
    const at = order.map((s) => out.indexOf(s));
    expect(at.every((i) => i >= 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
  });

  it('sorts findings by severity, most severe first, in the table and in the evidence', async () => {
    const out = await renderTable(report([mixedFile()]));
    const table = out.slice(0, out.indexOf('\nEvidence\n'));
    const ids = ['NONSTANDARD_RPC_PORT_BLOCKED', 'INFERRED_RPC_PORT_BLOCKED', 'RPC_PORT_OK'];
    const inTable = ids.map((id) => table.indexOf(id));
    expect(inTable.every((i) => i >= 0)).toBe(true);
    expect([...inTable].sort((a, b) => a - b)).toEqual(inTable);
    expect(table).toMatch(/│ error\s+│ NONSTANDARD_RPC_PORT_BLOCKED/);
    const evidence = out.slice(out.indexOf('\nEvidence\n'));
    expect(evidence).toContain('1. error  NONSTANDARD_RPC_PORT_BLOCKED  10.1.1.50 -> 10.1.1.10:15595');
    expect(evidence).toContain('2. warning  INFERRED_RPC_PORT_BLOCKED (inferred)');
    expect(evidence).toContain('3. info  RPC_PORT_OK');
  });

  it('labels inferred findings and prints explanation, numbered steps, filter and frames', async () => {
    const out = await renderTable(report([mixedFile()]));
    expect(out).toContain('INFERRED_RPC_PORT_BLOCKED (inferred)');
    expect(out).not.toContain('NONSTANDARD_RPC_PORT_BLOCKED (inferred)');
    expect(out).toContain('   The endpoint mapper advertised 15595; 3 SYNs went unanswered.');
    expect(out).toContain('   What to do:\n     1. Run `netsh int ipv4 show dynamicportrange tcp` on the server.\n     2. Allow the range in use.');
    expect(out).toContain('   Wireshark filter: ip.addr==10.1.1.50 && tcp.port in {135, 15595}');
    expect(out).toContain('   Evidence frames: 7, 11, 12, 13');
    expect(out).toContain('   Background: rpctrace explain NONSTANDARD_RPC_PORT_BLOCKED');
  });

  it('abbreviates long frame lists in the verdict table: the first 8, then +N more', async () => {
    const frames = Array.from({ length: 20 }, (_, i) => i + 1);
    const out = await renderTable(report([fileReport({ findings: [finding({ evidenceFrames: frames })] })]));
    const table = out.slice(0, out.indexOf('\nEvidence\n'));
    expect(lastColumn(table)).toBe('Evidence frames 1, 2, 3, 4, 5, 6, 7, 8 +12 more');
    expect(out).toContain(`Evidence frames: ${frames.join(', ')}`);
    const many = Array.from({ length: 120 }, (_, i) => i + 1);
    const out2 = await renderTable(report([fileReport({ findings: [finding({ evidenceFrames: many })] })]));
    expect(out2).toMatch(/Evidence frames: 1, 2, [\d, \n]+ 50 \+70 more/);
  });

  it('says "No problems found" when nothing is above info', async () => {
    const none = await renderTable(report([fileReport()]));
    expect(none).toContain('Verdicts: 0 errors, 0 warnings, 0 info\nNo problems found.');
    expect(none).not.toContain('\nEvidence\n');
    const info = await renderTable(report([fileReport({ findings: [finding({ id: 'RPC_PORT_OK', severity: 'info' })] })]));
    expect(info).toContain('No problems found (only informational findings above).');
    expect(await renderTable(report([mixedFile()]))).not.toContain('No problems found');
  });

  it('says next to the verdicts when frames inside an undecoded encapsulation were not analyzed', async () => {
    const message = '13 frame(s) carry their packet inside an encapsulation rpctrace does not decode (L2TP: 13 from frame 1): counted, not analyzed, so conversations inside them are missing from the verdicts';
    const out = await renderTable(report([fileReport({ warnings: [{ code: 'undecoded-encapsulation', severity: 'warning', offset: 0, message }] })]));
    const verdicts = out.slice(0, out.indexOf('\nEndpoints advertised'));
    expect(verdicts).toContain('No problems found.\nNot everything was analyzed: 13 frame(s) carry their packet');
    expect(verdicts.replace(/\n/g, ' ')).toContain('(L2TP: 13 from frame 1)');
    expect(verdicts.split('\n').every((l) => l.length <= WIDTH)).toBe(true);
    // And among the read problems of the capture summary.
    expect(out.replace(/\s+/g, ' ')).toContain(`- capture.pcap: warning at offset 0: ${message}`);
  });

  it('does not claim "No problems found" for a file it could not read', async () => {
    const f = fileReport({ format: null, formatInfo: null, frames: 0, complete: false, linkTypes: [], errors: [{ code: 'not-a-capture', severity: 'error', offset: 0, message: 'not a capture file' }] });
    const out = await renderTable(report([f]));
    expect(out).toContain('Not analyzed: the file could not be read');
    expect(out).not.toContain('No problems found');
    expect(out).toContain('Read problems:\n  - capture.pcap: error at offset 0: not a capture file');
  });

  it('lists endpoints with range and follow-up, and only the unsuccessful attempts', async () => {
    const out = await renderTable(report([mixedFile()]));
    const endpoints = out.slice(out.indexOf('Endpoints advertised'), out.indexOf('Connection attempts'));
    expect(endpoints).toMatch(/│ 7\s+│ epm ept_map\s+│ DRSUAPI \(AD\s+│ 10\.1\.1\.10:15595\s+│ no\s+│ no-answer/);
    const attempts = out.slice(out.indexOf('Connection attempts'), out.indexOf('\nCapture\n'));
    expect(attempts).toMatch(/│ 11\s+│ \+0\.004\s+│ 10\.1\.1\.50:49802 ->/);
    expect(attempts).toContain('3 SYNs over 9 s; no');
    expect(attempts).not.toMatch(/│ 1\s+│/);
  });

  it('stays within 100 columns, also with IPv6 addresses and long names', async () => {
    const v6 = '2001:db8:1234:5678:9abc:def0:1234:5678';
    const f = mixedFile();
    f.findings.push(finding({ id: 'ADVERTISED_PORT_NOT_ATTEMPTED', severity: 'warning', client: v6, server: v6, title: 'x'.repeat(150), explanation: `${'word '.repeat(60)}\n  a-command-line`, evidenceFrames: Array.from({ length: 40 }, (_, i) => 100000 + i) }));
    f.endpoints.push(endpoint({ server: v6, advertisedHost: '192.168.50.10', source: 'dcom', operation: 'RemoteCreateInstance', followUp: 'answered-not-completed', followUpSynFrames: [1, 2] }));
    f.attempts.push(attempt({ client: v6, server: v6, outcome: 'icmp-refused', icmp: { frame: 40, from: v6, type: 1, code: 1, meaning: 'admin-prohibited' } }));
    const path = `/very/long/path/${'d'.repeat(80)}/capture.pcapng`;
    const out = await renderTable(report([f, fileReport({ path })]));
    // A path is printed whole (to be copied), so only its own heading may run past the width.
    const wide = out.split('\n').filter((l) => l.length > WIDTH && l !== path);
    expect(wide).toEqual([]);
    expect(out).toContain('(in answer:');
    expect(out).toContain('192.168.50.10)');
    expect(out).toContain('Summary of 2 files');
  });
});
