import { describe, expect, it } from 'vitest';
import { UdpView } from '../../../src/wire/udp.js';
import { Status } from '../../../src/wire/status.js';
import { hex } from '../../helpers/frame.js';

describe('UdpView', () => {
  const u = new UdpView();
  it('reads ports and length', () => {
    const d = hex`
      00 00                    # before
      e1 23 00 87 00 0c 00 00  # UDP: 57635 > 135, length 12
      01 02 03 04              # payload`;
    expect(u.wrap(d, 2, d.length)).toBe(Status.Ok);
    expect(u.srcPort).toBe(57635);
    expect(u.dstPort).toBe(135);
    expect(u.length).toBe(12);
    expect(u.payloadOff).toBe(10);
  });
  it('calls fewer than 8 bytes truncated', () => {
    const d = hex`e1 23 00 87 00 0c 00 00`;
    expect(u.wrap(d, 0, 7)).toBe(Status.Truncated);
    expect(u.wrap(d, 0, 8)).toBe(Status.Ok);
  });
});
