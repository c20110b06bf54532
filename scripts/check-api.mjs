#!/usr/bin/env node
// Checks the published surface after `npm run build`: (1) `npm pack --dry-run` ships the entry and
// its declarations; (2) a caller's file (scripts/api-consumer/consumer.ts) compiles with
// `tsc --strict` against the declarations, resolved as an installed package through `exports`;
// (3) a deep import (nslab/dist/lab/up.js) is refused by the exports map; (4) the declarations the
// entry reaches name no internal type. Exit 1 with the reason on any failure.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

const repo = resolve(import.meta.dirname, '..');
const fail = (why) => {
  console.error(`check-api: ${why}`);
  process.exit(1);
};

const pack = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json'], { cwd: repo, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }));
const shipped = new Set(pack[0].files.map((f) => f.path));
for (const f of ['dist/index.js', 'dist/index.d.ts', 'dist/api/lab.d.ts', 'dist/api/types.d.ts', 'CHANGELOG.md', 'examples/api.test.mjs']) {
  if (!shipped.has(f)) fail(`npm pack does not ship ${f}`);
}

const dir = mkdtempSync(join(tmpdir(), 'nslab-consumer-'));
try {
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(repo, join(dir, 'node_modules', 'nslab'));
  symlinkSync(join(repo, 'node_modules', '@types'), join(dir, 'node_modules', '@types'));
  cpSync(join(repo, 'scripts', 'api-consumer', 'consumer.ts'), join(dir, 'consumer.ts'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
  writeFileSync(join(dir, 'deep.ts'), "import { up } from 'nslab/dist/lab/up.js';\nexport const u = up;\n");
  const tsc = join(repo, 'node_modules', 'typescript', 'bin', 'tsc');
  const flags = ['--strict', '--noEmit', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--lib', 'es2023', '--types', 'node'];
  try {
    execFileSync(process.execPath, [tsc, ...flags, 'consumer.ts'], { cwd: dir, encoding: 'utf8' });
  } catch (e) {
    fail(`the consumer file does not compile against the published types:\n${e.stdout}`);
  }
  let deep = '';
  try {
    execFileSync(process.execPath, [tsc, ...flags, 'deep.ts'], { cwd: dir, encoding: 'utf8' });
  } catch (e) {
    deep = String(e.stdout);
  }
  if (!/TS2307|TS2305|not exported|Cannot find module/.test(deep)) fail(`a deep import of nslab/dist/lab/up.js is not refused:\n${deep}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

// What the entry's declarations reach, file by file: none may name an internal type.
const INTERNAL = /\b(KernelFactory|PlanStep|StateRoot|System|Kernel|KernelOp|Topology|JournalWriter|Prober|NetnsPool)\b/;
const seen = new Set();
const walk = (file) => {
  if (seen.has(file)) return;
  seen.add(file);
  const text = readFileSync(file, 'utf8');
  const bad = text.split('\n').find((l) => INTERNAL.test(l) && !/^\s*(\*|\/\/)/.test(l));
  if (bad) fail(`${file.slice(repo.length + 1)} names an internal type: ${bad.trim()}`);
  for (const m of text.matchAll(/from '(\.[^']+)\.js'/g)) walk(join(dirname(file), `${m[1]}.d.ts`));
};
walk(join(repo, 'dist', 'index.d.ts'));
console.log(
  `check-api: ok (${shipped.size} files packed; ${seen.size} declaration files reached: ${[...seen].map((f) => f.slice(repo.length + 1)).join(', ')})`,
);
