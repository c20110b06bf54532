#!/usr/bin/env bash
# The README's second command: set up everything the whole test suite needs (missing Debian
# packages, npm ci), then run it with `npm test`. As root, the kernel and end-to-end tests build
# real labs, each inside a throwaway sandbox (own network and mount namespaces), never in the
# host's own network. Called by .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/prereqs.sh
nslab_need_packages iproute2 util-linux libnftables1 nftables tcpdump iputils-ping socat iperf3 busybox time chromium zsh fish frr bird2 slirp4netns
nslab_npm_ci
npm run lint
npm test
# The published surface: what npm would pack, compiled by a strict caller (see scripts/check-api.mjs).
npm run check:api
