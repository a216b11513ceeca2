// Runs analyzeFile from dist/ in this process and prints the file report as JSON, so the bench
// can compare reports across read options without loading rpctrace into its own process.
//   node analyze-in-process.mjs FILE '{"chunkSize":65536}'
// The second argument is passed to analyzeFile as its options, as given (for the worker-count
// hook in bench.ts it will carry the worker count once analyzeFile has one).
// Plain JavaScript so node runs it without a loader; `npm run build` must have run.
import { analyzeFile } from '../../dist/analysis/pipeline.js';

const [path, optsText] = process.argv.slice(2);
if (!path) {
  process.stderr.write('usage: node analyze-in-process.mjs FILE [OPTIONS_JSON]\n');
  process.exit(2);
}
const opts = optsText ? JSON.parse(optsText) : {};
const { report } = await analyzeFile(path, opts);
process.stdout.write(`${JSON.stringify(report)}\n`);
