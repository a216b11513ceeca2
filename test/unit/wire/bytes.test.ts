import { describe, expect, it } from 'vitest';
import { hexText, ipv4Text, ipv6Text, u16, u16be, u16le, u32, u32be, u32le, u8 } from '../../../src/wire/bytes.js';
import { hex } from '../../helpers/frame.js';

describe('integer reads', () => {
  const b = hex`ff 01 02 03 04 fe`;
  it('reads each byte order as written', () => {
    expect(u8(b, 0)).toBe(0xff);
    expect(u16be(b, 1)).toBe(0x0102);
    expect(u16le(b, 1)).toBe(0x0201);
    expect(u32be(b, 1)).toBe(0x01020304);
    expect(u32le(b, 1)).toBe(0x04030201);
    expect(u16(b, 1, true)).toBe(0x0201);
    expect(u16(b, 1, false)).toBe(0x0102);
    expect(u32(b, 1, true)).toBe(0x04030201);
    expect(u32(b, 1, false)).toBe(0x01020304);
  });
  it('keeps 32-bit values with the top bit set unsigned', () => {
    const top = hex`ff ff ff fe`;
    expect(u32be(top, 0)).toBe(0xfffffffe);
    expect(u32le(top, 0)).toBe(0xfeffffff);
    expect(u32be(hex`80 00 00 00`, 0)).toBe(2147483648);
  });
});

describe('ipv4Text', () => {
  it('prints a dotted quad at an offset', () => {
    expect(ipv4Text(hex`00 c0 a8 00 ff`, 1)).toBe('192.168.0.255');
  });
});

describe('ipv6Text (RFC 5952)', () => {
  const cases: [string, string][] = [
    ['0000 0000 0000 0000 0000 0000 0000 0000', '::'],
    ['0000 0000 0000 0000 0000 0000 0000 0001', '::1'],
    ['0001 0000 0000 0000 0000 0000 0000 0000', '1::'],
    ['0000 0000 0000 0000 0000 ffff 0102 0304', '::ffff:1.2.3.4'],
    // §4.2.2: one zero group is not compressed.
    ['2001 0db8 0000 0001 0001 0001 0001 0001', '2001:db8:0:1:1:1:1:1'],
    // §4.2.3: the longest run is compressed ...
    ['2001 0000 0000 0001 0000 0000 0000 0001', '2001:0:0:1::1'],
    // ... and on a tie, the first one.
    ['2001 0db8 0000 0000 0001 0000 0000 0001', '2001:db8::1:0:0:1'],
    // §4.1 leading zeros dropped, §4.3 lower case.
    ['2001 0DB8 00AB 0CDE 000F 1234 ABCD EF01', '2001:db8:ab:cde:f:1234:abcd:ef01'],
    ['fe80 0000 0000 0000 0000 0000 0000 0001', 'fe80::1'],
    ['fe80 0000 0000 0000 0202 b3ff fe1e 8329', 'fe80::202:b3ff:fe1e:8329'],
    ['0000 0000 0000 0000 0000 0000 0102 0304', '::102:304'],
    ['2001 0db8 0000 0000 0000 0000 0000 0000', '2001:db8::'],
    ['0001 0000 0001 0000 0001 0000 0001 0000', '1:0:1:0:1:0:1:0'],
  ];
  for (const [bytes, text] of cases) {
    it(`${bytes} -> ${text}`, () => {
      const b = new Uint8Array(20);
      b.set(hex`${bytes}`, 2);
      expect(ipv6Text(b, 2)).toBe(text);
    });
  }
});

describe('hexText', () => {
  it('pads every byte to two lower-case digits', () => {
    expect(hexText(hex`00 0a ff 10`, 1, 3)).toBe('0aff10');
  });
});
