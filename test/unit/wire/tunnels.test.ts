/**
 * The tunnel and encapsulation views, one describe per file in src/wire: header lengths from
 * every optional field, where the payload starts and ends, and what is truncated (the bytes
 * end) as opposed to malformed (a field is impossible).
 */
import { describe, expect, it } from 'vitest';
import { GreView } from '../../../src/wire/gre.js';
import { ErspanView } from '../../../src/wire/erspan.js';
import { VxlanView } from '../../../src/wire/vxlan.js';
import { GeneveView } from '../../../src/wire/geneve.js';
import { GTPU_G_PDU, GtpuView } from '../../../src/wire/gtpu.js';
import { MplsPayload, MplsView } from '../../../src/wire/mpls.js';
import { PppView, PppoeView } from '../../../src/wire/ppp.js';
import { PbbView } from '../../../src/wire/pbb.js';
import { FabricPathView } from '../../../src/wire/fabricpath.js';
import { EtherType } from '../../../src/wire/constants.js';
import { Status } from '../../../src/wire/status.js';
import { hex } from '../../helpers/frame.js';

describe('GreView', () => {
  const g = new GreView();

  it('reads the 4-byte RFC 2784 header', () => {
    const f = hex`00 00 08 00  45`;
    expect(g.wrap(f, 0, f.length)).toBe(Status.Ok);
    expect([g.version, g.protocol, g.payloadOff, g.payloadEnd, g.sequencePresent]).toEqual([0, 0x0800, 4, 5, false]);
  });

  it('skips checksum, key and sequence number (RFC 2890) in that order', () => {
    const f = hex`
      b0 00 65 58      # C K S, transparent Ethernet bridging
      ab cd 00 00      # checksum, reserved1
      00 00 00 2a      # key 42
      00 00 00 07      # sequence number 7
      ff`;
    expect(g.wrap(f, 0, f.length)).toBe(Status.Ok);
    expect([g.protocol, g.payloadOff, g.sequencePresent]).toEqual([0x6558, 16, true]);
    // Each optional field alone.
    for (const [flags, len] of [['80', 8], ['20', 8], ['10', 8], ['30', 12]] as const) {
      const x = hex`${flags} 00 88 be  ${'00 '.repeat(len - 4)}  aa`;
      expect(g.wrap(x, 0, x.length), flags).toBe(Status.Ok);
      expect(g.payloadOff, flags).toBe(len);
    }
  });

  it('walks RFC 1701 source route entries to the null entry', () => {
    const f = hex`
      40 00 08 00      # R: checksum and offset present, then routing
      00 00 00 00      # checksum, offset
      08 00 00 08  0a 00 00 01 0a 00 00 02   # SRE: family IPv4, length 8
      00 00 00 00      # null SRE
      45`;
    expect(g.wrap(f, 0, f.length)).toBe(Status.Ok);
    expect(g.payloadOff).toBe(24);
    expect(g.wrap(f, 0, 20)).toBe(Status.Truncated);
  });

  it('reads PPTP enhanced GRE (version 1): the payload length bounds the PPP frame', () => {
    const f = hex`
      30 81 88 0b      # K S, A, version 1, PPP
      00 06 12 34      # payload length 6, call id 0x1234
      00 00 00 01      # sequence number
      00 00 00 00      # acknowledgment number
      ff 03 00 21 45 00   # PPP: address, control, IPv4 (first 2 bytes)
      00 00 00 00      # bytes after the payload`;
    expect(g.wrap(f, 0, f.length)).toBe(Status.Ok);
    expect([g.version, g.protocol, g.payloadOff, g.payloadEnd]).toEqual([1, 0x880b, 16, 22]);
    // An acknowledgment alone: no sequence number, payload length 0.
    const ack = hex`20 81 88 0b  00 00 12 34  00 00 00 05`;
    expect(g.wrap(ack, 0, ack.length)).toBe(Status.Ok);
    expect(g.payloadEnd - g.payloadOff).toBe(0);
  });

  it('calls a version-1 header without its key, or versions 2 to 7, malformed', () => {
    expect(g.wrap(hex`10 01 88 0b 00 00 00 00 00 00 00 00`, 0, 12)).toBe(Status.Malformed);
    expect(g.wrap(hex`00 02 08 00 45`, 0, 5)).toBe(Status.Malformed);
  });

  it('calls missing optional fields truncated', () => {
    expect(g.wrap(hex`00 00 08`, 0, 3)).toBe(Status.Truncated);
    expect(g.wrap(hex`b0 00 08 00 00 00 00 00 00 00`, 0, 10)).toBe(Status.Truncated);
  });
});

