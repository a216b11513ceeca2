/**
 * Golden tests (Zeek Baseline style): every file in samples/ through `analyze --format json` and
 * `syn --format json`, compared with test/golden/<sample>.<command>.json, and through `analyze`
 * as terminal text and as Markdown (<sample>.analyze.txt, <sample>.analyze.md; the path given
 * relative to the project, as a user in it would type it). Paths and the tool version are
 * normalised. `UPDATE_GOLDEN=1 npx vitest run test/golden` rewrites the baselines; review the
 * diff in the commit.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.js';
import { ROOT, sampleFiles } from '../helpers/corpus.js';

const GOLDEN = join(ROOT, 'test', 'golden');
const UPDATE = process.env.UPDATE_GOLDEN === '1';

/** Runs the CLI; `columns` makes standard output a terminal of that width. */
async function textOf(argv: string[], columns?: number): Promise<{ code: number; out: string }> {
  let out = '';
  const sink = { write: (s: string) => { out += s; }, ...(columns !== undefined ? { isTTY: true, columns } : {}) };
  const code = await run(argv, { out: sink, err: { write: () => {} } });
  return { code, out };
}

/**
 * Lines wider than the terminal: only a single unbreakable value on a line of its own (a path or
 * a display filter longer than the width), or inside a table cell that could not be narrower.
 */
function tooWide(text: string, width: number, literals: ReadonlySet<string>): string[] {
  return text.split('\n').filter((l) => l.length > width && /\s/.test(l.trim()) && !literals.has(l.trim()));
}

async function jsonOf(argv: string[]): Promise<{ code: number; doc: unknown }> {
  const { code, out } = await textOf(argv);
  return { code, doc: JSON.parse(out) };
}

/** Compares `text` with the baseline `name`, or writes it under UPDATE_GOLDEN=1. */
function baseline(name: string, text: string): void {
  const file = join(GOLDEN, name);
  if (UPDATE || !existsSync(file)) {
    if (!UPDATE) throw new Error(`no baseline ${file}: run UPDATE_GOLDEN=1 npx vitest run test/golden`);
    writeFileSync(file, text);
    return;
  }
  expect(text).toBe(readFileSync(file, 'utf8'));
}

function normalise(doc: unknown, path: string): string {
  const rel = relative(ROOT, path);
  return `${JSON.stringify(doc, null, 2).replaceAll(JSON.stringify(path), JSON.stringify(rel)).replace(/"version": "[^"]+"/, '"version": "<version>"')}\n`;
}

const samples = sampleFiles();

/** `syn` as text on terminals of 80 and 120 columns, for samples with IPv4, IPv6 and many SYNs. */
const SYN_TEXT = ['rpc-nonstandard-port-blocked.pcap', 'rpc-nonstandard-port-blocked-ipv6.pcap', 'rpc-client-port-reused.pcap', 'pktmon-duplicates.pcapng'];

describe('syn as text on a terminal', () => {
  for (const name of SYN_TEXT) {
    for (const columns of [80, 120]) {
      it(`${name} syn on a ${columns}-column terminal`, async () => {
        const { code, out } = await textOf(['syn', join('samples', name)], columns);
        expect(out.split('\n').filter((l) => l.length > columns)).toEqual([]);
        baseline(`${name}.syn.${columns}.txt`, `exit ${code}\n${out}`);
      });
    }
  }
});

describe('golden output for every sample', () => {
  it('has samples', () => {
    expect(samples.length).toBeGreaterThan(10);
  });
  for (const path of samples) {
    for (const command of ['analyze', 'syn'] as const) {
      it(`${basename(path)} ${command}`, async () => {
        const { code, doc } = await jsonOf([command, '--format', 'json', path]);
        baseline(`${basename(path)}.${command}.json`, normalise({ exitCode: code, ...(doc as object) }, path));
      });
    }
    for (const [format, ext] of [['table', 'txt'], ['md', 'md']] as const) {
      it(`${basename(path)} analyze as ${format}`, async () => {
        const { code, out } = await textOf(['analyze', '--format', format, relative(ROOT, path)]);
        baseline(`${basename(path)}.analyze.${ext}`, `exit ${code}\n${out.replace(/rpctrace \d+\.\d+\.\d+\S*/g, 'rpctrace <version>')}`);
      });
    }
    // On a terminal of 80 and 120 columns (colour off, as in any golden file).
    for (const columns of [80, 120]) {
      it(`${basename(path)} analyze on a ${columns}-column terminal`, async () => {
        const { code, out } = await textOf(['analyze', '--color', 'never', relative(ROOT, path)], columns);
        const { doc } = await jsonOf(['analyze', '--format', 'json', path]);
        const filters = new Set((doc as { files: { findings: { displayFilter: string }[] }[] }).files.flatMap((f) => f.findings.map((x) => x.displayFilter)));
        expect(tooWide(out, columns, filters)).toEqual([]);
        baseline(`${basename(path)}.analyze.${columns}.txt`, `exit ${code}\n${out}`);
      });
    }
  }
});
