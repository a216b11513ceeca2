// Builds dist/bundle, which bin/rpctrace.js runs: the CLI and the worker entry of `rpctrace scan`
// (scan-worker.js, which the pool loads next to the CLI) as a few ESM files (esbuild,
// code-split so lazily loaded commands stay lazy). Node 20 loads the ~45 separate modules of
// dist/ about 35 ms slower. Two changes to dependencies, both measured (issue 4) and both
// leaving the output byte-identical (test/unit/cli/cli.test.ts compares the bundled CLI with
// the sources):
// - strip-ansi, which cli-table3 reaches through string-width, is replaced by
//   src/report/strip-ansi.cjs: the same pattern compiled once instead of on every call.
// - cli-table3's Cell#draw truncates every line's whole cell text for a debug message that is
//   only kept when debug logging is on; for multi-line cells that costs time quadratic in their
//   length (upstream: cli-table/cli-table3 pull request 362). The message is now made only
//   then. The build fails if the code it rewrites is not found (cli-table3 changed).
import { readFileSync, rmSync } from 'node:fs';
import { build } from 'esbuild';

const PATCHES = [
  {
    file: /cli-table3[\\/]src[\\/]debug\.js$/,
    from: 'debug.debugMessages = () => messages;',
    to: 'debug.debugMessages = () => messages;\ndebug.enabled = (min) => level >= min;',
  },
  {
    file: /cli-table3[\\/]src[\\/]cell\.js$/,
    from: '    let content = utils.truncate(this.content, 10, this.truncate);\n    if (!lineNum) {',
    to: "    if (!lineNum && require('./debug').enabled(require('./debug').INFO)) {\n      let content = utils.truncate(this.content, 10, this.truncate);",
  },
];

const patchDependencies = {
  name: 'patch-dependencies',
  setup(b) {
    for (const p of PATCHES) {
      b.onLoad({ filter: p.file }, (args) => {
        const text = readFileSync(args.path, 'utf8');
        if (!text.includes(p.from)) throw new Error(`${args.path}: the code scripts/bundle.mjs rewrites is not there any more; review the patch`);
        return { contents: text.replace(p.from, p.to), loader: 'js' };
      });
    }
  },
};

rmSync('dist/bundle', { recursive: true, force: true });
await build({
  entryPoints: { main: 'src/cli/main.ts', 'scan-worker': 'src/cli/scan-worker.ts' },
  // tinypool starts its worker threads from a file of its own package (dist/entry/worker.js,
  // found next to its module): bundled, it would look for it in dist/bundle. It stays a
  // dependency loaded from node_modules.
  external: ['tinypool'],
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  splitting: true,
  outdir: 'dist/bundle',
  sourcemap: true,
  logLevel: 'warning',
  alias: { 'strip-ansi': './src/report/strip-ansi.cjs' },
  // Bundled CommonJS (commander, cli-table3) calls require() for Node's own modules.
  banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
  plugins: [patchDependencies],
});
