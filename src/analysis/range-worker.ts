/** Worker-thread entry of the parallel stage: scans the byte ranges it is sent (range-scan.ts). */
import { parentPort } from 'node:worker_threads';
import { scanRange, type RangeTask } from './range-scan.js';

parentPort?.on('message', (t: RangeTask) => {
  void scanRange(t).then((r) => {
    // The two big buffers move to the main thread instead of being copied.
    parentPort!.postMessage(r, [r.forwarded.buffer as ArrayBuffer, r.flows.buffer as ArrayBuffer]);
  });
});
