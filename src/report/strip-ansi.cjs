'use strict';
// Stand-in for the strip-ansi package inside dist/bundle (esbuild --alias, package.json
// "bundle"). cli-table3 measures every cell line with string-width, which calls strip-ansi,
// which built a new RegExp from the ansi-regex pattern on every call: 265 ms of a 0.78 s
// `rpctrace analyze samples`. Same pattern (ansi-regex 5.0.1), compiled once, and skipped
// for text without an escape character, where it cannot match. Plain CommonJS because
// string-width require()s it and calls the export.
const ANSI = new RegExp([
  '[\\u001B\\u009B][[\\]()#;?]*(?:(?:(?:(?:;[-a-zA-Z\\d\\/#&.:=?%@~_]+)*|[a-zA-Z\\d]+(?:;[-a-zA-Z\\d\\/#&.:=?%@~_]*)*)?\\u0007)',
  '(?:(?:\\d{1,4}(?:;\\d{0,4})*)?[\\dA-PR-TZcf-ntqry=><~]))',
].join('|'), 'g');

module.exports = (string) => {
  if (typeof string !== 'string') return string;
  if (string.indexOf('\u001B') < 0 && string.indexOf('\u009B') < 0) return string;
  return string.replace(ANSI, '');
};
