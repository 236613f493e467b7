/**
 * The tunform provider's ProviderDefinition called directly (no Terraform, no
 * gRPC) against the real kernel, helper and holder in a throwaway namespace.
 * The apply engine is the real one, wrapped to count its runs.
 */
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { applyDesired } from '../../src/apply/apply.js';
import type { CtyObject } from '../../src/provider/contract.js';
import { createProvider, realDeps } from '../../src/provider/tunform/index.js';
import { createNetns, destroyNetns, ipn, isRoot } from '../support/netns.js';
import { addresses, buildReader, link, maybeLink, Reader } from '../support/traffic.js';
import { Driver, errorsOf } from '../support/provider-driver.js';
import { Attacher, buildAttacher } from '../support/attacher.js';

// Under CI a missing prerequisite must fail, not skip.
const runKernelTests = isRoot() || process.env.CI === 'true';

describe.skipIf(!runKernelTests)('tunform provider against the kernel', () => {
  let ns: string;
  let runs: { devices: readonly string[]; destroy: boolean }[];
  let driver: Driver;
  let reader: { bin: string; cleanup: () => void };

  beforeAll(async () => {
    ns = createNetns('prov');
    reader = buildReader();
    runs = [];
    const deps = realDeps();
    const provider = createProvider({
      ...deps,
      applyDesired: (desired, opts) => {
        runs.push({ devices: opts.devices ?? [], destroy: opts.destroy === true });
        return applyDesired(desired, opts);
      },
    });
    driver = new Driver(provider);
    await driver.configure({ netns: ns });
  });

  afterAll(() => {
    destroyNetns(ns);
    reader?.cleanup();
  });

  const states = new Map<string, CtyObject>();
  const cfg = (name: string, extra: Record<string, unknown> = {}) => ({ name, mode: 'tun', addresses: [`172.31.${name.length}.1/24`], ...extra }) as Record<string, never>;

  test('GIVEN three resources applied concurrently WHEN Terraform sends them together THEN one engine run creates all three', async () => {
    runs.length = 0;
    const configs = [cfg('pa'), cfg('pbb', { multi_queue: true, keep_carrier: true }), cfg('pccc', { mtu: 1400 })];
    const results = await Promise.all(configs.map((c) => driver.apply(null, c)));
    for (const r of results) expect(errorsOf(r.diagnostics)).toEqual([]);
    expect(runs).toEqual([{ devices: ['pa', 'pbb', 'pccc'], destroy: false }]);
    results.forEach((r, i) => states.set(configs[i]!.name, r.newState!));
    expect(states.get('pa')).toMatchObject({ ifindex: link(ns, 'pa').ifindex, managed: true, addresses: ['172.31.2.1/24'] });
    expect(link(ns, 'pbb').linkinfo?.info_data).toMatchObject({ multi_queue: true });
    expect(addresses(ns, 'pccc')).toEqual(['172.31.4.1/24']);
  });

  const freshDriver = async (): Promise<Driver> => {
    const d = new Driver(createProvider(realDeps()));
    await d.configure({ netns: ns });
    return d;
  };

  test('GIVEN a program re-set vnet_header WHEN read and planned THEN replace while it holds the device, in place (same ifindex) once it left', async () => {
    const attacher = buildAttacher();
    try {
      const created = await driver.apply(null, { name: 'pvh', mode: 'tap' } as Record<string, never>);
      expect(errorsOf(created.diagnostics)).toEqual([]);
      const ifindex = link(ns, 'pvh').ifindex;
      const a = await Attacher.start(attacher.bin, ns, 'pvh', 'tap', ['vnet']);
      try {
        // A fresh provider per refresh, as each Terraform command starts one (a provider keeps its live snapshot).
        const held = await (await freshDriver()).readWithPrivate(created.newState!);
        expect(held.state).toMatchObject({ vnet_header: true });
        expect((await driver.plan(held.state, { name: 'pvh', mode: 'tap' } as Record<string, never>, held.private)).requiresReplace).toEqual([['vnet_header']]);
      } finally {
        await a.stop();
      }
      const after = await freshDriver();
      const free = await after.readWithPrivate(created.newState!);
      const p = await after.plan(free.state, { name: 'pvh', mode: 'tap' } as Record<string, never>, free.private);
      expect(p.requiresReplace).toBeUndefined();
      const r = await after.apply(free.state, { name: 'pvh', mode: 'tap' } as Record<string, never>, free.private);
      expect(errorsOf(r.diagnostics)).toEqual([]);
      expect(r.newState).toMatchObject({ vnet_header: false, ifindex });
      expect(link(ns, 'pvh').ifindex).toBe(ifindex);
      expect(link(ns, 'pvh').linkinfo?.info_data).toMatchObject({ vnet_hdr: false });
      expect(errorsOf((await after.apply(r.newState!, null)).diagnostics)).toEqual([]);
    } finally {
      attacher.cleanup();
    }
  });

  test('GIVEN an address deleted by hand WHEN read THEN the state lacks it and the plan puts it back in place', async () => {
    ipn(ns, 'addr', 'del', '172.31.2.1/24', 'dev', 'pa');
    const fresh = new Driver(createProvider(realDeps()));
    await fresh.configure({ netns: ns });
    const read = await fresh.read(states.get('pa')!);
    expect(read).toMatchObject({ name: 'pa', addresses: [] });
    const p = await fresh.plan(read, cfg('pa'));
    expect(p.requiresReplace).toBeUndefined();
    expect(p.planned).toMatchObject({ addresses: ['172.31.2.1/24'], ifindex: read!.ifindex });
  });

  test('GIVEN an in-place address change WHEN applied THEN the ifindex stays and the kernel has the new address', async () => {
    const before = link(ns, 'pa').ifindex;
    const r = await driver.apply(states.get('pa')!, cfg('pa', { addresses: ['172.31.9.1/24'] }));
    expect(errorsOf(r.diagnostics)).toEqual([]);
    expect(r.newState).toMatchObject({ ifindex: before, addresses: ['172.31.9.1/24'] });
    expect(link(ns, 'pa').ifindex).toBe(before);
    expect(addresses(ns, 'pa')).toEqual(['172.31.9.1/24']);
    states.set('pa', r.newState!);
  });

  test('GIVEN a device deleted by hand WHEN read THEN it is gone (null) and applying the create restores it', async () => {
    ipn(ns, 'link', 'del', 'pccc');
    const fresh = new Driver(createProvider(realDeps()));
    await fresh.configure({ netns: ns });
    expect(await fresh.read(states.get('pccc')!)).toBeNull();
    const r = await fresh.apply(null, cfg('pccc', { mtu: 1400 }));
    expect(errorsOf(r.diagnostics)).toEqual([]);
    expect(maybeLink(ns, 'pccc')).toBeDefined();
    states.set('pccc', r.newState!);
  });

  test('GIVEN a reader on one device WHEN it and another are deleted in one batch THEN the busy one is refused by name, the other is deleted', async () => {
    const r = await Reader.start(reader.bin, ns, 'pbb');
    try {
      runs.length = 0;
      const [busy, free] = await Promise.all([driver.apply(states.get('pbb')!, null), driver.apply(states.get('pccc')!, null)]);
      expect(free.newState).toBeNull();
      expect(errorsOf(free.diagnostics)).toEqual([]);
      expect(maybeLink(ns, 'pccc')).toBeUndefined();
      expect(errorsOf(busy.diagnostics).map((d) => d.summary)).toEqual(["tunform_netdev 'pbb': delete refused; nothing was changed for it"]);
      expect(busy.diagnostics?.[0]?.detail).toContain(`processes are attached: pid ${r.pid}`);
      expect(busy.diagnostics?.[0]?.detail).toContain('force = true');
      expect(busy.newState).toEqual(states.get('pbb'));
      expect(maybeLink(ns, 'pbb')).toBeDefined();
      // One batch: the refused run, then the same run without the refused device.
      expect(runs).toEqual([
        { devices: ['pbb', 'pccc'], destroy: true },
        { devices: ['pccc'], destroy: true },
      ]);
    } finally {
      await r.kill();
    }
  });

  test('GIVEN a device made by ip tuntap WHEN imported, planned and applied THEN managed goes false -> true and the marker is set', async () => {
    ipn(ns, 'tuntap', 'add', 'dev', 'ext0', 'mode', 'tap');
    const imp = await driver.resource.import('ext0');
    expect(errorsOf(imp.diagnostics)).toEqual([]);
    const imported = imp.imported[0]!.state;
    expect(imported).toMatchObject({ name: 'ext0', mode: 'tap', managed: false, addresses: null, mtu: null });
    const read = await driver.read(imported);
    const p = await driver.plan(read, { name: 'ext0', mode: 'tap' } as never);
    expect(p.requiresReplace).toBeUndefined();
    expect(p.planned).toMatchObject({ managed: true, ifindex: link(ns, 'ext0').ifindex });
    const r = await driver.apply(read, { name: 'ext0', mode: 'tap' } as never);
    expect(errorsOf(r.diagnostics)).toEqual([]);
    expect(link(ns, 'ext0').ifalias).toBe('tunform');
    expect(r.newState).toMatchObject({ managed: true });
  });

  test('GIVEN a name that is not tun/tap, or that does not exist WHEN imported THEN a clear error and no state', async () => {
    ipn(ns, 'link', 'add', 'veth0', 'type', 'veth', 'peer', 'name', 'veth1');
    const dummy = await driver.resource.import('veth0');
    expect(dummy.imported).toEqual([]);
    expect(errorsOf(dummy.diagnostics).map((d) => d.summary)).toEqual([
      "cannot import 'veth0': it is a veth link, not a tun/tap device; tunform_netdev manages tun/tap devices only",
    ]);
    const none = await driver.resource.import('nosuch0');
    expect(errorsOf(none.diagnostics).map((d) => d.summary)).toEqual([`cannot import 'nosuch0': there is no device of that name in netns '${ns}'`]);
  });

  test('GIVEN devices WHEN the data source is read THEN it lists them as show --json does, in attribute names', async () => {
    // A new plugin process, as Terraform starts for each command: no snapshot from the tests above.
    const fresh = new Driver(createProvider(realDeps()));
    await fresh.configure({ netns: ns });
    const ds = await fresh.provider.dataSources.tunform_netdevs!.read({});
    const devices = (ds.state as { devices: CtyObject[] }).devices;
    expect(devices.map((d) => d.name)).toEqual(['ext0', 'pa', 'pbb']);
    const show = JSON.parse(execFileSync('node', ['bin/tunform.js', 'show', '--json', '--netns', ns], { encoding: 'utf8' })) as { devices: { name: string; ifindex: number; multiQueue: boolean }[] };
    expect(devices.map((d) => [d.name, d.ifindex, d.multi_queue])).toEqual(show.devices.map((d) => [d.name, d.ifindex, d.multiQueue]));
  });

  test('GIVEN an unmarked device with a declared name WHEN created THEN refused naming it, with the import hint', async () => {
    ipn(ns, 'tuntap', 'add', 'ext1', 'mode', 'tun');
    const r = await driver.apply(null, cfg('ext1'));
    expect(errorsOf(r.diagnostics).map((d) => d.summary)).toEqual(["tunform_netdev 'ext1': apply refused; nothing was changed for it"]);
    expect(r.diagnostics?.[0]?.detail).toContain('terraform import');
    expect(link(ns, 'ext1').ifalias).toBeUndefined();
  });
});
