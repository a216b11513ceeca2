/**
 * The memory budget (model/memory-budget.ts) on generated captures: a small budget caps the
 * state of a flood, the report names each cap in one STATE_LIMIT_REACHED per kind with counts
 * and the frame it started from, and the verdicts about what was kept do not change.
 */
import { describe, expect, it } from 'vitest';
import { DRSUAPI_V4, EPM_V3, NDR_V2, TcpFlag, dcerpcBind, dcerpcBindAck, epmMap, type TcpIpTower } from '../../../samples/gen/frames.js';
import { CLIENT, Scene, verdicts, type Verdicts } from '../../helpers/rpc.js';
import type { Finding } from '../../../src/model/finding.js';

const tower = (port: number): TcpIpTower => ({ iface: DRSUAPI_V4, port, ip: '0.0.0.0' });

/** A healthy exchange from CLIENT: ept_map answers 49667, the client binds there and is accepted. */
function healthy(s: Scene): void {
  const c = s.conv({ port: 135 });
  c.connect();
  epmMap(c, s.clock, { iface: DRSUAPI_V4, towers: [tower(49667)] });
  c.close();
  s.wait(0.01);
  const d = s.conv({ port: 49667 });
  d.connect();
  d.send('client', dcerpcBind({ callId: 1, contexts: [{ id: 0, abstract: DRSUAPI_V4, transfer: [NDR_V2] }] }));
  d.send('server', dcerpcBindAck({ callId: 1, secondaryAddress: '49667', results: [{ result: 0, transfer: NDR_V2 }] }));
  d.close();
}

/** `n` conversations from as many hosts: SYN, then a bind to the endpoint mapper, never answered. */
function synBindFlood(s: Scene, n: number): void {
  const bind = dcerpcBind({ callId: 1, contexts: [{ id: 0, abstract: EPM_V3, transfer: [NDR_V2] }] });
  for (let i = 0; i < n; i++) {
    const c = s.conv({ port: 135, client: `10.200.${i >>> 8}.${i & 0xff}` });
    c.syn();
    c.segment('client', TcpFlag.ACK, undefined, { seq: c.seqOf('client') + 1 });
    c.send('client', bind, { seq: c.seqOf('client') + 1 });
  }
}

const limitsOf = (v: Verdicts): Finding[] => v.findings.filter((f) => f.id === 'STATE_LIMIT_REACHED');
const fromClient = (v: Verdicts): unknown => ({
  findings: v.findings.filter((f) => f.client === CLIENT).map((f) => [f.id, f.severity, f.server, f.port, f.evidenceFrames]),
  endpoints: v.endpoints.filter((e) => e.client === CLIENT).map((e) => [e.port, e.frame]),
  attempts: v.attempts.filter((a) => a.client === CLIENT).map((a) => [a.serverPort, a.outcome, a.synFrames]),
});

describe('memory budget: caps are reported, verdicts on kept state unchanged', () => {
  const s = new Scene();
  healthy(s);
  s.wait(1);
  synBindFlood(s, 3000);
  const small = verdicts(s.track({ memoryBudgetMiB: 16 }));
  const large = verdicts(s.track());

  it('a 16 MiB budget caps attempts and DCE/RPC state, one STATE_LIMIT_REACHED per kind with counts and a from-frame', () => {
    const caps = limitsOf(small);
    const kinds = caps.map((f) => (f.params as { kind: string }).kind);
    expect(new Set(kinds).size).toBe(kinds.length);
    expect(kinds).toEqual(expect.arrayContaining(['attempts', 'dcerpc']));
    for (const f of caps) {
      const p = f.params as { kind: string; budgetMiB: number; notKept: number; released: number; fromFrame: number };
      expect(p.budgetMiB).toBe(16);
      expect(p.notKept + p.released, p.kind).toBeGreaterThan(0);
      expect(p.fromFrame, p.kind).toBeGreaterThan(0);
      expect(f.evidenceFrames[0], p.kind).toBe(p.fromFrame);
      expect(f.title, p.kind).not.toMatch(/\?|undefined|NaN/);
      expect(f.explanation, p.kind).toMatch(new RegExp(`[Ff]rom frame ${p.fromFrame} on|frame ${p.fromFrame}\\)`));
    }
    const attempts = caps.find((f) => (f.params as { kind: string }).kind === 'attempts')!;
    expect((attempts.params as { untrackedSyns: number }).untrackedSyns).toBe(3002 - small.attempts.length - small.attemptsOmitted);
  });

  it('the default budget holds the whole flood: no cap', () => {
    expect(limitsOf(large)).toEqual([]);
  });

  it('the verdicts about the healthy exchange, kept in both, are the same', () => {
    expect(fromClient(small)).toEqual(fromClient(large));
    expect(small.endpoints.map((e) => e.port)).toContain(49667);
    expect(small.findings.filter((f) => f.client === CLIENT).map((f) => f.id)).toContain('RPC_PORT_OK');
  });
});
