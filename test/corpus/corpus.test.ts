/**
 * Every real capture in ../shared/corpus against the facts tshark recorded in its
 * NAME.expected.json: frame count, SYN frames, SYN retransmissions, SYN-ACK, RST and ICMP
 * unreachable counts, first timestamp, link types.
 */
import { describe, expect, it } from 'vitest';
import { analyzeFile } from '../../src/analysis/pipeline.js';
import { corpusCases, CORPUS_SKIP_REASON, HAVE_CORPUS } from '../helpers/corpus.js';

const cases = corpusCases();

describe.skipIf(!HAVE_CORPUS)(`corpus captures read as tshark read them${CORPUS_SKIP_REASON}`, () => {
  it('finds the corpus', () => {
    expect(cases.length).toBeGreaterThan(30);
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const { report, syns } = await analyzeFile(c.path, { keepSyns: true });
    const e = c.expected;
    expect(report.errors).toEqual([]);
    expect(report.frames).toBe(e.capture.packets);
    expect(syns.map((s) => s.frame)).toEqual(e.tcp_syn.map((s) => s.frame));
    // tshark's tcp.analysis.retransmission on a SYN and ours (same 4-tuple, same ISN) agree on
    // every corpus file, including SYNs re-sent after an RST (sv_rst_refused_retry) and TCP
    // Fast Open SYNs carrying data (sv_rawip_tfo_synretx).
    expect(syns.filter((s) => s.retransmitOf !== null).map((s) => s.frame)).toEqual(e.tcp_syn.filter((s) => s.retransmission).map((s) => s.frame));
    expect(syns.map((s) => [s.src, s.srcPort, s.dst, s.dstPort])).toEqual(e.tcp_syn.map((s) => [s.src, s.sport, s.dst, s.dport]));
    // The lab files do not record the raw sequence number; the public ones do.
    const withSeq = e.tcp_syn.filter((s) => s.seq_raw !== undefined);
    expect(syns.filter((_, i) => e.tcp_syn[i]?.seq_raw !== undefined).map((s) => s.seq)).toEqual(withSeq.map((s) => s.seq_raw));
    expect(report.stats.tcpSynAck).toBe(e.tcp_synack.length);
    expect(report.stats.tcpRst).toBe(e.tcp_rst.length);
    expect(report.stats.icmpUnreachable).toBe(e.icmp_unreachable.length);
    if (e.capture.first_packet_utc) {
      // The expected time is rounded to the microsecond (2024-03-14T00:13:59.779163+00:00).
      expect(Math.abs(micros(report.firstTimestamp!) - micros(e.capture.first_packet_utc))).toBeLessThanOrEqual(0.5);
    }
    if (e.format?.linktypes) {
      expect(report.linkTypes.map((l) => l.linkType)).toEqual([...e.format.linktypes].sort((a, b) => a - b));
      expect(report.linkTypes.every((l) => l.decoded)).toBe(true);
    }
  });
});

/** Microseconds since 1970 of an ISO time with up to 9 fractional digits, as a float. */
function micros(iso: string): number {
  const m = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?/.exec(iso)!;
  const whole = Date.parse(`${m[1]!}Z`) * 1000;
  const frac = Number(`0.${m[2] ?? '0'}`) * 1e6;
  return whole + frac;
}
