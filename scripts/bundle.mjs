#!/usr/bin/env node
// Bundle the compiled CLI (dist/cli/main.js, from tsc) into dist/bundle/ with esbuild, then record
// a V8 code cache for it (scripts/code-cache.mjs). Why: Node resolves, reads and compiles ~150
// small ES modules one by one at every start; split ES chunks still cost ~0.5 ms each to resolve
// (an `up` loads ~40) and are compiled from source every time, since Node 20 keeps no code cache
// for ES modules. So the CLI is one CommonJS file, main.cjs, that bin/nslab compiles with
// vm.Script and the cached code (about half the CPU time of a small `up`). Modules imported
// lazily stay lazy inside it (esbuild wraps them; their top level runs on first import).
// tsc stays the type checker and builds what the tests import.
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { build } from 'esbuild';

rmSync('dist/bundle', { recursive: true, force: true });

const common = {
  outdir: 'dist/bundle',
  bundle: true,
  platform: 'node',
  target: 'node20',
  // koffi loads a native addon from its own directory; playwright-core is only for tests.
  external: ['koffi', 'playwright-core'],
  minifyWhitespace: true,
  minifySyntax: true,
  keepNames: true,
  legalComments: 'none',
  logLevel: 'warning',
};

// The CLI. import.meta does not exist in CommonJS: its URL is the bundle's own, so URLs resolved
// against it (package.json, the worker and log keeper below) land where they did for the chunks.
await build({
  ...common,
  entryPoints: { main: 'dist/cli/main.js' },
  outExtension: { '.js': '.cjs' },
  format: 'cjs',
  define: { 'import.meta.url': '__nslabUrl', 'import.meta.dirname': '__dirname' },
  banner: { js: "var __nslabUrl = require('node:url').pathToFileURL(__filename).href;" },
});

// Rootless mode's way in, alone: bin/nslab loads it first for a user who is not root, so the
// command that only joins the holder does not load the whole CLI (cli/rootless-entry.ts).
await build({
  ...common,
  entryPoints: { rootless: 'dist/cli/rootless-entry.js' },
  outExtension: { '.js': '.cjs' },
  format: 'cjs',
  define: { 'import.meta.url': '__nslabUrl', 'import.meta.dirname': '__dirname' },
  banner: { js: "var __nslabUrl = require('node:url').pathToFileURL(__filename).href;" },
});

// The namespace pool's worker thread and the log keeper (a process of its own) are loaded by URL
// next to the CLI that starts them; they stay ES modules.
await build({
  ...common,
  entryPoints: { 'netns-pool-worker': 'dist/kernel/netns-pool-worker.js', 'log-keeper-main': 'dist/lab/log-keeper-main.js' },
  splitting: true,
  format: 'esm',
  // CommonJS dependencies bundled into ES modules still call require() for Node built-ins.
  banner: { js: "import { createRequire as __nslabRequire } from 'node:module'; const require = __nslabRequire(import.meta.url);" },
});

execFileSync(process.execPath, ['scripts/code-cache.mjs'], { stdio: 'inherit' });
