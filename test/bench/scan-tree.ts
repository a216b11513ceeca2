/**
 * The folder `rpctrace scan` is timed on (bench.ts, section "scan"): what a support case with
 * traces from many machines looks like.
 *
 *   .bench/scan-tree-v<version>/medium/site-NN/host-NNN.pcap[ng][.gz]   240 captures, 64 KiB to ~4 MiB
 *   .bench/scan-tree-v<version>/small/batch-NN/trace-NNNN.pcap[ng][.gz] 2,400 captures, 1 to ~40 KiB
 *
 * Built with the project's generator (samples/gen/cases.ts scenarios, src/capture/writer.ts):
 * each file is one of the sample scenarios (healthy traffic, blocked dynamic and non-standard
 * ports, unreachable or refusing endpoint mappers, ...) repeated with time shifts to its size,
 * as pcap, pcapng, or either gzip-compressed. Deterministic (seeded), cached with a meta file.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { PcapWriter, PcapngWriter, type WriterFrame } from '../../src/capture/writer.js';
import {
  busyHealthy, dcomActivationBlocked, dynamicPortBlocked, epmRefusedIcmp, epmRefusedReset, epmUnreachable, exchangeCasRange, handshakeNotCompleted, towerAddressMismatch,
} from '../../samples/gen/cases.js';
import { seededRandom } from '../../samples/gen/frames.js';

/** Bump when the files change. */
export const SCAN_TREE_VERSION = 1;
export const MEDIUM_FILES = 240;
export const SMALL_FILES = 2400;

export interface ScanTreeMeta {
  version: number;
  seed: number;
  mediumFiles: number;
  smallFiles: number;
  mediumBytes: number;
  smallBytes: number;
  generateSeconds: number;
}

const SCENARIOS: (() => WriterFrame[])[] = [
  busyHealthy, dynamicPortBlocked, epmUnreachable, epmRefusedReset, epmRefusedIcmp, exchangeCasRange, () => handshakeNotCompleted(), towerAddressMismatch,
  () => dcomActivationBlocked(49725, false, 7),
];

/** `frames` repeated, each copy shifted `span + 60` s later, until about `bytes` of frame data. */
function* repeated(frames: readonly WriterFrame[], bytes: number): Generator<WriterFrame> {
  const first = frames[0]?.tsSec ?? 0;
  const span = (frames[frames.length - 1]?.tsSec ?? first) - first + 60;
  let written = 0;
  for (let k = 0; written < bytes || k === 0; k++) {
    for (const f of frames) {
      written += f.data.length + 16;
      yield { ...f, tsSec: f.tsSec + k * span };
    }
  }
}

function file(frames: Iterable<WriterFrame>, kind: number): { bytes: Uint8Array; ext: string } {
  const parts: Uint8Array[] = [];
  if (kind % 2 === 0) {
    const w = new PcapWriter({ linkType: 1 });
    parts.push(w.header());
    for (const f of frames) parts.push(w.add(f));
  } else {
    const w = new PcapngWriter();
    parts.push(w.section({ interfaces: [{ linkType: 1 }] }));
    for (const f of frames) parts.push(w.add(f));
  }
  const raw = Buffer.concat(parts);
  const ext = kind % 2 === 0 ? '.pcap' : '.pcapng';
  return kind >= 2 ? { bytes: gzipSync(raw, { level: 1 }), ext: `${ext}.gz` } : { bytes: raw, ext };
}

/** The tree under `dir` (made once, then reused while the meta matches). */
export function ensureScanTree(dir: string, seed: number, force: boolean): { root: string; medium: string; small: string; meta: ScanTreeMeta; generated: boolean } {
  const root = join(dir, `scan-tree-v${SCAN_TREE_VERSION}`);
  const metaPath = join(root, 'meta.json');
  const medium = join(root, 'medium');
  const small = join(root, 'small');
  if (!force && existsSync(metaPath)) {
    const m = JSON.parse(readFileSync(metaPath, 'utf8')) as ScanTreeMeta;
    if (m.version === SCAN_TREE_VERSION && m.seed === seed) return { root, medium, small, meta: m, generated: false };
  }
  const t0 = process.hrtime.bigint();
  rmSync(root, { recursive: true, force: true });
  const rnd = seededRandom(seed);
  const scenarios = SCENARIOS.map((s) => s());
  let mediumBytes = 0;
  let smallBytes = 0;
  for (let i = 0; i < MEDIUM_FILES; i++) {
    const d = join(medium, `site-${String(i % 12).padStart(2, '0')}`);
    mkdirSync(d, { recursive: true });
    // Log-uniform between 64 KiB and 4 MiB; mostly healthy traffic, as busy servers are.
    const size = Math.round(64 * 1024 * 2 ** (rnd() * 6));
    const s = rnd() < 0.6 ? scenarios[0]! : scenarios[Math.floor(rnd() * scenarios.length)]!;
    const f = file(repeated(s, size), Math.floor(rnd() * 4));
    writeFileSync(join(d, `host-${String(i).padStart(3, '0')}${f.ext}`), f.bytes);
    mediumBytes += f.bytes.length;
  }
  for (let i = 0; i < SMALL_FILES; i++) {
    const d = join(small, `batch-${String(i % 24).padStart(2, '0')}`);
    mkdirSync(d, { recursive: true });
    const s = scenarios[Math.floor(rnd() * scenarios.length)]!;
    const size = Math.round(1024 * 2 ** (rnd() * 5));
    const f = file(repeated(s, size), Math.floor(rnd() * 4));
    writeFileSync(join(d, `trace-${String(i).padStart(4, '0')}${f.ext}`), f.bytes);
    smallBytes += f.bytes.length;
  }
  const meta: ScanTreeMeta = {
    version: SCAN_TREE_VERSION, seed, mediumFiles: MEDIUM_FILES, smallFiles: SMALL_FILES, mediumBytes, smallBytes,
    generateSeconds: Number(process.hrtime.bigint() - t0) / 1e9,
  };
  writeFileSync(metaPath, `${JSON.stringify(meta, null, 2)}\n`);
  return { root, medium, small, meta, generated: true };
}
