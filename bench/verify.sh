#!/usr/bin/env bash
# Verification timings, run INSIDE a sandbox (bench/verify.mjs wraps it in ../shared/bench/sandbox.sh):
#   verify.sh nslab|c gateways|all N BASELINES_DIR [REPEATS]
# Builds a star of N hosts once (nslab, or the C floor), then verifies it REPEATS times (default 2):
#   gateways: every host and the gateway exchange an echo (nslab test --gateways; the floor: one
#             fping from the gateway to every host, as scenario.sh does)
#   all:      every ordered pair of hosts (nslab test --all; the floor: one fping per host, run in
#             that host's namespace, to every other host: Mininet's pingall done with fping)
# Prints one line per repeat: verify_s=SECONDS verify_fail=PAIRS_OR_RUNS_FAILED
set -u
method=$1 mode=$2 N=$3 BL=$4 R=${5:-2}
here=$(cd "$(dirname "$0")" && pwd)
nslab="$here/../bin/nslab"
now() { date +%s.%N; }
el() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
tmp=$(mktemp -d /tmp/nslab-verify-XXXX); trap 'rm -rf "$tmp"' EXIT
flag=--gateways; [ "$mode" = all ] && flag=--all
case $method in
nslab)
  node "$here/gen-star.mjs" "$N" bl > "$tmp/lab.yaml"
  "$nslab" up "$tmp/lab.yaml" > /dev/null || exit 1
  for _ in $(seq 1 "$R"); do
    t0=$(now)
    "$nslab" test bl "$flag" --json > "$tmp/test.json" 2> /dev/null
    t1=$(now)
    fail=$(node -e 'try { console.log(JSON.parse(require("fs").readFileSync(process.argv[1])).report.failed) } catch { console.log(-1) }' "$tmp/test.json")
    echo "verify_s=$(el "$t0" "$t1") verify_fail=$fail"
  done
  "$nslab" down bl > /dev/null
  ;;
c)
  command -v fping > /dev/null || { echo "skip=fping not installed (apt-get install -y fping)"; exit 0; }
  "$BL/netbl" build "$N" > /dev/null 2>&1 || exit 1
  . "$BL/common.sh"
  ips=(); for i in $(seq 1 "$N"); do ips+=("$(hostip "$i")"); done
  for _ in $(seq 1 "$R"); do
    t0=$(now); fail=0
    if [ "$mode" = gateways ]; then
      fping -q -r3 -t300 -i1 "${ips[@]}" > /dev/null 2>&1 || fail=1
    else
      for i in $(seq 1 "$N"); do
        others=("${ips[@]:0:i-1}" "${ips[@]:i}")
        ip netns exec "bl-h$i" fping -q -r3 -t300 -i1 "${others[@]}" > /dev/null 2>&1 || fail=$((fail + 1))
      done
    fi
    echo "verify_s=$(el "$t0" "$(now)") verify_fail=$fail"
  done
  "$BL/netbl" teardown "$N" > /dev/null 2>&1
  ;;
esac
