/**
 * Differential test against tshark on every capture in samples/ and ../shared/corpus: frame
 * count, the SYN frames, the SYN retransmissions, SYN-ACK and RST frames. When the two
 * disagree on a file, the case is listed in KNOWN with who is right and why, and a check of the
 * difference itself runs instead.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeFile } from '../../src/analysis/pipeline.js';
import type { FileReport, SynEvent } from '../../src/model/report.js';
import { SAMPLES, corpusCases, sampleFiles } from '../helpers/corpus.js';
import { HAVE_TSHARK, TSHARK_SKIP_REASON, tsharkFacts, type TsharkFacts } from '../helpers/tshark.js';
import { EXTERNAL_CALL_MS, EXTERNAL_TEST_MS } from '../helpers/external.js';

/** Frame numbers tshark shows for a display filter. */
function tsharkFrames(path: string, filter: string): number[] {
  const run = spawnSync('tshark', ['-n', '-r', path, '-Y', filter, '-T', 'fields', '-e', 'frame.number'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: EXTERNAL_CALL_MS });
  if (run.status !== 0) throw new Error(`tshark failed on ${path}: ${run.stderr}`);
  return run.stdout.split('\n').filter((l) => l !== '').map(Number);
}

interface Known {
  /** Who is right, and why the outputs differ. */
  why: string;
  /** What the difference must be, exactly. */
  check: (r: { report: FileReport; syns: SynEvent[] }, t: TsharkFacts, path: string) => void;
}

/** Files where rpctrace deliberately differs from tshark, by name, with the reason. */
const KNOWN: Readonly<Record<string, Known>> = {
  'samples/tunnel-l2tp-not-decoded.pcap': {
    why: 'tshark is right: the SYNs are inside L2TP, which tshark decodes and rpctrace does not (README, "Tunnels and encapsulations"). rpctrace must then say so: every frame tshark reads as L2TP is counted as undecoded_encapsulation and named in the undecoded-encapsulation warning.',
    check: ({ report, syns }, t, path) => {
      const l2tp = tsharkFrames(path, 'l2tp');
      expect(t.syn.length).toBeGreaterThan(0);
      expect(t.syn.every((f) => l2tp.includes(f))).toBe(true);
      expect(syns).toEqual([]);
      expect(report.anomalies.find((a) => a.name === 'undecoded_encapsulation')?.count).toBe(l2tp.length);
      expect(report.warnings.map((w) => w.message)).toEqual([expect.stringContaining(`(L2TP: ${l2tp.length} from frame ${l2tp[0]!})`)]);
    },
  },
  'samples/snaplen-68-vlan.pcap': {
    why: 'rpctrace is right: the three SYNs to 15595 share the 4-tuple and the initial sequence number, so the second and third are retransmissions. tshark flags them on the uncut capture (rpc-nonstandard-port-blocked-vlan.pcap) but not here: the snaplen cut their options, its TCP dissector stops at the end of the captured bytes ("Packet size limited during capture") before the sequence analysis runs. Every other fact agrees.',
    check: ({ report, syns }, t) => {
      expect(report.frames).toBe(t.frames);
      expect(syns.map((s) => s.frame)).toEqual(t.syn);
      expect(report.stats.tcpSynAck).toBe(t.synAck.length);
      expect(report.stats.tcpRst).toBe(t.rst.length);
      expect(t.synRetransmissions).toEqual([]);
      const retransmitted = syns.filter((s) => s.retransmitOf !== null).map((s) => s.frame);
      expect(retransmitted).toEqual([12, 13]);
      expect(tsharkFacts(join(SAMPLES, 'rpc-nonstandard-port-blocked-vlan.pcap')).synRetransmissions).toEqual(retransmitted);
    },
  },
};

const files = [...sampleFiles(), ...corpusCases().map((c) => c.path)];

