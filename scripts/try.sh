#!/usr/bin/env bash
# The README's first command: set up (missing Debian packages, npm ci), then build the bundled
# example examples/bridge.yaml (two namespaces on a bridge), prove it with `nslab test` (its
# expect: entries, probed from inside the namespaces; no ping needed) and tear it down, also when
# the test fails. Exit 0 only when the lab built, every expectation held and down left nothing.
# As root: nslab creates namespaces, a bridge and veths in this host's network.
# `./scripts/try.sh --rootless`, as a normal user: the same lab in a user namespace of that
# user's (nslab's rootless mode); the host's network is not touched and no sudo is needed (the
# packages must be there: it says which to install when they are not).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/prereqs.sh
rootless=0
[ "${1:-}" = "--rootless" ] && rootless=1
if [ "$rootless" -eq 0 ] && [ "$(id -u)" -ne 0 ]; then
  echo "try.sh builds a real lab in this host's network: run it as root (sudo $0), or as yourself with $0 --rootless" >&2
  exit 1
fi
nslab_need_packages iproute2 util-linux
nslab_npm_ci
if [ "$rootless" -eq 1 ]; then
  # Whether this machine lets this user make user namespaces, and how to enable it if not.
  ./bin/nslab doctor || exit 1
  set -- --rootless
fi

lab=examples/bridge.yaml
echo "+ nslab up $lab"
./bin/nslab "$@" up "$lab"
status=0
echo "+ nslab test bridge"
./bin/nslab "$@" test bridge || status=$?
echo "+ nslab down bridge"
./bin/nslab "$@" down bridge || status=$((status ? status : $?))
exit "$status"
