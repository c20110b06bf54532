// `nslab completion bash|zsh|fish`: print the shell's completion script (see src/cli/completion/).
import type { Command } from 'commander';
import { NslabError } from '../../util/errors.js';
import { bashScript } from '../completion/bash.js';
import { fishScript } from '../completion/fish.js';
import { completionSpec, SHELLS } from '../completion/spec.js';
import { zshScript } from '../completion/zsh.js';

/** Run `completion`. */
export async function run(shell: string, program: Command): Promise<void> {
  const spec = completionSpec(program);
  const script = shell === 'bash' ? bashScript(spec) : shell === 'zsh' ? zshScript(spec) : shell === 'fish' ? fishScript(spec) : undefined;
  if (script === undefined) throw new NslabError('usage', `completion wants one of ${SHELLS.join(', ')}, not "${shell}"`, 2);
  process.stdout.write(script);
}
