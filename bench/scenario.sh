#!/usr/bin/env bash
# One measurement, run INSIDE a sandbox (bench/scale.mjs wraps it in ../shared/bench/sandbox.sh):
#   scenario.sh nslab|c|batch|mininet SHAPE N BASELINES_DIR
# SHAPE: star (N hosts, at most 1000 on a bridge: 5000 hosts over five bridges; the C floor too,
# ip -batch one bridge), star10 (N hosts over 10 bridges), chain (N routers).
# NSLAB=path/to/bin/nslab measures another nslab build (bench/scale.mjs --before DIR).
# Prints key=value lines: build_s, rss_kb, cpu_s, verify_s, verify_fail, [unchanged_s, add1_s,] down_s, gone_s.
set -u
method=$1 shape=$2 N=$3 BL=$4
here=$(cd "$(dirname "$0")" && pwd)
nslab=${NSLAB:-"$here/../bin/nslab"}
now() { date +%s.%N; }
el() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
gone() { # wait (bounded, 60 s) until no link matching $1 is left in this (sandbox) namespace
  local i; for i in $(seq 1 6000); do ls /sys/class/net | grep -q "$1" || return 0; sleep 0.01; done; return 1
}
tmp=$(mktemp -d /tmp/nslab-bench-XXXX); trap 'rm -rf "$tmp"' EXIT
# Peak RSS, and the build's CPU time (user + system, all its threads): on a shared machine the CPU
# a build used varies much less than its wall time.
usage() { read -r rss u s < <(tail -1 "$tmp/rss"); echo "rss_kb=$rss"; echo "cpu_s=$(awk -v u="$u" -v s="$s" 'BEGIN { printf "%.2f", u + s }')"; }

case $method in
nslab)
  case $shape in
    star)
      bridges=$(( (N + 999) / 1000 ))
      node "$here/gen-star.mjs" "$N" bl "$bridges" > "$tmp/lab.yaml"; node "$here/gen-star.mjs" "$((N + 1))" bl "$bridges" > "$tmp/plus1.yaml" ;;
    star10) node "$here/gen-star.mjs" "$N" bl 10 > "$tmp/lab.yaml" ;;
    chain) node "$here/gen-chain.mjs" "$N" bl > "$tmp/lab.yaml" ;;
  esac
  t0=$(now); /usr/bin/time -f '%M %U %S' -o "$tmp/rss" "$nslab" up "$tmp/lab.yaml" --json > "$tmp/up.json" || exit 1; t1=$(now)
  echo "build_s=$(el "$t0" "$t1")"; usage
  echo "objects=$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1])).changes)' "$tmp/up.json")"
  # verify: every host reaches its gateway (stars), the chain's ends reach each other
  t0=$(now); fail=0
  if [ "$shape" = chain ]; then
    # Replies leave with the default TTL (64), so probe 60 routers along, from each end.
    net() { echo "10.$((100 + $1 / 64)).$(( ($1 % 64) * 4 ))"; }
    k=$(( N < 61 ? N : 61 )); back=$(( N - k + 1 ))
    ip netns exec bl-r1 ping -c1 -W2 -q "$(net $((k - 1))).2" > /dev/null 2>&1 || fail=$((fail + 1))
    ip netns exec "bl-r$N" ping -c1 -W2 -q "$(net "$back").1" > /dev/null 2>&1 || fail=$((fail + 1))
  else
    "$nslab" test bl --gateways --json > "$tmp/test.json" 2>&1 || fail=$(node -e 'try { console.log(JSON.parse(require("fs").readFileSync(process.argv[1])).report.failed) } catch { console.log(-1) }' "$tmp/test.json")
  fi
  echo "verify_s=$(el "$t0" "$(now)")"; echo "verify_fail=$fail"
  t0=$(now); "$nslab" up "$tmp/lab.yaml" > /dev/null; echo "unchanged_s=$(el "$t0" "$(now)")"
  if [ "$shape" = star ]; then t0=$(now); "$nslab" up "$tmp/plus1.yaml" > /dev/null; echo "add1_s=$(el "$t0" "$(now)")"; fi
  t0=$(now); "$nslab" down bl > /dev/null; t1=$(now); gone '^bl-'; t2=$(now)
  echo "down_s=$(el "$t0" "$t1")"; echo "gone_s=$(el "$t0" "$t2")"
  "$nslab" down bl --wait > /dev/null 2>&1 || true
  ;;
c|batch)
  [ "$shape" = star ] || { echo "skip=only the star shape"; exit 0; }
  cmd=$BL/netbl; [ "$method" = batch ] && cmd=$BL/batch.sh
  # A bridge takes at most 1023 ports: above 1000 hosts the floor spreads them (bench/floor-bridges.mjs).
  bridges=1
  if [ "$method" = c ] && [ "$N" -gt 1000 ] && [ -x "$BL/netbl-multi" ]; then cmd=$BL/netbl-multi; bridges=$(( (N + 999) / 1000 )); fi
  t0=$(now); /usr/bin/time -f '%M %U %S' -o "$tmp/rss" "$cmd" build "$N" > /dev/null 2>&1 || exit 1; t1=$(now)
  echo "build_s=$(el "$t0" "$t1")"; usage
  t0=$(now); fail=0
  if command -v fping > /dev/null; then
    ips=$(awk -v n="$N" -v b="$bridges" 'BEGIN { for (i = 1; i <= n; i++) printf "10.%d.%d.%d\n", 77 + (i - 1) % b, int(i / 200), i % 200 + 2 }')
    fping -q -r3 -t300 -i1 $ips > /dev/null 2>&1 || fail=1
  fi
  echo "verify_s=$(el "$t0" "$(now)")"; echo "verify_fail=$fail"
  t0=$(now); "$cmd" teardown "$N" > /dev/null 2>&1; t1=$(now); gone '^blv'; t2=$(now)
  echo "down_s=$(el "$t0" "$t1")"; echo "gone_s=$(el "$t0" "$t2")"
  ;;
mininet)
  [ "$shape" = star ] || { echo "skip=only the star shape"; exit 0; }
  command -v mn > /dev/null || { echo "skip=mininet not installed"; exit 0; }
  # Debian's python (the mininet module is installed for it, not for another python on PATH).
  row=$(cd "$BL" && /usr/bin/python3 ./mn_bench.py "$N" 0 2> "$tmp/mn.err" | tail -1)
  case $row in mininet,*) ;; *) tail -3 "$tmp/mn.err" >&2; exit 1 ;; esac
  # method,N,build_s,build_ctor_s,start_s,py_maxrss_kb,memavail_drop_kb,gw_s,gw_fail,pingall_s,pingall_loss,stop_s,gone_s
  IFS=, read -r _ _ b _ _ rss _ gw gwf _ _ stop gn <<< "$row"
  echo "build_s=$b"; echo "rss_kb=$rss"; echo "verify_s=$gw"; echo "verify_fail=$gwf"; echo "down_s=$stop"; echo "gone_s=$gn"
  ;;
esac
