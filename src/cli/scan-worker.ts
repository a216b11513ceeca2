/**
 * Worker-thread entry of `rpctrace scan` (tinypool loads it; scripts/bundle.mjs builds it as
 * dist/bundle/scan-worker.js next to the CLI): analyzes the batch of files it is given.
 */
import { runBatch, type BatchTask, type JobResult } from './scan-job.js';

export default function scanBatch(task: BatchTask): Promise<JobResult[]> {
  return runBatch(task);
}
