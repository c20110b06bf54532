// The fuzz test, command-line part (issue #7): broken topology files given to the real CLI
// (`validate`, `up --dry-run`, `up`) inside a sandbox. Each must exit 2 with FILE:LINE:COL in its
// message and no stack trace, and leave nothing behind: no namespace, link, nft table, state
// directory, file next to the input, or file a shell would have made. The in-process part
// (test/unit/topology/fuzz.test.ts) runs every input through the loader; this one spawns the CLI
// for a sample of the hand-written hostile cases and the mutations (see pickInputs; NSLAB_FUZZ_N=500
// spawns it for all of them). NSLAB_FUZZ_SEED replays a run.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Sandbox } from '../helpers/sandbox.js';
import { loadTopologyFile } from '../../src/model/load.js';
import { fuzzCount, fuzzSeed, hostileInputs, mutatedInputs, rng } from '../helpers/fuzz-inputs.js';
import type { FuzzInput } from '../helpers/fuzz-inputs.js';
import { hostState, nslab, withSandbox } from './lab.js';

/** Files the hostile values would create if anything ran them through a shell. */
const PWNED = '/tmp/nslab-fuzz-pwned';
const VERBS: ReadonlyArray<readonly string[]> = [['validate'], ['up', '--dry-run'], ['up']];

/**
 * The inputs to spawn the CLI for: NSLAB_FUZZ_CLI of them, or all when NSLAB_FUZZ_N asks for a
 * full run, else 60 (two thirds hand-written cases in a seeded order, so successive CI runs cover
 * them all, one third mutations).
 */
function pickInputs(seed: number, hostile: FuzzInput[], mutated: FuzzInput[]): FuzzInput[] {
  const n = Number(process.env['NSLAB_FUZZ_CLI']);
  const all = [...hostile, ...mutated];
  if (Number.isInteger(n) && n > 0) return all.slice(0, n);
  if (process.env['NSLAB_FUZZ_N']) return all;
  const r = rng(seed);
  const shuffled = hostile
    .map((h) => ({ h, k: r() }))
    .sort((a, b) => a.k - b.k)
    .map((x) => x.h);
  return [...shuffled.slice(0, 40), ...mutated.slice(0, 20)];
}

/** Everything a run could leave behind in the sandbox, as text to compare. */
async function traces(sb: Sandbox): Promise<string> {
  const host = await hostState(sb);
  const files = await sb.run(['find', '/run', '/etc/netns', '-mindepth', '1']);
  const nft = await sb.run(['nft', 'list', 'ruleset']);
  return JSON.stringify({ ...host, files: files.stdout.split('\n').sort(), nft: nft.stdout });
}

/** What is wrong with the CLI's answer to one input, or undefined. */
function verdict(r: { code: number | null; stdout: string; stderr: string }, path: string): string | undefined {
  if (r.code !== 2) return `exit ${r.code}`;
  if (/internal error|\n\s+at \S+ \(|\n\s+at file:/.test(r.stderr)) return 'a stack trace';
  const located = new RegExp(`^nslab: ${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+: \\S`);
  if (!located.test(r.stderr)) return 'no FILE:LINE:COL at the start of the message';
  if (r.stdout.trim() !== '') return `output on stdout: ${r.stdout.slice(0, 200)}`;
  return undefined;
}

test('broken files given to validate, up --dry-run and up: exit 2, FILE:LINE:COL, no stack trace, nothing created', { timeout: 1_800_000 }, (t) =>
  withSandbox(t, async (sb) => {
    const seed = fuzzSeed();
    // Only inputs the loader refuses: a mutation that is still a valid lab would really be built.
    const refused = (i: FuzzInput): boolean => loadTopologyFile(i.bytes, 'x.yaml').topology === undefined;
    const hostile = hostileInputs();
    const mutated = mutatedInputs(seed, fuzzCount(400)).filter(refused);
    const inputs = pickInputs(seed, hostile, mutated);
    const dir = mkdtempSync(join(tmpdir(), 'nslab-fuzz-'));
    const failures: string[] = [];
    let leaks = 0;
    try {
      const before = await traces(sb);
      for (const [k, input] of inputs.entries()) {
        const path = join(dir, `in${k}.yaml`);
        writeFileSync(path, input.bytes);
        const verb = VERBS[k % VERBS.length]!;
        const r = await nslab(sb, ...verb, path);
        const v = verdict(r, path);
        if (v) failures.push(`${input.label} (nslab ${verb.join(' ')}): ${v}\n${r.stderr.slice(0, 400)}`);
        rmSync(path);
        // A leak is checked every few runs (and at the end), so a failure names a small range.
        if (k % 20 === 19 || k === inputs.length - 1) {
          const now = await traces(sb);
          if (now !== before) leaks++;
          if (now !== before) failures.push(`after input ${k} (${input.label}): the sandbox changed:\nbefore ${before}\nafter  ${now}`);
        }
      }
      assert.deepEqual(readdirSync(dir), [], 'files were written next to the inputs');
      assert.ok(!existsSync(PWNED), `${PWNED} exists: a value went through a shell`);
      const summary = `fuzz seed ${seed}: ${inputs.length} CLI runs (of ${hostile.length} hand-written and ${mutated.length} refused mutated inputs), ${failures.length} failures, ${leaks} leaks`;
      t.diagnostic(summary);
      assert.deepEqual(failures, [], summary);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }),
);