describe('ErspanView', () => {
  const e = new ErspanView();

  it('type II: an 8-byte header with version 1', () => {
    const f = hex`10 0a 00 64  00 00 00 01  00 15`;  // version 1, VLAN 10, session 100, index 1
    expect(e.wrap(f, 0, f.length)).toBe(Status.Ok);
    expect([e.version, e.vlan, e.sessionId, e.frameType, e.payloadOff]).toEqual([1, 10, 100, 0, 8]);
  });

  it('type III: 12 bytes, and 8 more when the O bit announces the platform subheader', () => {
    const bare = hex`20 0a 00 64  01 02 03 04  00 00 00 00  00`;
    expect(e.wrap(bare, 0, bare.length)).toBe(Status.Ok);
    expect([e.version, e.frameType, e.payloadOff]).toEqual([2, 0, 12]);
    const sub = hex`20 0a 00 64  01 02 03 04  00 00 00 01  1c 00 00 05 00 00 00 00  00`;
    expect(e.wrap(sub, 0, sub.length)).toBe(Status.Ok);
    expect(e.payloadOff).toBe(20);
    expect(e.wrap(sub, 0, 19)).toBe(Status.Truncated);
    // Frame type 2 (IP) in bits 14..10 of the last 16-bit word.
    const ip = hex`20 0a 00 64  01 02 03 04  00 00 08 00`;
    expect(e.wrap(ip, 0, ip.length)).toBe(Status.Ok);
    expect(e.frameType).toBe(2);
  });

  it('an unknown version is malformed; short headers are truncated', () => {
    expect(e.wrap(hex`30 00 00 00 00 00 00 00`, 0, 8)).toBe(Status.Malformed);
    expect(e.wrap(hex`10 00 00 00 00 00 00`, 0, 7)).toBe(Status.Truncated);
    expect(e.wrap(hex`20 00 00 00 00 00 00 00 00 00 00`, 0, 11)).toBe(Status.Truncated);
  });
});

describe('VxlanView', () => {
  const v = new VxlanView();

  it('VXLAN: 8 bytes, an Ethernet frame after', () => {
    const f = hex`08 00 00 00  00 13 88 00  ff`;
    expect(v.wrap(f, 0, f.length, false)).toBe(Status.Ok);
    expect([v.vni, v.payloadOff, v.payloadType]).toEqual([5000, 8, EtherType.TEB]);
    expect(v.wrap(f, 0, 7, false)).toBe(Status.Truncated);
  });

  it('VXLAN-GPE: the next protocol names the payload when P is set', () => {
    const cases: [string, number][] = [['01', EtherType.IPV4], ['02', EtherType.IPV6], ['03', EtherType.TEB], ['04', EtherType.NSH], ['05', EtherType.MPLS], ['99', 0]];
    for (const [next, type] of cases) {
      const f = hex`0c 00 00 ${next}  00 00 01 00`;
      expect(v.wrap(f, 0, f.length, true)).toBe(Status.Ok);
      expect(v.payloadType, next).toBe(type);
    }
    expect(v.wrap(hex`08 00 00 01  00 00 01 00`, 0, 8, true)).toBe(Status.Ok);
    expect(v.payloadType).toBe(EtherType.TEB);
  });
});

describe('GeneveView', () => {
  const g = new GeneveView();

  it('skips Opt Len words of options', () => {
    const f = hex`
      02 00 65 58  00 00 2a 00      # version 0, 2 option words, Ethernet, VNI 42
      01 02 80 01  00 00 00 07      # one option TLV (class 0x0102, type 0x80, 1 word)
      ff`;
    expect(g.wrap(f, 0, f.length)).toBe(Status.Ok);
    expect([g.protocol, g.vni, g.payloadOff]).toEqual([0x6558, 42, 16]);
    expect(g.wrap(f, 0, 15)).toBe(Status.Truncated);
  });

  it('calls a version other than 0 malformed', () => {
    expect(g.wrap(hex`40 00 65 58 00 00 2a 00`, 0, 8)).toBe(Status.Malformed);
  });
});

describe('GtpuView', () => {
  const g = new GtpuView();

  it('a G-PDU without optional fields: the T-PDU is bounded by the length field', () => {
    const f = hex`30 ff 00 04  00 00 00 01  45 00 00 14  ee ee`;
    expect(g.wrap(f, 0, f.length)).toBe(Status.Ok);
    expect([g.messageType, g.teid, g.payloadOff, g.payloadEnd]).toEqual([GTPU_G_PDU, 1, 8, 12]);
  });

  it('walks the extension headers (TS 29.281 §5.2) to the one whose next type is 0', () => {
    const f = hex`
      34 ff 00 10  00 00 00 01      # E set, G-PDU, length 16, TEID 1
      00 00 00 85                    # sequence, N-PDU, next: PDU session container
      01 00 01 00                    # container, 1 word, next 0
      45 00 00 14 00 00 00 00        # T-PDU (first 8 bytes)`;
    expect(g.wrap(f, 0, f.length)).toBe(Status.Ok);
    expect([g.payloadOff, g.payloadEnd]).toEqual([16, 24]);
  });

  it('an extension header of length 0 is malformed; one past the bytes is truncated', () => {
    expect(g.wrap(hex`34 ff 00 08  00 00 00 01  00 00 00 85  00 00 00 00`, 0, 16)).toBe(Status.Malformed);
    expect(g.wrap(hex`34 ff 00 10  00 00 00 01  00 00 00 85  02 00`, 0, 14)).toBe(Status.Truncated);
    // The length field itself is shorter than the extension: malformed, not a cut.
    expect(g.wrap(hex`34 ff 00 06  00 00 00 01  00 00 00 85  02 00 00 00 00 00 00 00`, 0, 20)).toBe(Status.Malformed);
  });

  it('refuses GTP version 2 and GTP prime (PT 0)', () => {
    expect(g.wrap(hex`48 ff 00 00 00 00 00 01`, 0, 8)).toBe(Status.Malformed);
    expect(g.wrap(hex`20 ff 00 00 00 00 00 01`, 0, 8)).toBe(Status.Malformed);
  });
});

