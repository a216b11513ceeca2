/**
 * Profiles as data (STYLE 16, Zeek's analyzer tables): which analyzers a run adds to the
 * built-in ones and when the agent checks' rules run. The frame loop never asks which profile
 * is on; it runs whatever analyzers it was given.
 */
import type { Profile } from '../model/agent.js';

/** What one profile switches on. */
export interface ProfileSpec {
  /** Add the agent checks' analyzers (transactions, the 5723 channel, ICMP echo). */
  agentAnalyzers: boolean;
  /** When the agent checks' rules run: when the capture shows 5723 traffic, always, or never. */
  agentChecks: 'when-detected' | 'always' | 'never';
}

export const PROFILE_SPECS: { readonly [P in Profile]: ProfileSpec } = {
  auto: { agentAnalyzers: true, agentChecks: 'when-detected' },
  scom: { agentAnalyzers: true, agentChecks: 'always' },
  rpc: { agentAnalyzers: false, agentChecks: 'never' },
};
