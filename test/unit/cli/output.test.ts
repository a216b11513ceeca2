/**
 * Where and how `analyze` writes: --output (never over an input), colour on terminals only
 * (--color, NO_COLOR, FORCE_COLOR), the terminal's width, and the summary of several files
 * first, naming their findings.
 */
import { copyFileSync, existsSync, linkSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../../../src/cli/main.js';
import { useColor, widthFor } from '../../../src/cli/output.js';
import { SAMPLES } from '../../helpers/corpus.js';

const BLOCKED = join(SAMPLES, 'rpc-nonstandard-port-blocked.pcap');
const HEALTHY = join(SAMPLES, 'rpc-healthy.pcap');

async function cli(argv: string[], o: { columns?: number; env?: Record<string, string> } = {}): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const sink = { write: (s: string) => { out += s; }, ...(o.columns !== undefined ? { isTTY: true, columns: o.columns } : {}) };
  const code = await run(argv, { out: sink, err: { write: (s: string) => { err += s; } }, env: o.env ?? {} });
  return { code, out, err };
}

const dir = mkdtempSync(join(tmpdir(), 'rpctrace-output-'));

describe('colour', () => {
  it('auto colours a terminal only; FORCE_COLOR forces it, NO_COLOR stops it; always and never decide', () => {
    expect(useColor('auto', true, {})).toBe(true);
    expect(useColor('auto', false, {})).toBe(false);
    expect(useColor('auto', true, { NO_COLOR: '1' })).toBe(false);
    expect(useColor('auto', true, { NO_COLOR: '' })).toBe(true);
    expect(useColor('auto', false, { FORCE_COLOR: '1' })).toBe(true);
    expect(useColor('auto', false, { FORCE_COLOR: '1', NO_COLOR: '1' })).toBe(true);
    expect(useColor('always', false, { NO_COLOR: '1' })).toBe(true);
    expect(useColor('never', true, { FORCE_COLOR: '1' })).toBe(false);
  });

  it('colours severities on a terminal, never in a pipe unless asked', async () => {
    const tty = await cli(['analyze', BLOCKED], { columns: 100 });
    expect(tty.out).toContain('\u001b[31merror\u001b[39m');
    const pipe = await cli(['analyze', BLOCKED]);
    expect(pipe.out).not.toContain('\u001b[');
    expect((await cli(['analyze', BLOCKED], { columns: 100, env: { NO_COLOR: '1' } })).out).not.toContain('\u001b[');
    expect((await cli(['analyze', '--color', 'always', BLOCKED])).out).toContain('\u001b[31merror\u001b[39m');
    const healthy = await cli(['analyze', '--color', 'always', HEALTHY]);
    expect(healthy.out).toContain('\u001b[32mNo problems found');
    // Colour codes are zero-width: with or without them the table lines up the same.
    const strip = (s: string): string => s.replace(/\u001b\[\d+m/g, '');
    expect(strip(tty.out)).toBe((await cli(['analyze', '--color', 'never', BLOCKED], { columns: 100 })).out);
  });
});

describe('width', () => {
  it('takes the terminal width, 100 elsewhere, never less than 60', () => {
    expect(widthFor(null)).toBe(100);
    expect(widthFor(80)).toBe(80);
    expect(widthFor(132)).toBe(132);
    expect(widthFor(20)).toBe(60);
  });
});

describe('--output', () => {
  it('writes the report to the file, nothing to standard output', async () => {
    const target = join(dir, 'report.md');
    const r = await cli(['analyze', '--format', 'md', '--output', target, BLOCKED], { columns: 80 });
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    const text = readFileSync(target, 'utf8');
    expect(text).toContain('NONSTANDARD_RPC_PORT_BLOCKED');
    expect(readdirSync(dir).filter((f) => f.includes('.tmp'))).toEqual([]);
  });

  it('writes a table to a file at 100 columns, without colour', async () => {
    const target = join(dir, 'report.txt');
    await cli(['analyze', '--output', target, BLOCKED], { columns: 80 });
    const text = readFileSync(target, 'utf8');
    expect(text).not.toContain('\u001b[');
    expect(text).toBe((await cli(['analyze', BLOCKED])).out);
  });

  it('refuses to write over an input, under its own name or another (a hard link)', async () => {
    const copy = join(dir, 'input.pcap');
    copyFileSync(BLOCKED, copy);
    const before = readFileSync(copy);
    const same = await cli(['analyze', '--output', copy, copy]);
    expect(same.code).toBe(2);
    expect(same.err).toContain('is an input capture');
    const link = join(dir, 'link.pcap');
    linkSync(copy, link);
    const linked = await cli(['analyze', '--output', link, copy]);
    expect(linked.code).toBe(2);
    const inDir = await cli(['analyze', '--output', copy, dir]);
    expect(inDir.code).toBe(2);
    expect(readFileSync(copy).equals(before)).toBe(true);
  });

  it('leaves no file behind when the output cannot be written', async () => {
    const r = await cli(['analyze', '--output', join(dir, 'no', 'such', 'dir', 'r.txt'), BLOCKED]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('cannot write');
    expect(existsSync(join(dir, 'no'))).toBe(false);
  });
});

describe('several files', () => {
  it.each(['table', 'md'])('%s: the summary comes first and names every file\'s findings', async (format) => {
    const r = await cli(['analyze', '--format', format, BLOCKED, HEALTHY]);
    const summary = r.out.indexOf('Summary of 2 files');
    expect(summary).toBeGreaterThanOrEqual(0);
    const first = r.out.indexOf('Verdicts:');
    expect(summary).toBeLessThan(first);
    const head = r.out.slice(summary, first);
    expect(head).toContain('NONSTANDARD_RPC_PORT_BLOCKED');
    expect(head).toContain('RPC_PORT_OK');
    expect(head).toContain('(error)');
    // Then both files' reports, in argument order.
    expect(r.out.indexOf('rpc-nonstandard-port-blocked.pcap', first)).toBeLessThan(r.out.indexOf('rpc-healthy.pcap', first));
  });
});

describe('hostile capture text end to end', () => {
  it('a file name and a packet comment with escape sequences, HTML and pipes stay inert in every format', async () => {
    const { writePcapng } = await import('../../../src/capture/writer.js');
    const { blockedScenario } = await import('../../../samples/gen/scenario.js');
    const { ETH } = await import('../../../samples/gen/scenario.js');
    const evil = '\u001b[2J\u001b[HAll clear | `x` "><svg onload=alert(1)> <script>alert(2)</script>\u202e';
    const frames = blockedScenario({ link: ETH }).map((f, i) => (i === 0 ? { ...f, comment: evil } : f));
    const path = join(dir, 'evil\u001b[31m name.pcapng');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(path, writePcapng([{ interfaces: [{ linkType: 1, name: evil, description: `${evil}\r\n` }], items: frames }]));
    for (const format of ['table', 'md', 'html', 'json']) {
      const r = await cli(['analyze', '--format', format, '--color', 'never', path], { columns: 80 });
      expect(r.code).toBe(1);
      expect(r.out, format).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e]/);
      if (format !== 'json') expect(r.out).toContain('\\x1b[2J');
      if (format === 'table') expect(r.out).toContain('Interfaces');
      if (format === 'html') expect(r.out).not.toMatch(/<script|<svg onload/);
    }
  });
});
