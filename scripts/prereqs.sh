#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages a feature of nslab needs, only those missing, with one
# `apt-get update` at most, then `npm ci` once. Sourced by try.sh and test.sh so that each of the
# README's two commands does all of its own set-up on a fresh machine.
#
# Packages per feature (the README's prerequisites table says the same):
#   core     iproute2, util-linux          always (ip, nsenter, unshare, setpriv)
#   nft      libnftables1                  NAT, firewall, published ports (loaded in-process)
#   capture  tcpdump                       nslab capture
#   rootless slirp4netns                   nat: and publish: in rootless labs
#   tests    the above, plus nftables (the nft CLI to check rulesets), iputils-ping, socat,
#            iperf3 (measured link rates),
#            zsh and fish (shell completion),
#            busybox, time, chromium (browser tests of nslab ui only),
#            frr, bird2 (the routing examples; their services must not start on the host, see below)

# Is a Debian package installed (dpkg status "install ok installed")?
nslab_pkg_installed() {
  dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

# nslab_need_packages PKG...: install what is missing; fail with one line when that is impossible.
nslab_need_packages() {
  local missing=() p
  command -v dpkg-query >/dev/null || { echo "note: not a Debian/Ubuntu system; make sure these are installed: $*" >&2; return 0; }
  for p in "$@"; do nslab_pkg_installed "$p" || missing+=("$p"); done
  [ "${#missing[@]}" -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "nslab: missing Debian packages: ${missing[*]}; run this as root (sudo) to install them, or: sudo apt-get install -y ${missing[*]}" >&2
    return 1
  fi
  echo "installing ${missing[*]} ..." >&2
  # Packages with a service (frr, bird2) start it on install: a routing daemon in the host's own
  # namespace. While installing, a policy-rc.d that refuses every start (exit 101) keeps them
  # stopped, unless the machine has its own policy, which is left as it is.
  local policy=/usr/sbin/policy-rc.d placed=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\n# placed by nslab scripts/prereqs.sh while installing packages\nexit 101\n' >"$policy"
    chmod 0755 "$policy"
    placed=1
  fi
  local rc=0
  DEBIAN_FRONTEND=noninteractive apt-get update -qq || rc=$?
  [ "$rc" -ne 0 ] || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null || rc=$?
  [ "$placed" -eq 0 ] || rm -f "$policy"
  nslab_report_host_daemons
  return "$rc"
}

# nslab_report_host_daemons: say so when a routing daemon runs in the host's own network namespace
# (a service that started in spite of the policy, or one started before). Nothing is stopped: it
# may be the machine's own.
nslab_report_host_daemons() {
  local host p comm found=()
  host="$(readlink /proc/1/ns/net 2>/dev/null)" || return 0
  for p in /proc/[0-9]*; do
    comm="$(cat "$p/comm" 2>/dev/null)" || continue
    case "$comm" in zebra | ospfd | bgpd | watchfrr | bird | bird6) ;; *) continue ;; esac
    [ "$(readlink "$p/ns/net" 2>/dev/null)" = "$host" ] && found+=("${p#/proc/} $comm")
  done
  [ "${#found[@]}" -eq 0 ] && return 0
  echo "note: routing daemons run in the host's own network namespace (PID name): ${found[*]}." >&2
  echo "      nslab stopped none of them; if a package's service started them, stop it yourself (systemctl stop frr bird)." >&2
}

# nslab_npm_ci: the project's own dependencies and build (npm ci runs `prepare`: tsc and the bundle).
nslab_npm_ci() {
  command -v npm >/dev/null || { echo "nslab: needs Node.js 20 or later with npm (https://nodejs.org, or apt-get install nodejs npm)" >&2; return 1; }
  local major
  major="$(node -p 'process.versions.node.split(".")[0]')"
  [ "$major" -ge 20 ] || { echo "nslab: needs Node.js 20 or later, found $(node --version)" >&2; return 1; }
  npm ci --no-audit --no-fund --loglevel=error
}
