// The model cache (lab/model-cache.ts) is validated like the journal: a cache of another layout, or
// one whose ops are not ops, is ignored and rebuilt, never taken as a model by cast.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { cachedModel, forgetModel, keepModel, modelKey } from '../../../src/lab/model-cache.js';
import { desiredResources } from '../../../src/plan/resources.js';
import { ensureLabDir, saveModelCache } from '../../../src/state/store.js';
import { MIXED, topo } from '../helpers.js';
import { withStateDir } from '../helpers.js';

test('a kept model comes back; an old layout or a garbled op is a miss', async () => {
  await withStateDir((dir, root) => {
    mkdirSync(join(dir, 'state'), { mode: 0o700 });
    const t = topo(MIXED, '/a.yaml');
    const desired = desiredResources(t);
    const key = modelKey(MIXED);
    ensureLabDir(root, t.name);
    keepModel(root, t.name, key, t, ['/a.yaml:1:1: a warning'], desired);
    const hit = cachedModel(root, t.name, key, '/b.yaml');
    assert.ok(hit);
    assert.equal(hit.topology.file, '/b.yaml');
    assert.deepEqual(hit.warnings, ['/b.yaml:1:1: a warning']);
    assert.deepEqual(hit.desired, desired);
    assert.equal(cachedModel(root, t.name, key, '/b.yaml')?.topology.nodes, t.nodes, 'this process keeps what it built, in memory');
    // What follows is about the file: forget the memory each time.
    forgetModel(root, t.name);
    assert.deepEqual(cachedModel(root, t.name, key, '/b.yaml')?.desired, desired, 'and the file has it too');
    forgetModel(root, t.name);
    // The layout before the format field: the same key, but not this build's layout.
    saveModelCache(root, t.name, key, { topology: t, warnings: [], file: '/a.yaml', desired });
    assert.equal(cachedModel(root, t.name, key, '/a.yaml'), undefined);
    forgetModel(root, t.name);
    // A desired op with a field of the wrong type would have gone to the kernel as it was.
    const bad = desired.map((r, i) => (i === 0 ? { ...r, op: { ...r.op, name: 7 } } : r));
    saveModelCache(root, t.name, key, { format: 1, topology: t, warnings: [], file: '/a.yaml', desired: bad });
    assert.equal(cachedModel(root, t.name, key, '/a.yaml'), undefined);
    forgetModel(root, t.name);
    saveModelCache(root, t.name, key, { format: 1, topology: { ...t, nodes: [...t.nodes.values()] }, warnings: [], file: '/a.yaml' });
    assert.equal(cachedModel(root, t.name, key, '/a.yaml'), undefined);
  });
});
