#!/usr/bin/env node
// Record the bundle's V8 code cache at build time (see bin/nslab): run the launcher on what
// needs no privileges and changes nothing, the way every build machine can, so a fresh install
// starts with the parser's, the model's and the command line's functions compiled. A verb the
// cache lacks adds its own on first use.
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';

rmSync('dist/bundle/main.cjs.v8cache', { force: true });
for (const args of [
  ['validate', 'examples/bridge.yaml'],
  ['graph', 'examples/bridge.yaml'],
]) {
  execFileSync(process.execPath, ['bin/nslab', ...args], { stdio: 'ignore' });
}
