// Topology problems as data: the Issue type, its codes, and the one-line FILE:LINE:COL format.
// Every check in topology/ and model/ reports through here; nothing in this module throws.
import type { Span } from './types.js';

/** Machine-readable kinds of problems (the `code` of an Issue). */
export const IssueCode = {
  YamlSyntax: 'yaml-syntax',
  YamlLimit: 'yaml-limit',
  UnknownKey: 'unknown-key',
  MissingKey: 'missing-key',
  BadValue: 'bad-value',
  BadName: 'bad-name',
  BadAddress: 'bad-address',
  UnknownNetwork: 'unknown-network',
  UnknownNode: 'unknown-node',
  UnknownInterface: 'unknown-interface',
  PeerMismatch: 'peer-mismatch',
  PeerSelf: 'peer-self',
  OutsideSubnet: 'outside-subnet',
  DuplicateAddress: 'duplicate-address',
  SubnetOverlap: 'subnet-overlap',
  RouteDev: 'route-dev',
  RouteVia: 'route-via',
  DuplicateRoute: 'duplicate-route',
  NameClash: 'name-clash',
  NameTooLong: 'name-too-long',
  SubnetFull: 'subnet-full',
  SameSubnet: 'same-subnet',
  PrefixMismatch: 'prefix-mismatch',
  Unsupported: 'unsupported',
  NoInterfaces: 'no-interfaces',
  DuplicatePublish: 'duplicate-publish',
  NoAddress: 'no-address',
  HostRoute: 'host-route',
  TooBig: 'too-big',
  UnknownMachine: 'unknown-machine',
  UnderlayInLab: 'underlay-in-lab',
  DuplicateVni: 'duplicate-vni',
  MachineLink: 'machine-link',
} as const;
/** One of the IssueCode values. */
export type IssueCode = (typeof IssueCode)[keyof typeof IssueCode];

/** One problem in a topology file, pointing at the most specific YAML node (1-based). */
export interface Issue {
  readonly file: string;
  readonly line: number;
  readonly col: number;
  readonly severity: 'error' | 'warning';
  readonly code: string;
  readonly message: string;
}

/** What a check knows when it finds a problem; the file is added by the collector. */
export interface Finding {
  readonly span: Span;
  readonly code: IssueCode;
  readonly message: string;
  readonly severity?: 'error' | 'warning';
}

/** Collects findings of one file as Issues (errors unless the finding says warning). */
export class IssueSink {
  readonly #items: Issue[] = [];
  constructor(readonly file: string) {}

  /** Record an error at span. */
  error(span: Span, code: IssueCode, message: string): void {
    this.add({ span, code, message });
  }

  /** Record a warning at span. */
  warn(span: Span, code: IssueCode, message: string): void {
    this.add({ span, code, message, severity: 'warning' });
  }

  /** Record a finding. */
  add(f: Finding): void {
    const { line, col } = f.span;
    this.#items.push({ file: this.file, line, col, severity: f.severity ?? 'error', code: f.code, message: f.message });
  }

  /** How many findings were recorded so far (errors and warnings). */
  get count(): number {
    return this.#items.length;
  }

  /** Whether any error (not warning) was recorded. */
  get failed(): boolean {
    return hasErrors(this.#items);
  }

  /** Every issue, sorted by position, exact duplicates removed. */
  issues(): Issue[] {
    return sortIssues(this.#items);
  }
}

/** `FILE:LINE:COL: message`, or `FILE:LINE:COL: warning: message` for warnings. */
export function formatIssue(i: Issue): string {
  const where = `${i.file}:${i.line}:${i.col}: `;
  return i.severity === 'warning' ? `${where}warning: ${i.message}` : `${where}${i.message}`;
}

/** Every issue formatted, one per line (no trailing newline). */
export function formatIssues(issues: readonly Issue[]): string {
  return issues.map(formatIssue).join('\n');
}

/** Whether any issue is an error. */
export function hasErrors(issues: readonly Issue[]): boolean {
  return issues.some((i) => i.severity === 'error');
}

/** Issues sorted by line, then column (stable otherwise), with exact duplicates dropped. */
export function sortIssues(issues: readonly Issue[]): Issue[] {
  const seen = new Set<string>();
  const unique = issues.filter((i) => {
    const key = `${i.line}:${i.col}:${i.severity}:${i.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return unique.sort((a, b) => a.line - b.line || a.col - b.col);
}
