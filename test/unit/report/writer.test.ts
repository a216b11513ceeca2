/**
 * The writers' lifecycle: each file's report is written as soon as it is handed over (a run over
 * many files never holds them all), and the streamed JSON is byte for byte what
 * JSON.stringify(document, null, 2) gives.
 */
import { describe, expect, it } from 'vitest';
import { REPORT_WRITERS, renderReport, type OutputFormat } from '../../../src/report/index.js';
import { fileReport, finding, mixedFile, report } from './fixtures.js';

const FORMATS: OutputFormat[] = ['table', 'json', 'md'];

describe('report writers', () => {
  it.each([
    ['no file', report([])],
    ['one file', report([mixedFile()])],
    ['three files and skipped ones', { ...report([mixedFile(), fileReport({ path: 'b.pcap' }), fileReport({ path: 'c "quoted".pcap', findings: [finding()] })]), skipped: [{ path: 'd/notes.txt', reason: 'not a capture' }] }],
  ])('streams the JSON document exactly as JSON.stringify writes it: %s', async (_name, r) => {
    expect(await renderReport('json', r)).toBe(`${JSON.stringify(r, null, 2)}\n`);
  });

  it.each(FORMATS)('%s: writes each file as soon as it is handed over, the summary only at the end', async (format) => {
    const writes: string[] = [];
    const w = (await REPORT_WRITERS[format]())({ write: (s: string) => { writes.push(s); } }, { schemaVersion: 1, tool: { name: 'rpctrace', version: '9.9.9' } });
    w.file(fileReport({ path: 'first.pcap' }));
    expect(writes.join('')).toContain('first.pcap');
    const before = writes.length;
    w.file(fileReport({ path: 'second.pcap' }));
    expect(writes.length).toBeGreaterThan(before);
    expect(writes.slice(before).join('')).toContain('second.pcap');
    expect(writes.join('')).not.toContain('Summary of 2 files');
    w.end([]);
    if (format !== 'json') expect(writes.join('')).toContain('Summary of 2 files');
    expect(writes.join('').endsWith('\n')).toBe(true);
  });
});
