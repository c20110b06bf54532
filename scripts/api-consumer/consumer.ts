// A library caller's file, compiled by scripts/check-api.mjs with `tsc --strict` against the
// published declarations (resolved through package.json's `exports`, as an installed package).
// It only has to type-check: it is the public surface as a caller sees it.
import { isNslabError, Lab, NslabError, type ErrorCode, type ExecResult, type LabOptions, type ProbeResult, type TestReport, type TopologyInput } from 'nslab';

const topology: TopologyInput = {
  networks: { lan: { subnet: '10.0.0.0/24', gateway: '10.0.0.1' } },
  nodes: { web: { interfaces: { eth0: { network: 'lan' } } }, db: { interfaces: { eth0: { network: 'lan' } } } },
  expect: [{ from: 'web', to: 'db', tcp: 8080 }],
};
const options: LabOptions = { hostNetns: 'private', stopOnExit: true };

export async function example(): Promise<number> {
  await using lab = await Lab.start(topology, options);
  const r: ExecResult = await lab.exec('web', ['curl', '-s', 'http://db:8080/']);
  const p: ProbeResult = await lab.probe('web', 'db', { tcp: 8080 });
  const report: TestReport = await lab.test();
  const proc = await lab.spawn('db', ['my-server']);
  await proc.waitForOutput(/listening/);
  for await (const chunk of proc.follow(AbortSignal.timeout(100))) console.log(chunk);
  await proc.kill();
  const applied = await lab.apply('name: ignored\nnodes:\n  web: {}\n');
  const shown = await lab.show();
  const tr = await lab.trace('web', 'db');
  const ps = await lab.ps();
  const logs: string = await lab.logs('db');
  console.log(r.stdout, p.rttMs, report.ok, applied.commands, shown.nodes[0]?.interfaces, tr.ok, ps.length, logs, (await Lab.list())[0]?.status);
  return r.exitCode;
}

export function codeOf(e: unknown): ErrorCode | undefined {
  if (e instanceof NslabError) return e.code;
  return isNslabError(e) ? e.code : undefined;
}
