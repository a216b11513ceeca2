/**
 * The layering the code follows, stated once and checked on every import under src/:
 *
 *   capture -> dissect -> analysis -> rules -> model -> report -> cli
 *
 * Beside them, for the support-ticket outputs: redact (pseudonyms for reports and frame bytes,
 * over model values and wire bytes) and evidence (the second pass that copies the frames backing
 * the findings into a pcapng file, through capture, dissect and redact); only cli uses them.
 *
 * Data flows left to right. Imports point the other way, down the table below: model and wire
 * need nothing; capture reads bytes (wire/bytes) into records; dissect drives the wire views
 * over records into a PacketInfo; analysis reads packets only through dissect, and uses wire for
 * payload protocols (DCE/RPC, EPM, DCOM), constants and code tables; rules see plain model
 * values only; report renders the model only; cli wires everything.
 *
 * One exception is named: the bulk path (analysis/bulk-path.ts) reads the headers of plain TCP
 * segments itself through wire/plain-segment.ts, skipping dissect, for speed. No other analysis
 * module may read link, IP or transport headers from the wire.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers/corpus.js';

const SRC = join(ROOT, 'src');

/** What each layer may import besides itself. */
const ALLOWED: Record<string, readonly string[]> = {
  model: [],
  wire: [],
  capture: ['wire', 'model'],
  dissect: ['wire', 'capture', 'model'],
  analysis: ['dissect', 'capture', 'wire', 'rules', 'model'],
  rules: ['model'],
  report: ['model'],
  // The evidence capture: a second pass over a file (capture, dissect for TCP segments), frames
  // written with capture/writer.ts, rewritten by redact on the way.
  evidence: ['capture', 'dissect', 'redact', 'model', 'wire'],
  // Pseudonyms, and reports and frames rewritten with them: plain values and bytes only.
  redact: ['model', 'wire'],
  cli: ['analysis', 'rules', 'report', 'model', 'capture', 'dissect', 'wire', 'evidence', 'redact'],
  '.': ['analysis', 'rules', 'report', 'model', 'capture', 'dissect', 'wire', 'cli', 'evidence', 'redact'],
};

/** Wire modules that read frame headers: only dissect (and, for plain-segment, the bulk path) may use them. */
const HEADER_VIEWS = ['wire/ethernet.ts', 'wire/sll.ts', 'wire/ipv4.ts', 'wire/ipv6.ts', 'wire/udp.ts', 'wire/plain-segment.ts'];
/** The named exception: file -> the header module it may read. */
const EXCEPTIONS: Record<string, readonly string[]> = { 'analysis/bulk-path.ts': ['wire/plain-segment.ts'] };

const layerOf = (rel: string): string => (rel.includes('/') ? rel.split('/')[0]! : '.');

/** The imports of `files` (path under src -> source text) that break the layering. */
export function violations(files: ReadonlyMap<string, string>): string[] {
  const bad: string[] = [];
  for (const [rel, text] of files) {
    const layer = layerOf(rel);
    const allowed = ALLOWED[layer];
    if (allowed === undefined) { bad.push(`${rel}: unknown layer ${layer} (add it to ALLOWED)`); continue; }
    for (const m of text.matchAll(/(?:from|import)\s*\(?\s*'(\.[^']+)'/g)) {
      const target = relative(SRC, join(SRC, rel, '..', m[1]!)).replace(/\.js$/, '.ts');
      const tl = layerOf(target);
      if (tl !== layer && !allowed.includes(tl)) bad.push(`${rel} imports ${target}`);
      if (layer === 'analysis' && HEADER_VIEWS.includes(target) && !(EXCEPTIONS[rel] ?? []).includes(target)) bad.push(`${rel} reads frame headers from ${target}`);
    }
  }
  return bad;
}

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

describe('architecture', () => {
  it('every import under src/ follows the layer order', () => {
    const files = new Map(sources(SRC).map((f) => [relative(SRC, f), readFileSync(f, 'utf8')] as const));
    expect(files.size).toBeGreaterThan(40);
    expect(violations(files)).toEqual([]);
  });

  it('catches an import that breaks it', () => {
    const fake = new Map([
      ['model/finding.ts', "import { x } from '../analysis/pipeline.js';"],
      ['rules/index.ts', "import type { CaptureAnalysis } from '../analysis/capture-analysis.js';"],
      ['report/table.ts', "const m = await import('../cli/main.js');"],
      ['analysis/analyzers/attempts.ts', "import { Ipv4View } from '../../wire/ipv4.js';"],
      ['analysis/bulk-path.ts', "import { plainSegment } from '../wire/plain-segment.js';"],
      ['analysis/conversations.ts', "import { plainSegment } from '../wire/plain-segment.js';"],
      ['newlayer/x.ts', ''],
    ]);
    expect(violations(fake)).toEqual([
      'model/finding.ts imports analysis/pipeline.ts',
      'rules/index.ts imports analysis/capture-analysis.ts',
      'report/table.ts imports cli/main.ts',
      'analysis/analyzers/attempts.ts reads frame headers from wire/ipv4.ts',
      'analysis/conversations.ts reads frame headers from wire/plain-segment.ts',
      'newlayer/x.ts: unknown layer newlayer (add it to ALLOWED)',
    ]);
  });
});
