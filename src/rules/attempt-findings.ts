/** Findings about one attempt that several rules report: a handshake never completed, a capture that ended too soon. */
import type { Attempt } from '../model/connections.js';
import { evidenceList, type Advertised, type FindingFacts } from '../model/finding.js';
import type { AttemptRecord } from '../model/observations.js';
import { answerEvidence, synEvidence } from './derive.js';

/**
 * SYN-ACKs came back, the client never completed: the answer does not reach it. `a` (with its
 * record `r`) speaks for the group; `all` are the records of every such attempt in it.
 */
export function handshakeNotCompleted(a: Attempt, r: AttemptRecord, filterPorts: number[], all: readonly AttemptRecord[] = [r]): FindingFacts<'HANDSHAKE_NOT_COMPLETED'> {
  return {
    id: 'HANDSHAKE_NOT_COMPLETED', severity: 'warning', protocol: 'tcp', client: a.client, server: a.server, port: a.serverPort,
    ...evidenceList(all.flatMap((x) => [...synEvidence(x), ...answerEvidence(x, { synAck: true })])),
    inferred: false, folded: null,
    params: { synFrame: a.synFrames[0]!, synAckFrames: a.synAckFrames.slice(0, 5), synAckCount: a.synAckFrames.length, retransmissions: a.retransmissions, filterPorts },
  };
}

/** A single SYN, and the capture ended before the client would even retransmit it (`all`: every such attempt of the group). */
export function captureEnded(a: Attempt, r: AttemptRecord, advertised: Advertised | null, all: readonly AttemptRecord[] = [r]): FindingFacts<'CONNECTION_UNANSWERED'> {
  return {
    id: 'CONNECTION_UNANSWERED', severity: 'warning', protocol: 'tcp', client: a.client, server: a.server, port: a.serverPort,
    ...evidenceList(all.flatMap((x) => synEvidence(x))), inferred: false, folded: null,
    params: { kind: 'capture-ended', advertised, synFrame: a.synFrames[0]!, observedSeconds: a.observedSeconds },
  };
}
