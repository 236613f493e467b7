/**
 * `tunform plan`, `drift` and `show` through the real compiled CLI against
 * devices built by hand with iproute2 in a throwaway namespace (issue
 * "Reconciler core"). Each case builds one live situation, writes a spec to a
 * temp file, and checks the human and --json output and the exit codes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AS_NOBODY, requireBuiltCli, runTunform, SpecDir, specYaml, type DeviceYaml } from '../support/cli.js';
import { ipn, isRoot } from '../support/netns.js';
import { buildReader, inNetns, link, Reader } from '../support/traffic.js';
import { skipUnlessRoot } from '../support/require-root.js';

let dir: SpecDir;
let reader: { bin: string; cleanup: () => void } | undefined;

/** A persistent tun made with `ip tuntap`, marked as tunform's, root's (private, as tunform makes it), with an address, up. */
function handMade(ns: string, name: string, opts: { multiQueue?: boolean; marked?: boolean; address?: string; mode?: 'tun' | 'tap' } = {}): void {
  ipn(ns, 'tuntap', 'add', 'dev', name, 'mode', opts.mode ?? 'tun', ...(opts.multiQueue ? ['multi_queue'] : []), 'user', '0');
  if (opts.marked !== false) ipn(ns, 'link', 'set', 'dev', name, 'alias', 'tunform');
  if (opts.address) ipn(ns, 'addr', 'add', opts.address, 'dev', name);
  ipn(ns, 'link', 'set', 'dev', name, 'up');
}

const T0: DeviceYaml = { name: 't0', mode: 'tun', addresses: ['172.31.0.1/24'] };

function spec(ns: string, devices: DeviceYaml[]): string {
  return dir.write(`${ns}-${Math.random().toString(36).slice(2)}.yaml`, specYaml(devices, ns));
}

