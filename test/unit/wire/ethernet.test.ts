import { describe, expect, it } from 'vitest';
import { EthernetView } from '../../../src/wire/ethernet.js';
import { Status } from '../../../src/wire/status.js';
import { hex } from '../../helpers/frame.js';

const MACS = '00 00 5e 00 53 01  02 00 00 00 00 01';

describe('EthernetView', () => {
  const e = new EthernetView();

  it('reads an Ethernet II frame', () => {
    const f = hex`${MACS} 08 00  # Ethernet: IPv4
      45 00`;
    expect(e.wrap(f, 0, f.length)).toBe(Status.Ok);
    expect(e.etherType).toBe(0x0800);
    expect(e.payloadOff).toBe(14);
    expect(e.tags).toBe(0);
    expect(e.outerVlan).toBe(0);
  });

  it('reads at an offset inside a larger buffer', () => {
    const f = hex`ee ee ee  ${MACS} 86 dd  # Ethernet: IPv6
      60`;
    expect(e.wrap(f, 3, f.length)).toBe(Status.Ok);
    expect(e.etherType).toBe(0x86dd);
    expect(e.payloadOff).toBe(17);
  });

  it('skips an 802.1Q tag and keeps the VLAN id without the priority bits', () => {
    const f = hex`${MACS}
      81 00 e0 64   # 802.1Q: PCP 7, VLAN 100
      08 00         # IPv4`;
    expect(e.wrap(f, 0, f.length)).toBe(Status.Ok);
    expect(e.etherType).toBe(0x0800);
    expect(e.payloadOff).toBe(18);
    expect(e.tags).toBe(1);
    expect(e.outerVlan).toBe(100);
    expect(e.innerVlan).toBe(100);
  });

  it('reads QinQ (802.1ad S-tag then 802.1Q C-tag)', () => {
    const f = hex`${MACS}
      88 a8 00 0a   # 802.1ad: VLAN 10
      81 00 00 14   # 802.1Q: VLAN 20
      86 dd         # IPv6`;
    expect(e.wrap(f, 0, f.length)).toBe(Status.Ok);
    expect(e.etherType).toBe(0x86dd);
    expect(e.payloadOff).toBe(22);
    expect(e.tags).toBe(2);
    expect(e.outerVlan).toBe(10);
    expect(e.innerVlan).toBe(20);
  });

  it('reads the pre-standard 0x9100 outer tag', () => {
    const f = hex`${MACS}
      91 00 0f ff   # 0x9100: VLAN 4095
      81 00 00 01   # 802.1Q: VLAN 1
      08 00`;
    expect(e.wrap(f, 0, f.length)).toBe(Status.Ok);
    expect(e.etherType).toBe(0x0800);
    expect(e.outerVlan).toBe(4095);
    expect(e.innerVlan).toBe(1);
    expect(e.payloadOff).toBe(22);
  });

  it('resets VLAN ids when the next frame is untagged', () => {
    const tagged = hex`${MACS} 81 00 00 64 08 00`;
    const plain = hex`${MACS} 08 00`;
    e.wrap(tagged, 0, tagged.length);
    expect(e.wrap(plain, 0, plain.length)).toBe(Status.Ok);
    expect(e.tags).toBe(0);
    expect(e.outerVlan).toBe(0);
    expect(e.innerVlan).toBe(0);
  });

  it('follows stacked tags as far as the frame goes, however many there are', () => {
    for (const n of [8, 9, 40]) {
      const f = hex`${MACS} ${'81 00 00 01 '.repeat(n - 1)} 88 a8 00 2a  08 00  45`;
      expect(e.wrap(f, 0, f.length), `${n} tags`).toBe(Status.Ok);
      expect(e.tags).toBe(n);
      expect(e.etherType).toBe(0x0800);
      expect(e.payloadOff).toBe(14 + 4 * n);
      expect(e.innerVlan).toBe(42);
    }
    // Tags that run to the end of the captured bytes are a cut frame, not a malformed one.
    const cut = hex`${MACS} ${'81 00 00 01 '.repeat(30)}`;
    expect(e.wrap(cut, 0, cut.length)).toBe(Status.Truncated);
  });

  it('finds IPv4 inside 802.3 + LLC/SNAP', () => {
    const f = hex`${MACS}
      00 30                  # 802.3 length 48
      aa aa 03 00 00 00 08 00  # LLC/SNAP: OUI 0, IPv4
      45`;
    expect(e.wrap(f, 0, f.length)).toBe(Status.Ok);
    expect(e.etherType).toBe(0x0800);
    expect(e.payloadOff).toBe(22);
  });

  it('gives EtherType 0 for 802.3 frames that carry no EtherType', () => {
    const stp = hex`${MACS} 00 26  42 42 03 00 00 00 00 00  # 802.3 + LLC: STP`;
    expect(e.wrap(stp, 0, stp.length)).toBe(Status.Ok);
    expect(e.etherType).toBe(0);
    const cdp = hex`${MACS} 00 26  aa aa 03 00 00 0c 20 00  # SNAP with Cisco OUI: CDP, not an EtherType`;
    expect(e.wrap(cdp, 0, cdp.length)).toBe(Status.Ok);
    expect(e.etherType).toBe(0);
    const shortSnap = hex`${MACS} 00 26  aa aa 03 00 00 00 08  # SNAP header cut`;
    expect(e.wrap(shortSnap, 0, shortSnap.length)).toBe(Status.Ok);
    expect(e.etherType).toBe(0);
  });

  it('reports a header or a tag cut short as truncated', () => {
    const f = hex`${MACS} 08 00`;
    expect(e.wrap(f, 0, 13)).toBe(Status.Truncated);
    expect(e.wrap(f, 1, f.length)).toBe(Status.Truncated);
    const tagCut = hex`${MACS} 81 00 00 64 08`;
    expect(e.wrap(tagCut, 0, tagCut.length)).toBe(Status.Truncated);
    const noTypeAfterTag = hex`${MACS} 81 00 00 64`;
    expect(e.wrap(noTypeAfterTag, 0, noTypeAfterTag.length)).toBe(Status.Truncated);
  });

  it('respects `end` rather than the buffer length', () => {
    const f = hex`${MACS} 81 00 00 64 08 00`;
    expect(e.wrap(f, 0, 16)).toBe(Status.Truncated);
  });
});
