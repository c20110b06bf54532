// The completion scripts: the spec covers every verb and its arguments, and each shell's script,
// run for real (bash always; zsh and fish when installed), offers verbs, a verb's flags, a flag's
// values, topology files, labs and a lab's nodes where they belong, and nothing after `--`. Labs
// and nodes come from a stub standing in for `nslab __complete` (the e2e test uses the real one).
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { bashScript } from '../../../src/cli/completion/bash.js';
import { fishScript } from '../../../src/cli/completion/fish.js';
import { ARG_KINDS, completionSpec } from '../../../src/cli/completion/spec.js';
import { zshScript } from '../../../src/cli/completion/zsh.js';
import { program } from '../../../src/cli/main.js';

const spec = completionSpec(program());
const dir = mkdtempSync(join(tmpdir(), 'nslab-completion-'));
after(() => rmSync(dir, { recursive: true, force: true }));
// A stand-in for nslab: one lab, bridge, with nodes ns1 and ns2 and network br0.
const STUB = join(dir, 'nslab');
writeFileSync(
  STUB,
  '#!/bin/sh\ncase "$*" in\n  "__complete labs"*) echo bridge ;;\n  "__complete nodes bridge") printf "ns1\\nns2\\n" ;;\n  "__complete targets bridge") printf "ns1\\nns2\\nbr0\\n" ;;\nesac\n',
);
chmodSync(STUB, 0o755);
mkdirSync(join(dir, 'files', 'sub'), { recursive: true });
for (const f of ['lab.yaml', 'other.yml', 'notes.txt']) writeFileSync(join(dir, 'files', f), '');
const have = (cmd: string): boolean => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;

/** What each shell offers for the command line `words` (the last word is being completed), sorted. */
type Complete = (words: string[]) => string[];

const bash: Complete = (words) => {
  const script = join(dir, 'nslab.bash');
  writeFileSync(script, bashScript(spec));
  const out = execFileSync(
    'bash',
    ['-c', 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 )); _nslab; printf "%s\\n" "${COMPREPLY[@]}"', 'x', script, STUB, ...words.slice(1)],
    { cwd: join(dir, 'files'), encoding: 'utf8' },
  );
  return out.split('\n').filter(Boolean).sort();
};

const zsh: Complete = (words) => {
  const script = join(dir, '_nslab');
  writeFileSync(script, zshScript(spec));
  // compadd, _describe and _files only exist inside zsh's completion system: stand-ins print what they are given.
  const harness = [
    'compdef() { :; }',
    'compadd() { shift ${@[(i)--]}; print -l -- "$@"; }',
    '_describe() { local name=${@[-1]}; print -l -- ${${(P)name}%%:*}; }',
    '_files() { print -l -- *.(yaml|yml) }',
    'source "$1"; shift; words=("$@"); CURRENT=$#; _nslab; true',
  ].join('\n');
  const out = execFileSync('zsh', ['-c', harness, 'x', script, STUB, ...words.slice(1)], { cwd: join(dir, 'files'), encoding: 'utf8' });
  const cur = words.at(-1) ?? '';
  return [...new Set(out.split('\n').filter((w) => w !== '' && w.startsWith(cur)))].sort();
};

const fish: Complete = (words) => {
  const script = join(dir, 'nslab.fish');
  writeFileSync(script, fishScript(spec));
  // fish completes commands by name: the stub is found as `nslab` on PATH.
  const out = execFileSync('fish', ['-c', `source ${script}; complete -C${JSON.stringify(words.join(' '))}`], {
    cwd: join(dir, 'files'),
    encoding: 'utf8',
    env: { ...process.env, PATH: `${dir}:${process.env['PATH']}` },
  });
  return out
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split('\t')[0]!)
    .sort();
};

test('the spec has every verb, each argument of each verb a kind, and help', () => {
  const verbs = program().commands.filter((c) => !c.name().startsWith('__'));
  for (const c of verbs) assert.equal(ARG_KINDS[c.name()]?.length, c.registeredArguments.length, `argument kinds of ${c.name()}`);
  assert.deepEqual(
    spec.verbs.map((v) => v.name),
    [...verbs.map((c) => c.name()), 'help'],
  );
  assert.ok(!spec.verbs.some((v) => v.name === '__complete'), 'the hidden verb is not offered');
});

for (const [shell, complete] of [
  ['bash', bash],
  ['zsh', zsh],
  ['fish', fish],
] as const) {
  test(`${shell}: verbs, flags, values, files, labs and nodes`, { skip: have(shell) ? false : `${shell} is not installed` }, () => {
    assert.deepEqual(complete(['nslab', 'sh']), ['show']);
    assert.deepEqual(complete(['nslab', 'c']), ['capture', 'clean', 'completion']);
    assert.deepEqual(complete(['nslab', 'show', '--j']), ['--json']);
    assert.deepEqual(complete(['nslab', 'graph', 'x.yaml', '--format', '']), ['dot', 'mermaid', 'svg']);
    assert.deepEqual(
      complete(['nslab', 'up', '']).filter((f) => f !== 'sub/' && f !== 'sub'),
      ['lab.yaml', 'other.yml'],
      'only topology files (and directories)',
    );
    assert.deepEqual(complete(['nslab', 'show', '']), ['bridge']);
    assert.deepEqual(complete(['nslab', 'show', 'bridge', '']), ['ns1', 'ns2']);
    assert.deepEqual(complete(['nslab', 'exec', 'bridge', 'n']), ['ns1', 'ns2']);
    assert.deepEqual(complete(['nslab', 'trace', '--json', 'bridge', 'ns1', '']), ['ns1', 'ns2'], 'flags are skipped when counting arguments');
    assert.deepEqual(complete(['nslab', 'capture', 'bridge', 'ns1', '-f', 'icmp', '']), ['br0', 'ns1', 'ns2'], "a flag's value is not an argument");
    assert.ok(complete(['nslab', 'down', '']).includes('bridge') && complete(['nslab', 'down', '']).includes('lab.yaml'), 'down takes a lab or a file');
    assert.deepEqual(complete(['nslab', 'exec', 'bridge', 'ns1', '--', '']), [], "the command after -- is not nslab's");
    assert.deepEqual(complete(['nslab', 'help', 'ca']), ['capture']);
    assert.deepEqual(complete(['nslab', 'completion', '']), ['bash', 'fish', 'zsh']);
  });
}
