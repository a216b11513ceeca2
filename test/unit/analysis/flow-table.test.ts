import { describe, expect, it } from 'vitest';
import { FlowTable } from '../../../src/analysis/flow-table.js';
import { Rng } from '../../helpers/random.js';
import { ipv4Addr, ipv6Addr } from '../../../samples/gen/frames.js';

/** A packet's addresses laid out as in a frame: source at 0, destination at `alen`, preceded by junk. */
function addrs(src: string, dst: string): { b: Uint8Array; alen: number } {
  const v6 = src.includes(':');
  const s = v6 ? ipv6Addr(src) : ipv4Addr(src);
  const d = v6 ? ipv6Addr(dst) : ipv4Addr(dst);
  const b = new Uint8Array(3 + s.length + d.length).fill(0xaa);
  b.set(s, 3);
  b.set(d, 3 + s.length);
  return { b, alen: s.length };
}

/** Looks up a packet src:sport -> dst:dport; returns a copy of the hit. */
function look(t: FlowTable, src: string, sport: number, dst: string, dport: number, insert = true): { id: number; dir: number; created: boolean } {
  const { b, alen } = addrs(src, dst);
  const h = t.lookup(b, 3, 3 + alen, alen, sport, dport, 6, insert);
  return { id: h.id, dir: h.dir, created: h.created };
}

