/**
 * tshark as the reference for frame-level facts. One run per file lists every frame with the
 * fields the differential tests compare.
 */
import { spawnSync } from 'node:child_process';
import { EXTERNAL_CALL_MS } from './external.js';

export const HAVE_TSHARK = spawnSync('tshark', ['--version'], { stdio: 'ignore', timeout: EXTERNAL_CALL_MS }).status === 0;
export const TSHARK_SKIP_REASON = HAVE_TSHARK ? '' : ' (skipped: tshark is not installed; .ci/run installs it)';

/** tshark's view of one capture. */
export interface TsharkFacts {
  frames: number;
  /** SYN without ACK, outside ICMP quotes. */
  syn: number[];
  /** Of those, the ones tshark flags tcp.analysis.retransmission. */
  synRetransmissions: number[];
  synAck: number[];
  rst: number[];
}

/** Runs tshark (two-pass, no name resolution) over `path`. */
export function tsharkFacts(path: string): TsharkFacts {
  // tshark exits with 2 after printing the frames of a file cut short; those frames count.
  const run = spawnSync('tshark', [
    '-n', '-2', '-r', path, '-o', 'tcp.analyze_sequence_numbers:TRUE',
    '-T', 'fields', '-E', 'separator=\t', '-E', 'occurrence=f',
    '-e', 'frame.number', '-e', 'frame.protocols', '-e', 'tcp.flags', '-e', 'tcp.analysis.retransmission',
  ], { encoding: 'utf8', maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'pipe'], timeout: EXTERNAL_CALL_MS });
  if (run.error !== undefined) throw new Error(`tshark on ${path}: ${run.error.message}`);
  if (run.status !== 0 && run.status !== 2) throw new Error(`tshark failed on ${path}: ${run.stderr}`);
  const out = run.stdout;
  const facts: TsharkFacts = { frames: 0, syn: [], synRetransmissions: [], synAck: [], rst: [] };
  for (const line of out.split('\n')) {
    if (line === '') continue;
    const [num, protos = '', flags = '', retx = ''] = line.split('\t');
    facts.frames++;
    if (flags === '') continue;
    // A TCP header inside an ICMP error is a quote, not a segment.
    if (/(^|:)icmp(v6)?(:|$)/.test(protos)) continue;
    const f = Number.parseInt(flags, 16);
    const frame = Number(num);
    if ((f & 0x12) === 0x02) {
      facts.syn.push(frame);
      if (retx !== '') facts.synRetransmissions.push(frame);
    }
    if ((f & 0x12) === 0x12) facts.synAck.push(frame);
    if ((f & 0x04) !== 0) facts.rst.push(frame);
  }
  return facts;
}
