/** TunformHost's ssh prop: one provider alias per host with host, known_hosts and private_key_path; one exact message per rule. */
import { TerraformStack, Testing } from 'cdktf';
import { describe, expect, test } from 'vitest';
import { TunNetdev, TunformHost } from '../../../constructs/index.js';
import { fakeLookup } from './support.js';

const synth = (stack: TerraformStack) => JSON.parse(Testing.synth(stack)) as { provider: { tunform: Record<string, unknown>[] }; resource: { tunform_netdev: Record<string, { provider: string }> } };
const problem = (props: object) => {
  try {
    new TunformHost(new TerraformStack(Testing.app(), 's'), 'h', { lookup: fakeLookup, ...props });
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('accepted');
};

describe('TunformHost ssh', () => {
  test('GIVEN three hosts with ssh props WHEN synthesized THEN each is a provider alias with its host URL and paths, and each device uses its host', () => {
    // GIVEN
    const stack = new TerraformStack(Testing.app(), 'fleet');
    const ssh = [{ host: '192.0.2.11', user: 'root' }, { host: 'web2', port: 2222, knownHostsPath: '/k/known_hosts' }, { host: 'fd00::3', user: 'ops', privateKeyPath: '/k/id' }];
    ssh.forEach((s, i) => {
      const host = new TunformHost(stack, `host${i + 1}`, { ssh: s, lookup: fakeLookup });
      new TunNetdev(stack, `vpn${i + 1}`, { host, name: 'tun-vpn', mode: 'tun' });
    });
    // WHEN
    const doc = synth(stack);
    // THEN
    expect(doc.provider.tunform).toEqual([
      { host: 'ssh://root@192.0.2.11' },
      { alias: 'host2', host: 'ssh://web2:2222', known_hosts: '/k/known_hosts' },
      { alias: 'host3', host: 'ssh://ops@[fd00::3]', private_key_path: '/k/id' },
    ]);
    expect(Object.values(doc.resource.tunform_netdev).map((r) => r.provider)).toEqual(['tunform', 'tunform.host2', 'tunform.host3']);
  });

  test('rejects a missing host', () => {
    expect(problem({ ssh: {} })).toBe(`invalid TunformHost props: 1 problem\n  s/h.ssh: 'ssh' ({}) must be an object with a non-empty 'host'`);
  });
  test('rejects a port out of range', () => {
    expect(problem({ ssh: { host: 'h', port: 0 } })).toBe(`invalid TunformHost props: 1 problem\n  s/h.ssh: 'ssh' ({"host":"h","port":0}) has 'port' 0; it must be an integer from 1 to 65535`);
  });
  test('rejects an empty key path', () => {
    expect(problem({ ssh: { host: 'h', privateKeyPath: '' } })).toBe(`invalid TunformHost props: 1 problem\n  s/h.ssh: 'ssh' ({"host":"h","privateKeyPath":""}) has 'privateKeyPath' ""; it must be a non-empty path`);
  });
  test('rejects a host ssh could read as an option', () => {
    expect(problem({ ssh: { host: '-oProxyCommand=x' } })).toBe(
      `invalid TunformHost props: 1 problem\n  s/h.ssh: 'ssh' ({"host":"-oProxyCommand=x"}) is not a host tunform can reach: 'ssh' ("ssh://-oProxyCommand=x") has an invalid host '-oProxyCommand=x'; expected ssh://[user@]HOST[:PORT], e.g. ssh://root@203.0.113.7:2222`,
    );
  });
  test('rejects ssh with a record backend', () => {
    expect(problem({ ssh: { host: 'h' }, backend: 'terraform_data' })).toContain(`'ssh' ({"host":"h"}) is used only by backend 'provider', not by 'terraform_data'; leave it out`);
  });
});
