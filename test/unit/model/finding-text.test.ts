/** The words of findings, made from facts alone (no capture, no tracker). */
import { describe, expect, it } from 'vitest';
import type { AttemptStory, FindingFacts } from '../../../src/model/finding.js';
import { describeFinding } from '../../../src/model/finding-text.js';

function unanswered(story: AttemptStory): FindingFacts<'CONNECTION_UNANSWERED'> {
  return {
    id: 'CONNECTION_UNANSWERED', severity: 'warning', protocol: 'tcp', client: '10.0.0.1', server: '10.0.0.2', port: 445,
    evidence: [{ frame: 1, role: 'syn', time: 0 }], evidenceTotal: 1, inferred: false, folded: null,
    params: { kind: 'unanswered', story, clientCount: 1, clients: ['10.0.0.1'], contrast: { samePortAnswered: 0, samePortExample: null, otherPorts: [], otherPortsFrame: null, heard: null } },
  };
}

const story = (offsets: number[], observed: number): AttemptStory => ({
  attempts: [{ clientPort: 50000, synFrames: offsets.map((_, i) => i + 1), synOffsets: offsets, retrySeconds: offsets.at(-1)! }],
  attemptCount: 1, synCount: offsets.length, lastObservedSeconds: observed, lastRetransmissions: offsets.length - 1,
});

describe('describeFinding: the retry schedule is the one the capture shows', () => {
  it('names the classic Windows schedule when the first retry came after 3 s', () => {
    const text = describeFinding(unanswered(story([0, 3, 9], 30))).explanation;
    expect(text).toContain('at +0 s, +3.0 s, +9.0 s');
    expect(text).toContain('classic Windows schedule');
    expect(text).toContain('long enough for a client with the classic Windows settings to have given up');
  });

  it('names a 1 s initial timeout when the retries came at +1, +3, +7, +15 s, and claims no +3/+9 schedule', () => {
    const text = describeFinding(unanswered(story([0, 1, 3, 7, 15], 16))).explanation;
    expect(text).toContain('at +0 s, +1.0 s, +3.0 s, +7.0 s, +15 s');
    expect(text).toContain('initial timeout of 1 s');
    expect(text).not.toMatch(/Windows retries at \+3 s and \+9 s/);
    expect(text).toContain('The capture ends 16 s after the first SYN.');
  });

  it('says only the delay seen when the schedule is neither', () => {
    const text = describeFinding(unanswered(story([0, 6], 10))).explanation;
    expect(text).toContain('The first retry came 6.0 s after the SYN.');
    expect(text).not.toContain('classic');
  });

  it('says nothing about a schedule for a single SYN', () => {
    const text = describeFinding(unanswered(story([0], 5))).explanation;
    expect(text).not.toMatch(/retr(y|ies)/);
  });
});
