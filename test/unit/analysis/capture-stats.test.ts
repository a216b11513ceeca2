import { describe, expect, it } from 'vitest';
import { CaptureCounters } from '../../../src/analysis/capture-stats.js';
import { PacketInfo } from '../../../src/dissect/packet-info.js';
import { NETMON_UNMAPPED_BASE } from '../../../src/capture/netmon.js';

describe('CaptureCounters.linkTypes', () => {
  it('lists every link type once, in numeric order, named as the report names them', () => {
    const c = new CaptureCounters();
    const p = new PacketInfo();
    for (const lt of [NETMON_UNMAPPED_BASE + 5, 1000, 1, 276, 1, 65535, 511, 512]) {
      p.linkType = lt;
      p.tsSec = 1;
      c.add(p);
    }
    expect(c.linkTypes().map((l) => [l.linkType, l.frames, l.name, l.decoded])).toEqual([
      [1, 2, 'ETHERNET', true],
      [276, 1, 'LINUX_SLL2', true],
      [511, 1, 'LINKTYPE 511', false],
      [512, 1, 'LINKTYPE 512', false],
      [1000, 1, 'LINKTYPE 1000', false],
      [65535, 1, 'LINKTYPE 65535', false],
      [NETMON_UNMAPPED_BASE + 5, 1, 'NetMon media type 5', false],
    ]);
  });
});
