#!/usr/bin/env bash
# One measurement of bench/small.mjs, run INSIDE a sandbox (../shared/bench/sandbox.sh):
#   small.sh start REPEATS              node -e 0 and nslab --version, alternately, REPEATS times each
#   small.sh nslab|batch bridge|star10 BASELINES_DIR
#                                       up (build) then down (teardown) of one small lab
# Prints key=value lines, times in seconds (several values of one key: several samples).
# Timed with bash's EPOCHREALTIME (no process spawned to read the clock).
set -u
here=$(cd "$(dirname "$0")" && pwd)
nslab="$here/../bin/nslab"
t() { local a=$EPOCHREALTIME; "$@" > /dev/null || { echo "failed: $*" >&2; exit 1; }; local b=$EPOCHREALTIME; awk -v a="$a" -v b="$b" 'BEGIN { printf "%.4f", b - a }'; }
case $1 in
start)
  for _ in $(seq 1 "$2"); do
    echo "node0_s=$(t node -e 0)"
    echo "version_s=$(t "$nslab" --version)"
  done
  ;;
nslab)
  tmp=$(mktemp -d /tmp/nslab-small-XXXX); trap 'rm -rf "$tmp"' EXIT
  case $2 in
    bridge) file=$here/../examples/bridge.yaml lab=bridge ;;
    star10) node "$here/gen-star.mjs" 10 bl > "$tmp/lab.yaml"; file=$tmp/lab.yaml lab=bl ;;
  esac
  echo "up_s=$(t "$nslab" up "$file")"
  echo "down_s=$(t "$nslab" down "$lab")"
  ;;
batch)
  case $2 in
    bridge) echo "up_s=$(t "$here/bridge-batch.sh" build)"; echo "down_s=$(t "$here/bridge-batch.sh" teardown)" ;;
    star10) echo "up_s=$(t "$3/batch.sh" build 10)"; echo "down_s=$(t "$3/batch.sh" teardown 10)" ;;
  esac
  ;;
*) echo "usage: $0 start N | nslab|batch bridge|star10 BASELINES_DIR" >&2; exit 2 ;;
esac
