#!/usr/bin/env bash
# Time `nslab test --all` on a star of N hosts (one bridge), inside the current (sandbox)
# namespace. Prints: method,N,pairs,test_s,false_failures,waves
# Run through ../shared/bench/sandbox.sh so nothing touches the host.
set -eu
N=$1
here=$(cd "$(dirname "$0")" && pwd)
nslab="$here/../bin/nslab"
file=$(mktemp /tmp/nslab-star-XXXX.yaml)
node "$here/gen-star.mjs" "$N" star > "$file"
"$nslab" up "$file" >/dev/null
t0=$(date +%s.%N)
json=$("$nslab" test star --all --json 2>/dev/null || true)
t1=$(date +%s.%N)
"$nslab" down star >/dev/null
rm -f "$file"
echo "$json" | node -e '
  const r = JSON.parse(require("fs").readFileSync(0, "utf8"));
  const [n, t0, t1] = process.argv.slice(1).map(Number);
  console.log(`nslab,${n},${r.report.rows.length},${(t1 - t0).toFixed(3)},${r.report.failed},${r.waves}`);
' "$N" "$t0" "$t1"
