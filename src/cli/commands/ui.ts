// `nslab ui [NAME] [--port P]`: serve the live picture of the labs on 127.0.0.1 until Ctrl-C.
// Prints the URL with its token, like Jupyter; whoever has the URL can see the labs and probe them.
import { startUi } from '../../web/server.js';
import { config } from '../config.js';
import { NslabError } from '../../util/errors.js';

/** Run `ui`. */
export async function run(lab: string | undefined, o: { port?: string }): Promise<void> {
  // Rootless, this process runs in the holder's network namespace, whose 127.0.0.1 is not the
  // browser's: it serves on the socket the command that joined the holder made in the user's own.
  const fd = config().uiFd;
  if (config().rootlessMode === 'inside' && fd === undefined) {
    throw new NslabError(
      'rootless',
      'ui: no listening socket was handed over from your own network namespace (run `nslab ui` itself, not through NSLAB_ROOTLESS=inside)',
      1,
    );
  }
  const port = o.port === undefined ? undefined : portNumber(o.port);
  const ui = await startUi({
    state: config().state,
    ...config().kernel,
    ...(lab !== undefined ? { lab } : {}),
    ...(port !== undefined ? { port } : {}),
    ...(fd !== undefined ? { listenFd: fd } : {}),
  });
  process.stdout.write(
    `nslab ui: ${lab ? `lab ${lab}` : 'every lab on this host'}, live at\n    ${ui.url}\n(open it in a browser on this machine; Ctrl-C stops)\n`,
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await ui.close();
}

function portNumber(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n > 65535) throw new NslabError('usage', `--port wants a number from 0 (any free port) to 65535, not "${text}"`, 2);
  return n;
}
