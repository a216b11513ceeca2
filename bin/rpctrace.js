#!/usr/bin/env node
// Shim: run the CLI and set the exit code; nothing else. dist/bundle holds the CLI as a few
// files (esbuild, `npm run build`): Node 20 loads ~45 separate modules 35 ms slower (issue 4).
import { run } from '../dist/bundle/main.js';

process.exitCode = await run(process.argv.slice(2), { out: process.stdout, err: process.stderr });
