/**
 * `tunform import`: devices made by `ip tuntap` (and declared by another
 * manager) are adopted only when their fixed flags match; adoption changes the
 * marker and nothing else, and the apply after it keeps the ifindex and the
 * attached reader. Real kernel, real CLI, real helper, throwaway namespaces.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireBuiltCli, runTunform, SpecDir, specYaml } from '../support/cli.js';
import { createNetns, destroyNetns, ipn } from '../support/netns.js';
import { addresses, buildReader, link, Reader, sendDatagrams } from '../support/traffic.js';
import { skipUnlessRoot } from '../support/require-root.js';

let ns = '';
let dir: SpecDir;
let readerBuild: { bin: string; cleanup: () => void };

describe.skipIf(skipUnlessRoot())('acceptance: tunform import adopts existing devices', () => {
  beforeAll(() => {
    requireBuiltCli();
    readerBuild = buildReader();
    dir = new SpecDir('import');
    ns = createNetns('imp');
  });
  afterAll(() => {
    destroyNetns(ns);
    dir?.remove();
    readerBuild?.cleanup();
  });

  it('GIVEN an ip-tuntap device with a reader attached WHEN imported and applied THEN it keeps its ifindex and reader, and drift is clean', async () => {
    ipn(ns, 'tuntap', 'add', 'dev', 'imp0', 'mode', 'tun', 'multi_queue');
    const before = link(ns, 'imp0').ifindex;
    const reader = await Reader.start(readerBuild.bin, ns, 'imp0');
    try {
      const file = dir.write(
        'adopt.yaml',
        specYaml([{ name: 'imp0', mode: 'tun', multiQueue: true, keepCarrier: true, mtu: 1400, addresses: ['172.31.0.1/24'] }], ns),
      );
      const drift0 = await runTunform(['drift', '-f', file]);
      expect(drift0.code).toBe(2); // a conflict before import

      const imp = await runTunform(['import', '-f', file, 'imp0']);
      expect(imp.code, imp.stderr).toBe(0);
      expect(imp.stdout).toContain(`adopted: 'imp0' (ifindex ${before}) is a tun/tap device without the 'tunform' marker`);
      expect(imp.stdout).toContain('~ update imp0'); // what apply would now change
      expect(imp.stdout).toContain('mtu: 1500 -> 1400');
      expect(link(ns, 'imp0').ifalias).toBe('tunform');
      expect(addresses(ns, 'imp0')).toEqual([]); // import changes the marker only

      const apply = await runTunform(['apply', '-f', file]);
      expect(apply.code, apply.stderr).toBe(0);
      expect(apply.stdout).toContain('0 to replace');
      expect(apply.stdout).not.toContain('-/+ replace');
      expect(link(ns, 'imp0').ifindex).toBe(before);
      expect(reader.child.exitCode).toBeNull();
      const shown = JSON.parse((await runTunform(['show', '--netns', ns, '--json'])).stdout) as { devices: { name: string; attachedPids: number[] }[] };
      expect(shown.devices.find((d) => d.name === 'imp0')?.attachedPids).toContain(reader.pid);

      sendDatagrams(ns, 50);
      expect(await reader.settle(50)).toBe(50); // the holder's queue is detached: every flow reaches the reader
      expect((await runTunform(['drift', '-f', file])).code).toBe(0);
    } finally {
      await reader.kill();
    }
  });

  it('GIVEN a single-queue device declared multiQueue and a veth WHEN imported THEN both are refused with their reasons and nothing changes', async () => {
    ipn(ns, 'tuntap', 'add', 'dev', 'imp1', 'mode', 'tap');
    ipn(ns, 'link', 'add', 'impv0', 'type', 'veth', 'peer', 'name', 'impv1');
    ipn(ns, 'tuntap', 'add', 'dev', 'imp2', 'mode', 'tun');
    const file = dir.write(
      'refuse.yaml',
      specYaml([{ name: 'imp1', mode: 'tap', multiQueue: true }, { name: 'impv0' }, { name: 'imp2' }], ns),
    );
    const r = await runTunform(['import', '-f', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('2 device(s) cannot be adopted; nothing was changed');
    expect(r.stderr).toContain(
      "imp1: 'imp1' cannot be adopted: its fixed flags differ from the spec (multiQueue: false (live) vs true (spec)); the kernel fixes them at creation, so only a replace could change them",
    );
    expect(r.stderr).toContain("impv0: 'impv0' is a veth link, not a tun/tap device; tunform never adopts it");
    // All or nothing: the adoptable imp2 was not marked either.
    expect(link(ns, 'imp2').ifalias).toBeUndefined();
    expect(link(ns, 'imp1').ifalias).toBeUndefined();
  });

  it('GIVEN a networkd .netdev that still declares the device WHEN imported THEN it warns and says how to hand it over', async () => {
    ipn(ns, 'tuntap', 'add', 'dev', 'imp3', 'mode', 'tun');
    const file = dir.write('nd.yaml', specYaml([{ name: 'imp3' }], ns));
    const netdevDir = mkdtempSync(join(tmpdir(), 'tunform-nd-'));
    try {
      writeFileSync(join(netdevDir, '20-imp3.netdev'), '[NetDev]\nName=imp3\nKind=tun\n');
      // A private mount namespace shows networkd's runtime directory with only this file in it.
      const mountRun = `mount -t tmpfs -o mode=0755 tunform-test /run/systemd && mkdir /run/systemd/network && cp ${netdevDir}/20-imp3.netdev /run/systemd/network/`;
      const wrap = ['unshare', '-m', '--propagation', 'private', 'sh', '-c', `${mountRun} && exec "$@"`, 'sh'];
      const r = await runTunform(['import', '-f', file], { wrap });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toContain(
        "warning: 'imp3' is still declared by systemd-networkd in /run/systemd/network/20-imp3.netdev, which may reconfigure it behind tunform's back; to hand it over, remove that file and the .network files that match 'imp3', then run 'networkctl reload' (the device itself stays)",
      );
      expect(link(ns, 'imp3').ifalias).toBe('tunform');
    } finally {
      rmSync(netdevDir, { recursive: true, force: true });
    }
  });

  it('GIVEN a name the spec does not declare WHEN imported THEN it is refused naming it and the declared ones', async () => {
    const file = dir.write('one.yaml', specYaml([{ name: 'imp9' }], ns));
    const r = await runTunform(['import', '-f', file, 'nosuch']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("'import' names a device the spec does not declare: 'nosuch'");
    expect(r.stderr).toContain("declared: 'imp9'");
  });
});
