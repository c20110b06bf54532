// Whether this kernel has a qdisc, asked of the system without building anything: /sys/module,
// the module lists of the running kernel under /lib/modules, and /proc/config.gz. Distribution
// kernels ship sch_netem as a module (loaded on first use); some kernels (minimal VM and CI
// kernels) are built without it, and then delay, loss and the like are impossible.
import * as fs from 'node:fs';
import * as os from 'node:os';
import { gunzipSync } from 'node:zlib';
import { moduleVerdict, qdiscMissing } from '../ops/missing.js';

const OPTION: Readonly<Record<string, string>> = { netem: 'CONFIG_NET_SCH_NETEM', tbf: 'CONFIG_NET_SCH_TBF' };

function readText(path: string, gz = false): string | undefined {
  try {
    const b = fs.readFileSync(path);
    return gz ? gunzipSync(b).toString('utf8') : b.toString('utf8');
  } catch {
    return undefined;
  }
}

/**
 * Why qdisc `kind` ('netem', 'tbf') cannot be used on this kernel, as one line; undefined when it
 * can, or when nothing readable says (then the kernel's refusal says it, reworded the same way).
 */
export function qdiscKindMissing(kind: 'netem' | 'tbf'): string | undefined {
  const name = `sch_${kind}`;
  const lib = `/lib/modules/${os.release()}`;
  const verdict = moduleVerdict(name, {
    sysModule: fs.existsSync(`/sys/module/${name}`),
    builtin: readText(`${lib}/modules.builtin`),
    dep: readText(`${lib}/modules.dep`),
    config: readText('/proc/config.gz', true),
    option: OPTION[kind] ?? '',
  });
  return verdict === false ? qdiscMissing(kind) : undefined;
}

/** `qdiscKindMissing('netem')`: the one line, or undefined when netem is (or may be) there. */
export function netemMissing(): string | undefined {
  return qdiscKindMissing('netem');
}
