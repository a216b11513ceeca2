/**
 * The property every fuzz input must keep: the whole pipeline returns a report, never throws,
 * and no decoder threw inside it (internal_decoder_error = 0).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { analyzeFile, type AnalyzeOptions } from '../../src/analysis/pipeline.js';
import type { FileReport } from '../../src/model/report.js';
import { SEED } from './mutators.js';

export const REGRESSIONS = resolve(import.meta.dirname, 'regressions');

/** Outcome of one run: the report, or what went wrong. */
export type RunResult = { ok: true; report: FileReport; ms: number } | { ok: false; why: string; ms: number };

/** ISO 8601 (expanded years allowed) with nine fraction digits, or seconds.nanoseconds outside the Date range. */
const TIME = /^((\d{4}|[+-]\d{6})-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z|-?\d+\.\d{9})$/;

/** A run slower than this is treated as a hang (the inputs are at most a few hundred KiB). */
export const MAX_MS = 5000;

/** Runs the full pipeline on the file at `path` and checks the property. */
export async function runPipeline(path: string, opts: AnalyzeOptions = {}): Promise<RunResult> {
  const t0 = performance.now();
  let report: FileReport;
  try {
    report = (await analyzeFile(path, opts)).report;
  } catch (e) {
    return { ok: false, why: `threw: ${e instanceof Error ? e.stack ?? e.message : String(e)}`, ms: performance.now() - t0 };
  }
  const ms = performance.now() - t0;
  if (typeof report !== 'object' || report === null || typeof report.frames !== 'number') {
    return { ok: false, why: 'no FileReport came back', ms };
  }
  const internal = report.anomalies.find((a) => a.name === 'internal_decoder_error');
  if (internal !== undefined) {
    return { ok: false, why: `internal_decoder_error x${internal.count}, first frames ${internal.firstFrames.join(', ')}`, ms };
  }
  // Times a user reads must be well formed whatever the file says (nanoseconds below 1e9).
  for (const t of [report.firstTimestamp, report.lastTimestamp]) {
    if (t !== null && !TIME.test(t)) return { ok: false, why: `malformed timestamp ${t}`, ms };
  }
  if (!Number.isFinite(report.durationSeconds)) return { ok: false, why: `duration ${report.durationSeconds}`, ms };
  try {
    JSON.stringify(report);
  } catch (e) {
    return { ok: false, why: `report is not JSON-serialisable: ${String(e)}`, ms };
  }
  if (ms > MAX_MS) return { ok: false, why: `took ${Math.round(ms)} ms`, ms };
  return { ok: true, report, ms };
}

/**
 * Keeps a failing input under regressions/ for regressions.test.ts. Project-owned seeds (built
 * here, samples/) are saved as bytes; a corpus-derived input is saved as a recipe (seed name
 * and run number), because ../shared/corpus files must not be copied into the project.
 */
export function keepRegression(seed: { name: string; bytes: Uint8Array }, run: number | null, bytes: Uint8Array): string {
  if (!existsSync(REGRESSIONS)) mkdirSync(REGRESSIONS, { recursive: true });
  const hash = createHash('sha1').update(bytes).digest('hex').slice(0, 12);
  const label = `${seed.name.replace(/[^A-Za-z0-9._-]+/g, '_')}-${run ?? 'seed'}-${hash}`;
  if (seed.name.startsWith('corpus/')) {
    const name = `${label}.recipe.json`;
    writeFileSync(join(REGRESSIONS, name), `${JSON.stringify({ seed: seed.name, run, rngSeed: SEED, sha1: hash }, null, 2)}\n`);
    return name;
  }
  const name = `${label}.bin`;
  writeFileSync(join(REGRESSIONS, name), bytes);
  return name;
}
