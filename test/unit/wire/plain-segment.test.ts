/**
 * plainSegment must accept exactly the frames the separate views take for an unfragmented TCP
 * segment over Ethernet or raw IP (IPv6 without extension headers), with the same offsets and
 * lengths. Frames come from the generator's builders and from seeded corruptions of them.
 */
import { describe, expect, it } from 'vitest';
import { PlainSegment, plainSegment } from '../../../src/wire/plain-segment.js';
import { Dissector } from '../../../src/dissect/dissector.js';
import { L4 } from '../../../src/dissect/packet-info.js';
import { LinkType } from '../../../src/wire/constants.js';
import { Rng } from '../../helpers/random.js';
import { record } from '../../helpers/frame.js';
import { ethernet, ipv4, ipv6, tcp } from '../../../samples/gen/frames.js';

/** What the general dissector says, in plainSegment's terms; null when it is not such a segment. */
function viaViews(bytes: Uint8Array, linkType: number): Omit<PlainSegment, never> | null {
  const d = new Dissector();
  const p = d.dissect(record(bytes, linkType));
  // Extension headers (other than none) and LLC/SNAP framing are left to the views on purpose.
  if (p.l4 !== L4.TCP || p.fragment !== 0 || d.anomalies.summary().length > 0) return null;
  return {
    ipVersion: p.ipVersion, srcOff: p.srcOff, dstOff: p.dstOff, srcPort: p.srcPort, dstPort: p.dstPort,
    flags: p.tcpFlags, payloadOff: p.payloadOff, payloadLen: p.payloadLen, payloadCaptured: p.payloadCaptured,
  };
}

function viaPlain(bytes: Uint8Array, linkType: number): Omit<PlainSegment, never> | null {
  const r = record(bytes, linkType);
  const out = new PlainSegment();
  return plainSegment(r.buf, r.off, r.off + r.capLen, linkType, out) ? { ...out } : null;
}

/**
 * Why the views may take a frame plainSegment leaves to them: LLC/SNAP framing (a type/length
 * field below 1536 after the tags) or an IPv6 extension header chain. Null when neither.
 */
function leftToViews(b: Uint8Array, linkType: number): string | null {
  let o = 0;
  if (linkType === LinkType.ETHERNET) {
    o = 12;
    while (o + 2 <= b.length && [0x8100, 0x88a8, 0x9100].includes((b[o]! << 8) | b[o + 1]!)) o += 4;
    if (o + 2 <= b.length && ((b[o]! << 8) | b[o + 1]!) < 1536) return 'llc';
    o += 2;
  }
  if (o < b.length && b[o]! >>> 4 === 6 && o + 6 < b.length && b[o + 6] !== 6) return 'ipv6-ext';
  return null;
}

/** Frames of every shape the fast reader must get right. */
function shapes(rng: Rng): { bytes: Uint8Array; linkType: number }[] {
  const out: { bytes: Uint8Array; linkType: number }[] = [];
  for (let i = 0; i < 40; i++) {
    const src4 = `10.0.${rng.int(4)}.${rng.int(250)}`;
    const dst4 = `10.1.0.${rng.int(250)}`;
    const src6 = `2001:db8::${rng.int(99)}`;
    const dst6 = `fe80::${rng.int(99)}`;
    const o = {
      srcPort: 1024 + rng.int(60000), dstPort: rng.pick([135, 445, 49668]), seq: rng.u32(),
      flags: rng.pick([0x10, 0x18, 0x02, 0x12, 0x11, 0x04, 0x00]),
      ...(rng.int(3) === 0 ? { options: [{ kind: 'mss' as const, value: 1460 }, { kind: 'nop' as const }] } : {}),
    };
    const payload = rng.bytes(rng.pick([0, 1, 6, 100, 1400]));
    const v4 = ipv4({
      src: src4, dst: dst4, proto: 6,
      ...(rng.int(8) === 0 ? { mf: true } : {}), ...(rng.int(8) === 0 ? { fragOffset: 8 * (1 + rng.int(100)) } : {}),
      ...(rng.int(5) === 0 ? { options: Uint8Array.of(0x94, 0x04, 0, 0) } : {}),
    }, tcp(src4, dst4, o, payload));
    const ext = rng.int(4) === 0;
    const v6 = ipv6({ src: src6, dst: dst6, nextHeader: 6, ...(ext ? { ext: [{ type: 'hop-by-hop' as const }] } : {}) }, tcp(src6, dst6, o, payload));
    const mac = { dst: '00:11:22:33:44:55', src: '66:77:88:99:aa:bb', pad: rng.int(2) === 0 };
    // Mostly 0 to 2 tags; now and then a trunk stacking a dozen (both readers follow any number).
    const tags = Array.from({ length: rng.int(10) === 0 ? 9 + rng.int(6) : rng.int(3) }, () => ({ vid: 1 + rng.int(4000), tpid: rng.pick([0x8100, 0x88a8, 0x9100]) }));
    out.push({ bytes: ethernet({ ...mac, etherType: 0x0800, tags }, v4), linkType: LinkType.ETHERNET });
    out.push({ bytes: ethernet({ ...mac, etherType: 0x86dd, tags }, v6), linkType: LinkType.ETHERNET });
    out.push({ bytes: v4, linkType: rng.pick([LinkType.RAW, LinkType.RAW_BSD12, LinkType.RAW_BSD14, LinkType.IPV4]) });
    out.push({ bytes: v6, linkType: rng.pick([LinkType.RAW, LinkType.IPV6]) });
  }
  return out;
}

