#!/usr/bin/env node
// The end-to-end suite again, rootless (issue 19): every file below runs with NSLAB_E2E_USER=1,
// so each sandbox gets an unprivileged user of its own (test/helpers/sandbox-user.ts) and nslab
// runs as that user, building its labs in its own holder's namespaces; the checks look there.
// Run by `npm test` after the root run; arguments (compiled test files) run only those instead.
// Tests inside these files that are about the real host skip themselves in this run, naming why
// (rootOnly in test/e2e/lab.ts). Files left out, with the reason, are in ROOT_ONLY.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const dir = join(import.meta.dirname, '..', 'dist-test', 'test', 'e2e');

/** The e2e files run rootless. */
export const ROOTLESS = ['lifecycle', 'seeds'];

/** The e2e files that need the real host (or root itself), and why. */
export const ROOT_ONLY = {
  nonroot: 'is about a user with rootless mode off (NSLAB_ROOTLESS=off) being refused',
  rootless: 'already runs its own users, next to root',
  'state-roots': 'is about two root state roots (NSLAB_STATE_DIR) on the real host',
  'shared-host': "is about host sysctls shared by root's labs and --host-netns",
  'host-netns-deps': "is about --host-netns, a namespace of root's host",
  'planted-state': "is about an unprivileged user attacking root's state root",
  bench: 'times root builds (bench/rootless.sh compares rootless with root)',
};

const files = process.argv.length > 2 ? process.argv.slice(2) : ROOTLESS.map((f) => join(dir, `${f}.test.js`));
for (const f of files) if (!existsSync(f)) throw new Error(`no compiled test ${f}: run tsc -p tsconfig.test.json first`);
const r = spawnSync(process.execPath, ['--test', '--test-concurrency=1', ...files], {
  stdio: 'inherit',
  env: { ...process.env, NSLAB_E2E_USER: '1' },
});
process.exit(r.status ?? 1);
