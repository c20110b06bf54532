// deploy/kubernetes/ against Kubernetes' API schema: every YAML document of every file there is
// either an API object, validated by kubernetes-models (the OpenAPI schema of the API, compiled
// to validators), or the kustomization, whose resources must be exactly the files beside it. Then
// what the DaemonSet must do for nslab (docs/kubernetes.md), and the same check failing on broken
// copies, so that it is known to catch what it is there for. The API's schema, like the API server
// without strict field validation, lets a field it does not know pass: a misspelt key is caught by
// the checks of what the DaemonSet must do (they read the keys that matter by name), not by it.
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import * as apps from 'kubernetes-models/apps/v1';
import * as core from 'kubernetes-models/v1';
import { parseAllDocuments } from 'yaml';

const DIR = join(import.meta.dirname, '..', '..', '..', '..', 'deploy', 'kubernetes');

/** The API groups the manifests may use; a kind outside them is an error until added here. */
const GROUPS: Readonly<Record<string, Readonly<Record<string, unknown>>>> = { v1: core, 'apps/v1': apps };

interface Doc {
  readonly file: string;
  readonly value: Record<string, unknown>;
}

/** Every YAML document of every .yaml/.yml file in `dir`, or the parse errors. */
function documents(dir: string): { docs: Doc[]; errors: string[] } {
  const docs: Doc[] = [];
  const errors: string[] = [];
  for (const file of readdirSync(dir).filter((f) => /\.ya?ml$/.test(f))) {
    for (const d of parseAllDocuments(readFileSync(join(dir, file), 'utf8'))) {
      if (d.errors.length > 0) errors.push(...d.errors.map((e) => `${file}: ${e.message}`));
      const value = d.toJS() as unknown;
      if (value === null || value === undefined) continue;
      if (typeof value !== 'object' || Array.isArray(value)) errors.push(`${file}: a document that is not an object`);
      else docs.push({ file, value: value as Record<string, unknown> });
    }
  }
  return { docs, errors };
}

/** The schema's complaint about one API object, or undefined when it is valid. */
function schemaError(doc: Doc): string | undefined {
  const { apiVersion, kind } = doc.value;
  const Model = GROUPS[String(apiVersion)]?.[String(kind)] as (new (o: unknown) => { validate(): void }) | undefined;
  if (typeof Model !== 'function') return `${doc.file}: ${String(apiVersion)} ${String(kind)} is not a kind this test knows; add its group to GROUPS`;
  try {
    new Model(doc.value).validate();
    return undefined;
  } catch (e) {
    return `${doc.file}: ${String(kind)} ${(e as Error).message}`;
  }
}

/** Every problem of the manifests in `dir`: parse errors, schema errors, and a kustomization that does not list exactly the files. */
function checkManifests(dir: string): string[] {
  const { docs, errors } = documents(dir);
  const kustomizations = docs.filter((d) => d.value['kind'] === 'Kustomization');
  if (kustomizations.length !== 1) errors.push(`${kustomizations.length} kustomizations, not 1`);
  for (const k of kustomizations) {
    if (k.value['apiVersion'] !== 'kustomize.config.k8s.io/v1beta1') errors.push(`${k.file}: apiVersion ${String(k.value['apiVersion'])}`);
    const listed = [...((k.value['resources'] as unknown[] | undefined) ?? [])].map(String).sort();
    const files = [...new Set(docs.filter((d) => d !== k).map((d) => d.file))].sort();
    if (JSON.stringify(listed) !== JSON.stringify(files)) errors.push(`${k.file}: resources ${listed.join(', ')} are not the files ${files.join(', ')}`);
  }
  for (const d of docs.filter((x) => x.value['kind'] !== 'Kustomization')) {
    const e = schemaError(d);
    if (e) errors.push(e);
  }
  return errors;
}

