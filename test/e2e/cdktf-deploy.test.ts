/**
 * The record backend deployed for real: `cdktf deploy` / `destroy` with the
 * terraform on PATH (terraform_data backend, no provider needed), each test in
 * its own throwaway namespace and working directory. A missing terraform is a
 * failure, not a skip. Slow (about 5 s per deploy): few, broad tests.
 */
import { execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import { createNetns, destroyNetns, ipn, isRoot } from '../support/netns.js';
import { readLiveState } from '../../src/live/index.js';
import type { LiveDevice } from '../../src/model.js';
import {
  REPO_ROOT,
  buildReader,
  cdktfProject,
  sendUdp,
  startReader,
  terraformVersion,
  tunform,
  type CdktfProject,
  type Reader,
  type RunResult,
} from './support/cdktf.js';
import { skipUnlessRoot } from '../support/require-root.js';

const APP = join(REPO_ROOT, 'test', 'e2e', 'apps', 'devices.ts');
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) {
    try {
      await c();
    } catch {
      /* keep cleaning */
    }
  }
});

function setup(tag: string): { netns: string; project: CdktfProject } {
  const netns = createNetns(tag);
  cleanups.push(() => destroyNetns(netns));
  const project = cdktfProject(APP, { TUNFORM_NETNS: netns, TUNFORM_BACKEND: 'terraform_data' });
  cleanups.push(() => project.remove());
  return { netns, project };
}

function ok(r: RunResult): void {
  if (r.code !== 0) throw new Error(`cdktf failed (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
}

async function deploy(project: CdktfProject, devices: object[]): Promise<RunResult> {
  const r = await project.deploy({ TUNFORM_E2E_DEVICES: JSON.stringify(devices) });
  ok(r);
  return r;
}

/** How many times Terraform started a local-exec provisioner (each one is one tunform CLI run). */
const cliRuns = (r: RunResult) => (r.stdout.match(/Provisioning with 'local-exec'/g) ?? []).length;

async function live(netns: string, name: string): Promise<LiveDevice | undefined> {
  return (await readLiveState({ netns })).devices.find((d) => d.name === name);
}

const tun = (address: string) => ({ name: 'tun-test', mode: 'tun', multiQueue: true, keepCarrier: true, addresses: [address] });

describe.skipIf(skipUnlessRoot())('cdktf deploy of TunNetdev (root, real terraform)', { timeout: 600_000 }, () => {
  beforeAll(() => {
    const tf = terraformVersion();
    if (!tf.ok) throw new Error(tf.reason);
  });

  test('GIVEN a deployed keepCarrier device with a reader attached WHEN its address changes and the stack is deployed again THEN the device is updated in place without losing carrier, holder or reader; WHEN destroyed THEN it is gone', async () => {
    // GIVEN
    const { netns, project } = setup('cdk2');
    await deploy(project, [tun('172.31.0.1/24')]);
    const before = (await live(netns, 'tun-test')) as LiveDevice;
    expect(before).toMatchObject({ mode: 'tun', multiQueue: true, keepCarrier: true, managed: true, up: true, carrier: true, addresses: ['172.31.0.1/24'] });
    // The applier's id (terraform_data: a UUID) is the marker's generation.
    expect(before.generation).toMatch(/^[0-9a-f-]{36}$/);
    expect(before.holderPids).toHaveLength(1);
    const reader: Reader = await startReader(buildReader(project.dir), netns, 'tun-test');
    cleanups.push(() => void reader.stop().catch(() => 0));
    // Watch the link flags for the whole deploy, as fast as ip can answer.
    const samples: string[][] = [];
    const ifindexes = new Set<number>();
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        const out = await new Promise<string>((res) => {
          const p = spawn('ip', ['-n', netns, '-j', 'link', 'show', 'dev', 'tun-test']);
          let s = '';
          p.stdout.on('data', (d: Buffer) => (s += d.toString()));
          p.on('close', () => res(s));
        });
        const link = (JSON.parse(out || '[]') as { ifindex: number; flags: string[] }[])[0];
        samples.push(link?.flags ?? ['<missing>']);
        if (link) ifindexes.add(link.ifindex);
      }
    })();
    // WHEN
    try {
      await deploy(project, [tun('172.31.0.5/24')]);
    } finally {
      watching = false;
      await watcher;
    }
    // THEN
    const after = (await live(netns, 'tun-test')) as LiveDevice;
    expect(after.ifindex).toBe(before.ifindex);
    expect(after.addresses).toEqual(['172.31.0.5/24']);
    expect(after.generation).not.toBe(before.generation);
    expect(after.holderPids).toEqual(before.holderPids);
    // `ip netns exec` execs the reader, so its pid is the reader's.
    expect(after.attachedPids).toContain(reader.process.pid);
    expect(samples.length).toBeGreaterThan(1);
    expect(samples.filter((flags) => !flags.includes('LOWER_UP'))).toEqual([]);
    expect([...ifindexes]).toEqual([before.ifindex]);
    sendUdp(netns, '172.31.0.9', 50);
    expect(await reader.settle(50)).toBe(50);
    await reader.stop();
    ok(await project.destroy({ TUNFORM_E2E_DEVICES: JSON.stringify([tun('172.31.0.5/24')]) }));
    expect(await live(netns, 'tun-test')).toBeUndefined();
  });

  test('GIVEN three devices deployed by one CLI run WHEN an address is removed by hand THEN drift --synth exits 2; WHEN two devices leave the stack THEN deploy deletes them', async () => {
    // GIVEN
    const { netns, project } = setup('cdk3');
    const a = { name: 'tun-a', mode: 'tun', addresses: ['10.9.0.1/24'] };
    const b = { name: 'tun-b', mode: 'tun', multiQueue: true };
    const c = { name: 'tap-c', mode: 'tap' };
    expect(cliRuns(await deploy(project, [a, b, c]))).toBe(1);
    expect((await tunform(['drift', '--synth', project.stackDir('e2e')])).code).toBe(0);
    // WHEN
    ipn(netns, 'addr', 'del', '10.9.0.1/24', 'dev', 'tun-a');
    const drift = await tunform(['drift', '--synth', project.stackDir('e2e')]);
    // THEN
    expect(drift.code).toBe(2);
    expect(drift.stdout).toContain('tun-a');
    // WHEN (the new applier's apply prunes them; Terraform runs no destroy provisioner of the replaced one)
    expect(cliRuns(await deploy(project, [a]))).toBe(1);
    // THEN
    expect(await live(netns, 'tun-b')).toBeUndefined();
    expect(await live(netns, 'tap-c')).toBeUndefined();
    expect(await live(netns, 'tun-a')).toMatchObject({ managed: true });
    ok(await project.destroy({ TUNFORM_E2E_DEVICES: JSON.stringify([a]) }));
    expect((await readLiveState({ netns })).devices).toEqual([]);
  });
});
