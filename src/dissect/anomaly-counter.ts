/** Counts named anomalies per file, keeping the first few frame numbers of each as evidence. */
import { ANOMALY_NAMES, AnomalyIndex, type AnomalyName } from '../model/anomalies.js';

const KEEP_FRAMES = 5;

/** One counter per anomaly name in a typed array; frame lists are filled only up to 5. */
export class AnomalyCounter {
  private readonly counts = new Float64Array(ANOMALY_NAMES.length);
  private readonly frames: number[][] = ANOMALY_NAMES.map(() => []);

  note(name: AnomalyName, frame: number): void {
    this.add(name, 1, frame);
  }

  /** Counts `n` at once (bytes, for the anomalies counted in bytes), `frame` among the first frames. */
  add(name: AnomalyName, n: number, frame: number): void {
    const i = AnomalyIndex[name];
    this.counts[i]! += n;
    const f = this.frames[i]!;
    if (f.length < KEEP_FRAMES && f[f.length - 1] !== frame) f.push(frame);
  }

  count(name: AnomalyName): number {
    return this.counts[AnomalyIndex[name]]!;
  }

  /** Non-zero counters, in catalog order. */
  summary(): { name: AnomalyName; count: number; firstFrames: number[] }[] {
    const out: { name: AnomalyName; count: number; firstFrames: number[] }[] = [];
    ANOMALY_NAMES.forEach((name, i) => {
      const count = this.counts[i]!;
      if (count > 0) out.push({ name, count, firstFrames: [...this.frames[i]!] });
    });
    return out;
  }
}
