// The README's first command, rootless variant, as a newcomer without root runs it: a fresh clone
// of this repository (its committed files only) owned by an unprivileged user of the sandbox's
// own, `./scripts/try.sh --rootless` run there as that user: npm ci (from a copy of this
// machine's npm cache, offline: the sandbox has no network), doctor, up, test, down. It must
// exit 0 and leave no process of the user's. The packages it needs are installed on the machine.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { makeUser, userPids } from '../helpers/sandbox-user.js';
import { withSandbox } from './lab.js';

const REPO = join(import.meta.dirname, '..', '..', '..');

test('scripts/try.sh --rootless works for a user without root in a fresh clone', (t) =>
  withSandbox(t, async (sb) => {
    const cache = join(homedir(), '.npm', '_cacache');
    if (!existsSync(cache) || !existsSync(join(REPO, '.git'))) {
      t.skip('needs a git checkout and an npm cache (this runs npm ci offline)');
      return;
    }
    const work = mkdtempSync(join(tmpdir(), 'nslab-try-'));
    const user = sb.user ?? (await makeUser(sb.pid, (argv) => sb.run(argv)));
    try {
      execFileSync('git', ['clone', '--quiet', '--no-hardlinks', REPO, join(work, 'nslab')], { timeout: 60_000 });
      execFileSync('mkdir', ['-p', join(work, 'cache')]);
      execFileSync('cp', ['-a', cache, join(work, 'cache', '_cacache')], { timeout: 120_000 });
      execFileSync('chown', ['-R', `${user.uid}:${user.uid}`, work], { timeout: 60_000 });
      execFileSync('chmod', ['755', work]);
      const env = { ...user.env(), npm_config_cache: join(work, 'cache'), npm_config_offline: 'true', npm_config_update_notifier: 'false' };
      const r = await sb.run(user.wrap(['bash', join(work, 'nslab', 'scripts', 'try.sh'), '--rootless']), { timeoutMs: 600_000, env });
      assert.equal(r.code, 0, `try.sh --rootless exited ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
      assert.match(r.stdout, /rootless mode: available/);
      assert.match(r.stdout, /lab bridge: up/);
      assert.match(r.stdout, /hold/);
      for (let i = 0; i < 100 && userPids(user.uid).length > 0; i++) await new Promise((res) => setTimeout(res, 100));
      const left = userPids(user.uid).map((pid) => {
        try {
          return `${pid} ${readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ')}`;
        } catch {
          return `${pid}`;
        }
      });
      assert.deepEqual(left, [], 'nothing of the user runs after try.sh');
    } finally {
      for (const pid of userPids(user.uid)) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // gone
        }
      }
      rmSync(work, { recursive: true, force: true });
    }
  }));
