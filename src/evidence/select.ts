/**
 * Which frames back a file's findings, and what each one proves: the evidence frames of every
 * finding with their roles (endpoint answers, SYNs and their retransmissions, SYN-ACKs, RSTs,
 * ICMP errors, unanswered requests...), as the report lists them (at most MAX_EVIDENCE per
 * finding), and the endpoint answers whose PDU may have come in several segments.
 */
import { roleText } from '../model/finding.js';
import type { FileReport } from '../model/report.js';

/** What the second pass looks for. */
export interface EvidenceSelection {
  /** Frame number -> the comment lines naming each finding and the frame's role in it. */
  comments: Map<number, string[]>;
  /** Endpoint-answer frames: the segments before them that carried the same PDU are wanted too. */
  answers: Map<number, string[]>;
  /** `server|client` pairs whose server-to-client segments may carry an answer PDU. */
  answerPairs: Set<string>;
  /** The last frame wanted: the second pass stops after it. */
  last: number;
}

/** `NONSTANDARD_RPC_PORT_BLOCKED: SYN retransmission 2 of frame 18748, original frame 18760`. */
export function commentLine(id: string, role: string, frame: number): string {
  return `${id}: ${role}, original frame ${frame}`;
}

export function selectEvidence(f: FileReport): EvidenceSelection {
  const comments = new Map<number, string[]>();
  const answers = new Map<number, string[]>();
  const answerPairs = new Set<string>();
  let last = 0;
  for (const x of f.findings) {
    for (const e of x.evidence) {
      const line = commentLine(x.id, roleText(e), e.frame);
      const l = comments.get(e.frame);
      if (l === undefined) comments.set(e.frame, [line]);
      else if (!l.includes(line)) l.push(line);
      if (e.frame > last) last = e.frame;
      if (e.role === 'endpoint-answer') {
        const ids = answers.get(e.frame) ?? [];
        if (!ids.includes(x.id)) ids.push(x.id);
        answers.set(e.frame, ids);
      }
    }
  }
  // The conversation an answer came on: the endpoint list names its client and server.
  for (const e of f.endpoints) if (answers.has(e.frame)) answerPairs.add(`${e.server}|${e.client}`);
  return { comments, answers, answerPairs, last };
}
