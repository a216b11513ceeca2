/** The finding catalog covers every id with the agreed severities; status names resolve. */
import { describe, expect, it } from 'vitest';
import { FINDING_IDS } from '../../../src/model/finding.js';
import { FINDING_CATALOG, findFinding, statusName } from '../../../src/model/finding-catalog.js';

const SEVERITY = {
  error: ['NONSTANDARD_RPC_PORT_BLOCKED', 'RPC_DYNAMIC_PORT_BLOCKED', 'RPC_PORT_REFUSED', 'EPM_UNREACHABLE', 'EPM_REFUSED', 'ENDPOINT_NOT_REGISTERED'],
  warning: ['INFERRED_RPC_PORT_BLOCKED', 'NONSTANDARD_RPC_RANGE', 'HANDSHAKE_NOT_COMPLETED', 'CONNECTION_UNANSWERED', 'ADVERTISED_PORT_NOT_ATTEMPTED', 'ONE_SIDED_CAPTURE', 'SNAPLEN_TOO_SMALL', 'RPC_FAULT', 'TOWER_ADDRESS_MISMATCH'],
  info: ['DUPLICATE_PACKETS', 'CONTROL_PACKETS_ONLY', 'RPC_PORT_OK'],
} as const;

describe('FINDING_CATALOG', () => {
  it('has the agreed severity for every id', () => {
    expect(Object.keys(FINDING_CATALOG).sort()).toEqual([...FINDING_IDS].sort());
    for (const [severity, ids] of Object.entries(SEVERITY)) for (const id of ids) expect(FINDING_CATALOG[id].severity, id).toBe(severity);
  });

  it('gives every id a title, a one-sentence summary, an explanation and steps', () => {
    for (const id of FINDING_IDS) {
      const e = FINDING_CATALOG[id];
      expect(e.title.length, id).toBeLessThanOrEqual(70);
      expect(e.summary, id).toMatch(/^[A-Z].*\.$/);
      expect(e.explanation.length, id).toBeGreaterThan(200);
      expect(e.remediation.length, id).toBeGreaterThan(0);
    }
  });

  it('finds ids case-insensitively', () => {
    expect(findFinding(' rpc_port_ok ')?.id).toBe('RPC_PORT_OK');
    expect(findFinding('nope')).toBeNull();
    expect(findFinding('constructor')).toBeNull();
  });
});

describe('statusName', () => {
  it.each([
    [0x1c010003, 'nca_s_unk_if (0x1c010003)'],
    [0x1c010002, 'nca_s_op_rng_error (0x1c010002)'],
    [0x1c01000b, 'nca_s_proto_error (0x1c01000b)'],
    [0x16c9a0d6, 'EPT_S_NOT_REGISTERED (0x16c9a0d6)'],
    [5, 'nca_s_fault_access_denied / ERROR_ACCESS_DENIED (0x00000005)'],
    [0x6ba, 'RPC_S_SERVER_UNAVAILABLE (0x000006ba)'],
    [0x80070005, 'E_ACCESSDENIED (0x80070005)'],
    [0x12345678, '0x12345678'],
    [-2147024891, 'E_ACCESSDENIED (0x80070005)'],
  ])('%i -> %s', (code, want) => {
    expect(statusName(code)).toBe(want);
  });
});
