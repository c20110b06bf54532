// Issue formatting and ordering: FILE:LINE:COL: message, warnings marked, sorted by position.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IssueSink, formatIssue, formatIssues, hasErrors, sortIssues } from '../../../src/topology/issues.js';
import type { Issue } from '../../../src/topology/issues.js';

const issue = (line: number, col: number, severity: Issue['severity'] = 'error', message = 'm'): Issue => ({
  file: 'lab.yaml',
  line,
  col,
  severity,
  code: 'bad-value',
  message,
});

test('an error prints as FILE:LINE:COL: message and a warning adds "warning: "', () => {
  assert.equal(formatIssue(issue(3, 7, 'error', 'boom')), 'lab.yaml:3:7: boom');
  assert.equal(formatIssue(issue(3, 7, 'warning', 'hmm')), 'lab.yaml:3:7: warning: hmm');
  assert.equal(formatIssues([issue(1, 1), issue(2, 2, 'warning')]), 'lab.yaml:1:1: m\nlab.yaml:2:2: warning: m');
});

test('hasErrors ignores warnings', () => {
  assert.equal(hasErrors([]), false);
  assert.equal(hasErrors([issue(1, 1, 'warning')]), false);
  assert.equal(hasErrors([issue(1, 1, 'warning'), issue(2, 1)]), true);
});

test('issues sort by line then column, keep their order otherwise, and drop exact repeats', () => {
  const sorted = sortIssues([
    issue(5, 1, 'error', 'a'),
    issue(2, 9, 'error', 'b'),
    issue(2, 3, 'error', 'c'),
    issue(5, 1, 'error', 'd'),
    issue(5, 1, 'error', 'a'),
  ]);
  assert.deepEqual(
    sorted.map((i) => i.message),
    ['c', 'b', 'a', 'd'],
  );
});

test('a sink stamps its file on findings and knows when an error was recorded', () => {
  const sink = new IssueSink('x.yaml');
  sink.warn({ line: 2, col: 1 }, 'no-interfaces', 'w');
  assert.equal(sink.failed, false);
  sink.error({ line: 1, col: 4 }, 'bad-name', 'e');
  assert.equal(sink.failed, true);
  assert.deepEqual(sink.issues().map(formatIssue), ['x.yaml:1:4: e', 'x.yaml:2:1: warning: w']);
});
