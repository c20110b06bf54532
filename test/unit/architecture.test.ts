// The layering rules of docs/architecture.md, checked by scanning import specifiers in src/.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';

const root = join(import.meta.dirname, '..', '..', '..', 'src');
const EFFECTS = /^(node:)?(fs|child_process|net|dgram|os|fs\/promises)$|^koffi$/;

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? files(join(dir, d.name)) : d.name.endsWith('.ts') ? [join(dir, d.name)] : [],
  );
}

const sources = files(root).map((f) => {
  const text = readFileSync(f, 'utf8');
  const imports = [...text.matchAll(/(?:import|export)[^'"]*?from\s+'([^']+)'|import\('([^']+)'\)/g)].map((m) => m[1] ?? m[2] ?? '');
  return { rel: relative(root, f), imports };
});

const pure = (rel: string): boolean =>
  /^(names|util|port|ops|netlink|nft|topology|model|plan|graph|packet)\//.test(rel) ||
  /^verify\/(matrix|waves|pins|trace|outages|scenario|merge|report-shape)\.ts$/.test(rel);

test('pure folders import no effects and nothing from kernel/', () => {
  const checked = sources.filter((x) => pure(x.rel));
  assert.ok(checked.length > 90);
  for (const s of checked) {
    for (const i of s.imports) {
      assert.ok(!EFFECTS.test(i), `${s.rel} imports ${i}`);
      assert.ok(!/(^|\/)kernel\//.test(i), `${s.rel} imports ${i}`);
    }
  }
});

// port/ is the contract between the pipeline and the system: interfaces, operation data and the
// error type, and no implementation, so every layer can depend on it without dragging one along.
test('port/ holds no implementation: it imports only port/ and util/', () => {
  const port = sources.filter((x) => x.rel.startsWith('port/'));
  assert.ok(port.length > 0);
  for (const s of port) for (const i of s.imports) assert.match(i, /^\.\.?\/(\.\.\/util\/)?[a-z-]+\.js$|^\.\.\/util\/[a-z-]+\.js$/, `${s.rel} imports ${i}`);
});

// names/ is the vocabulary every layer shares (name rules, ownership markers, resource ids):
// it sits below all of them, so it may import nothing but itself, or it would drag a layer along.
test('names/ imports only names/', () => {
  const names = sources.filter((x) => x.rel.startsWith('names/'));
  assert.ok(names.length > 0);
  for (const s of names) for (const i of s.imports) assert.match(i, /^\.\/[a-z-]+\.js$/, `${s.rel} imports ${i}`);
});

// topology/ parses and validates; model/ resolves what it produced. The arrow goes one way, so
// the parser can be read, tested and changed without the resolver (model/load.ts composes both).
test('topology/ imports nothing from model/', () => {
  const topology = sources.filter((x) => x.rel.startsWith('topology/'));
  assert.ok(topology.length > 0);
  for (const s of topology) for (const i of s.imports) assert.ok(!/(^|\/)model\//.test(i), `${s.rel} imports ${i}`);
});

test('only kernel/ imports koffi, only topology/source.ts imports the YAML parser', () => {
  for (const s of sources) {
    if (s.imports.includes('koffi')) assert.match(s.rel, /^kernel\//, s.rel);
    if (s.imports.includes('yaml')) assert.equal(s.rel, 'topology/source.ts');
  }
});

test('kernel/ imports nothing above it', () => {
  for (const s of sources.filter((x) => x.rel.startsWith('kernel/'))) {
    for (const i of s.imports.filter((x) => x.startsWith('.'))) {
      // The nft renderer reads the model's firewall types (types only, erased at run time).
      if (/\/model\/types\.js$/.test(i)) continue;
      assert.ok(!/\.\.\/(\.\.\/)?(topology|model|plan|apply|state|lab|cli|web|live|verify|graph)\//.test(i), `${s.rel} imports ${i}`);
    }
  }
});

test('apply/ and live/ see the kernel only through the port', () => {
  for (const s of sources.filter((x) => /^(apply|live)\//.test(x.rel))) {
    for (const i of s.imports) assert.ok(!/(^|\/)kernel\//.test(i), `${s.rel} imports ${i}`);
  }
});

test('cli/, web/, api/ and index.ts reach the pipeline only through lab/', () => {
  for (const s of sources.filter((x) => /^(cli|web|api)\//.test(x.rel) || x.rel === 'index.ts')) {
    for (const i of s.imports.filter((x) => x.startsWith('.'))) {
      assert.ok(!/\/(topology|plan|apply|state|kernel|live|graph|verify)\//.test(i), `${s.rel} imports ${i}`);
    }
  }
});

test('web/ starts no processes: the page can run no command of its own choosing', () => {
  const web = sources.filter((x) => x.rel.startsWith('web/'));
  assert.ok(web.length > 0);
  for (const s of web)
    for (const i of s.imports) assert.ok(!/^(node:)?child_process$|^koffi$|\/kernel\/|\/lab\/(exec|run|processes)\.js$/.test(i), `${s.rel} imports ${i}`);
});

test('state/ (the journal and the state directory) depends on no planner, applier or verb', () => {
  // The journal is an on-disk contract read by down, clean and up alike: its parser and replay
  // must not change when the planner does.
  const state = sources.filter((x) => x.rel.startsWith('state/'));
  assert.ok(state.length > 0);
  for (const s of state) for (const i of s.imports) assert.ok(!/\.\.\/(plan|apply|lab|cli|web|live|verify)\//.test(i), `${s.rel} imports ${i}`);
});

test('configuration comes from the edge: only cli/ (and the library entry) read NSLAB_ variables from process.env', () => {
  const offenders: string[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (p.endsWith('.ts') && !p.startsWith(join(root, 'cli')) && p !== join(root, 'index.ts')) {
        const text = readFileSync(p, 'utf8');
        if (/process\.env(\.NSLAB_|\[\s*['"`]NSLAB_)/.test(text)) offenders.push(p);
      }
    }
  };
  walk(root);
  assert.deepEqual(offenders, []);
});

// lab/ sees the system only through the ports (port/kernel.ts, port/system.ts), so every verb
// runs on the fakes without root; lab/kernel.ts alone names the Linux implementations.
test('lab/ names kernel/ in one place only: lab/kernel.ts', () => {
  const lab = sources.filter((x) => x.rel.startsWith('lab/'));
  assert.ok(lab.length > 0);
  for (const s of lab) {
    if (s.rel === 'lab/kernel.ts') continue;
    for (const i of s.imports) assert.ok(!/(^|\/)kernel\//.test(i), `${s.rel} imports ${i}`);
  }
});

test('the library (api/ and index.ts) imports only lab/, util/errors and its own public types', () => {
  const lib = sources.filter((x) => x.rel.startsWith('api/') || x.rel === 'index.ts');
  assert.ok(lib.length > 1);
  for (const s of lib) {
    for (const i of s.imports.filter((x) => x.startsWith('.'))) {
      assert.match(i, /^\.\.?\/(lab\/[a-z-]+|util\/(errors|error-codes)|api\/[a-z-]+|[a-z-]+)\.js$/, `${s.rel} imports ${i}`);
    }
  }
});
