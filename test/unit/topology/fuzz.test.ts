// The fuzz test, in-process part (issue #7): a few hundred broken files (seeded mutations of
// examples/*.yaml plus the hand-written hostile cases) through loadTopologyFile, the function
// every verb reads files with. Each must give either a topology without errors or errors that
// all have a position, short printable messages, and no exception; the hand-written cases must
// all be refused. NSLAB_FUZZ_SEED replays a run, NSLAB_FUZZ_N sets how many mutations (default 400).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { desiredResources } from '../../../src/plan/resources.js';
import { formatIssue, hasErrors } from '../../../src/topology/issues.js';
import type { Issue } from '../../../src/topology/issues.js';
import { loadTopologyFile } from '../../../src/model/load.js';
import { fuzzCount, fuzzSeed, hostileInputs, mutatedInputs } from '../../helpers/fuzz-inputs.js';
import type { FuzzInput } from '../../helpers/fuzz-inputs.js';

/** One input should never take longer than this (the largest are 4 MB; most are under 2 KB). */
const SLOW_MS = 5_000;

/** What is wrong with the outcome of one input, or undefined. */
function problem(input: FuzzInput): string | undefined {
  const t0 = performance.now();
  let r: ReturnType<typeof loadTopologyFile>;
  try {
    r = loadTopologyFile(input.bytes, 'fuzz.yaml');
    // A mutation that is still a valid lab must also survive the pure pipeline after the parser.
    if (r.topology) desiredResources(r.topology);
  } catch (e) {
    return `threw ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`;
  }
  const ms = performance.now() - t0;
  if (ms > SLOW_MS) return `took ${Math.round(ms)} ms`;
  if (!r.topology && !hasErrors(r.issues)) return 'no topology and no error';
  if (r.topology && hasErrors(r.issues)) return 'a topology despite errors';
  const lines = new TextDecoder().decode(input.bytes).split('\n').length;
  const bad = r.issues.find((i) => issueProblem(i, lines));
  return bad ? `${issueProblem(bad, lines)}: ${JSON.stringify(formatIssue(bad))}` : undefined;
}

function issueProblem(i: Issue, lines: number): string | undefined {
  if (i.file !== 'fuzz.yaml') return 'wrong file';
  if (!(Number.isInteger(i.line) && Number.isInteger(i.col) && i.line >= 1 && i.col >= 1 && i.line <= lines)) return 'no valid position';
  if (i.message.length === 0 || i.message.length > 1000) return 'empty or overlong message';
  if (/[\p{Cc}\p{Cf}\u2028\u2029]/u.test(i.message)) return 'raw control or format character in the message';
  if (/\n\s+at |Error:|YAML\.\w+\(/.test(i.message)) return 'internals leak into the message';
  // zod's own wording ("Invalid input", "Too small: expected array to have >=1 items") means a
  // schema without a message of ours.
  if (/Invalid (input|key|element)|Too (small|big)|expected (array|string|number|object)/.test(i.message)) return 'a schema default message';
  return undefined;
}

test('every hand-written hostile input is refused with a located error and nothing escapes', () => {
  const failures: string[] = [];
  for (const input of hostileInputs()) {
    const p = problem(input);
    if (p) failures.push(`${input.label}: ${p}`);
    else if (loadTopologyFile(input.bytes, 'fuzz.yaml').topology) failures.push(`${input.label}: accepted`);
  }
  assert.deepEqual(failures, []);
});

test('seeded mutations of the examples: every outcome is a topology or located errors, never a throw', (t) => {
  const seed = fuzzSeed();
  const n = fuzzCount(400);
  const inputs = mutatedInputs(seed, n);
  const failures: string[] = [];
  let refused = 0;
  for (const input of inputs) {
    const p = problem(input);
    if (p) failures.push(`${input.label}: ${p}`);
    else if (!loadTopologyFile(input.bytes, 'fuzz.yaml').topology) refused++;
  }
  const summary = `fuzz seed ${seed}: ${inputs.length} inputs, ${refused} refused, ${inputs.length - refused - failures.length} still valid, ${failures.length} failures (replay: NSLAB_FUZZ_SEED=${seed} NSLAB_FUZZ_N=${n})`;
  t.diagnostic(summary);
  assert.deepEqual(failures, [], summary);
  // The generator must actually break files: most mutations are refused.
  assert.ok(refused > inputs.length / 2, summary);
});
