/** `rpctrace explain`: one id in full, the list of ids, and unknown ids. */
import { describe, expect, it } from 'vitest';
import { run } from '../../../src/cli/main.js';
import { FINDING_IDS } from '../../../src/model/finding.js';
import { FINDING_CATALOG } from '../../../src/model/finding-catalog.js';

async function cli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await run(argv, { out: { write: (s: string) => { out += s; } }, err: { write: (s: string) => { err += s; } } });
  return { code, out, err };
}

describe('rpctrace explain', () => {
  it('prints id, severity, title, explanation and numbered remediation, case-insensitively', async () => {
    const r = await cli(['explain', 'nonstandard_rpc_port_blocked']);
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
    const lines = r.out.split('\n');
    expect(lines[0]).toBe('NONSTANDARD_RPC_PORT_BLOCKED (error)');
    expect(lines[1]).toBe(FINDING_CATALOG.NONSTANDARD_RPC_PORT_BLOCKED.title);
    for (const s of ['6005', '24158', '1025-5000', 'DCTcpipPort', 't+3 s and t+9 s', '21 s', 'Fact and inference']) expect(r.out).toContain(s);
    expect(r.out).toContain('What to do:\n  1. ');
    expect(r.out).toMatch(/\n {2}5\. /);
    expect(r.out).toContain('netsh int ipv4 set dynamicport tcp start=49152');
  });

  it('wraps to 90 columns', async () => {
    for (const id of FINDING_IDS) {
      const r = await cli(['explain', id]);
      expect(r.code).toBe(0);
      expect(r.out.split('\n').filter((l) => l.length > 90)).toEqual([]);
    }
  });

  it('tells how to capture properly for capture-quality findings', async () => {
    for (const id of ['SNAPLEN_TOO_SMALL', 'ONE_SIDED_CAPTURE', 'INFERRED_RPC_PORT_BLOCKED']) {
      const out = (await cli(['explain', id])).out.replace(/\s+/g, ' ');
      expect(out).toContain('pktmon start --capture');
      expect(out).toContain('--pkt-size 0');
      expect(out).toContain('netsh trace start capture=yes');
    }
    expect((await cli(['explain', 'DUPLICATE_PACKETS'])).out).toContain('--comp nics');
  });

  it('lists every id with severity and summary when no id is given', async () => {
    const r = await cli(['explain']);
    expect(r.code).toBe(0);
    for (const id of FINDING_IDS) expect(r.out).toMatch(new RegExp(`^${id} +${FINDING_CATALOG[id].severity} +\\S`, 'm'));
  });

  it('exits 2 for an unknown id and lists the known ones', async () => {
    const r = await cli(['explain', 'NO_SUCH_THING']);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toContain('unknown finding id "NO_SUCH_THING"');
    for (const id of FINDING_IDS) expect(r.err).toContain(`  ${id}\n`);
  });

  it('is listed in --help', async () => {
    const r = await cli(['--help']);
    expect(r.out).toMatch(/explain \[id\]/);
    expect(r.out).toMatch(/ports \[options\] <capture\.\.\.>/);
  });
});
