// rtnetlink numbers, transcribed from the kernel UAPI headers (linux/netlink.h, rtnetlink.h,
// if_link.h, veth.h, if_addr.h, neighbour.h, if.h). Pure data: no behaviour, no imports.
// Only the values nslab uses are here; the header each group comes from is named above it.

/* linux/netlink.h */
/** Protocol number of the routing family for socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE). */
export const NETLINK_ROUTE = 0;
/** Acks carry only the original header, not the whole request (keeps big batches small). */
export const NETLINK_CAP_ACK = 10;
/** Errors carry TLVs, among them a human-readable message (NLMSGERR_ATTR_MSG). */
export const NETLINK_EXT_ACK = 11;
/** Length of struct nlmsghdr. */
export const NLMSG_HDRLEN = 16;

export const NLM_F_REQUEST = 0x01;
export const NLM_F_MULTI = 0x02;
export const NLM_F_ACK = 0x04;
export const NLM_F_DUMP_INTR = 0x10;
export const NLM_F_DUMP = 0x300; // NLM_F_ROOT | NLM_F_MATCH
export const NLM_F_EXCL = 0x200;
export const NLM_F_CREATE = 0x400;
/** Flags of an NLMSG_ERROR message: the request was capped, extended-ack TLVs follow. */
export const NLM_F_CAPPED = 0x100;
export const NLM_F_ACK_TLVS = 0x200;

export const NLMSG_NOOP = 1;
export const NLMSG_ERROR = 2;
export const NLMSG_DONE = 3;
export const NLMSG_OVERRUN = 4;

export const NLMSGERR_ATTR_MSG = 1;
export const NLMSGERR_ATTR_OFFS = 2;

/** Attribute type bits that are flags, not part of the type (NLA_F_NESTED | NLA_F_NET_BYTEORDER). */
export const NLA_TYPE_MASK = 0x3fff;

/* linux/rtnetlink.h */
export const RTM_NEWLINK = 16;
export const RTM_DELLINK = 17;
export const RTM_GETLINK = 18;
export const RTM_NEWADDR = 20;
export const RTM_DELADDR = 21;
export const RTM_GETADDR = 22;
export const RTM_NEWROUTE = 24;
export const RTM_DELROUTE = 25;
export const RTM_GETROUTE = 26;
export const RTM_NEWNEIGH = 28;
export const RTM_DELNEIGH = 29;
export const RTM_GETNEIGH = 30;

export const RTN_UNICAST = 1;
export const RTPROT_STATIC = 4;
export const RT_SCOPE_UNIVERSE = 0;
export const RT_SCOPE_LINK = 253;
export const RT_SCOPE_NOWHERE = 255;
export const RT_TABLE_MAIN = 254;
/** rtm_flags bit of routes cloned into the cache (IPv6 dumps include them; they are not config). */
export const RTM_F_CLONED = 0x200;

export const RTA_DST = 1;
export const RTA_OIF = 4;
export const RTA_GATEWAY = 5;
export const RTA_PRIORITY = 6;
export const RTA_PREFSRC = 7;
export const RTA_TABLE = 15;

/* linux/if_link.h */
export const IFLA_ADDRESS = 1;
export const IFLA_IFNAME = 3;
export const IFLA_MTU = 4;
export const IFLA_LINK = 5;
export const IFLA_MASTER = 10;
export const IFLA_OPERSTATE = 16;
export const IFLA_LINKINFO = 18;
export const IFLA_IFALIAS = 20;
export const IFLA_STATS64 = 23;
export const IFLA_AF_SPEC = 26;
export const IFLA_NET_NS_FD = 28;
export const IFLA_EXT_MASK = 29;
/** IFLA_EXT_MASK flag: leave the counters out of link messages (linux/rtnetlink.h). */
export const RTEXT_FILTER_SKIP_STATS = 1 << 3;

export const IFLA_INFO_KIND = 1;
export const IFLA_INFO_DATA = 2;
/** IFLA_INFO_DATA of a bridge: multicast snooping on/off (u8; linux/if_link.h IFLA_BR_MCAST_SNOOPING). */
export const IFLA_BR_MCAST_SNOOPING = 23;

export const IFLA_INET6_ADDR_GEN_MODE = 8;
export const IN6_ADDR_GEN_MODE_NONE = 1;

