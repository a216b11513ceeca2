// Read-only pass over a classic pcap with the pcap-parser package (0.2.x), for comparison:
// every record is parsed into header and data objects and counted. Prints {"frames", "bytes"}.
// CommonJS because pcap-parser is; run with plain node so the timing is the whole process.
'use strict';
const { parse } = require('pcap-parser');

const path = process.argv[2];
if (!path) {
  process.stderr.write('usage: node pcap-parser-pass.cjs FILE\n');
  process.exit(2);
}
let frames = 0;
let bytes = 0;
const parser = parse(path);
parser.on('packet', (p) => {
  frames++;
  bytes += p.data.length;
});
parser.on('error', (e) => {
  process.stderr.write(`pcap-parser: ${e.message}\n`);
  process.exitCode = 1;
});
parser.on('end', () => {
  process.stdout.write(`${JSON.stringify({ frames, bytes })}\n`);
});
