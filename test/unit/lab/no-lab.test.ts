// An unknown lab is bad input (exit 2) in every verb that takes a lab, with one message that
// names the labs that are up (and the closest one), so the user can act on it at once.
import assert from 'node:assert/strict';
import type { StateRoot } from '../../../src/state/root.js';
import { writeFileSync } from 'node:fs';
import { test } from 'node:test';
import { capture } from '../../../src/lab/capture.js';
import { labNameOf } from '../../../src/lab/down.js';
import { exec } from '../../../src/lab/exec.js';
import { loadLab } from '../../../src/lab/load.js';
import { loadLabLazy } from '../../../src/lab/load-lazy.js';
import { logFiles } from '../../../src/lab/logs.js';
import { noSuchLab } from '../../../src/lab/no-lab.js';
import { runAdhoc } from '../../../src/lab/processes.js';
import { ps } from '../../../src/lab/ps.js';
import { show } from '../../../src/lab/show.js';
import { test as testLab } from '../../../src/lab/test.js';
import { trace } from '../../../src/lab/trace.js';
import { ensureLabDir, labPaths, saveTopologyCopy } from '../../../src/state/store.js';
import { isNslabError } from '../../../src/util/errors.js';
import { withStateDir } from '../helpers.js';

const BRIDGE = 'name: bridge\nnetworks: { br0: { subnet: 10.0.0.0/24 } }\nnodes:\n  ns1: { interfaces: { eth0: { network: br0 } } }\n';

/** A lab with state (a journal and its topology copy), as `up` leaves it. */
function labUp(root: StateRoot, name: string, text: string): void {
  ensureLabDir(root, name);
  writeFileSync(labPaths(root, name).journal, '');
  saveTopologyCopy(root, name, text);
}

const unknown =
  (re: RegExp) =>
  (e: unknown): boolean => {
    assert.ok(isNslabError(e), String(e));
    assert.equal(e.exitStatus, 2, e.message);
    assert.equal(e.code, 'no-lab');
    assert.match(e.message, re);
    return true;
  };

test('every verb that takes a lab refuses an unknown one with exit 2 and the labs that are up', () =>
  withStateDir(async (_dir, root) => {
    labUp(root, 'bridge', BRIDGE);
    const re = /^no lab named brige is up \(did you mean 'bridge'\? labs up: bridge\)$/;
    assert.throws(() => loadLab(root, 'brige'), unknown(re));
    await assert.rejects(loadLabLazy(root, 'brige'), unknown(re));
    await assert.rejects(show({ state: root, lab: 'brige' }), unknown(re));
    await assert.rejects(exec({ state: root, lab: 'brige', node: 'ns1', argv: ['true'] }), unknown(re));
    await assert.rejects(runAdhoc({ state: root, lab: 'brige', node: 'ns1', command: ['sleep', '1'] }), unknown(re));
    assert.throws(() => logFiles(root, 'brige', 'ns1'), unknown(re));
    await assert.rejects(capture({ state: root, lab: 'brige', targets: ['ns1'] }), unknown(re));
    await assert.rejects(trace({ state: root, lab: 'brige', from: 'ns1', to: 'ns1' }), unknown(re));
    await assert.rejects(testLab({ state: root, target: 'brige' }), unknown(re));
    await assert.rejects(ps({ state: root, lab: 'brige' }), unknown(re));
    // down is idempotent: a name that is not up is nothing to do (the CLI names the close one).
    assert.equal(labNameOf(root, 'brige'), 'brige');
  }));

test('with no labs up the message says how to build one; unrelated names get no guess', () =>
  withStateDir((_dir, root) => {
    assert.equal(noSuchLab(root, 'ghost').message, 'no lab named ghost is up (no labs are up; `nslab up FILE` builds one)');
    labUp(root, 'bridge', BRIDGE);
    labUp(root, 'nat', BRIDGE.replace('bridge', 'nat'));
    assert.equal(noSuchLab(root, 'ghost').message, 'no lab named ghost is up (labs up: bridge, nat)');
  }));

test('down: a name with state, or a file, is fine; a file whose lab is not up is not an error', () =>
  withStateDir((dir, root) => {
    labUp(root, 'bridge', BRIDGE);
    assert.equal(labNameOf(root, 'bridge'), 'bridge');
    const file = `${dir}/gone.yaml`;
    writeFileSync(file, BRIDGE.replace('bridge', 'gone'));
    assert.equal(labNameOf(root, file), 'gone', 'down FILE stays safe to repeat');
  }));
