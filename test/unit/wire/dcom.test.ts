import { describe, expect, it } from 'vitest';
import { scanStringBindings } from '../../../src/wire/dcom.js';
import { concat, hex } from '../../helpers/frame.js';
import { Rng } from '../../helpers/random.js';
import { dualStringArray, stringBinding } from '../../helpers/rpc.js';

const addresses = (b: Uint8Array, le = true): string[] => scanStringBindings(b, 0, b.length, le).map((s) => s.address);

describe('scanStringBindings', () => {
  it('finds a UTF-16LE binding and splits host and port', () => {
    const b = hex`
      07 00                                                   # wTowerId ncacn_ip_tcp
      53 00 45 00 52 00 56 00 45 00 52 00                     # "SERVER"
      5b 00 34 00 39 00 37 00 32 00 34 00 5d 00               # "[49724]"
      00 00                                                   # NUL`;
    expect(scanStringBindings(b, 0, b.length, true)).toEqual([{ offset: 0, address: 'SERVER[49724]', host: 'SERVER', port: 49724 }]);
  });

  it('reads UTF-16BE when the stub is big-endian', () => {
    const b = hex`
      00 07                                                   # wTowerId (BE)
      00 31 00 30 00 2e 00 30 00 2e 00 30 00 2e 00 35         # "10.0.0.5"
      00 5b 00 31 00 33 00 35 00 5d  00 00                    # "[135]", NUL`;
    expect(scanStringBindings(b, 0, b.length, false)).toEqual([{ offset: 0, address: '10.0.0.5[135]', host: '10.0.0.5', port: 135 }]);
    // The same bytes read little-endian are not a binding.
    expect(scanStringBindings(b, 0, b.length, true)).toEqual([]);
  });

  it('finds every binding of a DUALSTRINGARRAY, host names, IPv4 and IPv6 addresses, in order', () => {
    const list = ['DC01[49667]', 'dc01.corp.example.com[49667]', '10.0.0.5[49667]', 'fe80::1%12[49667]', '192.168.7.9[50001]'];
    for (const le of [true, false]) {
      const b = concat(hex`de ad be ef 00 00`, dualStringArray(list, le), hex`01 02 03`);
      const found = scanStringBindings(b, 0, b.length, le);
      expect(found.map((s) => s.address)).toEqual(list);
      expect(found.map((s) => [s.host, s.port])).toEqual([
        ['DC01', 49667], ['dc01.corp.example.com', 49667], ['10.0.0.5', 49667], ['fe80::1%12', 49667], ['192.168.7.9', 50001],
      ]);
      // offset points at the tower id
      for (const s of found) expect(le ? b[s.offset] : b[s.offset + 1]).toBe(7);
    }
  });

  it('rejects ports out of range and addresses without a port', () => {
    const bad = ['HOST[0]', 'HOST[65536]', 'HOST[99999]', 'HOST[123456]', 'HOST', 'HOST[]', '[135]', 'HOST[13a]', 'HOST[135]x', 'A[1]B[2]'];
    for (const a of bad) expect(addresses(Uint8Array.from(stringBinding(a))), a).toEqual([]);
    expect(addresses(Uint8Array.from(stringBinding('HOST[1]')))).toEqual(['HOST[1]']);
    expect(addresses(Uint8Array.from(stringBinding('HOST[65535]')))).toEqual(['HOST[65535]']);
  });

  it('ignores other tower ids, control characters, unterminated strings and junk', () => {
    expect(addresses(Uint8Array.from(stringBinding('HOST[135]', true, 0x0008)))).toEqual([]); // ncadg_ip_udp
    expect(addresses(Uint8Array.from(stringBinding('HO\u0001ST[135]')))).toEqual([]);
    expect(addresses(Uint8Array.from(stringBinding('HOST[135]')).slice(0, -2))).toEqual([]); // no NUL
    expect(addresses(Uint8Array.from(stringBinding('H\u00e9ST[135]')))).toEqual([]); // not printable ASCII
    // Junk around a binding, including a stray 07 00 in front of it.
    const b = concat(hex`07 00 07 00 41 00 ff ff`, Uint8Array.from(stringBinding('SRV[49800]')), hex`07 00 41`);
    expect(addresses(b)).toEqual(['SRV[49800]']);
  });

  it('stops at a string longer than 256 characters', () => {
    expect(addresses(Uint8Array.from(stringBinding(`${'a'.repeat(300)}[135]`)))).toEqual([]);
    expect(addresses(Uint8Array.from(stringBinding(`${'a'.repeat(200)}[135]`)))).toHaveLength(1);
  });

  it('scans only [start, end)', () => {
    const one = Uint8Array.from(stringBinding('SRV[49800]'));
    const b = concat(one, one);
    expect(scanStringBindings(b, one.length, b.length, true).map((s) => s.offset)).toEqual([one.length]);
    expect(scanStringBindings(b, 0, one.length - 1, true)).toEqual([]);
  });

  it('never throws and reads nothing outside the range, on random and mutated stubs', () => {
    const rng = new Rng(0xdc0);
    const base = dualStringArray(['DC01[49667]', '10.0.0.5[49667]']);
    for (let run = 0; run < 2000; run++) {
      let data: Uint8Array;
      if (run % 3 === 0) data = rng.bytes(rng.int(100));
      else {
        data = base.slice();
        for (let i = 0; i < 1 + rng.int(5); i++) data[rng.int(data.length)] = rng.pick([0, 7, 0x5b, 0x5d, 0x31, rng.u32() & 0xff]);
        data = data.slice(rng.int(4), data.length - rng.int(8));
      }
      for (const le of [true, false]) {
        const a = new Uint8Array(data.length + 40).fill(0);
        const z = new Uint8Array(data.length + 40).fill(0x07);
        a.set(data, 20);
        z.set(data, 20);
        const ra = scanStringBindings(a, 20, 20 + data.length, le);
        expect(scanStringBindings(z, 20, 20 + data.length, le)).toEqual(ra);
        for (const s of ra) expect(s.port >= 1 && s.port <= 65535).toBe(true);
      }
    }
  });
});
