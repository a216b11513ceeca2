/**
 * rpctrace as a library: analyze a capture file or a stream of capture bytes and get the report
 * document the CLI prints with `--format json` (README "JSON output"), render reports as the CLI
 * does, and read the finding catalog. Custom analyzers (`AnalyzeOptions.analyzers`) see the same
 * packets as the built-in ones; their interface is in analysis/analyzer.ts.
 *
 *   import { analyzeFile } from 'rpctrace';
 *   const { report } = await analyzeFile('trace.pcapng');
 *   for (const f of report.findings) console.log(f.severity, f.id, f.title);
 */
export { analyzeFile, analyzeStream, DEFAULT_DYNAMIC_RANGES, DEFAULT_FOLLOW_WINDOW, type AnalyzeOptions, type FileAnalysis } from './analysis/pipeline.js';
export { DEFAULT_LIMITS, type AnalysisLimits } from './analysis/capture-analysis.js';
export type { AnalysisContext, Analyzer, Interest, PayloadProbe, Probe } from './analysis/analyzer.js';
export { SCHEMA_VERSION, type CaptureStats, type FileReport, type FrameComment, type LinkTypeCount, type Report, type SynEvent } from './model/report.js';
export type { Attempt, AttemptOutcome, Endpoint, IcmpRefusal, PortSummary } from './model/connections.js';
export {
  DEFAULT_AGENT_SETTINGS, DEFAULT_REQUIRED_PORTS, PROFILES, type AgentReport, type AgentSettings, type HostRole, type Profile, type RequiredPort,
} from './model/agent.js';
export { AGENT_FINDING_IDS, EVIDENCE_ROLES, FINDING_IDS, roleText, type Evidence, type EvidenceRole, type Finding, type FindingId, type FindingParams, type FindingProtocol, type Severity } from './model/finding.js';
export { FINDING_CATALOG, findFinding, type FindingInfo } from './model/finding-catalog.js';
export type { ReadProblem, ReadProblemCode } from './model/read-problem.js';
export { REPORT_WRITERS, renderReport, type OutputFormat, type ReportWriter, type Sink } from './report/index.js';
