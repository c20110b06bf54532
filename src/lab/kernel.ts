// How verbs get a Kernel and a System: the real ones by default, fakes (or anything) when injected.
// This is the only place lab/ names an implementation in kernel/.
import type { Kernel } from '../port/kernel.js';
import type { NetnsPool } from '../port/host.js';
import type { System } from '../port/system.js';

/** Options for opening a kernel. */
export interface KernelOptions {
  readonly hostNetns?: string;
  /** Namespaces made ahead for the real kernel to name (System.host.netnsPool); others ignore it. */
  readonly netnsPool?: NetnsPool;
  /** The real kernel only: run the nft program instead of libnftables (the CLI sets it from NSLAB_NFT_CLI=1). */
  readonly nftCli?: boolean;
}

/** Opens the kernel port; verbs take one so tests can substitute FakeKernel. */
export type KernelFactory = (opts: KernelOptions) => Kernel | Promise<Kernel>;

/** The real kernel (rtnetlink), loaded lazily so `--help` and pure verbs never load koffi. */
export const linuxKernel: KernelFactory = async (opts) => {
  const { openLinuxKernel } = await import('../kernel/linux.js');
  return openLinuxKernel(opts);
};

/** The real kernel with some options always set (the CLI's NSLAB_NFT_CLI=1): what verbs ask for is added to them. */
export function linuxKernelWith(base: Pick<KernelOptions, 'nftCli'>): KernelFactory {
  return (opts) => linuxKernel({ ...base, ...opts });
}

/** What verbs take in their options: the system to act on (default: this Linux host). */
export interface SystemOption {
  readonly system?: System;
}

/** The system a verb acts on: the injected one, else Linux (loaded lazily, like the kernel). */
export async function systemOf(opts: SystemOption = {}): Promise<System> {
  if (opts.system) return opts.system;
  const { linuxSystem } = await import('../kernel/system.js');
  return linuxSystem;
}

/** Why this kernel cannot emulate links (no sch_netem), as one line; undefined when it can. */
export type NetemCheck = () => string | undefined | Promise<string | undefined>;

/** The real check (kernel/qdisc-support.ts), loaded lazily. */
export const linuxNetemMissing: NetemCheck = async () => (await import('../kernel/qdisc-support.js')).netemMissing();

/** Rootless mode's Linux side (the holder and joining it), loaded only by a command that needs it. */
export async function rootlessLinux(): Promise<typeof import('../kernel/rootless.js')> {
  return import('../kernel/rootless.js');
}

/** Rootless mode's way out (slirp4netns), loaded only when a lab wants one or had one. */
export async function uplinkLinux(): Promise<typeof import('../kernel/uplink.js')> {
  return import('../kernel/uplink.js');
}