describe('FlowTable', () => {
  it('puts both directions of a conversation in one entry, side 0 being the first sender', () => {
    const t = new FlowTable();
    expect(look(t, '10.0.0.2', 49152, '10.0.0.1', 135)).toEqual({ id: 0, dir: 0, created: true });
    expect(look(t, '10.0.0.1', 135, '10.0.0.2', 49152)).toEqual({ id: 0, dir: 1, created: false });
    expect(look(t, '10.0.0.2', 49152, '10.0.0.1', 135)).toEqual({ id: 0, dir: 0, created: false });
    expect(t.size).toBe(1);
  });

  it('tells apart conversations that differ in one port or one address only', () => {
    const t = new FlowTable();
    const a = look(t, '10.0.0.1', 50000, '10.0.0.2', 135).id;
    const b = look(t, '10.0.0.1', 50001, '10.0.0.2', 135).id;
    const c = look(t, '10.0.0.1', 50000, '10.0.0.3', 135).id;
    const d = look(t, '10.0.0.1', 50000, '10.0.0.2', 136).id;
    expect(new Set([a, b, c, d]).size).toBe(4);
    // Same host on both sides: ports decide the order, and both directions still meet.
    const e = look(t, '127.0.0.1', 2000, '127.0.0.1', 1000);
    expect(look(t, '127.0.0.1', 1000, '127.0.0.1', 2000)).toEqual({ id: e.id, dir: 1, created: false });
    // Swapped ports on the same pair are another conversation.
    expect(look(t, '127.0.0.1', 1000, '127.0.0.1', 2000, false).id).toBe(e.id);
    expect(look(t, '127.0.0.1', 2000, '127.0.0.1', 1000).dir).toBe(0);
  });

  it('never mixes IPv4 and IPv6 conversations whose address bytes begin alike', () => {
    const t = new FlowTable();
    const v4 = look(t, '10.0.0.1', 49152, '10.0.0.2', 135);
    // 0a00:0001:: and 0a00:0002:: start with the IPv4 addresses' bytes and are otherwise zero,
    // which is what the IPv4 key holds past its 4 bytes.
    const v6 = look(t, 'a00:1::', 49152, 'a00:2::', 135);
    expect(v6.created).toBe(true);
    expect(v6.id).not.toBe(v4.id);
    expect(look(t, '10.0.0.2', 135, '10.0.0.1', 49152)).toEqual({ id: v4.id, dir: 1, created: false });
    expect(look(t, 'a00:2::', 135, 'a00:1::', 49152)).toEqual({ id: v6.id, dir: 1, created: false });
    // ::ffff:10.0.0.1 (IPv4-mapped) is an IPv6 conversation too.
    expect(look(t, '::ffff:10.0.0.1', 49152, '::ffff:10.0.0.2', 135).created).toBe(true);
    expect(t.size).toBe(3);
  });

  it('keeps every key while growing far past its initial size', () => {
    const t = new FlowTable(1 << 22, 16);
    const rng = new Rng(7);
    const flows: [string, number, string, number][] = [];
    const seen = new Set<string>();
    while (flows.length < 10_000) {
      const v6 = rng.int(4) === 0;
      const a = v6 ? `2001:db8::${rng.int(0x10000).toString(16)}` : `10.${rng.int(4)}.${rng.int(256)}.${rng.int(256)}`;
      const b = v6 ? `2001:db8::${rng.int(0x10000).toString(16)}` : `10.${rng.int(4)}.${rng.int(256)}.${rng.int(256)}`;
      const f: [string, number, string, number] = [a, 1024 + rng.int(64000), b, rng.pick([135, 445, 49152 + rng.int(16384)])];
      const k = f.join('|');
      const r = `${f[2]}|${f[3]}|${f[0]}|${f[1]}`;
      if (seen.has(k) || seen.has(r)) continue;
      seen.add(k);
      flows.push(f);
    }
    flows.forEach(([a, ap, b, bp], i) => expect(look(t, a, ap, b, bp)).toEqual({ id: i, dir: 0, created: true }));
    expect(t.size).toBe(flows.length);
    flows.forEach(([a, ap, b, bp], i) => {
      expect(look(t, b, bp, a, ap, false)).toEqual({ id: i, dir: 1, created: false });
      expect(look(t, a, ap, b, bp, false)).toEqual({ id: i, dir: 0, created: false });
    });
    expect(t.dropped).toBe(0);
  });

  it('stops adding at maxFlows, counts what it dropped, and still finds what it holds', () => {
    const t = new FlowTable(100, 16);
    for (let i = 0; i < 150; i++) look(t, '10.0.0.1', 10000 + i, '10.0.0.2', 135);
    expect(t.size).toBe(100);
    expect(t.dropped).toBe(50);
    for (let i = 0; i < 100; i++) expect(look(t, '10.0.0.2', 135, '10.0.0.1', 10000 + i).id).toBe(i);
    expect(look(t, '10.0.0.1', 10100, '10.0.0.2', 135)).toMatchObject({ id: -1, created: false });
    expect(t.dropped).toBe(51);
    // A lookup that does not ask to insert is not a drop.
    expect(look(t, '10.0.0.1', 10101, '10.0.0.2', 135, false).id).toBe(-1);
    expect(t.dropped).toBe(51);
  });

  it('agrees with a Map keyed by the unordered 4-tuple (random packets, both directions)', () => {
    const t = new FlowTable(1 << 22, 16);
    const ref = new Map<string, { id: number; first: string }>();
    const rng = new Rng(42);
    for (let i = 0; i < 15_000; i++) {
      const v6 = rng.int(3) === 0;
      const host = (): string => (v6 ? `fd00::${rng.int(40).toString(16)}` : `192.168.0.${rng.int(40)}`);
      const a = host();
      const b = host();
      const ap = rng.pick([135, 445, 49152, 49153]);
      const bp = rng.pick([135, 445, 49152, 49153]);
      const ends = [`${a}#${ap}`, `${b}#${bp}`].sort();
      const k = `${v6}|${ends.join('|')}`;
      const hit = look(t, a, ap, b, bp);
      const known = ref.get(k);
      if (known === undefined) {
        expect(hit.created).toBe(true);
        ref.set(k, { id: hit.id, first: `${a}#${ap}` });
        expect(hit.dir).toBe(0);
      } else {
        expect(hit.id).toBe(known.id);
        expect(hit.created).toBe(false);
        expect(hit.dir).toBe(known.first === `${a}#${ap}` ? 0 : 1);
      }
    }
    expect(t.size).toBe(ref.size);
  });

  it('agrees with the Map reference when packets come in runs (the previous conversation is checked first)', () => {
    // Runs of one conversation in either direction, and near misses: the same hosts with
    // ports swapped on one side only, or one address changed, must not take the previous id.
    const t = new FlowTable(1 << 22, 16);
    const ref = new Map<string, { id: number; first: string }>();
    const rng = new Rng(11);
    let prev: [string, number, string, number] = ['10.0.0.1', 1000, '10.0.0.2', 135];
    for (let i = 0; i < 20_000; i++) {
      let [a, ap, b, bp] = prev;
      const r = rng.int(10);
      if (r < 4) [a, ap, b, bp] = [b, bp, a, ap]; // the reply
      else if (r === 4) [ap, bp] = [bp, ap]; // ports swapped, addresses not
      else if (r === 5) a = a.includes(':') ? `fd00::${rng.int(5)}` : `10.0.0.${rng.int(5)}`;
      else if (r === 6) ap = rng.pick([135, 1000, 49152]);
      else if (r === 7) { const v6 = rng.int(3) === 0; a = v6 ? `fd00::${rng.int(5)}` : `10.0.0.${rng.int(5)}`; b = v6 ? `fd00::${rng.int(5)}` : `10.0.0.${rng.int(5)}`; }
      prev = [a, ap, b, bp];
      const ends = [`${a}#${ap}`, `${b}#${bp}`].sort();
      const k = ends.join('|');
      const hit = look(t, a, ap, b, bp);
      const known = ref.get(k);
      if (known === undefined) {
        expect(hit.created).toBe(true);
        ref.set(k, { id: hit.id, first: `${a}#${ap}` });
      } else {
        expect([hit.id, hit.created]).toEqual([known.id, false]);
        // A conversation between an endpoint and itself has no direction to tell apart.
        if (`${a}#${ap}` !== `${b}#${bp}`) expect(hit.dir).toBe(known.first === `${a}#${ap}` ? 0 : 1);
      }
    }
    expect(t.size).toBe(ref.size);
  });
});
