import { describe, expect, it } from 'vitest';
import { fleetExitCode, LOCAL_HOST, parseParallel, splitByHost, FLEET_DRIFT_PARALLELISM, type HostResult } from '../../../src/cli/fleet-drift.js';

const netdev = (provider: string | undefined, name: string) => ({ name, mode: 'tun', ...(provider ? { provider } : {}) });

const stack = {
  provider: {
    tunform: [
      { alias: 'a', host: 'ssh://root@10.0.0.1', known_hosts: '/kh', private_key_path: '/key' },
      { alias: 'b', host: 'ssh://root@10.0.0.2' },
      { alias: 'here', netns: 'ns1' },
    ],
  },
  resource: {
    tunform_netdev: {
      a1: netdev('tunform.a', 'tun-a1'),
      a2: netdev('tunform.a', 'tun-a2'),
      b1: netdev('tunform.b', 'tun-b1'),
      l1: netdev('tunform.here', 'tun-l1'),
    },
  },
};

const result = (status: HostResult['status']): HostResult => ({ host: 'h', providers: [], status, exitCode: 0, output: '' });

describe('fleet drift: splitting a stack by host', () => {
  it('GIVEN providers without a host WHEN split THEN it is not a fleet (the stack is checked as one)', () => {
    expect(splitByHost({ provider: { tunform: { netns: 'x' } }, resource: { tunform_netdev: { a: netdev(undefined, 'tun-a') } } })).toBeUndefined();
  });

  it('GIVEN two remote aliases and a local one WHEN split THEN each host gets only its devices with its SSH settings, and the rest stays local', () => {
    const members = splitByHost(stack)!;
    expect(members.map((m) => [m.host, m.providers, m.devices])).toEqual([
      [LOCAL_HOST, ['tunform.here'], 1],
      ['ssh://root@10.0.0.1', ['tunform.a'], 2],
      ['ssh://root@10.0.0.2', ['tunform.b'], 1],
    ]);
    const a = members[1]!;
    expect(a.knownHosts).toBe('/kh');
    expect(a.identity).toBe('/key');
    expect(Object.keys((a.doc.resource as Record<string, Record<string, unknown>>).tunform_netdev!)).toEqual(['a1', 'a2']);
    // The provider block goes along: the host's tunform reads the alias's netns from it.
    expect(a.doc.provider).toEqual(stack.provider);
  });

  it('GIVEN no local devices WHEN split THEN there is no local member', () => {
    const { l1: _l1, ...remoteOnly } = stack.resource.tunform_netdev;
    const members = splitByHost({ ...stack, resource: { tunform_netdev: remoteOnly } })!;
    expect(members.map((m) => m.host)).toEqual(['ssh://root@10.0.0.1', 'ssh://root@10.0.0.2']);
  });
});

describe('fleet drift: exit code', () => {
  it('GIVEN host results WHEN summed up THEN drift wins over errors, errors over in sync', () => {
    expect(fleetExitCode([result('in-sync'), result('in-sync')])).toBe(0);
    expect(fleetExitCode([result('in-sync'), result('error')])).toBe(1);
    expect(fleetExitCode([result('error'), result('drift')])).toBe(2);
  });

  it('GIVEN --parallel WHEN parsed THEN a positive whole number is taken and anything else refused', () => {
    expect(parseParallel(undefined)).toBe(FLEET_DRIFT_PARALLELISM);
    expect(parseParallel('3')).toBe(3);
    expect(() => parseParallel('0')).toThrow(/--parallel/);
    expect(() => parseParallel('x')).toThrow(/--parallel/);
  });
});
