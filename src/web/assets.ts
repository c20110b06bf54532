// The page's static files: the UI itself (src/web/ui, plain browser JavaScript served as is) and
// the graph libraries from node_modules (cytoscape and its fCoSE layout). Everything is served
// from this machine: the browser may have no network at all. Files are read once, at start.
import { readFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { NslabError } from '../util/errors.js';

/** One file the server answers with. */
export interface Asset {
  readonly type: string;
  readonly body: Buffer;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/** The UI's own files (served at /NAME). */
const UI_FILES = ['index.html', 'app.js', 'graph.js', 'panel.js', 'api.js', 'style.css'];

/** Load every asset, by URL path. Throws NslabError when the installation is incomplete. */
export function loadAssets(): Map<string, Asset> {
  const out = new Map<string, Asset>();
  const ui = uiDir();
  for (const f of UI_FILES) out.set(f === 'index.html' ? '/' : `/${f}`, read(join(ui, f)));
  const require = createRequire(import.meta.url);
  const fcose = require.resolve('cytoscape-fcose');
  const coseBase = createRequire(fcose).resolve('cose-base');
  const layoutBase = createRequire(coseBase).resolve('layout-base');
  out.set('/vendor/cytoscape.min.js', read(require.resolve('cytoscape/dist/cytoscape.min.js')));
  out.set('/vendor/layout-base.js', read(layoutBase));
  out.set('/vendor/cose-base.js', read(coseBase));
  out.set('/vendor/cytoscape-fcose.js', read(fcose));
  return out;
}

/** src/web/ui of this installation, found from this module upwards (works from src/ and dist/). */
function uiDir(): string {
  let dir = import.meta.dirname;
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, 'src', 'web', 'ui');
    if (existsSync(join(candidate, 'index.html'))) return candidate;
    dir = dirname(dir);
  }
  throw new NslabError(
    'no-ui-files',
    `the UI's files (src/web/ui) are missing from this installation of nslab (looked upwards from ${import.meta.dirname})`,
    1,
  );
}

function read(path: string): Asset {
  const ext = /\.[a-z]+$/.exec(path)?.[0] ?? '';
  return { type: TYPES[ext] ?? 'application/octet-stream', body: readFileSync(path) };
}
