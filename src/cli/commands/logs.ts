// `nslab logs LAB NODE [PROCESS] [-f]`: the output of a node's processes.
import { logs } from '../../lab/logs.js';

/** Run `logs`. */
export async function run(lab: string, node: string, proc: string | undefined, o: { follow?: boolean }): Promise<void> {
  await logs({ lab, node, ...(proc === undefined ? {} : { process: proc }), ...(o.follow ? { follow: true } : {}) });
}
