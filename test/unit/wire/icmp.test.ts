import { describe, expect, it } from 'vitest';
import { ICMP4_UNREACH_CODES, ICMP6_UNREACH_CODES, IcmpView, echoIdent, echoSeq, icmp4IsError, icmp6IsError } from '../../../src/wire/icmp.js';
import { Status } from '../../../src/wire/status.js';
import { hex } from '../../helpers/frame.js';

describe('IcmpView', () => {
  const i = new IcmpView();
  it('reads type and code and points at the quoted datagram', () => {
    const d = hex`
      aa                        # before
      03 03 00 00 00 00 00 00   # ICMP: destination unreachable, port unreachable
      45                        # quoted IPv4 header starts here`;
    expect(i.wrap(d, 1, d.length)).toBe(Status.Ok);
    expect(i.type).toBe(3);
    expect(i.code).toBe(3);
    expect(i.quoteOff).toBe(9);
  });
  it('calls fewer than 8 bytes truncated', () => {
    expect(i.wrap(hex`03 03 00 00 00 00 00`, 0, 7)).toBe(Status.Truncated);
  });
});

describe('ICMP error types', () => {
  it('ICMPv4: unreachable, source quench, redirect, time exceeded, parameter problem quote a datagram', () => {
    for (const t of [3, 4, 5, 11, 12]) expect(icmp4IsError(t), `type ${t}`).toBe(true);
    for (const t of [0, 8, 9, 10, 13, 14, 255]) expect(icmp4IsError(t), `type ${t}`).toBe(false);
  });
  it('ICMPv6: types below 128 are errors (RFC 4443 §2.1)', () => {
    for (const t of [1, 2, 3, 4, 127]) expect(icmp6IsError(t), `type ${t}`).toBe(true);
    for (const t of [128, 129, 133, 135, 255]) expect(icmp6IsError(t), `type ${t}`).toBe(false);
  });
});

describe('unreachable code tables', () => {
  it('ICMPv4 names every code RFC 1812 §5.2.7.1 defines', () => {
    for (let c = 0; c <= 15; c++) expect(ICMP4_UNREACH_CODES[c], `code ${c}`).toBeTypeOf('string');
    expect(ICMP4_UNREACH_CODES[3]).toBe('port-unreachable');
    expect(ICMP4_UNREACH_CODES[13]).toBe('admin-prohibited');
    expect(ICMP4_UNREACH_CODES[10]).toBe('host-admin-prohibited');
    expect(ICMP4_UNREACH_CODES[16]).toBeUndefined();
  });
  it('ICMPv6 names the RFC 4443 codes', () => {
    for (let c = 0; c <= 6; c++) expect(ICMP6_UNREACH_CODES[c], `code ${c}`).toBeTypeOf('string');
    expect(ICMP6_UNREACH_CODES[4]).toBe('port-unreachable');
    expect(ICMP6_UNREACH_CODES[1]).toBe('admin-prohibited');
  });
});

describe('echo identifier and sequence number', () => {
  it('are the second word of an echo request or reply', () => {
    const m = hex`08 00 f7 fc 0001 0003 61 62`; // echo request, checksum, id 1, seq 3, data
    expect([echoIdent(m, 0), echoSeq(m, 0)]).toEqual([1, 3]);
  });
});
