import { describe, expect, it } from 'vitest';
import { SllView } from '../../../src/wire/sll.js';
import { Status } from '../../../src/wire/status.js';
import { hex } from '../../helpers/frame.js';

describe('SllView v1 (LINKTYPE_LINUX_SLL)', () => {
  const s = new SllView();
  it('takes the EtherType from the protocol field', () => {
    const f = hex`
      00 00  00 01  00 06  02 00 00 00 00 01 00 00  08 00  # SLL: to us, ARPHRD_ETHER, 6-byte addr, IPv4
      45`;
    expect(s.wrapV1(f, 0, f.length)).toBe(Status.Ok);
    expect(s.etherType).toBe(0x0800);
    expect(s.payloadOff).toBe(16);
  });
  it('ignores the protocol field of netlink captures', () => {
    const f = hex`00 00  03 38  00 00  00 00 00 00 00 00 00 00  08 00  # SLL: ARPHRD_NETLINK (824)`;
    expect(s.wrapV1(f, 0, f.length)).toBe(Status.Ok);
    expect(s.etherType).toBe(0);
  });
  it('calls 15 bytes truncated', () => {
    const f = hex`00 00 00 01 00 06 02 00 00 00 00 01 00 00 08`;
    expect(s.wrapV1(f, 0, f.length)).toBe(Status.Truncated);
  });
});

describe('SllView v2 (LINKTYPE_LINUX_SLL2)', () => {
  const s = new SllView();
  it('takes the EtherType from the first field and skips 20 bytes', () => {
    const f = hex`
      ff ff                                   # padding before the frame
      86 dd  00 00  00 00 00 02  00 01  04  06  02 00 00 00 00 01 00 00  # SLL2: IPv6, ifindex 2, ARPHRD_ETHER, outgoing
      60`;
    expect(s.wrapV2(f, 2, f.length)).toBe(Status.Ok);
    expect(s.etherType).toBe(0x86dd);
    expect(s.payloadOff).toBe(22);
  });
  it('ignores the protocol field of netlink captures', () => {
    const f = hex`08 00  00 00  00 00 00 01  03 38  00  00  00 00 00 00 00 00 00 00`;
    expect(s.wrapV2(f, 0, f.length)).toBe(Status.Ok);
    expect(s.etherType).toBe(0);
  });
  it('calls 19 bytes truncated', () => {
    const f = new Uint8Array(19);
    expect(s.wrapV2(f, 0, f.length)).toBe(Status.Truncated);
  });
});
