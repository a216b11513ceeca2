import { describe, expect, it } from 'vitest';
import { Ipv6View } from '../../../src/wire/ipv6.js';
import { Status } from '../../../src/wire/status.js';
import { hex } from '../../helpers/frame.js';

const v = new Ipv6View();
const ADDRS = '20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01  20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 02';
const TCP = 'c0 00 00 87 00 00 00 01 00 00 00 00 50 02 ff ff 00 00 00 00';

/** IPv6 fixed header with payload length `plen` and next header `nh` (both as hex text). */
const fixed = (plen: string, nh: string): string => `60 00 00 00 ${plen} ${nh} 40 ${ADDRS}`;

describe('Ipv6View', () => {
  it('reads the fixed header and an upper layer right after it', () => {
    const d = hex`
      ${fixed('00 14', '06')}   # IPv6: payload 20, TCP, hop limit 64, 2001:db8::1 > 2001:db8::2
      ${TCP}                   # TCP: 49152 > 135 SYN`;
    expect(v.wrap(d, 0, d.length)).toBe(Status.Ok);
    expect(v.protocol).toBe(6);
    expect(v.payloadOff).toBe(40);
    expect(v.hopLimit).toBe(64);
    expect(v.srcOff).toBe(8);
    expect(v.dstOff).toBe(24);
    expect(v.end).toBe(60);
    expect(v.cut).toBe(false);
    expect(v.fragmented).toBe(false);
    expect(v.laterFragment).toBe(false);
  });

  it('walks hop-by-hop, routing and destination options to the upper layer', () => {
    const d = hex`
      ${fixed('00 3c', '00')}                      # IPv6: payload 60, Hop-by-Hop
      2b 00 05 02 00 00 01 00                       # Hop-by-Hop: next Routing, 8 bytes (Router Alert, PadN)
      3c 02 00 00 00 00 00 00  ${'00 '.repeat(16)}  # Routing: next Dest Opts, len 2 = 24 bytes, segments left 0
      06 00 01 04 00 00 00 00                       # Destination Options: next TCP, 8 bytes (PadN)
      ${TCP}                                        # TCP`;
    expect(v.wrap(d, 0, d.length)).toBe(Status.Ok);
    expect(v.protocol).toBe(6);
    expect(v.payloadOff).toBe(40 + 8 + 24 + 8);
    expect(v.fragmented).toBe(false);
  });

  it('reads through the first fragment to its upper-layer header', () => {
    const d = hex`
      ${fixed('00 1c', '2c')}    # IPv6: payload 28, Fragment
      06 00 00 01 de ad be ef     # Fragment: next TCP, offset 0, M=1, id 0xdeadbeef
      ${TCP}`;
    expect(v.wrap(d, 0, d.length)).toBe(Status.Ok);
    expect(v.fragmented).toBe(true);
    expect(v.laterFragment).toBe(false);
    expect(v.protocol).toBe(6);
    expect(v.payloadOff).toBe(48);
  });

  it('stops at a later fragment: no upper-layer header follows', () => {
    const d = hex`
      ${fixed('00 10', '2c')}    # IPv6: payload 16, Fragment
      06 00 05 c8 de ad be ef     # Fragment: next TCP, offset 185 (1480 bytes), M=0
      ${'ab '.repeat(8)}          # fragment data`;
    expect(v.wrap(d, 0, d.length)).toBe(Status.Ok);
    expect(v.fragmented).toBe(true);
    expect(v.laterFragment).toBe(true);
    expect(v.payloadOff).toBe(48);
  });

  it('does not carry a later-fragment flag over to the next packet', () => {
    const later = hex`${fixed('00 10', '2c')} 06 00 05 c8 de ad be ef ${'ab '.repeat(8)}`;
    const plain = hex`${fixed('00 14', '06')} ${TCP}`;
    v.wrap(later, 0, later.length);
    expect(v.wrap(plain, 0, plain.length)).toBe(Status.Ok);
    expect(v.laterFragment).toBe(false);
    expect(v.fragmented).toBe(false);
  });

  it('sizes AH in 32-bit words (RFC 4302)', () => {
    const d = hex`
      ${fixed('00 2c', '33')}             # IPv6: payload 44, AH
      06 04 00 00 00 00 01 00 00 00 00 01  ${'00 '.repeat(12)}  # AH: next TCP, len 4 -> (4+2)*4 = 24 bytes
      ${TCP}`;
    expect(v.wrap(d, 0, d.length)).toBe(Status.Ok);
    expect(v.protocol).toBe(6);
    expect(v.payloadOff).toBe(64);
  });

  it('reports No Next Header and ESP as the upper layer without walking into them', () => {
    const none = hex`${fixed('00 00', '3b')}`;
    expect(v.wrap(none, 0, none.length)).toBe(Status.Ok);
    expect(v.protocol).toBe(59);
    const esp = hex`${fixed('00 08', '32')} 00 00 01 00 00 00 00 01`;
    expect(v.wrap(esp, 0, esp.length)).toBe(Status.Ok);
    expect(v.protocol).toBe(50);
    expect(v.payloadOff).toBe(40);
  });

  it('accepts ten extension headers and calls eleven malformed', () => {
    const chain = (n: number): Uint8Array => {
      const plen = (n * 8 + 20).toString(16).padStart(4, '0');
      return hex`${fixed(plen, '3c')} ${'3c 00 01 04 00 00 00 00 '.repeat(n - 1)} 06 00 01 04 00 00 00 00 ${TCP}`;
    };
    const ten = chain(10);
    expect(v.wrap(ten, 0, ten.length)).toBe(Status.Ok);
    expect(v.protocol).toBe(6);
    expect(v.payloadOff).toBe(40 + 80);
    const eleven = chain(11);
    expect(v.wrap(eleven, 0, eleven.length)).toBe(Status.Malformed);
  });

  it('calls an extension header past the captured bytes truncated', () => {
    const d = hex`${fixed('00 20', '00')} 06 00 01`;
    expect(v.wrap(d, 0, d.length)).toBe(Status.Truncated);
    const long = hex`${fixed('00 20', '00')} 06 04 01 04 00 00 00 00 ${'00 '.repeat(8)}  # Hop-by-Hop len 4 = 40 bytes, 16 present`;
    expect(v.wrap(long, 0, long.length)).toBe(Status.Truncated);
  });

  it('bounds the extension walk by the payload length, not by trailing bytes', () => {
    // Payload length says 4 bytes; the hop-by-hop header would need 8.
    const d = hex`${fixed('00 04', '00')} 06 00 01 04 00 00 00 00 ${TCP}`;
    expect(v.wrap(d, 0, d.length)).not.toBe(Status.Ok);
  });

  it('calls a version other than 6 malformed and fewer than 40 bytes truncated', () => {
    const d = hex`${fixed('00 00', '3b')}`;
    d[0] = 0x45;
    expect(v.wrap(d, 0, d.length)).toBe(Status.Malformed);
    expect(v.wrap(hex`${fixed('00 00', '3b')}`, 0, 39)).toBe(Status.Truncated);
  });

  it('takes the captured bytes when the payload length is 0 (jumbogram or offload)', () => {
    const d = hex`${fixed('00 00', '06')} ${TCP} ${'00 '.repeat(100)}`;
    expect(v.wrap(d, 0, d.length)).toBe(Status.Ok);
    expect(v.end).toBe(160);
    expect(v.cut).toBe(false);
  });

  it('marks a datagram longer than the captured bytes as cut and bounds it by the capture', () => {
    const d = hex`${fixed('05 b4', '06')} ${TCP} ${'00 '.repeat(6)}`;
    expect(v.wrap(d, 0, d.length)).toBe(Status.Ok);
    expect(v.cut).toBe(true);
    expect(v.end).toBe(66);
    expect(v.declaredEnd).toBe(40 + 1460);
  });

  it('ends the datagram at its payload length, before trailing padding', () => {
    const d = hex`${fixed('00 14', '06')} ${TCP} 00 00 00 00`;
    expect(v.wrap(d, 0, d.length)).toBe(Status.Ok);
    expect(v.end).toBe(60);
  });
});
