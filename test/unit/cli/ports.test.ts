/** `rpctrace ports`: the per-port summary as a table, JSON and Markdown. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../../../src/cli/main.js';
import { SAMPLES } from '../../helpers/corpus.js';

async function cli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await run(argv, { out: { write: (s: string) => { out += s; } }, err: { write: (s: string) => { err += s; } } });
  return { code, out, err };
}

const blocked = join(SAMPLES, 'rpc-nonstandard-port-blocked.pcap');

describe('rpctrace ports', () => {
  it('prints one row per server port with counts and range', async () => {
    const r = await cli(['ports', blocked]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('Expected dynamic range: 49152-65535');
    expect(r.out).toMatch(/│ Port\s+│ Attempts\s+│ Established\s+│ Failed\s+│ Incomplete\s+│ Servers\s+│ Advertised\s+│ In expected range\s+│/);
    expect(r.out).toMatch(/│ 135\s+│ 1\s+│ 1\s+│ 0\s+│ 0\s+│ 1\s+│ no\s+│ no\s+│/);
    expect(r.out).toMatch(/│ 15595\s+│ 1\s+│ 0\s+│ 1\s+│ 0\s+│ 1\s+│ yes\s+│ no\s+│/);
  });

  it('prints {schemaVersion, tool, files: [{path, ports}]} with --format json', async () => {
    const r = await cli(['ports', '--format', 'json', '--dynamic-range', '6005-65534', blocked]);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.out);
    expect(doc.schemaVersion).toBe(1);
    expect(doc.tool.name).toBe('rpctrace');
    expect(doc.files).toHaveLength(1);
    expect(doc.files[0].path).toBe(blocked);
    expect(doc.files[0].dynamicRanges).toEqual([[6005, 65534]]);
    expect(doc.files[0].ports.find((p: { port: number }) => p.port === 15595)).toEqual({
      port: 15595, attempts: 1, established: 0, failed: 1, incomplete: 0, servers: 1, inRange: true, advertised: true,
    });
  });

  it('prints a Markdown table with --format md and exits 2 for an unreadable input', async () => {
    const md = await cli(['ports', '--format', 'md', blocked]);
    expect(md.out).toContain('| Port | Attempts | Established | Failed | Incomplete | Servers | Advertised | In expected range |');
    expect(md.out).toContain('| 15595 | 1 | 0 | 1 | 0 | 1 | yes | no |');
    const bad = await cli(['ports', join(SAMPLES, 'not-a-capture.pcap')]);
    expect(bad.code).toBe(2);
    expect(bad.out).toContain('not a capture file');
  });
});
