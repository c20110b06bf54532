// `nslab ui`'s server: node:http on a loopback address only, every request checked for a loopback
// Host name, then static files (the page's code, public: it holds no lab data), or, with the
// token, the JSON API (api.ts) or the live stream (events.ts). It reads labs only through lab/ verbs and runs nothing of the caller's choosing.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { StateRoot } from '../lab/config.js';
import type { KernelFactory } from '../lab/kernel.js';
import { labGraph } from '../lab/graph.js';
import { withFaults } from '../lab/fault-view.js';
import { openLiveView } from '../lab/live.js';
import { NslabError } from '../util/errors.js';
import { handleApi, type ApiContext } from './api.js';
import { loadAssets, type Asset } from './assets.js';
import { hasToken, loopbackHost, newToken } from './auth.js';
import { EventHub } from './events.js';
import { clientGone, send, sendError, sendJson } from './http.js';

/** The port `nslab ui` tries first; a free one is taken when it is busy. */
export const DEFAULT_PORT = 8470;

/** Options of startUi. */
export interface UiOptions {
  /** The state root the verbs read (from the CLI). */
  readonly state: StateRoot;
  /** Show this lab only; every lab on the host when absent. */
  readonly lab?: string;
  /** 0 for any free port; DEFAULT_PORT (or a free one if taken) when absent. */
  readonly port?: number;
  /**
   * A socket already listening on 127.0.0.1, to serve on instead of opening one (rootless mode:
   * made in the user's own network namespace by the command that joined the holder, since a
   * socket keeps the namespace it was made in).
   */
  readonly listenFd?: number;
  readonly openKernel?: KernelFactory;
}

/** A running UI server. */
export interface RunningUi {
  /** The address to open, token included. */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** The loopback address the server listens on; there is deliberately no option to change it. */
const HOST = '127.0.0.1';

/**
 * Start the UI server. Throws NslabError: exit 1 when the lab is not up, the kernel cannot be read
 * (not root) or the port is taken; exit 2 for a bad port.
 */
export async function startUi(opts: UiOptions): Promise<RunningUi> {
  if (opts.lab !== undefined) labGraph(opts.state, opts.lab);
  const view = withFaults(
    openLiveView({
      state: opts.state,
      ...(opts.lab !== undefined ? { lab: opts.lab } : {}),
      ...(opts.openKernel ? { openKernel: opts.openKernel } : {}),
    }),
    { state: opts.state, ...(opts.openKernel ? { openKernel: opts.openKernel } : {}) },
  );
  try {
    // One sample up front: a missing privilege or lab fails here, not in the page.
    await view.tick();
    const assets = loadAssets();
    const token = newToken();
    const hub = new EventHub(view);
    let chain: Promise<unknown> = Promise.resolve();
    const serial = <T>(fn: () => Promise<T>): Promise<T> => {
      const run = chain.then(fn, fn);
      chain = run.catch(() => undefined);
      return run;
    };
    const ctx: ApiContext = {
      state: opts.state,
      ...(opts.lab !== undefined ? { lab: opts.lab } : {}),
      serial,
      ...(opts.openKernel ? { openKernel: opts.openKernel } : {}),
    };
    let port = 0;
    const server = createServer((req, res) => void handle({ req, res, port, token, assets, hub, ctx }));
    port = opts.listenFd === undefined ? await listen(server, opts.port) : await listenOnFd(server, opts.listenFd);
    return {
      url: `http://${HOST}:${port}/?token=${token}`,
      port,
      close: async () => {
        hub.close();
        view.close();
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      },
    };
  } catch (e) {
    view.close();
    throw e;
  }
}

interface RequestContext {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly port: number;
  readonly token: string;
  readonly assets: ReadonlyMap<string, Asset>;
  readonly hub: EventHub;
  readonly ctx: ApiContext;
}

async function handle({ req, res, port, token, assets, hub, ctx }: RequestContext): Promise<void> {
  try {
    const url = new URL(req.url ?? '/', `http://${HOST}:${port}`);
    if (!loopbackHost(req, port)) return send(res, 403, 'text/plain; charset=utf-8', 'nslab ui answers only to http://127.0.0.1 or http://localhost\n');
    if (url.pathname.startsWith('/api/')) {
      if (!hasToken(req, url, token)) return send(res, 401, 'text/plain; charset=utf-8', 'nslab ui needs its token: open the URL it printed when it started\n');
      if (url.pathname === '/api/events' && req.method === 'GET') return hub.add(res);
      if (!(await handleApi(ctx, req, res, url.pathname))) sendJson(res, 404, { error: `no such API route: ${req.method} ${url.pathname}` });
      return;
    }
    const asset = req.method === 'GET' ? assets.get(url.pathname) : undefined;
    if (!asset) return send(res, 404, 'text/plain; charset=utf-8', 'not found\n');
    send(res, 200, asset.type, asset.body);
  } catch (e) {
    if (clientGone(res, e)) return;
    if (!res.headersSent) sendError(res, e);
    else res.end();
  }
}

/** Serve on a socket that already listens; its port is read from it. */
function listenOnFd(server: Server, fd: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', (e) => reject(new NslabError('listen-failed', `cannot serve on the socket handed over as fd ${fd} (${String(e)})`, 1)));
    server.listen({ fd }, () => {
      const a = server.address();
      resolve(typeof a === 'object' && a ? a.port : 0);
    });
  });
}

/** Listen on HOST; the default port falls back to a free one, an explicit one must be free. */
async function listen(server: Server, port: number | undefined): Promise<number> {
  const tryPort = (p: number): Promise<number> =>
    new Promise((resolve, reject) => {
      const onError = (e: NodeJS.ErrnoException): void => reject(e);
      server.once('error', onError);
      server.listen(p, HOST, () => {
        server.off('error', onError);
        const a = server.address();
        resolve(typeof a === 'object' && a ? a.port : p);
      });
    });
  try {
    return await tryPort(port ?? DEFAULT_PORT);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' && port === undefined) return tryPort(0);
    throw new NslabError(
      'listen-failed',
      `cannot listen on ${HOST}:${port ?? DEFAULT_PORT} (${code ?? String(e)})${code === 'EADDRINUSE' ? ': the port is taken; pick another with --port, or --port 0 for any free one' : ''}`,
      1,
    );
  }
}