describe.skipIf(skipUnlessRoot())('tunform plan / drift / show (CLI, real kernel)', () => {
  beforeAll(() => {
    requireBuiltCli();
    dir = new SpecDir('plan-drift');
  });
  afterAll(() => {
    dir?.remove();
    reader?.cleanup();
  });

  it('reports "No drift." and exit 0 when live matches the spec', async () => {
    await inNetns('pd-sync', async (ns) => {
      // GIVEN a marked tun with the declared address, up
      handMade(ns, 't0', { address: '172.31.0.1/24' });
      const file = spec(ns, [T0]);
      // WHEN drift and plan run (human and JSON)
      const drift = await runTunform(['drift', '-f', file]);
      const driftJson = await runTunform(['drift', '-f', file, '--json']);
      const plan = await runTunform(['plan', '-f', file, '--json']);
      // THEN drift says in sync with exit 0 and the plan is empty
      expect(drift).toMatchObject({ code: 0, stdout: 'No drift.\n' });
      expect(driftJson.code).toBe(0);
      expect(JSON.parse(driftJson.stdout)).toMatchObject({ netns: ns, inSync: true, drifted: [], actions: [], conflicts: [] });
      expect(plan.code).toBe(0);
      expect(JSON.parse(plan.stdout)).toMatchObject({ summary: { create: 0, update: 0, replace: 0, delete: 0, conflict: 0 }, actions: [] });
    });
  });

  it('a missing device is drift (2) and plan shows + create', async () => {
    await inNetns('pd-miss', async (ns) => {
      // GIVEN t0 in sync and a declared t1 that does not exist
      handMade(ns, 't0', { address: '172.31.0.1/24' });
      const file = spec(ns, [T0, { name: 't1', mode: 'tun', multiQueue: true }]);
      // WHEN drift and plan run
      const drift = await runTunform(['drift', '-f', file]);
      const plan = await runTunform(['plan', '-f', file]);
      const planJson = JSON.parse((await runTunform(['plan', '-f', file, '--json'])).stdout);
      // THEN drift exits 2 naming t1, and plan (exit 0) creates t1 only
      expect(drift.code).toBe(2);
      expect(drift.stdout).toMatch(/t1: missing/);
      expect(drift.stdout).not.toMatch(/t0/);
      expect(plan.code).toBe(0);
      expect(plan.stdout).toMatch(/^\+ create t1 \(tun, multiQueue\)$/m);
      expect(plan.stdout).toMatch(/Plan: 1 to create, 0 to update, 0 to replace, 0 to delete\./);
      expect(planJson.actions).toEqual([
        {
          action: 'create',
          name: 't1',
          device: { name: 't1', mode: 'tun', multiQueue: true, keepCarrier: false, packetInfo: false, vnetHeader: false, anyoneMayAttach: false, up: true },
        },
      ]);
    });
  });

  it('a changed address is drift (2) and plan shows ~ update with +/- address', async () => {
    await inNetns('pd-addr', async (ns) => {
      // GIVEN t0 carrying another address than the declared one
      handMade(ns, 't0', { address: '172.31.0.9/24' });
      const file = spec(ns, [T0]);
      // WHEN drift and plan run
      const drift = await runTunform(['drift', '-f', file]);
      const driftJson = await runTunform(['drift', '-f', file, '--json']);
      const plan = await runTunform(['plan', '-f', file]);
      // THEN an in-place update adds the declared address and removes the other one
      expect(drift.code).toBe(2);
      expect(driftJson.code).toBe(2);
      const doc = JSON.parse(driftJson.stdout);
      expect(doc).toMatchObject({ inSync: false, drifted: ['t0'] });
      expect(doc.actions).toEqual([
        { action: 'update', name: 't0', ifindex: link(ns, 't0').ifindex, changes: { addresses: { add: ['172.31.0.1/24'], remove: ['172.31.0.9/24'] } } },
      ]);
      expect(plan.stdout).toMatch(/^~ update t0$/m);
      expect(plan.stdout).toMatch(/^\s+\+ address 172\.31\.0\.1\/24$/m);
      expect(plan.stdout).toMatch(/^\s+- address 172\.31\.0\.9\/24$/m);
    });
  });

  it('a changed multiQueue is drift (2) and plan shows -/+ replace', async () => {
    await inNetns('pd-mq', async (ns) => {
      // GIVEN t0 made multi-queue while the spec says single-queue
      handMade(ns, 't0', { address: '172.31.0.1/24', multiQueue: true });
      const file = spec(ns, [{ ...T0, multiQueue: false }]);
      // WHEN drift and plan run
      const drift = await runTunform(['drift', '-f', file]);
      const plan = await runTunform(['plan', '-f', file]);
      const planJson = JSON.parse((await runTunform(['plan', '-f', file, '--json'])).stdout);
      // THEN it is a replace whose reason is multiQueue true -> false
      expect(drift.code).toBe(2);
      expect(plan.stdout).toMatch(/^-\/\+ replace t0/m);
      expect(plan.stdout).toMatch(/Plan: 0 to create, 0 to update, 1 to replace, 0 to delete\./);
      expect(planJson.actions).toHaveLength(1);
      expect(planJson.actions[0]).toMatchObject({ action: 'replace', name: 't0', reasons: { multiQueue: { from: true, to: false } }, attachedPids: [] });
    });
  });

  it('keepCarrier declared but no holder is drift (2)', async () => {
    await inNetns('pd-hold', async (ns) => {
      // GIVEN a marked multi-queue tun that nothing holds
      handMade(ns, 't0', { address: '172.31.0.1/24', multiQueue: true });
      const file = spec(ns, [{ ...T0, multiQueue: true, keepCarrier: true }]);
      // WHEN drift runs
      const drift = await runTunform(['drift', '-f', file]);
      const driftJson = JSON.parse((await runTunform(['drift', '-f', file, '--json'])).stdout);
      // THEN the missing holder is the one difference
      expect(drift.code).toBe(2);
      expect(drift.stdout).toMatch(/t0/);
      expect(driftJson.actions).toEqual([{ action: 'update', name: 't0', ifindex: link(ns, 't0').ifindex, changes: { keepCarrier: { from: false, to: true } } }]);
    });
  });

  it('a declared name that exists unmarked is a conflict: drift 2, plan lists it with !', async () => {
    await inNetns('pd-conf', async (ns) => {
      // GIVEN t0 made by someone else (no alias)
      handMade(ns, 't0', { address: '172.31.0.1/24', marked: false });
      const file = spec(ns, [T0]);
      // WHEN drift and plan run
      const drift = await runTunform(['drift', '-f', file]);
      const plan = await runTunform(['plan', '-f', file]);
      const planJson = JSON.parse((await runTunform(['plan', '-f', file, '--json'])).stdout);
      // THEN it is a conflict, not an update, and nothing was changed
      expect(drift.code).toBe(2);
      expect(plan.stdout).toMatch(/^! .*t0/m);
      expect(planJson.conflicts).toHaveLength(1);
      expect(planJson.conflicts[0]).toMatchObject({ name: 't0' });
      expect(planJson.actions).toEqual([]);
      expect(link(ns, 't0').ifalias).toBeUndefined();
    });
  });

  it('a validation error exits 1 and points at file:line:column', async () => {
    // GIVEN a spec whose third line has a bad mode
    const file = dir.write('bad.yaml', 'devices:\n  - name: t0\n    mode: tux\n');
    // WHEN plan and drift read it
    const plan = await runTunform(['plan', '-f', file]);
    const drift = await runTunform(['drift', '-f', file]);
    const driftJson = await runTunform(['drift', '-f', file, '--json']);
    // THEN both exit 1 and name the file, line 3 and the field
    for (const r of [plan, drift]) {
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`${file}:3:`);
      expect(r.stderr).toMatch(/mode/);
    }
    expect(driftJson.code).toBe(1);
    expect(JSON.parse(driftJson.stdout)).toMatchObject({ error: { kind: 'invalid', exitCode: 1 } });
  });

  it('a netns that does not exist exits 1 and names it', async () => {
    // GIVEN a namespace name nobody created
    const ghost = `tf-ghost-${process.pid}`;
    const file = dir.write('ghost.yaml', specYaml([T0], ghost));
    // WHEN plan, drift and show are pointed at it
    const results = [await runTunform(['plan', '-f', file]), await runTunform(['drift', '-f', file]), await runTunform(['show', '--netns', ghost])];
    // THEN each exits 1 with a message naming the namespace
    for (const r of results) {
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(ghost);
    }
  });

  it('show lists the devices with queues, flags, marker and attached processes', async () => {
    reader ??= buildReader();
    await inNetns('pd-show', async (ns) => {
      // GIVEN a marked multi-queue tun with an idle reader attached, and an unmarked tap
      handMade(ns, 'mq0', { address: '172.31.0.1/24', multiQueue: true });
      handMade(ns, 'tap0', { mode: 'tap', marked: false });
      const idle = await Reader.start(reader!.bin, ns, 'mq0', ['--idle']);
      try {
        // WHEN show runs (table and JSON)
        const table = await runTunform(['show', '--netns', ns]);
        const json = await runTunform(['show', '--netns', ns, '--json']);
        // THEN both devices are listed with their mode, flags, queues, marker and the reader's pid
        expect(table.code).toBe(0);
        const lines = table.stdout.split('\n');
        expect(lines[0]).toMatch(/^NAME\s+MODE\s+FLAGS\s+QUEUES\s+STATE\s+CARRIER/);
        const mq = lines.find((l) => l.startsWith('mq0 '));
        const tap = lines.find((l) => l.startsWith('tap0 '));
        expect(mq).toMatch(/^mq0\s+tun\s+multiQueue,persist\s+1\/0\s+UP\s+yes\s.*\byes\b.*172\.31\.0\.1\/24/);
        expect(mq).toMatch(new RegExp(`\\b${idle.pid}\\b`));
        expect(tap).toMatch(/^tap0\s+tap\s+persist\s+0\/0\s+UP\s+no\s.*\bno\b/);
        const doc = JSON.parse(json.stdout);
        expect(doc.devices.map((d: { name: string }) => d.name)).toEqual(['mq0', 'tap0']);
        expect(doc.devices[0]).toMatchObject({ mode: 'tun', multiQueue: true, numQueues: 1, numDisabled: 0, managed: true, attachedPids: [idle.pid], holderPids: [] });
        expect(doc.devices[1]).toMatchObject({ mode: 'tap', multiQueue: false, managed: false, attachedPids: [] });
      } finally {
        await idle.kill();
      }
    });
  });

  describe('without root', () => {
    it('drift works as nobody inside the namespace: 0 in sync, 2 on drift', async () => {
      await inNetns('pd-nob', async (ns) => {
        // GIVEN t0 in sync, and a spec without netns (the caller's own namespace), readable by nobody
        handMade(ns, 't0', { address: '172.31.0.1/24' });
        const inSync = dir.write(`${ns}-own.yaml`, specYaml([T0]));
        const drifted = dir.write(`${ns}-own2.yaml`, specYaml([{ ...T0, addresses: ['172.31.0.7/24'] }]));
        const wrap = ['ip', 'netns', 'exec', ns, ...AS_NOBODY];
        // WHEN drift runs as nobody (no capabilities) inside the namespace
        const ok = await runTunform(['drift', '-f', inSync], { wrap });
        const bad = await runTunform(['drift', '-f', drifted], { wrap });
        // THEN it reads live state: in sync is 0, a changed address is 2
        expect(ok).toMatchObject({ code: 0, stdout: 'No drift.\n' });
        expect(bad.code).toBe(2);
        expect(bad.stdout).toMatch(/t0/);
      });
    });

    it('drift --netns as nobody fails as a permission problem, not a system error', async () => {
      await inNetns('pd-nob2', async (ns) => {
        // GIVEN a namespace nobody cannot enter (setns needs CAP_SYS_ADMIN)
        handMade(ns, 't0', { address: '172.31.0.1/24' });
        const file = spec(ns, [T0]);
        // WHEN drift is pointed at it as nobody
        const r = await runTunform(['drift', '-f', file, '--json'], { wrap: AS_NOBODY });
        // THEN it exits 1 (drift's error code) and says the cause is a missing privilege, found before running ip
        expect(r.code).toBe(1);
        expect(JSON.parse(r.stdout)).toMatchObject({ error: { kind: 'permission' } });
        expect(JSON.parse(r.stdout).error.message).toBe(
          `reading network namespace '${ns}' needs root or the setuid helper's permission: entering it (ip -n) needs CAP_SYS_ADMIN, which this process does not have`,
        );
      });
    });
  });
});