describe.skipIf(!HAVE_TSHARK)(`rpctrace and tshark agree on frame-level facts${TSHARK_SKIP_REASON}`, () => {
  it.each(files.map((f) => [f.replace(/^.*\/(samples|corpus)\//, '$1/'), f] as const))('%s', async (name, path) => {
    const { report, syns } = await analyzeFile(path, { keepSyns: true });
    if (report.format === null) return; // not a capture: tshark refuses it too (tested in the CLI tests)
    const t = tsharkFacts(path);
    const known = KNOWN[name];
    if (known !== undefined) return known.check({ report, syns }, t, path);
    expect(report.frames).toBe(t.frames);
    expect(syns.map((s) => s.frame)).toEqual(t.syn);
    // tshark flags a capture copy (pktmon's one copy per component) as a retransmission; we
    // call it a copy (duplicateOf). Neither is a new attempt, so the sets must still match.
    expect(syns.filter((s) => s.retransmitOf !== null || s.duplicateOf !== null).map((s) => s.frame)).toEqual(t.synRetransmissions);
    expect(report.stats.tcpSynAck).toBe(t.synAck.length);
    expect(report.stats.tcpRst).toBe(t.rst.length);
  }, EXTERNAL_TEST_MS);
});

/**
 * The agreement above is only worth something if tshark, too, read the SYNs where the sample
 * hides them: inside the tunnel, in the frame that completes the fragments, in a frame the
 * snaplen cut. For each such sample, the SYN frames that match the filter in tshark are the
 * SYN frames rpctrace reports there, and there are some.
 */
const WHERE: readonly [string, string, number[]][] = [
  ['tunnel-erspan-i.pcap', 'erspan', [1, 11, 12, 13]],
  ['tunnel-erspan-ii.pcap', 'erspan.version == 1', [1, 11, 12, 13]],
  ['tunnel-erspan-iii.pcap', 'erspan.version == 2', [1, 11, 12, 13]],
  ['tunnel-gre.pcap', 'gre.key == 42', [1, 11, 12, 13]],
  ['tunnel-vxlan.pcap', 'vxlan.vni == 5000', [1, 11, 12, 13]],
  ['tunnel-geneve.pcap', 'geneve.vni == 4242', [1, 11, 12, 13]],
  ['tunnel-ipip-4in4.pcap', 'ip.proto == 4', [1, 11, 12, 13]],
  ['tunnel-ipip-6in4.pcap', 'ip.proto == 41 && ipv6', [1, 11, 12, 13]],
  ['tunnel-gtpu.pcap', 'gtp.message == 255', [1, 11, 12, 13]],
  ['tunnel-mpls.pcap', 'mpls.label == 24010', [1, 11, 12, 13]],
  ['tunnel-pppoe.pcap', 'pppoe.session_id == 0x2a', [1, 11, 12, 13]],
  ['tunnel-pbb.pcap', 'ieee8021ah.isid == 123456', [1, 11, 12, 13]],
  ['tunnel-fabricpath.pcap', 'cfp', [1, 11, 12, 13]],
  ['syn-tcp-header-in-ip-fragments.pcap', 'ip.fragments', [12, 14, 16]],
  ['syn-tcp-header-in-ipv6-fragments.pcap', 'ipv6.fragments', [14, 18, 22]],
  ['snaplen-68-vlan.pcap', 'vlan.id == 10 && frame.cap_len < frame.len', [1, 11, 12, 13]],
  ['vlan-many-tags.pcap', 'vlan.id == 10 && ieee8021ad.id == 110', [1, 11, 12, 13]],
];

describe.skipIf(!HAVE_TSHARK)(`tshark reads the hidden SYNs where rpctrace does${TSHARK_SKIP_REASON}`, () => {
  it.each(WHERE)('%s (%s)', async (name, filter, frames) => {
    const path = join(SAMPLES, name);
    expect(tsharkFrames(path, `(${filter}) && tcp.flags.syn == 1 && tcp.flags.ack == 0`)).toEqual(frames);
    const { syns } = await analyzeFile(path, { keepSyns: true });
    expect(syns.map((s) => s.frame).filter((f) => frames.includes(f))).toEqual(frames);
  }, EXTERNAL_TEST_MS);
});

/**
 * Binds the server refused: the frames rpctrace cites as `bind-rejected` are the bind_naks and
 * the bind_acks / alter_context_resps that accepted no context, as tshark's DCE/RPC dissector
 * reads them, in every sample and corpus capture (the corpus's real Windows DCOM sessions hold
 * bind_acks that reject some contexts and accept others: no finding).
 */
const REFUSED = 'dcerpc.pkt_type == 13 || ((dcerpc.pkt_type == 12 || dcerpc.pkt_type == 15) && all dcerpc.cn_ack_result != 0)';

describe.skipIf(!HAVE_TSHARK)(`rpctrace and tshark agree on refused binds${TSHARK_SKIP_REASON}`, () => {
  it.each(files.map((f) => [f.replace(/^.*\/(samples|corpus)\//, '$1/'), f] as const))('%s', async (_name, path) => {
    const { report } = await analyzeFile(path);
    if (report.format === null) return;
    const ours = report.findings.flatMap((f) => f.evidence.filter((e) => e.role === 'bind-rejected').map((e) => e.frame)).sort((a, b) => a - b);
    // tshark reads a file cut short up to the cut, as rpctrace does, and then exits 2.
    const run = spawnSync('tshark', ['-n', '-r', path, '-Y', REFUSED, '-T', 'fields', '-e', 'frame.number'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: EXTERNAL_CALL_MS });
    if (run.status !== 0 && !/cut short/.test(run.stderr)) throw new Error(`tshark failed on ${path}: ${run.stderr}`);
    expect(ours).toEqual(run.stdout.split('\n').filter((l) => l !== '').map(Number));
  }, EXTERNAL_TEST_MS);
});

/**
 * Every display filter a report prints is one Wireshark accepts: the user pastes it as it is.
 * (Wireshark 4 wants commas between set elements, `tcp.port in {135, 49667}`; the space-separated
 * sets rpctrace printed until 0.2 were a syntax error there.) Checked with tshark on every
 * finding of every sample and corpus capture, and the filter must show at least one of the
 * finding's evidence frames.
 */
describe.skipIf(!HAVE_TSHARK)(`tshark accepts every display filter rpctrace prints${TSHARK_SKIP_REASON}`, () => {
  it.each(files.map((f) => [f.replace(/^.*\/(samples|corpus)\//, '$1/'), f] as const))('%s', async (_name, path) => {
    const { report } = await analyzeFile(path);
    for (const f of report.findings) {
      const run = spawnSync('tshark', ['-n', '-r', path, '-Y', f.displayFilter, '-T', 'fields', '-e', 'frame.number'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: EXTERNAL_CALL_MS });
      expect(run.status === 0 || /cut short/.test(run.stderr), `${f.id}: ${f.displayFilter}: ${run.stderr}`).toBe(true);
      const shown = new Set(run.stdout.split('\n').filter((l) => l !== '').map(Number));
      if (f.evidenceFrames.length > 0) expect(f.evidenceFrames.some((n) => shown.has(n)), `${f.id}: ${f.displayFilter} shows none of ${f.evidenceFrames.join(', ')}`).toBe(true);
    }
  }, EXTERNAL_TEST_MS);
});
