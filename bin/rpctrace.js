#!/usr/bin/env node
// Shim: run the CLI and set the exit code. dist/bundle holds the CLI as a few files (esbuild,
// `npm run build`): Node 20 loads ~45 separate modules 35 ms slower (issue 4).
import { run } from '../dist/bundle/main.js';

// A reader that stops early (`rpctrace analyze big.pcap | head`) closes the pipe: the rest of
// the output has nowhere to go. Stop quietly, as `cat` does, instead of dying on an unhandled
// EPIPE with a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
}

process.exitCode = await run(process.argv.slice(2), { out: process.stdout, err: process.stderr });
