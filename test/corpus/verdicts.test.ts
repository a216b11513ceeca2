/**
 * The RPC engine on every real capture of ../shared/corpus, against the facts tshark recorded:
 * ept_map answers (frames, ports, return codes), DCOM string bindings, each connection's
 * outcome, each advertised port's follow-up, and for the lab captures the verdict.
 *
 * Vocabulary: the corpus says `connected` for any attempt answered by SYN-ACK (our
 * `established` or `answered-not-completed`), and `no-response` where we say `no-answer` or,
 * when the capture ended too early to judge, `incomplete`.
 */
import { describe, expect, it } from 'vitest';
import { analyzeFile } from '../../src/analysis/pipeline.js';
import type { AttemptOutcome } from '../../src/model/connections.js';
import type { FindingId } from '../../src/model/finding.js';
import { corpusCases, CORPUS_SKIP_REASON, HAVE_CORPUS } from '../helpers/corpus.js';

// The corpus counts SYN-initiated connections only: a connection open before the capture began
// is no attempt to it, though rpctrace reads it as proof the port is reachable.
const CORPUS_OUTCOME: Record<AttemptOutcome | 'no-attempt' | 'existing-connection', string> = {
  established: 'connected',
  'answered-not-completed': 'connected',
  'no-answer': 'no-response',
  incomplete: 'no-response',
  reset: 'reset',
  'icmp-refused': 'icmp-unreachable',
  'no-attempt': 'no-attempt',
  'existing-connection': 'no-attempt',
};

/** The finding each lab scenario category must produce (null: a healthy trace). */
const CATEGORY_FINDING: Record<string, FindingId | null> = {
  ok: null,
  'dynamic-port-dropped': 'RPC_DYNAMIC_PORT_BLOCKED',
  'dynamic-port-dropped-nonstandard-range': 'NONSTANDARD_RPC_PORT_BLOCKED',
  'dynamic-port-reset': 'RPC_PORT_REFUSED',
  'dynamic-port-icmp': 'RPC_PORT_REFUSED',
  'dynamic-port-rejected': 'RPC_PORT_REFUSED',
  'epm-dropped': 'EPM_UNREACHABLE',
  'epm-reset': 'EPM_REFUSED',
  'epm-rejected': 'EPM_REFUSED',
  'endpoint-not-registered': 'ENDPOINT_NOT_REGISTERED',
};

const cases = corpusCases();

describe.skipIf(!HAVE_CORPUS)(`RPC verdicts on the corpus agree with tshark's facts${CORPUS_SKIP_REASON}`, () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const { report } = await analyzeFile(c.path);
    const e = c.expected;

    // Every ept_map answer with towers: same frame, same ports, in order.
    const epm = report.endpoints.filter((x) => x.source === 'epm' && x.operation === 'ept_map');
    const wantEpm = e.epm_map.filter((m) => m.return_code === 0 && m.tcp_ports.length > 0).flatMap((m) => m.tcp_ports.map((p) => [m.response_frame, m.client, m.server, p]));
    expect(epm.map((x) => [x.frame, x.client, x.server, x.port])).toEqual(wantEpm);

    // ept_map answers with an error code or no tower: an ENDPOINT_NOT_REGISTERED finding cites them.
    for (const m of e.epm_map.filter((x) => x.return_code !== 0)) {
      const f = report.findings.find((x) => x.id === 'ENDPOINT_NOT_REGISTERED' && x.evidenceFrames.includes(m.response_frame));
      expect(f, `ept_map failure at frame ${m.response_frame}`).toBeDefined();
    }

    // DCOM bindings: one endpoint per answer and port.
    const dcom = report.endpoints.filter((x) => x.source === 'dcom');
    expect(dcom.map((x) => [x.frame, x.port, [...x.bindings].sort()])).toEqual((e.dcom_port_followups ?? []).map((d) => [d.dcom_response_frame, d.port, [...d.bindings].sort()]));

    // Follow-ups of every advertised port.
    const follow = [...e.epm_port_followups.map((f) => [f.epm_response_frame, f.port, f.outcome]), ...(e.dcom_port_followups ?? []).map((f) => [f.dcom_response_frame, f.port, f.outcome])];
    expect([...epm, ...dcom].map((x) => [x.frame, x.port, CORPUS_OUTCOME[x.followUp]])).toEqual(follow);
    for (const f of e.epm_port_followups) {
      expect(epm.find((x) => x.frame === f.epm_response_frame && x.port === f.port)?.inRange).toBe(f.in_iana_dynamic_range);
    }

    // Every SYN-initiated connection and its outcome. Where the capture holds no SYN-ACK but the
    // client's later segments prove the handshake (a one-sided capture), the corpus, from tshark,
    // says no-response and rpctrace says established (inferred): rpctrace is right, the client
    // acknowledged the server's ISN and sent on from its own ISN + 1. Such a connection must sit in
    // a host pair that a ONE_SIDED_CAPTURE finding names.
    const outcome = (a: (typeof report.attempts)[number]): string => (a.inferred ? 'no-response' : CORPUS_OUTCOME[a.outcome]);
    expect(report.attempts.map((a) => [a.synFrames, a.client, a.clientPort, a.server, a.serverPort, outcome(a)]))
      .toEqual(e.tcp_connections.map((t) => [t.syn_frames, t.client, t.sport, t.server, t.dport, t.outcome]));
    for (const a of report.attempts.filter((x) => x.inferred)) {
      expect(a.outcome).toBe('established');
      expect(report.findings.some((f) => f.id === 'ONE_SIDED_CAPTURE' && [f.client, f.server].includes(a.client) && [f.client, f.server].includes(a.server)), `${a.client} -> ${a.server} inferred established without a one-sided pair`).toBe(true);
    }

    // Lab scenarios: the verdict, with the answer and the SYNs as evidence; nothing worse on healthy traces.
    const category = e.scenario?.category;
    if (category !== undefined) {
      const serious = report.findings.filter((f) => f.severity !== 'info');
      const failingSyns = e.tcp_connections.filter((t) => t.outcome !== 'connected').flatMap((t) => t.syn_frames);
      const id = CATEGORY_FINDING[category];
      if (id === undefined) {
        // A category this test does not know yet: still hold rpctrace to the facts. A trace where
        // every connection succeeded gets no error (a warning such as NONSTANDARD_RPC_RANGE may
        // be due); otherwise one error cites every failing SYN.
        if (failingSyns.length === 0 && e.epm_map.every((m) => m.return_code === 0)) expect(serious.filter((f) => f.severity === 'error')).toEqual([]);
        else expect(report.findings.some((f) => f.severity === 'error' && failingSyns.every((x) => f.evidenceFrames.includes(x))), `an error citing ${failingSyns.join(', ')} for "${e.verdict}"`).toBe(true);
      } else if (id === null) {
        expect(serious).toEqual([]);
      } else {
        const f = report.findings.find((x) => x.id === id);
        expect(f, `${id} for "${e.verdict}"`).toBeDefined();
        expect(f!.severity).toBe('error');
        for (const x of failingSyns) expect(f!.evidenceFrames).toContain(x);
        for (const m of e.epm_map) expect(f!.evidenceFrames).toContain(m.response_frame);
        expect(serious.filter((x) => x.severity === 'error').map((x) => x.id)).toEqual([id]);
      }
    }
  });
});
