// Temporary permanent neighbour entries for a probe run (verify/pins.ts plans them, lab/test.ts
// adds them before probing and removes them after). Added with NLM_F_EXCL, so an entry the
// kernel already has (learned, or static from someone else) is never replaced, and only what was
// added here is deleted. Tagged with NDA_PROTOCOL so `ip neigh` shows who made them.
import type { NsHandle } from './ns-table.js';
import type { NeighPin } from '../port/kernel.js';
import { encodeNeighAdd, encodeNeighDelete } from '../netlink/wire-neigh.js';
import { familyOf } from './probe-wire.js';
import { dumpLinks } from './snapshot.js';

/** The protocol number nslab's pins carry (`ip neigh show proto 0xf5`); any unassigned value would do. */
export const PIN_PROTOCOL = 0xf5;

/** ifindex of each pin's device, dumping the links once if the cache misses; -1 when gone. */
function indexes(h: NsHandle, pins: readonly NeighPin[]): number[] {
  if (pins.some((p) => !h.index.has(p.dev))) dumpLinks(h);
  return pins.map((p) => h.index.get(p.dev) ?? -1);
}

/** Add the pins in one batch; true per pin that was added. */
export function pinNeighbours(h: NsHandle, pins: readonly NeighPin[]): boolean[] {
  const idx = indexes(h, pins);
  const todo = pins.flatMap((p, i) => (idx[i]! >= 0 && familyOf(p.address) ? [i] : []));
  const res = h.sock.batch(
    todo.map((i) =>
      encodeNeighAdd({ family: familyOf(pins[i]!.address)!, index: idx[i]!, address: pins[i]!.address, mac: pins[i]!.mac, protocol: PIN_PROTOCOL }),
    ),
  );
  const out = pins.map(() => false);
  todo.forEach((i, k) => (out[i] = res[k]?.errno === 0));
  return out;
}

/** Delete the pins in one batch (ENOENT: already gone, fine); returns how many went. */
export function unpinNeighbours(h: NsHandle, pins: readonly NeighPin[]): number {
  const idx = indexes(h, pins);
  const msgs = pins.flatMap((p, i) =>
    idx[i]! >= 0 && familyOf(p.address) ? [encodeNeighDelete({ family: familyOf(p.address)!, index: idx[i]!, address: p.address })] : [],
  );
  return h.sock.batch(msgs).filter((r) => r.errno === 0).length;
}
