import { describe, expect, it } from 'vitest';
import { DnsHeaderView, dnsRcodeName, dnsTypeName, parseDns, readDnsName } from '../../../src/wire/dns.js';
import { Status } from '../../../src/wire/status.js';
import { hex } from '../../helpers/frame.js';
import { dnsMessage, dnsReply } from '../../../samples/gen/apps.js';

describe('DNS (RFC 1035)', () => {
  it('reads the header, the question and an answer whose owner is a compression pointer', () => {
    const m = hex`
      3a 7c 85 80 0001 0001 0000 0000                 # id 0x3a7c, QR AA RD RA, NOERROR, 1 question, 1 answer
      04 64 63 30 31 04 43 4f 52 50 07 65 78 61 6d 70 6c 65 00   # dc01.CORP.example
      0001 0001                                        # A, IN
      c0 0c 0001 0001 00000e10 0004 0a 01 01 0a        # pointer to 12, A IN, TTL 3600, 10.1.1.10`;
    const h = new DnsHeaderView();
    expect(h.wrap(m, 0, m.length)).toBe(Status.Ok);
    expect([h.id, h.response, h.opcode, h.rcode, h.truncated, h.qdcount, h.ancount]).toEqual([0x3a7c, true, 0, 0, false, 1, 1]);
    expect(parseDns(m, 0, m.length)).toEqual({
      id: 0x3a7c, response: true, opcode: 0, rcode: 0, truncated: false, qname: 'dc01.corp.example', qtype: 1,
      records: [{ name: 'dc01.corp.example', type: 1, data: '10.1.1.10', port: 0, section: 'answer' }],
    });
  });

  it('reads SRV targets and the A records of the additional section, and error codes', () => {
    const srv = dnsReply(9, '_ldap._tcp.dc._msdcs.corp.example', 33, {
      answers: [{ type: 'SRV', priority: 0, weight: 100, port: 389, target: 'dc01.corp.example' }], additional: [{ name: 'dc01.corp.example', address: '10.1.1.10' }],
    });
    expect(parseDns(srv, 0, srv.length)?.records).toEqual([
      { name: '_ldap._tcp.dc._msdcs.corp.example', type: 33, data: 'dc01.corp.example', port: 389, section: 'answer' },
      { name: 'dc01.corp.example', type: 1, data: '10.1.1.10', port: 0, section: 'additional' },
    ]);
    const nx = dnsReply(10, 'wpad.corp.example', 1, { rcode: 3 });
    expect(parseDns(nx, 0, nx.length)).toMatchObject({ id: 10, response: true, rcode: 3, qname: 'wpad.corp.example', records: [] });
    const q = dnsMessage(11, 'scom01.corp.example', 1, null);
    expect(parseDns(q, 0, q.length)).toMatchObject({ id: 11, response: false, qname: 'scom01.corp.example', qtype: 1 });
    expect([dnsRcodeName(3), dnsRcodeName(2), dnsRcodeName(12), dnsTypeName(33), dnsTypeName(99)]).toEqual(['NXDOMAIN', 'SERVFAIL', 'RCODE12', 'SRV', 'TYPE99']);
  });

  it('refuses pointer loops, forward pointers, reserved label types and names past 255 octets', () => {
    // A pointer to itself, and one pointing forward: both would loop or read ahead.
    expect(readDnsName(hex`000000000000000000000000 c0 0c`, 0, 14, 12)).toBeNull();
    expect(readDnsName(hex`000000000000000000000000 c0 0e 01 61 00`, 0, 17, 12)).toBeNull();
    // Two pointers that point at each other.
    expect(readDnsName(hex`000000000000000000000000 c0 0e c0 0c`, 0, 16, 14)).toBeNull();
    expect(readDnsName(hex`000000000000000000000000 81 61 00`, 0, 15, 12)).toBeNull();
    const long = new Uint8Array(12 + 5 * 64 + 1);
    for (let i = 0; i < 5; i++) long[12 + i * 64] = 63;
    expect(readDnsName(long, 0, long.length, 12)).toBeNull();
    // A label running past the end, and a header cut short.
    expect(readDnsName(hex`000000000000000000000000 05 61 62`, 0, 15, 12)).toBeNull();
    expect(parseDns(hex`3a 7c 85 80 00 01`, 0, 6)).toBeNull();
  });

  it('keeps the records before a malformed one', () => {
    const m = dnsReply(12, 'a.example', 1, { answers: [{ type: 'A', address: '10.0.0.1' }, { type: 'A', address: '10.0.0.2' }] });
    const cut = m.length - 3;
    expect(parseDns(m, 0, cut)?.records.map((r) => r.data)).toEqual(['10.0.0.1']);
  });
});
