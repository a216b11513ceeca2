/**
 * The bulk path is a shortcut, never a second opinion: every report (findings, evidence frames,
 * attempts, counts, conversations' effects) must be exactly what the general path gives. All
 * samples, the corpus when present, and seeded corruptions of them are analyzed both ways.
 */
import { describe, expect, it } from 'vitest';
import { analyzeFile } from '../../../src/analysis/pipeline.js';
import { CaptureAnalysis } from '../../../src/analysis/capture-analysis.js';
import { openCapture } from '../../../src/capture/open.js';
import { forEachRecord } from '../../../src/capture/reader.js';
import { corpusCases, sampleFiles } from '../../helpers/corpus.js';
import { useTempFiles } from '../../helpers/capture.js';
import { seeds } from '../../fuzz/inputs.js';
import { mutation } from '../../fuzz/mutators.js';

const files = [...sampleFiles(), ...corpusCases().map((c) => c.path)];
const tmp = useTempFiles();

async function both(path: string, opts: { chunkSize?: number; keepSyns?: boolean } = {}): Promise<[string, string]> {
  const fast = await analyzeFile(path, opts);
  const general = await analyzeFile(path, { ...opts, bulkPath: false });
  return [JSON.stringify([fast.report, fast.syns, fast.synsOmitted]), JSON.stringify([general.report, general.syns, general.synsOmitted])];
}

describe('bulk path', () => {
  it('takes a good share of an ordinary capture\'s frames (so the comparisons below compare something)', async () => {
    const path = files.find((f) => f.endsWith('busy-healthy.pcap'))!;
    const opened = await openCapture(path);
    if (!('reader' in opened)) throw new Error('busy-healthy.pcap did not open');
    const analysis = new CaptureAnalysis();
    let frames = 0;
    await forEachRecord(opened.reader, opened.win, (r) => {
      frames++;
      analysis.record(r);
    });
    opened.close();
    // A small capture: many of its frames open, close or carry DCE/RPC, and the ACK completing
    // each of its 27 handshakes goes to the attempts analyzer (0.23 when written).
    expect(analysis.bulkFrames / frames).toBeGreaterThan(0.2);
  });

  it.each(files.map((f) => [f.replace(/^.*\/(samples|corpus)\//, '$1/'), f] as const))('gives the general path\'s report: %s', async (_name, path) => {
    const [fast, general] = await both(path);
    expect(fast).toBe(general);
    const [fastSyn, generalSyn] = await both(path, { keepSyns: true });
    expect(fastSyn).toBe(generalSyn);
  });

  it('gives the general path\'s report on corrupted captures', { timeout: 120_000 }, async () => {
    let runs = 0;
    for (const seed of seeds()) {
      for (let i = 0; i < 3; i++) {
        const { name, bytes, chunkSize } = mutation(seed, i);
        const path = tmp(bytes, 'bulk');
        const [fast, general] = await both(path, { chunkSize });
        expect(fast, `${seed.name} run ${i} (${name})`).toBe(general);
        runs++;
      }
    }
    expect(runs).toBeGreaterThan(60);
  });
});
