/**
 * The writers' lifecycle: each file's report is written as soon as it is handed over (a run over
 * many files never holds them all), and the streamed JSON is byte for byte what
 * JSON.stringify(document, null, 2) gives.
 */
import { describe, expect, it } from 'vitest';
import { REPORT_WRITERS, renderReport, type OutputFormat } from '../../../src/report/index.js';
import { jsonSafe } from '../../../src/report/json.js';
import { BufferedSink } from '../../../src/report/writer.js';
import { fileReport, finding, mixedFile, report } from './fixtures.js';

const FORMATS: OutputFormat[] = ['table', 'json', 'md'];

describe('the JSON document through a sink that writes ranges (BufferedSink, as the CLI writes)', () => {
  it.each([4, 64, 1000, 64 * 1024])('is the same bytes with pieces of %i characters, unsafe characters escaped', async (limit) => {
    const hostile = fileReport({ path: 'x\u202e\u0085.pcap', findings: [finding()] });
    const r = report([mixedFile(), hostile, fileReport({ path: 'big.pcap', findings: Array.from({ length: 40 }, () => finding()) })]);
    let text = '';
    const sink = new BufferedSink({ write: (s: string) => { text += s; } }, limit);
    const w = (await REPORT_WRITERS.json())(sink, { schemaVersion: r.schemaVersion, tool: r.tool });
    for (const f of r.files) w.file(f);
    w.end(r.skipped);
    sink.flush();
    expect(text).toBe(jsonSafe(`${JSON.stringify(r, null, 2)}\n`));
    expect(text).toContain('\\u202e');
  });
});

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

describe('nestedJson', () => {
  it('indents any value as JSON.stringify does at that depth', async () => {
    const { nestedJson } = await import('../../../src/report/json.js');
    const values: unknown[] = [null, 1, 'a"b\n', [], {}, [1, [2, { a: [] }]], { x: { y: [1, 'z'] }, u: undefined }, mixedFile()];
    for (const v of values) {
      for (let depth = 0; depth < 4; depth++) {
        let wrapped: unknown = { k: v };
        for (let i = 1; i < depth; i++) wrapped = { k: wrapped };
        const want = JSON.stringify(depth === 0 ? v : wrapped, null, 2);
        // The value as it appears inside `wrapped`, from after its key to its closing lines.
        const inside = depth === 0 ? want : want.slice(want.lastIndexOf('"k": ') + 5, want.length - Array.from({ length: depth }, (_, i) => 2 + 2 * i).reduce((a, b) => a + b, 0));
        expect(nestedJson(v, depth), `${JSON.stringify(v)} at ${depth}`).toBe(inside);
      }
    }
  });
});
