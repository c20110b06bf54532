// Issue 13 item 1: a state root another user controls. An unprivileged user (uid 65534, made with
// setpriv inside the sandbox) plants symlinks to root-owned victim files where nslab writes, or a
// forged journal naming a root process and a foreign bridge; root's nslab must refuse in one line
// (exit 1) and leave victims, the process and the bridge alone. A symlinked state root or lab dir
// is refused the same way. State roots nslab creates itself (also relative ones) keep working.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import type { Sandbox } from '../helpers/sandbox.js';
import { BIN, killByPid, labFile, processAlive, withSandbox } from './lab.js';

const AS_NOBODY = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', '--'];
const VICTIMS = ['lock', 'topo', 'hosts', 'model', 'log', 'resolv', 'journal', 'downlog'];

const TOPO = [
  'name: pl',
  'networks:',
  '  lan: { subnet: 10.93.0.0/24, gateway: 10.93.0.1 }',
  'nodes:',
  '  n1:',
  '    interfaces: { eth0: { network: lan } }',
  '    processes:',
  '      - { name: srv, command: [sleep, "1000"], env: { SECRET: hunter2 } }',
  '',
].join('\n');

function nslabIn(sb: Sandbox, state: string | undefined, ...args: string[]): ReturnType<Sandbox['run']> {
  const env = { ...process.env };
  if (state === undefined) delete env['NSLAB_STATE_DIR'];
  else env['NSLAB_STATE_DIR'] = state;
  return sb.run(['node', BIN, ...args], { timeoutMs: 60_000, env });
}

async function sh(sb: Sandbox, script: string, nobody = false): Promise<string> {
  const r = await sb.run([...(nobody ? AS_NOBODY : []), 'sh', '-c', script]);
  assert.equal(r.code, 0, `${script}: ${r.stderr}`);
  return r.stdout;
}

/** Root-owned victim files (0644) with known content. */
async function makeVictims(sb: Sandbox): Promise<void> {
  await sh(sb, `mkdir -m 755 /run/victim && for v in ${VICTIMS.join(' ')}; do echo "original $v" > /run/victim/$v; done && chmod 644 /run/victim/*`);
}

async function victimsUnchanged(sb: Sandbox): Promise<void> {
  const out = await sh(sb, `for v in ${VICTIMS.join(' ')}; do printf '%s:' $v; cat /run/victim/$v; done; stat -c '%a %U' /run/victim/*`);
  assert.equal(out, VICTIMS.map((v) => `${v}:original ${v}\n`).join('') + VICTIMS.map(() => '644 root\n').join(''));
}

/** Exit 1, one line starting with the refusal, naming `what`. */
function assertRefused(r: Awaited<ReturnType<Sandbox['run']>>, what: RegExp, label: string): void {
  assert.equal(r.code, 1, `${label}: exit ${r.code}\n${r.stdout}${r.stderr}`);
  assert.match(r.stderr, /^nslab: refusing state directory [^\n]+\(a directory another user controls could plant files nslab would trust\)\n$/, label);
  assert.match(r.stderr, what, label);
}

/** As uid 65534: symlinks to the victims at every name nslab writes under STATE (lab pl, node n1, process srv). */
function plant(state: string): string {
  const l = (victim: string, name: string): string => `ln -s /run/victim/${victim} ${state}/${name}`;
  return [
    `mkdir -p ${state}/pl/logs ${state}/pl/captures`,
    l('lock', '.lock-pl'),
    l('topo', 'pl/topology.yaml.tmp'),
    l('hosts', 'pl/hosts.tmp'),
    l('model', 'pl/model.v8.tmp'),
    l('log', 'pl/logs/n1.srv.log'),
    l('resolv', 'pl/resolv-none.conf'),
    l('journal', 'pl/journal.jsonl'),
    l('downlog', 'pl/down.log'),
  ].join(' && ');
}

test('planted symlinks in a state root another user controls: up refuses, no victim file changes', async (t) => {
  await withSandbox(t, async (sb) => {
    const f = labFile(TOPO);
    try {
      await makeVictims(sb);
      // /run/x is the user's: they can plant anything below it, or swap it later.
      await sh(sb, 'mkdir /run/x && chown 65534:65534 /run/x');
      await sh(sb, `mkdir /run/x/state && ${plant('/run/x/state')}`, true);
      assertRefused(
        await nslabIn(sb, '/run/x/state', 'up', f.path),
        /^nslab: refusing state directory \/run\/x\/state: \/run\/x is owned by uid 65534, not root /,
        'parent of the user',
      );
      // A root-owned parent, but the state root itself is the user's.
      await sh(sb, 'mkdir -m 755 /run/y && mkdir /run/y/state && chown 65534:65534 /run/y/state');
      await sh(sb, plant('/run/y/state'), true);
      assertRefused(
        await nslabIn(sb, '/run/y/state', 'up', f.path),
        /^nslab: refusing state directory \/run\/y\/state: is owned by uid 65534, not root /,
        'state root of the user',
      );
      // Root's, but world-writable: anyone can plant.
      await sh(sb, 'mkdir -m 755 /run/z && mkdir /run/z/state && chmod 777 /run/z/state');
      await sh(sb, plant('/run/z/state'), true);
      assertRefused(await nslabIn(sb, '/run/z/state', 'up', f.path), /\/run\/z\/state: is writable by any user \(mode 0777\)/, 'world-writable state root');
      // The sandbox's /run is a sticky tmpfs: the user can claim /run/nslab before root's first up.
      await sh(sb, 'ln -s /run/x/state /run/nslab', true);
      assertRefused(await nslabIn(sb, undefined, 'up', f.path), /^nslab: refusing state directory \/run\/nslab: is a symbolic link /, 'symlinked /run/nslab');
      assertRefused(await nslabIn(sb, undefined, 'ls'), /is a symbolic link/, 'ls through a symlinked /run/nslab');
      await victimsUnchanged(sb);
      assert.equal((await sb.run(['ip', 'netns', 'list'])).stdout, '', 'nothing was built');
      assert.equal((await sb.run(['pgrep', '-f', 'sleep 1000'])).stdout, '', 'no process was started');
    } finally {
      f.done();
    }
  });
});