/* linux/veth.h */
export const VETH_INFO_PEER = 1;

/* linux/if.h */
export const IFF_UP = 0x1;

/* linux/if_addr.h */
export const IFA_ADDRESS = 1;
export const IFA_LOCAL = 2;
export const IFA_LABEL = 3;
export const IFA_BROADCAST = 4;
export const IFA_FLAGS = 8;
export const IFA_F_NODAD = 0x02;

/* linux/neighbour.h */
export const NDA_DST = 1;
export const NDA_LLADDR = 2;
/** Who added the entry (u8, like a route's protocol): nslab tags its temporary pins with it. */
export const NDA_PROTOCOL = 12;

/* linux/socket.h (address families) */
export const AF_UNSPEC = 0;
export const AF_INET = 2;
export const AF_NETLINK = 16;
export const AF_INET6 = 10;

/* Fixed header sizes of the family messages (ifinfomsg, ifaddrmsg, rtmsg, ndmsg). */
export const IFINFOMSG_LEN = 16;
export const IFADDRMSG_LEN = 8;
export const RTMSG_LEN = 12;
export const NDMSG_LEN = 12;

/* linux/netlink.h: a request flag (same bit as NLM_F_CAPPED, which is only set on acks) */
/** Replace an existing object (with NLM_F_CREATE: create or replace, `tc qdisc replace`). */
export const NLM_F_REPLACE = 0x100;

/* linux/rtnetlink.h: traffic control */
export const RTM_NEWQDISC = 36;
export const RTM_DELQDISC = 37;
export const RTM_GETQDISC = 38;
export const TCA_KIND = 1;
export const TCA_OPTIONS = 2;
/** Length of struct tcmsg { u8 family; u8 pad1; u16 pad2; s32 ifindex; u32 handle; u32 parent; u32 info; }. */
export const TCMSG_LEN = 20;

/* linux/pkt_sched.h */
/** The parent of a device's root qdisc. */
export const TC_H_ROOT = 0xffffffff;
export const TC_LINKLAYER_ETHERNET = 1;
export const TCA_TBF_PARMS = 1;
export const TCA_TBF_RTAB = 2;
export const TCA_TBF_RATE64 = 4;
export const TCA_TBF_BURST = 6;
export const TCA_NETEM_CORR = 1;
export const TCA_NETEM_REORDER = 3;
export const TCA_NETEM_CORRUPT = 4;
export const TCA_NETEM_RATE = 6;
export const TCA_NETEM_RATE64 = 8;
export const TCA_NETEM_LATENCY64 = 10;
export const TCA_NETEM_JITTER64 = 11;
/** struct tc_ratespec: u8 cell_log, u8 linklayer, u16 overhead, s16 cell_align, u16 mpu, u32 rate. */
export const TC_RATESPEC_LEN = 12;
/** struct tc_tbf_qopt: rate and peakrate ratespecs, u32 limit, buffer (ticks), mtu (ticks). */
export const TC_TBF_QOPT_LEN = 36;
/** struct tc_netem_qopt: u32 latency (ticks), limit (packets), loss, gap, duplicate, jitter (ticks). */
export const TC_NETEM_QOPT_LEN = 24;

/* linux/if_link.h: IFLA_INFO_DATA of a vxlan link */
export const IFLA_VXLAN_ID = 1;
/** The remote tunnel end (a unicast IPv4 address: a point-to-point tunnel, no FDB entry needed). */
export const IFLA_VXLAN_GROUP = 2;
export const IFLA_VXLAN_LINK = 3;
export const IFLA_VXLAN_LOCAL = 4;
export const IFLA_VXLAN_LEARNING = 7;
/** UDP destination port, u16 in network byte order. */
export const IFLA_VXLAN_PORT = 15;
export const IFLA_VXLAN_UDP_CSUM = 18;

/* linux/neighbour.h: bridge FDB entries */
export const AF_BRIDGE = 7;
export const NUD_NOARP = 0x40;
export const NUD_PERMANENT = 0x80;
/** The entry is the device's own (a vxlan's remote), not its master bridge's. */
export const NTF_SELF = 0x02;
/** Add another destination to an existing entry (`bridge fdb append`): head-end replication. */
export const NLM_F_APPEND = 0x800;
