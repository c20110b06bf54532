// `nslab graph FILE --format svg|mermaid|dot [-o OUT]`: draw a topology without building it.
import { writeFileSync } from 'node:fs';
import { config } from '../config.js';
import { graph } from '../../lab/graph.js';
import { NslabError } from '../../util/errors.js';

/** Run `graph`. */
export async function run(file: string, o: { format: string; output?: string }): Promise<void> {
  const text = graph({ state: config().state, file, format: o.format });
  if (o.output === undefined || o.output === '-') {
    process.stdout.write(text);
    return;
  }
  try {
    writeFileSync(o.output, text);
  } catch (e) {
    throw new NslabError('write-failed', `${o.output}: cannot write it (${(e as NodeJS.ErrnoException).code ?? String(e)})`, 1);
  }
}
