/**
 * The shared corpus of real captures (../shared/corpus beside the project) and the project's
 * own samples/. Tests that need the corpus skip with a visible reason when it is absent.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const CORPUS = resolve(ROOT, '..', 'shared', 'corpus');
export const SAMPLES = join(ROOT, 'samples');
export const HAVE_CORPUS = existsSync(CORPUS);

/** Why corpus tests are skipped, for the test title. */
export const CORPUS_SKIP_REASON = HAVE_CORPUS ? '' : ` (skipped: ${CORPUS} is absent)`;

const CAPTURE = /\.(pcap|pcapng|cap)(\.gz)?$/;

/** One corpus capture with its tshark-made ground truth. */
export interface CorpusCase {
  name: string;
  path: string;
  expected: Expected;
}

/** The parts of NAME.expected.json the tests read. */
export interface Expected {
  capture: { packets: number; first_packet_utc?: string | null; file_type: string };
  tcp_syn: { frame: number; src: string; dst: string; sport: number; dport: number; retransmission: boolean; seq_raw: number }[];
  tcp_synack: { frame: number }[];
  tcp_rst: { frame: number }[];
  icmp_unreachable: { frame: number; type: number; code: number; orig_sport?: number | null; orig_dport?: number | null }[];
  format?: { linktypes?: number[] | null };
  verdict?: string;
  scenario?: { category?: string; title?: string };
  epm_map: { request_frame: number | null; response_frame: number; client: string; server: string; return_code: number; tcp_ports: number[]; interface_uuid: string | null }[];
  tcp_connections: { syn_frames: number[]; client: string; server: string; sport: number; dport: number; outcome: string }[];
  epm_port_followups: { epm_response_frame: number; client: string; server: string; port: number; outcome: string; in_iana_dynamic_range: boolean }[];
  dcom_port_followups?: { dcom_response_frame: number; client: string; server: string; port: number; outcome: string; bindings: string[] }[];
}

/** Every capture under the corpus that has an expected.json, sorted by path. */
export function corpusCases(): CorpusCase[] {
  if (!HAVE_CORPUS) return [];
  const out: CorpusCase[] = [];
  for (const dir of readdirSync(CORPUS, { withFileTypes: true })) {
    if (!dir.isDirectory()) continue;
    const d = join(CORPUS, dir.name);
    for (const f of readdirSync(d).sort()) {
      if (!CAPTURE.test(f)) continue;
      const stem = f.replace(/\.gz$/, '').replace(/\.(pcapng|pcap|cap)$/, '');
      const exp = join(d, `${stem}.expected.json`);
      if (!existsSync(exp)) continue;
      out.push({ name: `${dir.name}/${f}`, path: join(d, f), expected: JSON.parse(readFileSync(exp, 'utf8')) as Expected });
    }
  }
  return out;
}

/** Every capture file in samples/ (not-a-capture samples included: callers filter). */
export function sampleFiles(): string[] {
  if (!existsSync(SAMPLES)) return [];
  return readdirSync(SAMPLES).filter((f) => CAPTURE.test(f)).sort().map((f) => join(SAMPLES, f));
}
