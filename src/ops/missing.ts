// What the host lacks, in words a user can act on: the package that provides a program or
// library nslab runs or loads, and the kernel option behind a feature the kernel refused. Pure
// (no FFI, no I/O), so the fake kernel, the preflight checks and the tests share the wording.
import type { KernelOp, OpResult } from '../port/kernel.js';

/** libnftables, as a user installs it (nslab loads it in-process for NAT, firewalls, publish). */
export const LIBNFTABLES = 'libnftables (Debian/Ubuntu: apt-get install libnftables1)';

/** Debian/Ubuntu package of the programs nslab runs, or that a lab commonly runs in its nodes. */
const PACKAGES: Readonly<Record<string, string>> = {
  ip: 'iproute2',
  tcpdump: 'tcpdump',
  setpriv: 'util-linux',
  unshare: 'util-linux',
  nsenter: 'util-linux',
  nft: 'nftables',
  ping: 'iputils-ping',
  busybox: 'busybox',
  socat: 'socat',
  python3: 'python3',
  curl: 'curl',
  nc: 'netcat-openbsd',
  chromium: 'chromium',
};

/** "apt-get install PKG" for a program nslab knows the package of, else undefined. */
export function installHint(cmd: string): string | undefined {
  const pkg = PACKAGES[cmd.slice(cmd.lastIndexOf('/') + 1)];
  return pkg === undefined ? undefined : `apt-get install ${pkg}`;
}

/** `VERB needs CMD (apt-get install PKG)`: one line for a program nslab itself runs. */
export function needsProgram(verb: string, cmd: string): string {
  return `${verb} needs ${cmd} (${installHint(cmd) ?? 'install it'})`;
}

/** The kernel option behind each link kind nslab creates. */
const LINK_CONFIG: Readonly<Record<string, string>> = { veth: 'CONFIG_VETH', bridge: 'CONFIG_BRIDGE', vxlan: 'CONFIG_VXLAN' };

/** The kernel option behind each qdisc kind nslab sets. */
const QDISC_CONFIG: Readonly<Record<string, string>> = { tbf: 'CONFIG_NET_SCH_TBF', netem: 'CONFIG_NET_SCH_NETEM' };

/** Why link impairments other than a rate cannot be had without netem. */
export const NETEM_MISSING =
  'this kernel has no sch_netem (CONFIG_NET_SCH_NETEM): delay, jitter, loss, corrupt, duplicate and reorder need it; rate works (tbf)';

/** The one line for a qdisc kind this kernel lacks. */
export function qdiscMissing(kind: string): string {
  if (kind === 'netem') return NETEM_MISSING;
  return `this kernel has no sch_${kind} (${QDISC_CONFIG[kind] ?? 'its module is missing'}; try \`modprobe sch_${kind}\`)`;
}

/**
 * Whether the kernel has module sch_NAME, from what the system says about it without trying:
 * loaded or built in with parameters (/sys/module), built in (modules.builtin), installed as a
 * loadable module (modules.dep; the kernel loads it on first use), or the build's config
 * (/proc/config.gz: =y or =m, or "is not set"). Undefined when none of these can be read: then
 * only trying tells. Each source is its text, undefined when unreadable.
 */
export function moduleVerdict(
  name: string,
  src: {
    readonly sysModule: boolean;
    readonly builtin: string | undefined;
    readonly dep: string | undefined;
    readonly config: string | undefined;
    readonly option: string;
  },
): boolean | undefined {
  if (src.sysModule) return true;
  const listed = (text: string | undefined): boolean => text !== undefined && new RegExp(`(^|/)${name}\\.ko(\\.[a-z]+)?(:|$)`, 'm').test(text);
  if (listed(src.builtin) || listed(src.dep)) return true;
  if (src.config !== undefined) {
    if (new RegExp(`^${src.option}=[ym]$`, 'm').test(src.config)) return true;
    if (new RegExp(`^# ${src.option} is not set$`, 'm').test(src.config)) return false;
  }
  if (src.builtin !== undefined || src.dep !== undefined) return false;
  return undefined;
}

const EINVAL = 22;
const EEXIST = 17;
const ENOENT = 2;
const EPROTONOSUPPORT = 93;
const EOPNOTSUPP = 95;
const EAFNOSUPPORT = 97;

/**
 * The kernel's refusal reworded when it means the kernel lacks the feature (a module not built or
 * not loadable), else undefined. rtnetlink answers a link kind it does not know with EOPNOTSUPP
 * ("Unknown device type" in its extended ack); unshare(CLONE_NEWNET) without network namespace
 * support is EINVAL; nftables without nf_tables is "Operation not supported" or "Protocol not
 * supported" (the netfilter netlink family is missing).
 */
export function missingFeature(op: KernelOp, f: Extract<OpResult, { ok: false }>): string | undefined {
  if (op.op === 'link.create' && (f.errno === EOPNOTSUPP || /Unknown device type/i.test(f.message))) {
    return `this kernel has no ${op.kind} support (${LINK_CONFIG[op.kind] ?? 'its module is missing'}; try \`modprobe ${op.kind}\`)`;
  }
  // Linux allows one vxlan device per VNI and UDP port in a namespace (vxlan_vni_in_use): the
  // name was checked free by the plan, so EEXIST here is the VNI, another lab's or someone's.
  if (op.op === 'link.create' && op.kind === 'vxlan' && f.errno === EEXIST) {
    const fix =
      op.underlay !== undefined
        ? `the link ${op.ns}:${op.name} derives its VNI from the lab and node names: rename the lab`
        : 'give the network another `vni:`';
    return `VNI ${op.vni} is already used by another vxlan device in this host namespace (another lab spread over machines?); ${fix}`;
  }
  if (op.op === 'netns.create' && f.errno === EINVAL) return 'this kernel has no network namespace support (CONFIG_NET_NS)';
  if (
    (op.op === 'nft.load' || op.op === 'nft.delete') &&
    (f.errno === EOPNOTSUPP || f.errno === EPROTONOSUPPORT || f.errno === EAFNOSUPPORT || /Operation not supported|Protocol not supported/.test(f.message))
  ) {
    return 'this kernel has no nftables support (CONFIG_NF_TABLES, with CONFIG_NFT_NAT and CONFIG_NFT_MASQ for NAT; try `modprobe nf_tables`)';
  }
  // An unknown qdisc kind is ENOENT, "Specified qdisc kind is unknown." (measured: no netem here).
  if (op.op === 'qdisc.replace' && (f.errno === ENOENT || /qdisc kind is unknown/i.test(f.message))) return qdiscMissing(op.qdisc.kind);
  // An unknown qdisc kind is ENOENT, "Specified qdisc kind is unknown." (measured: no netem here).
  if (op.op === 'qdisc.replace' && (f.errno === ENOENT || /qdisc kind is unknown/i.test(f.message))) return qdiscMissing(op.qdisc.kind);
  return undefined;
}
