/** Pseudonyms: keyed, stable, one to one, of the same family and text length, in documented ranges. */
import { isIPv4, isIPv6 } from 'node:net';
import { describe, expect, it } from 'vitest';
import { Pseudonymizer, ipv6Bytes, ipv6Canonical, ipv6TextOfLength } from '../../../src/redact/pseudonyms.js';
import { Rng } from '../../helpers/random.js';

describe('Pseudonymizer', () => {
  it('maps IPv4 addresses into reserved ranges, keeping the dotted length, one to one, stable under a key', () => {
    const r = new Rng(11);
    const p = new Pseudonymizer('key');
    const q = new Pseudonymizer('key');
    const seen = new Map<string, string>();
    for (let i = 0; i < 3000; i++) {
      const a = [1 + r.int(222), r.int(256), r.int(256), r.int(256)].join('.');
      if (a.startsWith('127.')) continue;
      const x = p.ipv4(a);
      expect(isIPv4(x)).toBe(true);
      expect(x.length).toBe(a.length);
      expect(x).toMatch(/^(198\.1[89]\.|0\.|24\d\.|25[0-5]\.)/);
      expect(q.ipv4(a)).toBe(x);
      expect(p.ipv4(a)).toBe(x);
      const prior = [...seen.entries()].find(([, v]) => v === x);
      if (prior !== undefined) expect(prior[0]).toBe(a);
      seen.set(a, x);
    }
    expect(new Pseudonymizer('other').ipv4('10.1.1.50')).not.toBe(p.ipv4('10.1.1.50'));
  });

  it('keeps addresses that identify no one', () => {
    const p = new Pseudonymizer('k');
    for (const a of ['0.0.0.0', '255.255.255.255', '127.0.0.1', '224.0.0.251']) expect(p.ipv4(a)).toBe(a);
    for (const a of ['::', '::1', 'ff02::1']) expect(p.ipv6(a)).toBe(a);
    const mcast = Uint8Array.of(0x01, 0x00, 0x5e, 0, 0, 1);
    expect(p.mac(mcast)).toBe(mcast);
  });

  it('maps IPv6 into documentation and discard prefixes no longer than the original; text of any length it needs', () => {
    const p = new Pseudonymizer('k');
    for (const a of ['fd00:10:1:1::50', 'fe80::1', '2001:db8:1234:5678:9abc:def0:1234:5678', 'fe80::215:5dff:fe01:132', 'fd12:3456::']) {
      const x = p.ipv6(a);
      expect(isIPv6(x)).toBe(true);
      expect(x).toBe(ipv6Canonical(ipv6Bytes(x)));
      const len = ipv6Canonical(ipv6Bytes(a)).length;
      expect(x.length).toBeLessThanOrEqual(len);
      expect(x).toMatch(/^(2001:db8::|100::)/);
      const t = ipv6TextOfLength(ipv6Bytes(x), len)!;
      expect(t.length).toBe(len);
      expect(ipv6Canonical(ipv6Bytes(t))).toBe(x);
    }
    for (let len = 11; len <= 39; len++) expect(ipv6TextOfLength(ipv6Bytes('2001:db8::5'), len)?.length).toBe(len);
  });

  it('maps MACs to locally administered unicast addresses', () => {
    const p = new Pseudonymizer('k');
    const m = p.mac(Uint8Array.of(0x00, 0x15, 0x5d, 0x01, 0x01, 0x32));
    expect(m[0]! & 0x03).toBe(0x02);
    expect(m).toHaveLength(6);
  });

  it('maps host names label by label, same length and case, the public suffix kept', () => {
    const p = new Pseudonymizer('k');
    const n = p.name('SERVER01');
    expect(n).toMatch(/^HOST[A-Z0-9]{4}$/);
    const fq = p.name('server01.corp.example');
    expect(fq.startsWith(n.toLowerCase())).toBe(true);
    expect(fq.endsWith('.example')).toBe(true);
    expect(fq).toHaveLength('server01.corp.example'.length);
    expect(p.name('DC1')).toMatch(/^H[A-Z0-9]{2}$/);
    expect(p.scrub('cannot open \\\\SERVER01\\share at 10.1.1.50')).not.toMatch(/SERVER01|10\.1\.1\.50/);
  });

  it('gives free text and file names keyed pseudonyms', () => {
    const p = new Pseudonymizer('k');
    expect(p.text('comment', 'called DC01 about it')).toMatch(/^comment-[0-9a-f]{8}$/);
    expect(p.path('/cases/acme/dc01 trace.pcap.gz')).toMatch(/^capture-[0-9a-f]{8}\.pcap\.gz$/);
    expect(p.path('-')).toBe('-');
  });
});
