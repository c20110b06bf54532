// The shell script that places a node's files in its own mount namespace (run there by up, through
// the node's holder). Pure: text in, text out, so that it is checked by unit tests.
//
// Nothing on the host's file system is created or changed. A file or directory whose parent does
// not exist in the node (/etc/frr/frr.conf on a host without /etc/frr) needs a new entry in a
// directory that does: that directory (the nearest that exists, never /) gets an overlay in the
// node, its host contents below and a private tmpfs on top, so new entries and every write land
// in the tmpfs. An overlay hides the mounts below its directory (the node's /etc/hosts is one):
// each is bound aside first and back on top after. Measured on a 150-entry /etc: the
// overlay costs about 12 ms, a tmpfs with every entry bound back 600 ms, so overlays it is.
// - a file: written (copied from its staged copy, under the lab's state directory) into an
//   overlaid directory, then its mode and owner set; a mount point there (the node's hosts file)
//   is unmounted first, so the write never goes through to the file it showed;
// - `dir: true`: a tmpfs with the mode and owner, so what a daemon writes there stays in memory;
// - a bind: the host directory bound on the path, then remounted read-only unless writable.

/** What the script needs of one entry (model/types.ts NodeFile, with a file's staged copy). */
export type Placement =
  | { readonly kind: 'file'; readonly path: string; readonly staged: string; readonly mode: number; readonly owner?: string }
  | { readonly kind: 'dir'; readonly path: string; readonly mode: number; readonly owner?: string }
  | { readonly kind: 'bind'; readonly path: string; readonly source: string; readonly writable: boolean };

/** A word for sh, single-quoted. */
export function shQuote(s: string): string {
  return `'${s.replaceAll("'", `'\\''`)}'`;
}

const PRELUDE = `set -eu
M=$1
mount -t tmpfs -o mode=0700 nslab-files "$M"
n=0
roots=
# The nearest directory that exists at or above $1.
near() { p=$1; while [ ! -d "$p" ]; do p=\${p%/*}; [ -n "$p" ] || p=/; done; printf '%s' "$p"; }
# The mount point $1 is on.
mp() { awk -v d="$1/" '{ m = $5 == "/" ? "" : $5; if (index(d, m "/") == 1 && length(m) >= length(b)) b = m } END { print b == "" ? "/" : b }' /proc/self/mountinfo; }
# Make directory $1 writable in the node alone (an overlay with a private upper layer), unless it
# is on one of ours already; the mounts below it are bound back.
ov() {
  d=$1
  m=$(mp "$d")
  for r in $roots; do [ "$m" != "$r" ] || return 0; done
  if [ "$d" = / ]; then echo "cannot create $2: none of its parent directories exists, and / is not overlaid" >&2; exit 1; fi
  n=$((n + 1)); k="$M/$n"
  mkdir "$k" "$k/up" "$k/work" "$k/keep"
  # Each mount below, bound aside one by one (parents first, as mountinfo lists them), then back.
  subs=$(awk -v d="$d/" 'index($5, d) == 1 { print substr($5, length(d) + 1) }' /proc/self/mountinfo)
  i=0
  for s in $subs; do
    i=$((i + 1)); if [ -d "$d/$s" ]; then mkdir "$k/keep/$i"; else : >"$k/keep/$i"; fi
    mount --bind "$d/$s" "$k/keep/$i"
  done
  # From inside: the overlay may hide $M itself (it is bound back with the others).
  cd "$k"
  mount -t overlay nslab-files -o "lowerdir=$d,upperdir=$k/up,workdir=$k/work" "$d"
  i=0
  for s in $subs; do i=$((i + 1)); mount --bind "keep/$i" "$d/$s"; done
  cd /
  roots="$roots $d"
}
# $1 can be created or mounted on: its parent exists (made in an overlay when it did not).
# (Functions share variables: each has its own names.)
parent() { q=\${1%/*}; [ -n "$q" ] || q=/; if [ ! -e "$1" ]; then ov "$(near "$q")" "$1"; fi; mkdir -p "$q"; }
`;

/** The script, to run as `sh -c SCRIPT nslab-files MNT` in the node's mount namespace; MNT: an empty directory for its private tmpfs. */
export function placementScript(entries: readonly Placement[]): string {
  const lines = [PRELUDE];
  for (const e of entries) {
    const p = shQuote(e.path);
    switch (e.kind) {
      case 'file':
        lines.push(`parent ${p}; if mountpoint -q ${p}; then umount -l ${p}; fi; ov "$(near ${p})" ${p}`);
        lines.push(`cp ${shQuote(e.staged)} ${p}; chmod ${e.mode.toString(8).padStart(4, '0')} ${p}`);
        if (e.owner !== undefined) lines.push(`chown ${shQuote(e.owner)} ${p}`);
        break;
      case 'dir':
        lines.push(`parent ${p}; mkdir -p ${p}; mount -t tmpfs -o mode=${e.mode.toString(8).padStart(4, '0')} nslab-dir ${p}`);
        if (e.owner !== undefined) lines.push(`chown ${shQuote(e.owner)} ${p}`);
        break;
      case 'bind':
        lines.push(`parent ${p}; mkdir -p ${p}; mount --bind ${shQuote(e.source)} ${p}`);
        if (!e.writable) lines.push(`mount -o remount,bind,ro ${p}`);
        break;
    }
  }
  return `${lines.join('\n')}\n`;
}
