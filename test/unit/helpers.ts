// Helpers for unit tests: topologies from YAML text, temporary state directories.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Topology } from '../../src/model/types.js';
import { stateRootAt, type StateRoot } from '../../src/state/root.js';
import { formatIssue } from '../../src/topology/issues.js';
import { loadTopology } from '../../src/model/load.js';

/** A resolved topology from YAML text; fails the test on any error. */
export function topo(text: string, file = 'lab.yaml'): Topology {
  const { topology, issues } = loadTopology(text, file);
  const errors = issues.filter((i) => i.severity === 'error');
  if (!topology || errors.length > 0) throw new Error(`bad fixture:\n${issues.map(formatIssue).join('\n')}`);
  return topology;
}

/** A temporary directory (for topology files) with a state root in it (`dir/state`, passed explicitly) while fn runs. */
export async function withStateDir<T>(fn: (dir: string, root: StateRoot) => Promise<T> | T): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'nslab-test-'));
  try {
    return await fn(dir, stateRootAt(join(dir, 'state')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Write a topology file into dir and return its path. */
export function writeLab(dir: string, text: string, name = 'lab.yaml'): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

/** A small lab with every link kind: a bridge with gateway, a p2p link declared "backwards", a host link. */
export const MIXED = `
name: demo
networks:
  lan: { subnet: 172.20.0.0/16, gateway: 172.20.0.10 }
nodes:
  web:
    interfaces:
      eth0: { network: lan, address: 172.20.0.11/16 }
  h2:
    interfaces:
      eth0: { peer: "r1:eth1", address: 10.0.0.2/30 }
    routes:
      - { to: default, via: 10.0.0.1 }
  r1:
    forwarding: true
    interfaces:
      eth0: { network: lan }
      eth1: { peer: "h2:eth0", address: 10.0.0.1/30 }
  probe:
    interfaces:
      eth0: { host: true, address: 172.30.0.11/16, host_address: 172.30.0.1/16 }
`;
