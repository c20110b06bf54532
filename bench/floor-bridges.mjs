// The C floor (../shared/bench/baselines/netbl.c) for stars above 1000 hosts. A Linux bridge takes
// at most 1023 ports (BR_MAX_PORTS), so the floor's one bridge cannot hold 5000 hosts: this
// rewrites a copy of its source to spread the hosts over bridges of at most 1000 ports, host i on
// bridge (i-1) % B with subnet 10.(77+b).0.0/16 and gateway .0.1, as bench/gen-star.mjs lays out
// nslab's lab. Every other step stays the floor's own. Throws if the source no longer has a
// spot it rewrites, rather than measure something else.
const edits = [
  [
    'static void hostip(int i, char *out) { sprintf(out, "10.77.%d.%d", i / 200, i % 200 + 2); }',
    'static int NB = 1, brix[64];\nstatic void hostip(int i, char *out) { sprintf(out, "10.%d.%d.%d", 77 + (i - 1) % NB, i / 200, i % 200 + 2); }',
  ],
  [
    `    int rk = nl_open();  // bridge + gateway address
    struct nlmsghdr *n = msg(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
    struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_flags = IFF_UP, .ifi_change = IFF_UP };
    put(n, &ifi, sizeof ifi); attr(n, IFLA_IFNAME, "blbr0", 6);
    struct rtattr *li = attr(n, IFLA_LINKINFO, NULL, 0); attr(n, IFLA_INFO_KIND, "bridge", 6); nest_end(n, li);
    done(n);
    if (flush(rk, 1)) return 1;
    int br = if_nametoindex("blbr0");
    addr_add(br, "10.77.0.1", 16); errs += flush(rk, 1);
    close(rk);`,
    `    int rk = nl_open();  // bridges + gateway addresses
    for (int b = 0; b < NB; b++) {
    char bn[IFNAMSIZ], gw[32]; snprintf(bn, sizeof bn, "blbr%d", b); snprintf(gw, sizeof gw, "10.%d.0.1", 77 + b);
    struct nlmsghdr *n = msg(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
    struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_flags = IFF_UP, .ifi_change = IFF_UP };
    put(n, &ifi, sizeof ifi); attr(n, IFLA_IFNAME, bn, strlen(bn) + 1);
    struct rtattr *li = attr(n, IFLA_LINKINFO, NULL, 0); attr(n, IFLA_INFO_KIND, "bridge", 6); nest_end(n, li);
    done(n);
    if (flush(rk, 1)) return 1;
    brix[b] = if_nametoindex(bn);
    addr_add(brix[b], gw, 16); errs += flush(rk, 1);
    }
    close(rk);`,
  ],
  ['int rk = nl_open(), br = if_nametoindex("blbr0"), pend = 0;', 'int rk = nl_open(), pend = 0;'],
  ['    attr(n, IFLA_MASTER, &br, 4); done(n);', '    int br = brix[(i - 1) % NB]; attr(n, IFLA_MASTER, &br, 4); done(n);'],
  [
    `  int rk = nl_open(); struct nlmsghdr *n = msg(RTM_DELLINK, 0);
  struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
  put(n, &ifi, sizeof ifi); attr(n, IFLA_IFNAME, "blbr0", 6); done(n);
  int e = flush(rk, 1);`,
    `  int rk = nl_open(), e = 0;
  for (int b = 0; b < NB; b++) {
  char bn[IFNAMSIZ]; snprintf(bn, sizeof bn, "blbr%d", b);
  struct nlmsghdr *n = msg(RTM_DELLINK, 0);
  struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
  put(n, &ifi, sizeof ifi); attr(n, IFLA_IFNAME, bn, strlen(bn) + 1); done(n);
  e += flush(rk, 1);
  }`,
  ],
  ['  int N = atoi(argv[2]);', '  int N = atoi(argv[2]);\n  NB = (N + 999) / 1000; if (NB > 64) return 2;'],
];

/** The floor's source, rewritten for bridges of at most 1000 ports. */
export function multiBridgeFloor(src) {
  let out = src;
  for (const [from, to] of edits) {
    if (!out.includes(from)) throw new Error(`bench/floor-bridges.mjs: netbl.c changed, no longer has:\n${from}`);
    out = out.replace(from, to);
  }
  return out;
}
