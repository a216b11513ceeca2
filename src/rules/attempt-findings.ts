/** Findings about one attempt that several rules report: a handshake never completed, a capture that ended too soon. */
import type { Attempt } from '../model/connections.js';
import { evidenceList, type Advertised, type FindingFacts } from '../model/finding.js';
import type { AttemptRecord } from '../model/observations.js';
import { answerEvidence, synEvidence } from './derive.js';

/** SYN-ACKs came back, the client never completed: the answer does not reach it. */
export function handshakeNotCompleted(a: Attempt, r: AttemptRecord, filterPorts: number[]): FindingFacts<'HANDSHAKE_NOT_COMPLETED'> {
  return {
    id: 'HANDSHAKE_NOT_COMPLETED', severity: 'warning', protocol: 'tcp', client: a.client, server: a.server, port: a.serverPort,
    ...evidenceList([...synEvidence(r), ...answerEvidence(r, { synAck: true })]),
    inferred: false, folded: null,
    params: { synFrame: a.synFrames[0]!, synAckFrames: a.synAckFrames.slice(0, 5), synAckCount: a.synAckFrames.length, retransmissions: a.retransmissions, filterPorts },
  };
}

/** A single SYN, and the capture ended before the client would even retransmit it. */
export function captureEnded(a: Attempt, r: AttemptRecord, advertised: Advertised | null): FindingFacts<'CONNECTION_UNANSWERED'> {
  return {
    id: 'CONNECTION_UNANSWERED', severity: 'warning', protocol: 'tcp', client: a.client, server: a.server, port: a.serverPort,
    ...evidenceList(synEvidence(r)), inferred: false, folded: null,
    params: { kind: 'capture-ended', advertised, synFrame: a.synFrames[0]!, observedSeconds: a.observedSeconds },
  };
}
