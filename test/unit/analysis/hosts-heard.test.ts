/**
 * Hosts heard over UDP or ICMP echo: the table that lets the rules say "the server is up, only
 * its TCP port is filtered". It starts small and doubles; every host keeps its first datagram,
 * and past 4,096 hosts the later ones are not remembered (a Map is the reference).
 */
import { describe, expect, it } from 'vitest';
import { datagram } from '../../../samples/gen/agent.js';
import { Scene } from '../../../samples/gen/scenario.js';
import { track } from '../../helpers/rpc.js';
import { Rng } from '../../helpers/random.js';

const CLIENT = '10.0.0.1';
const host = (i: number): string => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255 || 1}`;

describe('hosts heard', () => {
  it('keeps the first datagram of each of the first 4,096 hosts, through every growth, and nothing of later ones', () => {
    const rng = new Rng(5);
    const s = new Scene(31);
    const first = new Map<string, { frame: number; port: number }>();
    // 5,000 distinct hosts in random order, each heard two to three times, interleaved.
    const hosts = Array.from({ length: 5000 }, (_, i) => host(i + 2));
    const order = [...hosts, ...hosts, ...hosts.filter(() => rng.int(2) === 0)];
    for (let i = order.length - 1; i > hosts.length; i--) {
      const j = hosts.length + rng.int(i - hosts.length + 1);
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    for (const [k, h] of order.entries()) {
      const port = 1000 + (k % 60000);
      datagram(s, h, port, CLIENT, 53000, new Uint8Array(8), k);
      if (!first.has(h) && first.size < 4096) first.set(h, { frame: s.out.length, port });
    }
    const heard = track(s.out).observations(0).heard;
    for (const h of hosts) {
      const want = first.get(h);
      const got = heard.from(h);
      if (want === undefined) expect(got, h).toBeNull();
      else expect(got && { frame: got.frame, port: got.port, what: got.what }, h).toEqual({ frame: want.frame, port: want.port, what: 'udp' });
    }
    expect(heard.from(CLIENT)).toBeNull();
  });
});
