/**
 * The parallel stage must give exactly the sequential result: same frame numbers, findings,
 * evidence, attempts, endpoints and counts. Every pcap and pcapng file of samples/ and the corpus is
 * analyzed both ways with small ranges (many boundaries, records and conversations cut across
 * them); the worker-thread path is checked on the built code.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { writePcap } from '../../../src/capture/writer.js';
import { DRSUAPI_V4, NDR_V2, dcerpcBind, dcerpcBindAck, dcerpcFault, dcerpcRequest, dcerpcResponse } from '../../../samples/gen/frames.js';
import { Scene } from '../../helpers/rpc.js';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeFile } from '../../../src/analysis/pipeline.js';
import { analyzeParallel } from '../../../src/analysis/parallel.js';
import { ConnectionTracker, DEFAULT_LIMITS } from '../../../src/analysis/connections.js';
import { corpusCases, ROOT, sampleFiles } from '../../helpers/corpus.js';

const isPcap = (f: string): boolean => {
  const m = readFileSync(f).subarray(0, 4).toString('hex');
  return m === 'd4c3b2a1' || m === 'a1b2c3d4' || m === '4d3cb2a1' || m === 'a1b23c4d' || m === '0a0d0d0a';
};
const files = [...sampleFiles(), ...corpusCases().map((c) => c.path)].filter((f) => !f.endsWith('.gz') && isPcap(f));

describe('parallel analysis equals sequential analysis', () => {
  it('has pcap files to compare', () => {
    expect(files.length).toBeGreaterThan(20);
  });

  it.each(files.map((f) => [f.replace(/^.*\/(samples|corpus)\//, '$1/'), f] as const))('%s', async (_name, path) => {
    const seq = JSON.stringify((await analyzeFile(path, { workers: 1 })).report);
    for (const rangeBytes of [700, 4096, 1 << 20]) {
      const par = JSON.stringify((await analyzeFile(path, { parallelInProcess: true, rangeBytes })).report);
      expect(par, `ranges of ${rangeBytes} bytes`).toBe(seq);
    }
  });

  it('really runs in parallel on ordinary captures (no fallback), pcap and pcapng', async () => {
    for (const name of ['busy-healthy.pcap', 'rpc-nonstandard-port-blocked.pcapng']) {
      const engine = new ConnectionTracker(false, DEFAULT_LIMITS, true);
      const r = await analyzeParallel(join(ROOT, 'samples', name), engine, { workers: 2, rangeBytes: 700, inProcess: true });
      expect(r, name).not.toBeNull();
    }
  });

  it('re-reads a range for an RPC conversation whose segments it did not all forward', async () => {
    // A DCE/RPC conversation on a dynamic port, recognised in the first range (bind), then 30
    // request/response pairs: the second range holds more server segments than a worker
    // forwards, and the last answer is a fault that only a full stream reveals.
    const s = new Scene();
    const c = s.conv({ port: 49700 });
    c.connect();
    c.send('client', dcerpcBind({ callId: 1, contexts: [{ id: 0, abstract: DRSUAPI_V4, transfer: [NDR_V2] }] }));
    c.send('server', dcerpcBindAck({ callId: 1, secondaryAddress: '49700', results: [{ result: 0, transfer: NDR_V2 }] }));
    for (let i = 0; i < 30; i++) {
      c.send('client', dcerpcRequest({ callId: 2 + i, opnum: 0, stub: new Uint8Array(24) }));
      c.send('server', i === 29 ? dcerpcFault({ callId: 2 + i, status: 0x1c010002 }) : dcerpcResponse({ callId: 2 + i, stub: new Uint8Array(24) }));
    }
    const path = join(mkdtempSync(join(tmpdir(), 'rpctrace-par-')), 'rpc.pcap');
    const bytes = writePcap(s.out, { linkType: 1 });
    writeFileSync(path, bytes);
    const seq = (await analyzeFile(path, { workers: 1 })).report;
    expect(seq.findings.map((f) => f.id)).toContain('RPC_FAULT');
    const par = (await analyzeFile(path, { parallelInProcess: true, rangeBytes: Math.ceil(bytes.length / 2) })).report;
    expect(par).toEqual(seq);
  });

  it('leaves a damaged file to the sequential reader', async () => {
    const path = join(ROOT, 'samples', 'truncated-inside-last-record.pcap');
    const engine = new ConnectionTracker(false, DEFAULT_LIMITS, true);
    expect(await analyzeParallel(path, engine, { workers: 2, rangeBytes: 512, inProcess: true })).toBeNull();
    const seq = (await analyzeFile(path, { workers: 1 })).report;
    expect((await analyzeFile(path, { parallelInProcess: true, rangeBytes: 512 })).report).toEqual(seq);
  });

  const built = join(ROOT, 'dist', 'analysis', 'pipeline.js');
  it.skipIf(!existsSync(built))('worker threads (built code) give the sequential result', async () => {
    const dist = (await import(built)) as typeof import('../../../src/analysis/pipeline.js');
    const par = (await import(join(ROOT, 'dist', 'analysis', 'parallel.js'))) as typeof import('../../../src/analysis/parallel.js');
    const conn = (await import(join(ROOT, 'dist', 'analysis', 'connections.js'))) as typeof import('../../../src/analysis/connections.js');
    const engine = new conn.ConnectionTracker(false, conn.DEFAULT_LIMITS, true);
    expect(await par.analyzeParallel(join(ROOT, 'samples', 'busy-healthy.pcap'), engine, { workers: 2, rangeBytes: 4096 }), 'worker threads ran without fallback').not.toBeNull();
    for (const name of ['busy-healthy.pcap', 'rpc-nonstandard-port-blocked.pcap', 'dcom-activation-blocked.pcap', 'epm-response-out-of-order.pcap']) {
      const path = join(ROOT, 'samples', name);
      const seq = JSON.stringify((await dist.analyzeFile(path, { workers: 1 })).report);
      const par = JSON.stringify((await dist.analyzeFile(path, { workers: 2, rangeBytes: 2048 })).report);
      expect(par, name).toBe(seq);
    }
  });
});
