/** Pieces of the scan output: CSV cells, terminal inertness, pre-rendered JSON entries, the bounded aggregate. */
import { describe, expect, it } from 'vitest';
import { csvCell } from '../../../src/report/escape.js';
import { JsonListWriter, jsonItemText } from '../../../src/report/json.js';
import { Aggregator, MAX_TARGETS } from '../../../src/cli/scan-aggregate.js';
import type { ScanRow } from '../../../src/model/scan.js';
import Table from 'cli-table3';
import { GRID_PIECE_ROWS, renderBlock } from '../../../src/report/text.js';
import { wrapPieces } from '../../../src/report/wrap.js';

describe('csvCell (RFC 4180, OWASP CSV injection)', () => {
  it.each([
    ['plain', '"plain"'],
    ['a "quoted" word', '"a ""quoted"" word"'],
    ['=1+2', `"'=1+2"`],
    ['+1', `"'+1"`],
    ['-1', `"'-1"`],
    ['@SUM(A1)', `"'@SUM(A1)"`],
    ['\tx', `"'\\tx"`],
    ['\rx', `"'\\rx"`],
    ['line\nbreak, comma', '"line\\nbreak, comma"'],
  ])('%j -> %s', (v, want) => {
    expect(csvCell(v)).toBe(want);
  });
  it('writes numbers, booleans and nulls bare', () => {
    expect([csvCell(12), csvCell(false), csvCell(null)]).toEqual(['12', 'false', '']);
  });
});

describe('jsonItemText', () => {
  it('is byte for byte what JsonListWriter.item writes', () => {
    const values = [{ path: 'x', n: [1, 2, { a: null }], s: 'q"\u001b' }, [1, 2], 'text', null, {}];
    let a = '';
    let b = '';
    const wa = new JsonListWriter({ write: (s: string) => { a += s; } }, { schemaVersion: 1 }, 'files');
    const wb = new JsonListWriter({ write: (s: string) => { b += s; } }, { schemaVersion: 1 }, 'files');
    for (const v of values) { wa.item(v); wb.itemText(jsonItemText(v)); }
    wa.end({ tail: true });
    wb.end({ tail: true });
    expect(b).toBe(a);
    expect(JSON.parse(a)).toEqual({ schemaVersion: 1, files: values, tail: true });
  });
});

describe('Aggregator', () => {
  const row = (targets: number, server = '10.0.0.1'): ScanRow => ({
    path: 'x', format: 'pcap', compression: null, frames: 1, complete: true, errors: 0, warnings: 0, firstError: null, unreadable: false, internalError: false,
    findings: { error: targets, warning: 0, info: 0 }, worst: null,
    byFinding: [{ id: 'CONNECTION_UNANSWERED', severity: 'error', count: targets }],
    byTarget: Array.from({ length: targets }, (_, i) => ({ server, protocol: 'tcp' as const, port: i + 1, findings: [{ id: 'CONNECTION_UNANSWERED' as const, severity: 'error' as const, count: 1 }] })),
  });

  it('counts files and times per id and per target', () => {
    const a = new Aggregator();
    a.add(row(2));
    a.add(row(1));
    a.skip();
    const r = a.result();
    expect(r).toMatchObject({ files: 2, frames: 2, skipped: 1, targetsOmitted: 0 });
    expect(r.byFinding).toEqual([{ id: 'CONNECTION_UNANSWERED', severity: 'error', files: 2, count: 3 }]);
    expect(r.byTarget.map((t) => [t.port, t.files])).toEqual([[1, 2], [2, 1]]);
  });

  it(`keeps at most ${MAX_TARGETS} targets and counts the others`, () => {
    const a = new Aggregator();
    a.add(row(MAX_TARGETS, '10.0.0.1'));
    a.add(row(5, '10.0.0.2'));
    a.add(row(5, '10.0.0.2'));
    const r = a.result();
    expect(r.byTarget).toHaveLength(MAX_TARGETS);
    expect(r.targetsOmitted).toBe(5);
    expect(r.byFinding[0]).toMatchObject({ files: 3, count: MAX_TARGETS + 10 });
  });
});

describe('long terminal tables', () => {
  it(`are drawn in pieces of ${GRID_PIECE_ROWS} rows that join into exactly the table cli-table3 draws whole`, () => {
    const rows = Array.from({ length: 2 * GRID_PIECE_ROWS + 7 }, (_, i) => [[`file-${i}.pcap with a long name that wraps in its column`], [String(i)], [i % 3 === 0 ? 'two\nlines' : 'one']]);
    const block = { kind: 'table' as const, columns: [{ head: 'File', width: 20 }, { head: 'N', width: 6 }, { head: 'Note', width: 10 }], rows };
    const got = renderBlock(block, { width: 100 });
    // The widths the table was fitted to, read off its top border; cli-table3 draws the whole table with them.
    const widths = got.split('\n')[0]!.slice(1, -1).split('┬').map((w) => w.length);
    const expected = new Table({ style: { head: [], border: [] }, colWidths: widths, head: ['File', 'N', 'Note'] });
    const cell = (text: string, i: number): string => wrapPieces([{ text, whole: false }], widths[i]! - 2).join('\n');
    for (const r of rows) expected.push(r.map((c, i) => cell(c[0]!, i)));
    expect(got).toBe(expected.toString());
    expect(got.split('\n').filter((l) => l.startsWith('├')).length).toBe(rows.length); // a separator above every row after the heading
  });
});
