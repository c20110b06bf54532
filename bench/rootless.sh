#!/usr/bin/env bash
# Rootless against root, same run, same sandbox (issue 19: a rootless build of a 100-host star
# within 1.3x of the same build as root). Run as root: it makes a sandbox (../shared/bench/
# sandbox.sh) and, inside it, a user of its own (a uid with no capabilities and its runtime
# directory in the sandbox's /run) for the rootless builds. Each rep times `nslab up` of the star
# (wall clock, the whole command: for rootless that includes joining the holder through nsenter),
# then takes it down. "rootless" keeps a one-node lab up so the holder is already running; "cold"
# is the first command of a user with no holder (it starts one).
#   bench/rootless.sh [N=100] [REPS=5]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
[ "$(id -u)" -eq 0 ] || { echo "run as root (it builds inside a sandbox)" >&2; exit 2; }
n="${1:-100}"
reps="${2:-5}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
chmod 755 "$work"
node "$here/gen-star.mjs" "$n" star >"$work/star.yaml"
printf 'name: keep\nnetworks:\n  k: { subnet: 10.99.0.0/24 }\nnodes:\n  a: { interfaces: { eth0: { network: k } } }\n' >"$work/keep.yaml"
chmod 644 "$work"/*.yaml
exec "$here/../../shared/bench/sandbox.sh" bash -c '
  set -euo pipefail
  bin="$1"; work="$2"; reps="$3"; uid=64190
  mkdir -p /run/user/$uid && chown $uid:$uid /run/user/$uid && chmod 700 /run/user/$uid
  asu() { XDG_RUNTIME_DIR=/run/user/$uid setpriv --reuid=$uid --regid=$uid --clear-groups -- "$@"; }
  ms() { local t0 t1; t0=$(date +%s%N); "$@" >/dev/null; t1=$(date +%s%N); echo $(((t1 - t0) / 1000000)); }
  med() { tr " " "\n" | grep . | sort -n | awk "{a[NR]=\$1} END {print a[int((NR+1)/2)]}"; }
  R=""; W=""; C=""
  for i in $(seq "$reps"); do
    root=$(ms node "$bin" up "$work/star.yaml"); node "$bin" down --wait star >/dev/null
    cold=$(ms asu node "$bin" up "$work/star.yaml"); asu node "$bin" down --wait star >/dev/null
    asu node "$bin" up "$work/keep.yaml" >/dev/null
    warm=$(ms asu node "$bin" up "$work/star.yaml"); asu node "$bin" down --wait star >/dev/null
    asu node "$bin" down keep >/dev/null
    echo "rep $i: root ${root} ms, rootless ${warm} ms (holder running), rootless cold ${cold} ms (starts the holder)"
    R="$R $root"; W="$W $warm"; C="$C $cold"
  done
  r=$(echo $R | med); w=$(echo $W | med); c=$(echo $C | med)
  echo "median of $reps: root $r ms, rootless $w ms ($(awk "BEGIN {printf \"%.2f\", $w / $r}")x), rootless cold $c ms ($(awk "BEGIN {printf \"%.2f\", $c / $r}")x)"
' bench "$here/../bin/nslab" "$work" "$reps"