/** A copy of deploy/kubernetes with one file's text changed, checked, and removed. */
function checkBroken(file: string, change: (text: string) => string): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'nslab-k8s-'));
  try {
    cpSync(DIR, dir, { recursive: true });
    const before = readFileSync(join(dir, file), 'utf8');
    const after = change(before);
    assert.notEqual(after, before, `the change to ${file} changed nothing`);
    writeFileSync(join(dir, file), after);
    return checkManifests(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The DaemonSet's pod spec and its one container, typed by the models. */
function pod(): { spec: core.IPodSpec; c: core.IContainer } {
  const ds = documents(DIR).docs.find((d) => d.value['kind'] === 'DaemonSet')!.value as unknown as apps.IDaemonSet;
  const spec = ds.spec!.template.spec!;
  return { spec, c: spec.containers[0]! };
}

test('every document in deploy/kubernetes is valid for the Kubernetes API, and the kustomization lists them all', () => {
  const { docs } = documents(DIR);
  assert.deepEqual(docs.map((d) => `${String(d.value['kind'])}`).sort(), ['ConfigMap', 'DaemonSet', 'Kustomization', 'Namespace', 'ServiceAccount']);
  assert.deepEqual(checkManifests(DIR), []);
});

test('the check fails on broken copies: a wrong type, a missing required field, an unknown kind, bad YAML, an unlisted file', () => {
  const wrongType = checkBroken('daemonset.yaml', (t) => t.replace('hostNetwork: true', 'hostNetwork: "yes"'));
  assert.deepEqual(wrongType, ['daemonset.yaml: DaemonSet data/spec/template/spec/hostNetwork must be boolean']);
  const noSelector = checkBroken('daemonset.yaml', (t) => t.replace(/^ {2}selector:\n(?: {4}.*\n)+/m, ''));
  assert.match(noSelector.join('\n'), /DaemonSet data\/spec must have required property selector/);
  const port = checkBroken('daemonset.yaml', (t) => t.replace('timeoutSeconds: 15', 'timeoutSeconds: fifteen'));
  assert.match(port.join('\n'), /readinessProbe\/timeoutSeconds must be integer/);
  const kind = checkBroken('serviceaccount.yaml', (t) => t.replace('kind: ServiceAccount', 'kind: ServiceAcount'));
  assert.match(kind.join('\n'), /serviceaccount\.yaml: v1 ServiceAcount is not a kind this test knows/);
  const yaml = checkBroken('configmap.yaml', (t) => t.replace('metadata:', 'metadata: {'));
  assert.ok(
    yaml.some((e) => e.startsWith('configmap.yaml: ') && !e.includes('ConfigMap data/')),
    yaml.join('\n'),
  );
  const unlisted = checkBroken('kustomization.yaml', (t) => t.replace('  - configmap.yaml\n', ''));
  assert.match(unlisted.join('\n'), /resources daemonset\.yaml, namespace\.yaml, serviceaccount\.yaml are not the files configmap\.yaml, /);
});

test("each pod is its node's machine: --as from spec.nodeName, the underlay from status.hostIP, on the node's network", () => {
  const { spec, c } = pod();
  const env = new Map((c.env ?? []).map((e) => [e.name, e]));
  assert.equal(env.get('NODE_NAME')?.valueFrom?.fieldRef?.fieldPath, 'spec.nodeName');
  assert.equal(env.get('NODE_IP')?.valueFrom?.fieldRef?.fieldPath, 'status.hostIP');
  assert.equal(spec.hostNetwork, true);
  assert.match(c.args?.[0] ?? '', /nslab up "\$LAB" --as "\$NODE_NAME"/);
  assert.match(c.lifecycle?.preStop?.exec?.command?.join(' ') ?? '', /nslab down "\$LAB" --as "\$NODE_NAME"/);
  assert.match(c.readinessProbe?.exec?.command?.join(' ') ?? '', /nslab test "\$LAB" --as "\$NODE_NAME"/);
  assert.ok(c.resources?.requests?.['cpu'] && c.resources.requests['memory']);
});

test('the namespaces nslab makes reach the node: /run/netns and its group mounts are Bidirectional, which needs privileged', () => {
  const { spec, c } = pod();
  assert.equal(c.securityContext?.privileged, true);
  const mounts = new Map((c.volumeMounts ?? []).map((m) => [m.mountPath, m]));
  const hostPaths = new Map((spec.volumes ?? []).map((v) => [v.name, v.hostPath?.path]));
  for (const path of ['/run/netns', '/run/nslab-netns']) {
    assert.equal(mounts.get(path)?.mountPropagation, 'Bidirectional', path);
    assert.equal(hostPaths.get(mounts.get(path)?.name ?? ''), path);
  }
  assert.equal(hostPaths.get(mounts.get('/run/nslab')?.name ?? ''), '/run/nslab', 'the journal is kept on the node');
});

test("the ConfigMap's lab names its machines with addresses and puts each node on one", () => {
  const cm = documents(DIR).docs.find((d) => d.value['kind'] === 'ConfigMap')!.value as unknown as core.IConfigMap;
  const lab = parseAllDocuments(cm.data?.['lab.yaml'] ?? '')[0]!.toJS() as {
    machines: Record<string, { address: string }>;
    nodes: Record<string, { machine?: string }>;
  };
  const machines = Object.keys(lab.machines);
  assert.ok(machines.length >= 2);
  for (const m of machines) assert.match(lab.machines[m]!.address, /^\d+\.\d+\.\d+\.\d+$/);
  for (const [name, node] of Object.entries(lab.nodes)) assert.ok(machines.includes(node.machine ?? ''), name);
  const { spec, c } = pod();
  assert.equal(c.env?.find((e) => e.name === 'LAB')?.value, '/etc/nslab/lab.yaml');
  const volume = spec.volumes?.find((v) => v.configMap?.name === cm.metadata?.name);
  assert.equal(c.volumeMounts?.find((m) => m.name === volume?.name)?.mountPath, '/etc/nslab');
});
