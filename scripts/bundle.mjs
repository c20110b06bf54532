#!/usr/bin/env node
// Bundle the compiled CLI (dist/cli/main.js, from tsc) into a few files under dist/bundle/ with
// esbuild. Why: Node resolves, reads and compiles ~150 small ES modules one by one at every start
// (~50 ms before nslab does anything); one bundle (plus one chunk per lazily imported verb) loads
// in a fraction of that. tsc stays the type checker and builds what the tests import.
import { rmSync } from 'node:fs';
import { build } from 'esbuild';

rmSync('dist/bundle', { recursive: true, force: true });

await build({
  // The namespace pool's worker thread and the log keeper (a process of its own) are loaded by
  // URL next to the chunk that starts them.
  entryPoints: { main: 'dist/cli/main.js', 'netns-pool-worker': 'dist/kernel/netns-pool-worker.js', 'log-keeper-main': 'dist/lab/log-keeper-main.js' },
  outdir: 'dist/bundle',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // koffi loads a native addon from its own directory; playwright-core is only for tests.
  external: ['koffi', 'playwright-core'],
  // CommonJS dependencies bundled into ES modules still call require() for Node built-ins.
  banner: { js: "import { createRequire as __nslabRequire } from 'node:module'; const require = __nslabRequire(import.meta.url);" },
  minifyWhitespace: true,
  minifySyntax: true,
  keepNames: true,
  legalComments: 'none',
  logLevel: 'warning',
});