/** /proc/PID/stat field 22, as the journal records it. */
function startTime(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
}

test('a forged journal (a root process, a foreign bridge) in a state dir nslab did not create: down and clean refuse, both survive', async (t) => {
  await withSandbox(t, async (sb) => {
    const pids: number[] = [];
    try {
      const pid = Number((await sh(sb, 'sleep 300 >/dev/null 2>&1 & echo $!')).trim());
      pids.push(pid);
      await sh(sb, 'ip link add victimbr type bridge');
      const journal =
        [
          { t: 'meta', v: 1, lab: 'fg', file: '/nonexistent.yaml' },
          { t: 'own', id: 'link:@host:victimbr', op: { op: 'link.create', kind: 'bridge', ns: '@host', name: 'victimbr', ipv6: false, up: true } },
          { t: 'proc', node: 'n1', name: 'srv', pid, start: startTime(pid), spec: '{}' },
        ]
          .map((r) => JSON.stringify(r))
          .join('\n') + '\n';
      await sh(sb, 'mkdir /run/x && chown 65534:65534 /run/x');
      await sh(sb, `mkdir -p /run/x/state/fg && chmod 700 /run/x/state /run/x/state/fg && printf '%s' '${journal}' > /run/x/state/fg/journal.jsonl`, true);
      const survives = async (label: string): Promise<void> => {
        assert.ok(processAlive(pid), `${label}: the root process was not killed`);
        assert.equal((await sb.run(['ip', 'link', 'show', 'victimbr'])).code, 0, `${label}: the foreign bridge is still there`);
      };
      assertRefused(await nslabIn(sb, '/run/x/state', 'down', 'fg'), /\/run\/x is owned by uid 65534/, 'down');
      await survives('down');
      assertRefused(await nslabIn(sb, '/run/x/state', 'clean', '--yes'), /\/run\/x is owned by uid 65534/, 'clean');
      await survives('clean');
      // The user swapped root's own lab dir for a link to theirs (root's /run/nslab, a link in it).
      await sh(sb, 'mkdir -m 700 /run/nslab && ln -s /run/x/state/fg /run/nslab/fg');
      assertRefused(
        await nslabIn(sb, undefined, 'down', 'fg'),
        /^nslab: refusing state directory \/run\/nslab: \/run\/nslab\/fg is a symbolic link /,
        'symlinked lab dir',
      );
      await survives('symlinked lab dir');
      // A journal that is itself a link to the user's file.
      await sh(sb, 'rm /run/nslab/fg && mkdir -m 700 /run/nslab/fg && ln -s /run/x/state/fg/journal.jsonl /run/nslab/fg/journal.jsonl');
      assertRefused(await nslabIn(sb, undefined, 'down', 'fg'), /\/run\/nslab\/fg\/journal\.jsonl is a symbolic link/, 'symlinked journal');
      await survives('symlinked journal');
    } finally {
      killByPid(pids);
    }
  });
});

test('state roots nslab creates itself work: the default, a new nested one, a relative one', async (t) => {
  await withSandbox(t, async (sb) => {
    const f = labFile(TOPO);
    try {
      for (const [label, state, cwd] of [
        ['default', undefined, '/'],
        ['nested new', '/run/mine/deep/state', '/'],
        ['relative', 'rel/state', '/run'],
      ] as const) {
        const env = { ...process.env };
        if (state === undefined) delete env['NSLAB_STATE_DIR'];
        else env['NSLAB_STATE_DIR'] = state;
        const run = (...args: string[]) => sb.run(['sh', '-c', `cd ${cwd} && exec "$@"`, 'sh', 'node', BIN, ...args], { timeoutMs: 60_000, env });
        const up = await run('up', f.path);
        assert.equal(up.code, 0, `${label} up: ${up.stderr}`);
        const abs = state === undefined ? '/run/nslab' : state.startsWith('/') ? state : `${cwd}/${state}`;
        assert.equal(await sh(sb, `stat -c '%a %U' ${abs} ${abs}/pl ${abs}/pl/logs`), '700 root\n700 root\n700 root\n', `${label}: private dirs`);
        const ls = await run('ls');
        assert.match(ls.stdout, /^pl +up/m, `${label} ls: ${ls.stderr}`);
        const down = await run('down', 'pl', '--wait');
        assert.equal(down.code, 0, `${label} down: ${down.stderr}`);
        assert.match(down.stdout, /lab pl: down \(\d+ object\(s\) removed/, label);
      }
      assert.equal(await sh(sb, "stat -c '%a %U' /run/mine /run/mine/deep /run/rel"), '755 root\n755 root\n755 root\n', 'ancestors nslab made');
    } finally {
      f.done();
    }
  });
});
