/**
 * Differential test against tshark on every capture in samples/ and ../shared/corpus: frame
 * count, the SYN frames, the SYN retransmissions, SYN-ACK and RST frames. When the two
 * disagree on a file, the case is listed in KNOWN with who is right and why.
 */
import { describe, expect, it } from 'vitest';
import { analyzeFile } from '../../src/analysis/pipeline.js';
import { corpusCases, sampleFiles } from '../helpers/corpus.js';
import { HAVE_TSHARK, TSHARK_SKIP_REASON, tsharkFacts } from '../helpers/tshark.js';
import { EXTERNAL_TEST_MS } from '../helpers/external.js';

/** Files where rpctrace deliberately differs from tshark, by base name, with the reason. */
const KNOWN: Readonly<Record<string, string>> = {};

const files = [...sampleFiles(), ...corpusCases().map((c) => c.path)];

describe.skipIf(!HAVE_TSHARK)(`rpctrace and tshark agree on frame-level facts${TSHARK_SKIP_REASON}`, () => {
  it.each(files.map((f) => [f.replace(/^.*\/(samples|corpus)\//, '$1/'), f] as const))('%s', async (name, path) => {
    const { report, syns } = await analyzeFile(path, { keepSyns: true });
    if (report.format === null) return; // not a capture: tshark refuses it too (tested in the CLI tests)
    if (KNOWN[name] !== undefined) return;
    const t = tsharkFacts(path);
    expect(report.frames).toBe(t.frames);
    expect(syns.map((s) => s.frame)).toEqual(t.syn);
    // tshark flags a capture copy (pktmon's one copy per component) as a retransmission; we
    // call it a copy (duplicateOf). Neither is a new attempt, so the sets must still match.
    expect(syns.filter((s) => s.retransmitOf !== null || s.duplicateOf !== null).map((s) => s.frame)).toEqual(t.synRetransmissions);
    expect(report.stats.tcpSynAck).toBe(t.synAck.length);
    expect(report.stats.tcpRst).toBe(t.rst.length);
  }, EXTERNAL_TEST_MS);
});
