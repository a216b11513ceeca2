/**
 * The agent checks' analyzers as the engine runs them: under `auto` the UDP datagrams wait
 * (copied, not decoded) for the first 5723 packet, and what the rules then read is exactly what
 * decoding them as they came gives; a capture without 5723 traffic decodes none of them; the
 * bounds count what they leave out.
 */
import { describe, expect, it } from 'vitest';
import { AGENT, DC, MS, datagram, unanswered } from '../../../samples/gen/agent.js';
import * as agent from '../../../samples/gen/agent.js';
import { dnsMessage, dnsReply } from '../../../samples/gen/apps.js';
import { Scene } from '../../../samples/gen/scenario.js';
import type { WriterFrame } from '../../../src/capture/writer.js';
import { track } from '../../helpers/rpc.js';

const observed = (frames: readonly WriterFrame[], profile: 'auto' | 'scom'): string => {
  const o = track(frames, { profile }).observations(0).agent!;
  return JSON.stringify({ ...o, drops: { ...o.drops } });
};

describe('agent analyzers', () => {
  it.each([
    ['agent-healthy', agent.agentHealthy()], ['agent-dns-failure', agent.agentDnsFailure()], ['agent-kerberos-skew', agent.agentKerberosSkew()],
    ['agent-ldap-kerberos-tcp-blocked', agent.agentLdapKerberosTcpBlocked()], ['agent-heartbeat-gap', agent.agentHeartbeatGap(false, 67)],
  ])('%s: auto (held until 5723) observes what scom (decoded as they come) does', (_name, frames) => {
    expect(observed(frames, 'auto')).toBe(observed(frames, 'scom'));
  });

  it('without 5723 traffic, auto decodes nothing; scom decodes all', () => {
    const s = new Scene(20);
    datagram(s, AGENT, 53001, DC, 53, dnsMessage(1, 'dc01.corp.example', 1, null), 1);
    s.wait(1);
    datagram(s, DC, 53, AGENT, 53001, dnsReply(1, 'dc01.corp.example', 1, { answers: [{ type: 'A', address: DC }] }), 2);
    expect(track(s.out, { profile: 'auto' }).observations(0).agent?.transactions).toEqual([]);
    expect(track(s.out, { profile: 'scom' }).observations(0).agent?.transactions).toHaveLength(1);
  });

  it('holds at most 20,000 datagrams before the first 5723 packet, waits for 10,000 answers, and counts the rest', () => {
    const s = new Scene(21);
    for (let i = 0; i < 20_005; i++) datagram(s, AGENT, 40000 + (i % 20000), DC, 53, dnsMessage(i & 0xffff, 'x.corp.example', 1, null), i);
    unanswered(s, s.tcp({ clientPort: 49900, serverPort: 5723, server: MS }));
    const o = track(s.out, { profile: 'auto' }).observations(0).agent!;
    expect(o.drops.heldNotKept).toBe(5);
    // None is answered: the table of requests waiting for an answer holds 10,000 of them.
    expect([o.counts.dns.requests, o.drops.pendingFull]).toEqual([10_000, 10_000]);
  });
});
