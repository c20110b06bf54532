// The /proc text formats `ps` and `which` read, parsed from fixtures copied from real systems
// (and a few hostile ones): stat with spaces and parentheses in comm, status Uid/VmRSS/NSpid,
// /etc/passwd, namespace links and cmdline.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatCommand, parseNsLink, parsePasswd, parseStat, parseStatus, statColumn } from '../../../src/kernel/procfs.js';

const SLEEP_STAT =
  '4242 (sleep) S 4200 4200 4100 34816 4200 4194304 95 0 0 0 3 7 0 0 20 0 1 0 446130 2330624 230 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 3 0 0 0 0 0\n';
const HOSTILE_STAT = '77 (a) b (c)) D 1 77 77 0 -1 4194560 0 0 0 0 150 50 0 0 39 19 4 0 1200 0 0 18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0\n';
const KTHREAD_STAT = '2 (kthreadd) S 0 0 0 0 -1 2129984 0 0 0 0 0 1 0 0 20 0 1 0 1 0 0 18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n';

const STATUS = [
  'Name:\tsleep',
  'Umask:\t0022',
  'State:\tS (sleeping)',
  'Tgid:\t4242',
  'Ngid:\t0',
  'Pid:\t4242',
  'PPid:\t4200',
  'TracerPid:\t0',
  'Uid:\t1000\t33\t33\t33',
  'Gid:\t1000\t1000\t1000\t1000',
  'NSpid:\t4242\t1',
  'VmRSS:\t     920 kB',
  'Threads:\t1',
  '',
].join('\n');

const PASSWD = [
  'root:x:0:0:root:/root:/bin/bash',
  '# a comment',
  'www-data:x:33:33:www-data:/var/www:/usr/sbin/nologin',
  'alias:x:33:33::/:/bin/false',
  'broken line',
  'nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin',
  '',
].join('\n');

test('stat: a plain process gives its state, parent, CPU ticks, threads and start', () => {
  const s = parseStat(SLEEP_STAT);
  assert.deepEqual(s, {
    comm: 'sleep',
    state: 'S',
    ppid: 4200,
    pgrp: 4200,
    session: 4100,
    tpgid: 4200,
    utime: 3,
    stime: 7,
    nice: 0,
    threads: 1,
    starttime: 446130,
  });
});

test('stat: comm with spaces and parentheses ends at the last ")"', () => {
  const s = parseStat(HOSTILE_STAT);
  assert.equal(s?.comm, 'a) b (c)');
  assert.equal(s?.state, 'D');
  assert.equal(s?.ppid, 1);
  assert.equal(s?.utime, 150);
  assert.equal(s?.nice, 19);
  assert.equal(s?.threads, 4);
  assert.equal(s?.starttime, 1200);
});

test('stat: truncated or garbled text is refused, not half-parsed', () => {
  assert.equal(parseStat(''), undefined);
  assert.equal(parseStat('12 sleep S 1'), undefined);
  assert.equal(parseStat('12 (sleep) S 1 2 3'), undefined);
});

test('STAT column: state, nice, session leader, threads and foreground as ps shows them', () => {
  assert.equal(statColumn(4242, parseStat(SLEEP_STAT)!), 'S+');
  assert.equal(statColumn(77, parseStat(HOSTILE_STAT)!), 'DNsl');
  assert.equal(statColumn(2, parseStat(KTHREAD_STAT)!), 'S');
});

test('status: the effective UID (second number), VmRSS in kB and NSpid', () => {
  assert.deepEqual(parseStatus(STATUS), { uid: 33, rssKb: 920, nsPids: [4242, 1] });
});

test('status: kernel threads have no VmRSS; a missing Uid line stays unknown', () => {
  assert.deepEqual(parseStatus('Name:\tkthreadd\nUid:\t0\t0\t0\t0\nNSpid:\t2\n'), { uid: 0, nsPids: [2] });
  assert.deepEqual(parseStatus('Name:\tx\n'), {});
});

test('passwd: UID to name, the first name for a UID wins, junk lines are ignored', () => {
  const users = parsePasswd(PASSWD);
  assert.equal(users.get(0), 'root');
  assert.equal(users.get(33), 'www-data');
  assert.equal(users.get(65534), 'nobody');
  assert.equal(users.size, 3);
});

const links: [string, number | undefined][] = [
  ['net:[4026531840]', 4026531840],
  ['pid:[4026532201]', 4026532201],
  ['mnt:[12]', 12],
  ['net:[]', undefined],
  ['/run/netns/x', undefined],
  ['net:[12] ', undefined],
];
for (const [link, want] of links) {
  test(`namespace link "${link}" gives ${want ?? 'nothing'}`, () => assert.equal(parseNsLink(link), want));
}

const commands: [string, string, string][] = [
  ['sleep\u000030\u0000', 'sleep', 'sleep 30'],
  ['/usr/bin/python3\u0000-c\u0000print(1)\u0000', 'python3', '/usr/bin/python3 -c print(1)'],
  ['nginx: worker process', 'nginx', 'nginx: worker process'],
  ['sh\u0000-c\u0000\u0000', 'sh', 'sh -c '],
  ['', 'kworker/0:1', '[kworker/0:1]'],
];
for (const [cmdline, comm, want] of commands) {
  test(`cmdline ${JSON.stringify(cmdline)} is shown as "${want}"`, () => {
    assert.equal(formatCommand(Buffer.from(cmdline), comm), want);
  });
}
