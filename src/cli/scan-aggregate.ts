/**
 * The aggregate of a scan, file row by file row, in input order: findings by id (how many files,
 * how many times) and by target (server, transport, port). Bounded: at most MAX_TARGETS distinct
 * targets are kept (the first met in input order); findings about further targets still count
 * by id, and `targetsOmitted` says how many targets were left out.
 */
import { SEVERITY_RANK } from '../model/finding-catalog.js';
import type { AggregateFinding, AggregateTarget, ScanAggregate, ScanRow } from '../model/scan.js';
import { maxOf } from '../model/lists.js';

/** Distinct targets kept in the aggregate. */
export const MAX_TARGETS = 10_000;

const byWeight = (a: AggregateFinding, b: AggregateFinding): number =>
  SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] || b.files - a.files || b.count - a.count || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

export class Aggregator {
  private files = 0;
  private frames = 0;
  private unreadable = 0;
  private internalErrors = 0;
  private skipped = 0;
  private readonly byId = new Map<string, AggregateFinding>();
  private readonly targets = new Map<string, { server: string; protocol: 'tcp' | 'udp' | 'icmp'; port: number; files: number; findings: Map<string, AggregateFinding> }>();
  private readonly omitted = new Set<string>();
  private omittedCount = 0;

  add(r: ScanRow): void {
    this.files++;
    this.frames += r.frames;
    if (r.unreadable) this.unreadable++;
    if (r.internalError) this.internalErrors++;
    for (const f of r.byFinding) {
      const a = this.byId.get(f.id);
      if (a === undefined) this.byId.set(f.id, { id: f.id, severity: f.severity, files: 1, count: f.count });
      else { a.files++; a.count += f.count; }
    }
    for (const t of r.byTarget) {
      const key = `${t.server}|${t.protocol}|${t.port}`;
      let g = this.targets.get(key);
      if (g === undefined) {
        if (this.targets.size >= MAX_TARGETS) {
          // Counted, but a set of every omitted key would grow without bound: past 10x the cap, only the count.
          if (this.omitted.size < MAX_TARGETS * 10) { if (!this.omitted.has(key)) { this.omitted.add(key); this.omittedCount++; } }
          else this.omittedCount++;
          continue;
        }
        g = { server: t.server, protocol: t.protocol, port: t.port, files: 0, findings: new Map() };
        this.targets.set(key, g);
      }
      g.files++;
      for (const f of t.findings) {
        const a = g.findings.get(f.id);
        if (a === undefined) g.findings.set(f.id, { id: f.id, severity: f.severity, files: 1, count: f.count });
        else { a.files++; a.count += f.count; }
      }
    }
  }

  skip(): void {
    this.skipped++;
  }

  result(): ScanAggregate {
    const byTarget: AggregateTarget[] = [...this.targets.values()].map((t) => ({ server: t.server, protocol: t.protocol, port: t.port, findings: [...t.findings.values()].sort(byWeight), files: t.files }));
    const worst = (t: AggregateTarget): number => maxOf(t.findings.map((f) => SEVERITY_RANK[f.severity]));
    byTarget.sort((a, b) => worst(b) - worst(a) || b.files - a.files || (a.server < b.server ? -1 : a.server > b.server ? 1 : 0) || a.protocol.localeCompare(b.protocol) || a.port - b.port);
    return {
      files: this.files, frames: this.frames, unreadable: this.unreadable, internalErrors: this.internalErrors, skipped: this.skipped,
      byFinding: [...this.byId.values()].sort(byWeight), byTarget, targetsOmitted: this.omittedCount,
    };
  }
}
