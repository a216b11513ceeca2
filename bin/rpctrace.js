#!/usr/bin/env node
// Shim: run the compiled CLI and set the exit code; nothing else.
import { run } from '../dist/cli/main.js';

process.exitCode = await run(process.argv.slice(2), { out: process.stdout, err: process.stderr });
