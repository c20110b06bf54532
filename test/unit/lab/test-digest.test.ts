// `nslab test` names the topology text it ran from (`digest`), so that `nslab merge` can refuse
// the reports of one lab's machines made from different files: the same text gives the same
// digest by file or by lab name, another text another one.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test as it } from 'node:test';
import { test } from '../../../src/lab/test.js';
import { up } from '../../../src/lab/up.js';
import { FakeKernel } from '../../helpers/fake-kernel.js';
import { FakeSystem } from '../../helpers/fake-system.js';
import { withStateDir, writeLab } from '../helpers.js';

const LAB = `name: dg
networks:
  lan: { subnet: 10.71.0.0/24 }
nodes:
  a: { interfaces: { eth0: { network: lan, address: 10.71.0.1/24 } } }
  b: { interfaces: { eth0: { network: lan, address: 10.71.0.2/24 } } }
expect:
  - { from: a, to: b }
`;

it('the digest is the sha256 of the topology text, the same by file and by name, another for another text', () =>
  withStateDir(async (dir, state) => {
    const kernel = new FakeKernel();
    const system = new FakeSystem(kernel);
    const file = writeLab(dir, LAB);
    await up({ file, openKernel: () => kernel, system, state });
    const byFile = await test({ target: file, state, system, openKernel: () => kernel });
    const byName = await test({ target: 'dg', state, system, openKernel: () => kernel });
    assert.equal(byFile.digest, `sha256:${createHash('sha256').update(LAB).digest('hex')}`);
    assert.equal(byName.digest, byFile.digest);
    const edited = writeLab(dir, `${LAB}  - { from: b, to: a }\n`, 'edited.yaml');
    assert.notEqual((await test({ target: edited, state, system, openKernel: () => kernel })).digest, byFile.digest);
  }));