describe('MplsView', () => {
  const m = new MplsView();

  it('follows the stack to the bottom-of-stack entry and guesses the payload by its first nibble', () => {
    const stack = '00 01 00 40  00 02 01 40';   // label 16, then label 32 with S
    const cases: [string, MplsPayload][] = [['45', MplsPayload.IPV4], ['60', MplsPayload.IPV6], ['10', MplsPayload.ACH], ['00', MplsPayload.ETHERNET_CW], ['a0', MplsPayload.ETHERNET]];
    for (const [first, payload] of cases) {
      const f = hex`${stack} ${first} 00`;
      expect(m.wrap(f, 0, f.length)).toBe(Status.Ok);
      expect([m.labels, m.payloadOff, m.payload, m.topLabel], first).toEqual([2, 8, payload, 16]);
    }
    const bare = hex`${stack}`;
    expect(m.wrap(bare, 0, bare.length)).toBe(Status.Ok);
    expect(m.payload).toBe(MplsPayload.NONE);
  });

  it('a stack without its bottom entry in the bytes is truncated, however long', () => {
    const f = hex`${'00 01 00 40 '.repeat(50)}`;
    expect(m.wrap(f, 0, f.length)).toBe(Status.Truncated);
  });
});

describe('PppoeView and PppView', () => {
  const s = new PppoeView();
  const p = new PppView();

  it('PPPoE session: the length bounds the PPP frame (Ethernet padding is not part of it)', () => {
    const f = hex`11 00 12 34 00 06  00 21 45 00 00 14  00 00 00 00`;
    expect(s.wrap(f, 0, f.length)).toBe(Status.Ok);
    expect([s.code, s.sessionId, s.payloadOff, s.payloadEnd]).toEqual([0, 0x1234, 6, 12]);
    expect(p.wrap(f, s.payloadOff, s.payloadEnd, false)).toBe(Status.Ok);
    expect([p.protocol, p.payloadOff]).toEqual([0x0021, 8]);
    expect(s.wrap(hex`21 00 12 34 00 06`, 0, 6)).toBe(Status.Malformed);
    expect(s.wrap(hex`11 00 12 34 00`, 0, 5)).toBe(Status.Truncated);
  });

  it('PPP in PPTP: address and control bytes, and protocol field compression', () => {
    expect(p.wrap(hex`ff 03 00 57 60`, 0, 5, true)).toBe(Status.Ok);
    expect([p.protocol, p.payloadOff]).toEqual([0x0057, 4]);
    expect(p.wrap(hex`ff 03 21 45`, 0, 4, true)).toBe(Status.Ok);
    expect([p.protocol, p.payloadOff]).toEqual([0x21, 3]);
    expect(p.wrap(hex`c0 21 01`, 0, 3, true)).toBe(Status.Ok);
    expect(p.protocol).toBe(0xc021);
    expect(p.wrap(hex`ff 03 00`, 0, 3, true)).toBe(Status.Truncated);
  });
});

describe('PbbView and FabricPathView', () => {
  it('PBB: the 4-byte I-TAG control field, then the customer frame', () => {
    const v = new PbbView();
    const f = hex`00 01 e2 40  00 15 5d 01 01 0a`;
    expect(v.wrap(f, 0, f.length)).toBe(Status.Ok);
    expect([v.isid, v.payloadOff]).toEqual([123456, 4]);
    expect(v.wrap(f, 0, 3)).toBe(Status.Truncated);
  });

  it('FabricPath: FTag and TTL, then the original frame', () => {
    const v = new FabricPathView();
    const f = hex`00 7f  00 15 5d`;
    expect(v.wrap(f, 0, f.length)).toBe(Status.Ok);
    expect([v.ftag, v.ttl, v.payloadOff]).toEqual([1, 63, 2]);
    expect(v.wrap(f, 0, 1)).toBe(Status.Truncated);
  });
});