describe('plainSegment', () => {
  it('agrees with the views on well-formed frames of every shape', () => {
    let taken = 0;
    for (const { bytes, linkType } of shapes(new Rng(1))) {
      const plain = viaPlain(bytes, linkType);
      const views = viaViews(bytes, linkType);
      if (plain === null && views !== null) expect(leftToViews(bytes, linkType)).not.toBeNull();
      else expect(plain).toEqual(views);
      if (plain !== null) taken++;
    }
    expect(taken).toBeGreaterThan(80);
  });

  it('agrees with the views on corrupted and cut frames (it never takes one they reject)', () => {
    const rng = new Rng(2);
    let taken = 0;
    let rejected = 0;
    for (let round = 0; round < 40; round++) {
      for (const { bytes, linkType } of shapes(rng)) {
        const b = bytes.slice(0, rng.int(3) === 0 ? rng.int(bytes.length + 1) : bytes.length);
        // Corrupt a few bytes in the headers, where the decisions are made.
        for (let k = rng.int(4); k > 0; k--) if (b.length > 0) b[rng.int(Math.min(b.length, 80))] = rng.pick([0, 0xff, rng.int(256), 0x45, 0x60, 0x81, 0x06]);
        const plain = viaPlain(b, linkType);
        const views = viaViews(b, linkType);
        if (plain !== null) {
          expect(plain).toEqual(views);
          taken++;
        } else if (views !== null) {
          // Only the shapes left to the views on purpose: IPv6 with extension headers, LLC/SNAP.
          expect(leftToViews(b, linkType)).not.toBeNull();
          rejected++;
        }
      }
    }
    expect(taken).toBeGreaterThan(1500);
    expect(rejected).toBeGreaterThan(0);
  });

  it('agrees with the views at every cut length and every value of the length fields', () => {
    const rng = new Rng(3);
    const check = (b: Uint8Array, linkType: number): void => {
      const plain = viaPlain(b, linkType);
      const views = viaViews(b, linkType);
      if (plain === null && views !== null) expect(leftToViews(b, linkType)).not.toBeNull();
      else expect(plain).toEqual(views);
    };
    const frames = shapes(rng).slice(0, 24);
    for (const { bytes, linkType } of frames) {
      for (let n = 0; n <= Math.min(bytes.length, 140); n++) check(bytes.subarray(0, n), linkType);
      let ip = 0;
      if (linkType === LinkType.ETHERNET) {
        ip = 12;
        while (((bytes[ip]! << 8) | bytes[ip + 1]!) !== 0x0800 && ((bytes[ip]! << 8) | bytes[ip + 1]!) !== 0x86dd) ip += 4;
        ip += 2;
      }
      const v6 = bytes[ip]! >>> 4 === 6;
      const hl = v6 ? 40 : (bytes[ip]! & 15) * 4;
      const len = bytes.length - ip;
      // IPv4 total length / IPv6 payload length around every boundary that matters.
      for (const x of [0, 1, 19, 20, 39, 40, hl - 1, hl, hl + 19, hl + 20, hl + 21, len - hl - 1, len - hl, len - 1, len, len + 1, 65535]) {
        if (x < 0 || x > 65535) continue;
        const b = bytes.slice();
        b[ip + (v6 ? 4 : 2)] = x >>> 8;
        b[ip + (v6 ? 5 : 3)] = x & 0xff;
        check(b, linkType);
      }
      for (let nib = 0; nib < 16; nib++) {
        const b = bytes.slice();
        b[ip + hl + 12] = (nib << 4) | (b[ip + hl + 12]! & 15); // TCP data offset
        check(b, linkType);
        if (!v6) {
          const c = bytes.slice();
          c[ip] = 0x40 | nib; // IHL
          check(c, linkType);
        }
      }
      if (!v6) {
        for (const [f6, f7] of [[0x20, 0], [0x40, 0], [0, 1], [0x1f, 0xff], [0x80, 0]] as const) {
          const b = bytes.slice();
          b[ip + 6] = f6;
          b[ip + 7] = f7;
          check(b, linkType);
        }
      }
    }
  });
});
