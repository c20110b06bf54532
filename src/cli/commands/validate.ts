// `nslab validate FILE`: every problem of a file, without touching anything.
import { loadFile } from '../../lab/load.js';
import { config } from '../config.js';
import { paint } from '../render.js';

/** Run `validate`. */
export async function run(file: string): Promise<void> {
  const { topology, warnings } = loadFile(config().state, file);
  for (const w of warnings) process.stderr.write(paint(w, 'yellow') + '\n');
  process.stdout.write(
    `${file}: ok (lab ${topology.name}: ${topology.nodes.size} node(s), ${topology.networks.size} network(s), ${topology.links.length} link(s))\n`,
  );
}
