/**
 * A failed apply says exactly what it did and did not do. The namespace's
 * new devices get IPv6 disabled (a sysctl the spec cannot know about), so
 * the kernel refuses an IPv6 address for real, mid-run, after other steps ran.
 */
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBuiltCli, runTunform, SpecDir, specYaml } from '../support/cli.js';
import { ipn, isRoot } from '../support/netns.js';
import { addresses, inNetns, link } from '../support/traffic.js';
import { skipUnlessRoot } from '../support/require-root.js';

describe.skipIf(skipUnlessRoot())('a failed apply', () => {
  let dir: SpecDir;
  beforeAll(() => {
    requireBuiltCli();
    dir = new SpecDir('failure');
  });
  afterAll(() => dir.remove());

  it('GIVEN an address the kernel refuses WHEN applied THEN exit 4 lists what was done, what failed and what was not done, and the done part is really done', async () => {
    await inNetns('afail', async (ns) => {
      // GIVEN new links in this namespace come without IPv6, and a spec with an IPv6 address
      execFileSync('ip', ['netns', 'exec', ns, 'sysctl', '-q', '-w', 'net.ipv6.conf.default.disable_ipv6=1']);
      const file = dir.write(`${ns}.yaml`, specYaml([
        { name: 'ok0', mode: 'tun', addresses: ['172.31.5.1/24'] },
        { name: 'v6', mode: 'tun', mtu: 1400, addresses: ['fd00::1/64'] },
      ], ns));
      // WHEN
      const r = await runTunform(['apply', '-f', file, '--json']);
      // THEN a backend error (exit 4) whose report names the failed step and the steps that did not run
      expect(r.code, r.stderr).toBe(4);
      const doc = JSON.parse(r.stdout) as { error: { kind: string; message: string; details: string[] } };
      expect(doc.error.kind).toBe('backend');
      expect(doc.error.message).toMatch(/partly changed/);
      expect(doc.error.details[0]).toBe('done (5): create ok0; create v6; address-add ok0 172.31.5.1/24; up ok0; mtu v6 1400');
      expect(doc.error.details[1]).toMatch(/^failed: address-add v6 fd00::1\/64: .+/);
      expect(doc.error.details[2]).toBe('not done (1): up v6');
      // AND what the report calls done is in the kernel; what it calls not done is not
      expect(addresses(ns, 'ok0')).toEqual(['172.31.5.1/24']);
      expect(link(ns, 'ok0').flags).toContain('UP');
      expect(link(ns, 'v6').mtu).toBe(1400);
      expect(link(ns, 'v6').flags).not.toContain('UP');
      // AND drift still reports the difference, so CI notices
      expect((await runTunform(['drift', '-f', file])).code).toBe(2);
    });
  });

  it('GIVEN a declared name taken by a veth link WHEN applied THEN it is refused as a conflict before any change', async () => {
    await inNetns('aconf', async (ns) => {
      ipn(ns, 'link', 'add', 'tap0', 'type', 'veth', 'peer', 'name', 'tap0-peer');
      const file = dir.write(`${ns}-veth.yaml`, specYaml([{ name: 'ok0', mode: 'tun' }, { name: 'tap0', mode: 'tap' }], ns));
      const r = await runTunform(['apply', '-f', file]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain("'tap0' is taken by a veth link, not a tun/tap device; tunform will not touch it");
      expect(r.stderr).toContain('nothing was changed');
      expect(() => link(ns, 'ok0')).toThrow();
      expect(link(ns, 'tap0').linkinfo?.info_kind).toBe('veth');
    });
  });
});
