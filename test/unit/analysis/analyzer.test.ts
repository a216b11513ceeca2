/**
 * A new analyzer needs no change to the frame loop, the bulk path or any built-in analyzer: it
 * says what it needs (payload ports, a payload probe, a mark on its conversations, UDP) and gets
 * exactly those packets, whether the bulk path is on or off. Shown with three test-only
 * analyzers on a sample whose LDAP, HTTP and DNS traffic no built-in analyzer reads.
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import type { AnalysisContext, Analyzer, Probe } from '../../../src/analysis/analyzer.js';
import { analyzeFile } from '../../../src/analysis/pipeline.js';
import { openCapture } from '../../../src/capture/open.js';
import { forEachRecord } from '../../../src/capture/reader.js';
import { Dissector } from '../../../src/dissect/dissector.js';
import { L4, type PacketInfo } from '../../../src/dissect/packet-info.js';
import { SAMPLES } from '../../helpers/corpus.js';

const SAMPLE = join(SAMPLES, 'busy-healthy.pcap');

/** Payload bytes of TCP 389 (LDAP), per direction: a port of interest. */
class LdapBytes implements Analyzer {
  readonly name = 'test-ldap-bytes';
  toServer = 0;
  toClient = 0;
  attach(ctx: AnalysisContext): void {
    ctx.interest.tcpPayloadOn(389);
  }
  tcp(p: PacketInfo): void {
    if (p.dstPort === 389) this.toServer += p.payloadLen;
    else if (p.srcPort === 389) this.toClient += p.payloadLen;
  }
}

/** Every payload segment of conversations that start like HTTP: a probe, then a mark on the conversation. */
class HttpSegments implements Analyzer {
  readonly name = 'test-http';
  segments = 0;
  private ctx!: AnalysisContext;
  private bit = 0;
  attach(ctx: AnalysisContext): void {
    this.ctx = ctx;
    this.bit = ctx.conversations.allocWantBit();
    ctx.interest.probe(2, (b, o, e) => e - o >= 5 && b[o] === 0x47 && b[o + 1] === 0x45 && b[o + 2] === 0x54 && b[o + 3] === 0x20); // "GET "
  }
  tcp(p: PacketInfo, id: number, _dir: 0 | 1, probe: Probe): void {
    if (id < 0 || p.payloadLen === 0) return;
    const t = this.ctx.conversations;
    if (!t.wants(id, this.bit)) {
      if (probe !== 1 || p.buf[p.payloadOff] !== 0x47) return;
      t.want(id, this.bit);
    }
    this.segments++;
  }
}

/** UDP datagrams on port 53. */
class DnsDatagrams implements Analyzer {
  readonly name = 'test-dns';
  datagrams = 0;
  attach(): void {}
  udp(p: PacketInfo): void {
    if (p.srcPort === 53 || p.dstPort === 53) this.datagrams++;
  }
}

/** The same counts, from every frame through the dissector alone. */
async function reference(): Promise<{ toServer: number; toClient: number; http: number; dns: number }> {
  const opened = await openCapture(SAMPLE);
  if (!('reader' in opened)) throw new Error('sample did not open');
  const d = new Dissector();
  const r = { toServer: 0, toClient: 0, http: 0, dns: 0 };
  await forEachRecord(opened.reader, opened.win, (rec) => {
    const p = d.dissect(rec);
    if (p.l4 === L4.TCP && p.payloadLen > 0) {
      if (p.dstPort === 389) r.toServer += p.payloadLen;
      if (p.srcPort === 389) r.toClient += p.payloadLen;
      if (p.srcPort === 80 || p.dstPort === 80) r.http++;
    }
    if (p.l4 === L4.UDP && (p.srcPort === 53 || p.dstPort === 53)) r.dns++;
  });
  opened.close();
  return r;
}

describe('a new analyzer', () => {
  it.each([true, false])('gets exactly the packets it asked for (bulk path %s)', async (bulkPath) => {
    const ldap = new LdapBytes();
    const http = new HttpSegments();
    const dns = new DnsDatagrams();
    const { report } = await analyzeFile(SAMPLE, { bulkPath, analyzers: [ldap, http, dns] });
    const ref = await reference();
    expect(ref.toServer).toBeGreaterThan(0);
    expect(ref.http).toBeGreaterThan(0);
    expect(ref.dns).toBeGreaterThan(0);
    expect([ldap.toServer, ldap.toClient, http.segments, dns.datagrams]).toEqual([ref.toServer, ref.toClient, ref.http, ref.dns]);
    // Built-in verdicts do not change with analyzers added beside them.
    const plain = await analyzeFile(SAMPLE, { bulkPath });
    expect(JSON.stringify(report)).toBe(JSON.stringify(plain.report));
  });
});
