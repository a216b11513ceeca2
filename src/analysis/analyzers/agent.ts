/**
 * The agent checks' analyzers as one set: requests and answers to the domain controllers
 * (transactions.ts), the 5723 channel and its heartbeats (agent-channel.ts), and ICMP echo
 * (icmp-echo.ts). A profile that runs the agent checks adds this set beside the built-in ones
 * (analysis/profiles.ts); `observations` gathers what they saw for the rules.
 */
import type { AgentObservations, AgentSettings } from '../../model/agent.js';
import type { Analyzer } from '../analyzer.js';
import { AgentChannelAnalyzer } from './agent-channel.js';
import { IcmpEchoAnalyzer } from './icmp-echo.js';
import { TransactionsAnalyzer } from './transactions.js';

/** UDP ports read by a decoder; other required UDP ports are counted as flows. */
const DECODED_UDP = new Set([53, 88, 389]);

export class AgentAnalyzers {
  readonly transactions: TransactionsAnalyzer;
  readonly channel: AgentChannelAnalyzer;
  readonly echo = new IcmpEchoAnalyzer();

  /**
   * `live`: the checks will run whatever the capture holds (`--profile scom`, an option that
   * forces them); otherwise (`auto`) the UDP transactions wait for the first 5723 packet before
   * anything is decoded: a capture without 5723 traffic pays a copy per DNS, Kerberos or CLDAP
   * datagram, not their decoding and matching.
   */
  constructor(settings: AgentSettings, live = true) {
    this.transactions = new TransactionsAnalyzer(settings.required.filter((r) => r.protocol === 'udp' && !DECODED_UDP.has(r.port)).map((r) => r.port), live);
    // Half the interval shows a rhythm; a silence must pass interval x missed to be a gap. An
    // agent's own longer rhythm only raises that bar (rules/agent-heartbeats.ts), so silences
    // shorter than the configured bar are never needed.
    const interval = settings.heartbeatIntervalSeconds;
    this.channel = new AgentChannelAnalyzer({ rhythmMin: interval / 2, silenceMin: interval * settings.missedHeartbeats }, () => this.transactions.goLive());
  }

  get analyzers(): Analyzer[] {
    return [this.transactions, this.channel, this.echo];
  }

  /** What the set observed; `lastFrame` is the number of the capture's last frame. */
  observations(lastFrame: number): AgentObservations {
    const t = this.transactions;
    return {
      transactions: t.sorted(),
      counts: t.counts,
      names: t.hostNames(),
      channel: this.channel.channel(),
      heartbeats: this.channel.heartbeats(),
      echoes: this.echo.echoes,
      udpFlows: t.udpFlows(),
      drops: {
        pendingFull: t.drops.pendingFull, transactionsNotKept: t.drops.transactionsNotKept, namesNotKept: t.drops.namesNotKept,
        conversationsNotKept: this.channel.conversationsNotKept + t.drops.streamsNotKept, echoesNotKept: this.echo.echoesNotKept, undecoded: t.drops.undecoded,
        heldNotKept: t.drops.heldNotKept,
      },
      lastFrame,
    };
  }
}
