import { describe, expect, it } from 'vitest';
import { Ipv4View } from '../../../src/wire/ipv4.js';
import { Status } from '../../../src/wire/status.js';
import { hex } from '../../helpers/frame.js';

const v = new Ipv4View();
const ADDRS = '0a 00 00 01  0a 00 00 02';

describe('Ipv4View', () => {
  it('reads the fixed header', () => {
    const d = hex`
      45 00 00 1c  12 34 00 00  40 11 00 00  ${ADDRS}   # IPv4: UDP, id 0x1234, TTL 64, 10.0.0.1 > 10.0.0.2
      00 35 00 35 00 08 00 00                          # UDP`;
    expect(v.wrap(d, 0, d.length)).toBe(Status.Ok);
    expect(v.hdrLen).toBe(20);
    expect(v.protocol).toBe(17);
    expect(v.ttl).toBe(64);
    expect(v.id).toBe(0x1234);
    expect(v.srcOff).toBe(12);
    expect(v.dstOff).toBe(16);
    expect(v.payloadOff).toBe(20);
    expect(v.end).toBe(28);
    expect(v.declaredEnd).toBe(28);
    expect(v.cut).toBe(false);
    expect(v.fragOffset).toBe(0);
    expect(v.moreFragments).toBe(false);
  });

  it('skips options: IHL 6 puts the payload at 24', () => {
    const d = hex`
      ff ff                                             # bytes before the datagram
      46 00 00 20  00 01 00 00  40 06 00 00  ${ADDRS}   # IPv4: IHL 6, total 32
      94 04 00 00                                       # option: Router Alert
      c0 00 00 87 00 00 00 01                           # first 8 bytes of TCP`;
    expect(v.wrap(d, 2, d.length)).toBe(Status.Ok);
    expect(v.hdrLen).toBe(24);
    expect(v.payloadOff).toBe(26);
    expect(v.srcOff).toBe(14);
    expect(v.end).toBe(34);
  });

  it('calls IHL below 5 malformed, not truncated', () => {
    for (const ihl of [0, 1, 4]) {
      const d = hex`4${ihl.toString(16)} 00 00 28  00 01 00 00  40 06 00 00  ${ADDRS} ${'00 '.repeat(20)}`;
      expect(v.wrap(d, 0, d.length)).toBe(Status.Malformed);
    }
  });

  it('calls a version other than 4 malformed', () => {
    const d = hex`65 00 00 14  00 01 00 00  40 06 00 00  ${ADDRS}`;
    expect(v.wrap(d, 0, d.length)).toBe(Status.Malformed);
  });

  it('calls a header that runs past the captured bytes truncated', () => {
    const d = hex`45 00 00 14  00 01 00 00  40 06 00 00  ${ADDRS}`;
    expect(v.wrap(d, 0, 19)).toBe(Status.Truncated);
    const opts = hex`4f 00 00 3c  00 01 00 00  40 06 00 00  ${ADDRS} ${'01 '.repeat(20)}  # IHL 15 = 60 bytes, 40 present`;
    expect(v.wrap(opts, 0, opts.length)).toBe(Status.Truncated);
  });

  it('calls a total length below the header length malformed', () => {
    const d = hex`45 00 00 13  00 01 00 00  40 06 00 00  ${ADDRS}  # total 19 < 20`;
    expect(v.wrap(d, 0, d.length)).toBe(Status.Malformed);
  });

  it('takes the captured length when total length is 0 (segmentation offload)', () => {
    const d = hex`45 00 00 00  00 01 40 00  40 06 00 00  ${ADDRS} ${'00 '.repeat(100)}`;
    expect(v.wrap(d, 0, d.length)).toBe(Status.Ok);
    expect(v.end).toBe(120);
    expect(v.declaredEnd).toBe(120);
    expect(v.cut).toBe(false);
  });

  it('marks a datagram longer than the captured bytes as cut', () => {
    const d = hex`45 00 05 dc  00 01 40 00  40 06 00 00  ${ADDRS} ${'00 '.repeat(48)}  # total 1500, 68 captured`;
    expect(v.wrap(d, 0, d.length)).toBe(Status.Ok);
    expect(v.cut).toBe(true);
    expect(v.end).toBe(68);
    expect(v.declaredEnd).toBe(1500);
  });

  it('ends the datagram at its total length, before Ethernet padding', () => {
    const d = hex`45 00 00 28  00 01 40 00  40 06 00 00  ${ADDRS} ${'11 '.repeat(20)} 00 00 00 00 00 00  # 6 bytes padding`;
    expect(v.wrap(d, 0, d.length)).toBe(Status.Ok);
    expect(v.end).toBe(40);
    expect(v.cut).toBe(false);
  });

  it('reads fragment offset and MF; DF is not MF', () => {
    const first = hex`45 00 00 1c  00 07 20 00  40 06 00 00  ${ADDRS} ${'00 '.repeat(8)}  # MF, offset 0`;
    expect(v.wrap(first, 0, first.length)).toBe(Status.Ok);
    expect(v.moreFragments).toBe(true);
    expect(v.fragOffset).toBe(0);
    const later = hex`45 00 00 1c  00 07 00 b9  40 06 00 00  ${ADDRS} ${'00 '.repeat(8)}  # last fragment, offset 185 * 8`;
    expect(v.wrap(later, 0, later.length)).toBe(Status.Ok);
    expect(v.moreFragments).toBe(false);
    expect(v.fragOffset).toBe(1480);
    const max = hex`45 00 00 1c  00 07 3f ff  40 06 00 00  ${ADDRS} ${'00 '.repeat(8)}  # MF, offset 8191 * 8`;
    expect(v.wrap(max, 0, max.length)).toBe(Status.Ok);
    expect(v.moreFragments).toBe(true);
    expect(v.fragOffset).toBe(8191 * 8);
    const df = hex`45 00 00 1c  00 07 40 00  40 06 00 00  ${ADDRS} ${'00 '.repeat(8)}  # DF only`;
    expect(v.wrap(df, 0, df.length)).toBe(Status.Ok);
    expect(v.moreFragments).toBe(false);
    expect(v.fragOffset).toBe(0);
  });
});
