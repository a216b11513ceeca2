/**
 * Where the files of a scan are analyzed: a pool of worker threads (tinypool), each running the
 * built worker entry (dist/bundle/scan-worker.js beside the CLI). A batch whose worker dies (an
 * uncaught error, out of memory) is run again file by file, so that only the file that caused
 * it is reported, as an internal error; the pool replaces the worker and the scan goes on.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Tinypool from 'tinypool';
import { internalErrorResult, runBatch, type BatchTask, type JobResult } from './scan-job.js';
import { pushAll } from '../model/lists.js';

/**
 * Young generation of each worker's heap, in MB. A worker makes mostly short-lived garbage (one
 * analysis after the other); V8's default lets it pile up to several times this before a
 * scavenge. Measured on 2,400 small captures with two jobs: peak RSS 250 MB with the default,
 * 215 MB with 4, no slower (2 was slower: too many scavenges).
 */
export const WORKER_YOUNG_MB = 4;

/** Runs batches of files somewhere. */
export interface Runner {
  run(task: BatchTask): Promise<JobResult[]>;
  close(): Promise<void>;
}

/** Makes a runner for `jobs` files at once. */
export type RunnerFactory = (jobs: number) => Runner;

/** In this thread, one batch after the other (tests; and the sources, which have no built worker). */
export const inProcessRunner: RunnerFactory = () => ({ run: runBatch, close: async () => {} });

/** A pool of `jobs` worker threads running the worker module at `url`. */
export function workerRunner(url: URL): RunnerFactory {
  return (jobs) => {
    const pool = new Tinypool({ filename: url.href, minThreads: jobs, maxThreads: jobs, idleTimeout: 60_000, resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_MB } });
    const run = async (task: BatchTask): Promise<JobResult[]> => {
      try {
        return (await pool.run(task)) as JobResult[];
      } catch (e) {
        if (task.files.length === 1) return [internalErrorResult(task.files[0]!.kind === 'path' ? task.files[0]!.path : task.files[0]!.display, e, task.settings)];
        const out: JobResult[] = [];
        for (const f of task.files) pushAll(out, await run({ settings: task.settings, files: [f] }));
        return out;
      }
    };
    return { run, close: () => pool.destroy() };
  };
}

/**
 * The runner of the CLI: the worker pool over the built worker entry. Run from the TypeScript
 * sources (tsx, vitest), there is no built worker beside this module, and files are analyzed
 * in this thread instead.
 */
export function defaultRunner(): RunnerFactory {
  const url = new URL('./scan-worker.js', import.meta.url);
  if (import.meta.url.endsWith('.ts') && !existsSync(fileURLToPath(url))) return inProcessRunner;
  return workerRunner(url);
}
