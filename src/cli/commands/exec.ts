// `nslab exec LAB NODE -- CMD...`: the command's exit status becomes ours.
import { exec } from '../../lab/exec.js';
import { config } from '../config.js';

/** Run `exec`. */
export async function run(lab: string, node: string, argv: string[]): Promise<void> {
  // Commander keeps the `--` that separates nslab's arguments from the command's.
  const cmd = argv[0] === '--' ? argv.slice(1) : argv;
  process.exitCode = await exec({ state: config().state, lab, node, argv: cmd });
}
