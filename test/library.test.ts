/**
 * rpctrace as a library, imported by its package name the way a user's code would import it
 * (Node resolves the name to this package through package.json `exports`): the built dist/.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers/corpus.js';
import { EXTERNAL_CALL_MS, EXTERNAL_TEST_MS } from './helpers/external.js';

const SCRIPT = `
import { analyzeFile, analyzeStream, FINDING_IDS, SCHEMA_VERSION, renderReport, findFinding } from 'rpctrace';
import { createReadStream } from 'node:fs';
const path = ${JSON.stringify(join(ROOT, 'samples', 'rpc-nonstandard-port-blocked.pcap'))};
const { report } = await analyzeFile(path);
const streamed = await analyzeStream(createReadStream(path), { name: 'from-a-stream.pcap' });
const text = await renderReport('table', { schemaVersion: SCHEMA_VERSION, tool: { name: 'rpctrace', version: 'x' }, files: [report], skipped: [] });
console.log(JSON.stringify({
  ids: report.findings.map((f) => f.id),
  evidence: report.findings[0].evidence.map((e) => e.role),
  streamedPath: streamed.report.path,
  same: JSON.stringify({ ...streamed.report, path: '' }) === JSON.stringify({ ...report, path: '' }),
  known: FINDING_IDS.includes('EPM_UNREACHABLE'),
  catalog: findFinding('rpc_port_ok')?.id,
  table: text.includes('NONSTANDARD_RPC_PORT_BLOCKED'),
}));
`;

describe('library entry', () => {
  it('imports by package name and analyzes a file and a stream', { timeout: EXTERNAL_TEST_MS }, () => {
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', SCRIPT], { cwd: ROOT, encoding: 'utf8', timeout: EXTERNAL_CALL_MS });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({
      ids: ['NONSTANDARD_RPC_PORT_BLOCKED'],
      evidence: ['endpoint-answer', 'syn', 'syn-retransmission', 'syn-retransmission'],
      streamedPath: 'from-a-stream.pcap',
      same: true,
      known: true,
      catalog: 'RPC_PORT_OK',
      table: true,
    });
  });
});
