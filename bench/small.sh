#!/usr/bin/env bash
# One measurement of bench/small.mjs, run INSIDE a sandbox (../shared/bench/sandbox.sh):
#   small.sh start REPEATS              node -e 0 and nslab --version, alternately, REPEATS times each
#   small.sh nslab|batch bridge|star10 BASELINES_DIR
#                                       up (build) then down (teardown) of one small lab
# Prints key=value lines, times in seconds (several values of one key: several samples): KEY the
# elapsed time, KEY_cpu the CPU time (user + system) of every process the command ran. Timed with
# bash's EPOCHREALTIME and its `times` builtin (children's CPU, to the millisecond), so no process
# is spawned to read a clock.
set -u
here=$(cd "$(dirname "$0")" && pwd)
nslab="$here/../bin/nslab"
tmp=$(mktemp -d /tmp/nslab-small-XXXX); trap 'rm -rf "$tmp"' EXIT
# `times` second line: the children's user and system time, as 0m0.123s 0m0.045s.
secs() { awk 'NR == 2 { s = 0; for (i = 1; i <= 2; i++) { split($i, p, "m"); s += p[1] * 60 + p[2] } printf "%.4f", s }' "$1"; }
# t KEY COMMAND...: run it, print KEY=elapsed and KEY_cpu=CPU.
t() {
  local key=$1; shift
  times > "$tmp/c0"; local a=$EPOCHREALTIME
  "$@" > /dev/null || { echo "failed: $*" >&2; exit 1; }
  local b=$EPOCHREALTIME; times > "$tmp/c1"
  awk -v a="$a" -v b="$b" -v k="$key" -v c0="$(secs "$tmp/c0")" -v c1="$(secs "$tmp/c1")" 'BEGIN { printf "%s=%.4f\n%s_cpu=%.4f\n", k, b - a, k, c1 - c0 }'
}
case $1 in
start)
  for _ in $(seq 1 "$2"); do
    t node0_s node -e 0
    t version_s "$nslab" --version
  done
  ;;
nslab)
  case $2 in
    bridge) file=$here/../examples/bridge.yaml lab=bridge ;;
    star10) node "$here/gen-star.mjs" 10 bl > "$tmp/lab.yaml"; file=$tmp/lab.yaml lab=bl ;;
  esac
  t up_s "$nslab" up "$file"
  t down_s "$nslab" down "$lab"
  ;;
batch)
  case $2 in
    bridge) t up_s "$here/bridge-batch.sh" build; t down_s "$here/bridge-batch.sh" teardown ;;
    star10) t up_s "$3/batch.sh" build 10; t down_s "$3/batch.sh" teardown 10 ;;
  esac
  ;;
*) echo "usage: $0 start N | nslab|batch bridge|star10 BASELINES_DIR" >&2; exit 2 ;;
esac
