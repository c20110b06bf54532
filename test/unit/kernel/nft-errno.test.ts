// nft reports the kernel's refusals as strerror words; nslab reads the errno back from them, so an
// nft failure is not always EINVAL (a busy table is EBUSY, a missing permission EPERM).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nftErrno } from '../../../src/kernel/nft/nft.js';

test('nft error text maps back to the errno the kernel gave', () => {
  assert.deepEqual(nftErrno('Error: Could not process rule: Operation not permitted\nadd table inet x'), { errno: 1, code: 'EPERM' });
  assert.deepEqual(nftErrno('Error: Could not process rule: Device or resource busy'), { errno: 16, code: 'EBUSY' });
  assert.deepEqual(nftErrno('Error: Could not process rule: No such file or directory'), { errno: 2, code: 'ENOENT' });
  assert.deepEqual(nftErrno('Error: Could not process rule: Operation not supported'), { errno: 95, code: 'EOPNOTSUPP' });
});

test('a script error, or text nothing matches, is EINVAL', () => {
  assert.deepEqual(nftErrno('Error: syntax error, unexpected junk'), { errno: 22, code: 'EINVAL' });
  assert.deepEqual(nftErrno(''), { errno: 22, code: 'EINVAL' });
});
