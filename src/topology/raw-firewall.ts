// The raw (parsed, not yet cross-checked) forms of a node's `firewall:` and `publish:`. Rule
// targets may still be node names, resolved to addresses after IPAM (model/firewall.ts); every
// value keeps the span it was written at, for the checks that need the rest of the file.
import type { PublishSpec, Target } from './match-syntax.js';
import type { Located } from './raw.js';
import type { ConnState, FirewallAction, FirewallProto, PortRange, Span } from './types.js';

/** One rule: its action and matches, with targets and interface names still to be checked. */
export interface RuleRaw {
  /** How messages name it: "allow #2 of chain 'input' of node 'web'". */
  readonly what: string;
  /** Position of the rule's mapping. */
  readonly span: Span;
  readonly action: FirewallAction;
  readonly proto?: FirewallProto;
  readonly saddr?: readonly Located<Target>[];
  readonly daddr?: readonly Located<Target>[];
  readonly sport?: readonly PortRange[];
  readonly dport?: readonly PortRange[];
  readonly state?: readonly ConnState[];
  readonly iif?: Located<string>;
  readonly oif?: Located<string>;
}

/** One chain; `ok` is false when the chain or one of its rules could not be read. */
export interface ChainRaw {
  readonly span: Span;
  readonly ok: boolean;
  readonly policy: 'accept' | 'drop';
  readonly established: boolean;
  /** In build order: `rules:`, then `deny:`, then `allow:`. */
  readonly rules: readonly RuleRaw[];
}

/** `nodes.NODE.firewall`: the chains that are declared. */
export interface FirewallRaw {
  readonly span: Span;
  readonly input?: ChainRaw;
  readonly forward?: ChainRaw;
  readonly output?: ChainRaw;
}

/** `nodes.NODE.publish[i]`, read. */
export interface PublishRaw extends PublishSpec {
  /** How messages name it: "published port #1 of node 'web'". */
  readonly what: string;
  /** Position of the item. */
  readonly span: Span;
}
