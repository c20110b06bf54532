// `nslab trace` through node firewalls end to end: it names the chain policy or the rule (by the
// comment tag `up` loaded into the node's ruleset) that drops the packet, exits 1 for it, passes
// established replies, and reality agrees: the same pings fail and pass, and the tag is in nft.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { EXAMPLES, FIXTURES, nslab, nslabJson, nslabOk, pings, withSandbox } from './lab.js';

type Stop = { code: string; at: string; message: string; rule?: string; chain?: string };
type Leg = { reached: boolean; at?: string; hops: Array<{ at: string; next?: string }>; stop?: Stop };
type Trace = { ok: boolean; probe: { kind: string }; request: Leg; reply?: Leg };

test("examples/firewall.yaml: client -> web stops at web's input policy drop (exit 1); web -> client passes (exit 0); ping agrees", (t) =>
  withSandbox(t, ['nft', 'libnftables', 'ping'], async (sb) => {
    await nslabOk(sb, 'up', join(EXAMPLES, 'firewall.yaml'));

    const drop = await nslab(sb, 'trace', 'fw', 'client', 'web');
    assert.equal(drop.code, 1, drop.stdout + drop.stderr);
    assert.match(drop.stdout, /stops at web \(firewall\)/);
    assert.match(
      drop.stdout,
      /stopped at web: dropped by web's firewall: policy drop of chain input \(icmp 10\.40\.0\.20 -> 10\.40\.0\.10, state new, in on eth0\)/,
    );
    const { value: trace } = await nslabJson<Trace>(sb, 'trace', 'fw', 'client', 'web');
    assert.deepEqual(
      trace.request.hops.map((h) => `${h.at}>${h.next}`),
      ['client>web'],
    );
    assert.equal(trace.request.stop?.code, 'firewall');
    assert.equal(trace.request.stop?.rule, 'policy');
    assert.equal(trace.request.stop?.chain, 'input');
    assert.equal(trace.reply, undefined);

    const back = await nslab(sb, 'trace', 'fw', 'web', 'client');
    assert.equal(back.code, 0, back.stdout + back.stderr);
    assert.match(back.stdout, /reached both ways/);

    // Reality: the ping is dropped one way, and web's own ping gets its (established) reply.
    assert.equal(await pings(sb, 'fw-client', '10.40.0.10'), false, 'client must not be able to ping web');
    assert.equal(await pings(sb, 'fw-web', '10.40.0.20'), true, 'web must be able to ping client');
    const chain = await sb.run(['ip', 'netns', 'exec', 'fw-web', 'nft', 'list', 'chain', 'inet', 'nslab-fw', 'input']);
    assert.match(chain.stdout, /policy drop;/);
    await nslabOk(sb, 'down', 'fw');
  }));

test("a named deny rule: trace names nslab:fwdeny:input#1, the tag is in web's ruleset, and only client's ping fails", (t) =>
  withSandbox(t, ['nft', 'libnftables', 'ping'], async (sb) => {
    await nslabOk(sb, 'up', join(FIXTURES, 'trace-fw.yaml'));
    const { code, value: trace } = await nslabJson<Trace>(sb, 'trace', 'fwdeny', 'client', 'web');
    assert.equal(code, 1);
    assert.equal(trace.request.stop?.rule, 'nslab:fwdeny:input#1');
    assert.match(
      trace.request.stop?.message ?? '',
      /^dropped by web's firewall: rule input#1 \(saddr 10\.41\.0\.20\/32 icmp\) drops .*comment "nslab:fwdeny:input#1"/,
    );
    const rules = await sb.run(['ip', 'netns', 'exec', 'fwdeny-web', 'nft', 'list', 'ruleset']);
    assert.match(rules.stdout, /ip saddr 10\.41\.0\.20 .*drop comment "nslab:fwdeny:input#1"/);
    assert.equal(await pings(sb, 'fwdeny-client', '10.41.0.10'), false);

    assert.equal((await nslabJson<Trace>(sb, 'trace', 'fwdeny', 'other', 'web')).code, 0);
    assert.equal(await pings(sb, 'fwdeny-other', '10.41.0.10'), true);
    await nslabOk(sb, 'down', 'fwdeny');
  }));
