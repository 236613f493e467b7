/**
 * THE acceptance scenario (systemd PR 30504, done by tunform): one throwaway
 * namespace, the real compiled CLI, the real helper and holder, a real reader
 * and real UDP traffic. Steps run in order and share the namespace; a failing
 * step makes the later ones fail too, so read the first failure.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBuiltCli, runTunform, SpecDir, specYaml } from '../support/cli.js';
import { createNetns, destroyNetns, isRoot } from '../support/netns.js';
import { rmSync } from 'node:fs';
import {
  addresses,
  buildReader,
  eventually,
  holderProcesses,
  infoData,
  inNetns,
  link,
  maybeLink,
  Reader,
  sendDatagrams,
  txDropped,
} from '../support/traffic.js';
import { skipUnlessRoot } from '../support/require-root.js';

const DATAGRAMS = 200;
const DEV = 'tun-test';

let ns = '';
let dir: SpecDir;
let readerBuild: { bin: string; cleanup: () => void };
let specFile = '';
let reader: Reader | undefined;

interface ShownDevice {
  name: string;
  ifindex: number;
  carrier: boolean;
  up: boolean;
  numQueues?: number;
  numDisabled?: number;
  holderPids: number[];
  attachedPids: number[];
  keepCarrier: boolean;
  addresses: string[];
}

async function shown(name = DEV): Promise<ShownDevice> {
  const r = await runTunform(['show', '--netns', ns, '--json']);
  expect(r.code, r.stderr).toBe(0);
  const d = (JSON.parse(r.stdout).devices as ShownDevice[]).find((x) => x.name === name);
  if (!d) throw new Error(`show does not list ${name}: ${r.stdout}`);
  return d;
}

const spec = (address: string) => specYaml([{ name: DEV, mode: 'tun', multiQueue: true, keepCarrier: true, addresses: [address] }], ns);

describe.skipIf(skipUnlessRoot())('acceptance: KeepCarrier on a multi-queue tun (systemd PR 30504)', () => {
  beforeAll(() => {
    requireBuiltCli();
    readerBuild = buildReader();
    dir = new SpecDir('keepcarrier');
    ns = createNetns('acc');
    specFile = dir.write('tun-test.yaml', spec('172.31.0.1/24'));
  });

  afterAll(async () => {
    await reader?.kill();
    if (ns) {
      destroyNetns(ns);
      rmSync(`/run/tunform/netns/${ns}`, { recursive: true, force: true });
    }
    dir?.remove();
    readerBuild?.cleanup();
  });

  it('1. apply creates tun-test: multi-queue, held with its queue detached, up, addressed', async () => {
    // GIVEN an empty namespace and the spec
    // WHEN apply runs
    const r = await runTunform(['apply', '-f', specFile]);
    // THEN it succeeds and the kernel shows the device held, detached, with carrier and the address
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/\+ create tun-test/);
    expect(infoData(ns, DEV)).toMatchObject({ type: 'tun', multi_queue: true, pi: false, persist: true, numqueues: 0, numdisabled: 1 });
    expect(link(ns, DEV).flags).toEqual(expect.arrayContaining(['UP', 'LOWER_UP']));
    expect(addresses(ns, DEV)).toEqual(['172.31.0.1/24']);
    expect((await runTunform(['drift', '-f', specFile])).code).toBe(0);
  });

  it('2. a reader attaches a queue inside the namespace', async () => {
    // GIVEN the applied device  WHEN the reader fixture attaches
    reader = await Reader.start(readerBuild.bin, ns, DEV);
    // THEN the device has one active queue (the reader) and one detached (the holder)
    expect(infoData(ns, DEV)).toMatchObject({ numqueues: 1, numdisabled: 1 });
  });

  it(`3-4. all ${DATAGRAMS} UDP flows to 172.31.0.2 reach the reader`, async () => {
    // GIVEN the attached reader
    // WHEN 200 datagrams are sent, each from its own source port
    sendDatagrams(ns, DATAGRAMS, '172.31.0.2');
    // THEN the reader counts every one: no flow was steered to the holder
    expect(await reader!.settle(DATAGRAMS)).toBe(DATAGRAMS);
  });

  it('5. negative control: a holder that keeps its queue attached loses flows', async () => {
    await inNetns('accneg', async (other) => {
      // GIVEN a fresh multi-queue tun applied without keepCarrier, kept up by an idle fd whose queue stays ATTACHED (pre-fix holder)
      const file = dir.write('negative.yaml', specYaml([{ name: DEV, mode: 'tun', multiQueue: true, keepCarrier: false, addresses: ['172.31.0.1/24'] }], other));
      const applied = await runTunform(['apply', '-f', file]);
      expect(applied.code, applied.stderr).toBe(0);
      const idle = await Reader.start(readerBuild.bin, other, DEV, ['--idle']);
      const victim = await Reader.start(readerBuild.bin, other, DEV);
      try {
        expect(infoData(other, DEV)).toMatchObject({ numqueues: 2, numdisabled: 0 });
        // WHEN the same 200 flows are sent
        sendDatagrams(other, DATAGRAMS, '172.31.0.2');
        // THEN the reader misses the flows hashed to the idle queue
        expect(await victim.settle(DATAGRAMS)).toBeLessThan(DATAGRAMS);
      } finally {
        await victim.kill();
        await idle.kill();
      }
    });
  });

  it('6. with the reader gone, carrier stays up and packets are counted as tx dropped', async () => {
    // GIVEN the reader is killed
    await reader!.kill();
    reader = undefined;
    // THEN the link is still UP,LOWER_UP with only the holder's detached queue
    expect(link(ns, DEV).flags).toEqual(expect.arrayContaining(['UP', 'LOWER_UP']));
    expect(infoData(ns, DEV)).toMatchObject({ numqueues: 0, numdisabled: 1 });
    // WHEN more datagrams are sent
    const before = txDropped(ns, DEV);
    sendDatagrams(ns, 50, '172.31.0.2');
    // THEN each is dropped by the device (not queued to the holder)
    expect(txDropped(ns, DEV) - before).toBeGreaterThanOrEqual(50);
  });

  it('7. a second apply changes nothing: same holder, ifindex and carrier', async () => {
    // GIVEN the state after step 6
    const before = await shown();
    expect(before.holderPids).toHaveLength(1);
    // WHEN apply runs again
    const r = await runTunform(['apply', '-f', specFile]);
    // THEN it reports no changes and the device, holder and carrier are the same
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/No changes/);
    const after = await shown();
    expect(after.ifindex).toBe(before.ifindex);
    expect(after.holderPids).toEqual(before.holderPids);
    expect(after.carrier).toBe(true);
  });

  it('8. a killed holder is drift; apply restores the held fd without recreating the device', async () => {
    // GIVEN the holder's pid from show --json
    const before = await shown();
    const [holder] = before.holderPids;
    expect(holder).toBeGreaterThan(0);
    // WHEN it is SIGKILLed
    process.kill(holder!, 'SIGKILL');
    await eventually(() => (infoData(ns, DEV).numdisabled === 0 ? true : undefined), 'the holder fd to close');
    // THEN drift exits 2
    const drift = await runTunform(['drift', '-f', specFile]);
    expect(drift.code).toBe(2);
    // AND apply re-holds the same device (same ifindex), with a new holder, and drift is 0 again
    const r = await runTunform(['apply', '-f', specFile]);
    expect(r.code, r.stderr).toBe(0);
    const after = await shown();
    expect(after.ifindex).toBe(before.ifindex);
    expect(after.holderPids).toHaveLength(1);
    expect(after.holderPids[0]).not.toBe(holder);
    expect(after).toMatchObject({ numQueues: 0, numDisabled: 1, carrier: true, keepCarrier: true });
    expect((await runTunform(['drift', '-f', specFile])).code).toBe(0);
  });

  it('9. changing the address while a reader is attached keeps the reader receiving', async () => {
    // GIVEN a reader attached again
    reader = await Reader.start(readerBuild.bin, ns, DEV);
    const ifindex = link(ns, DEV).ifindex;
    // WHEN the spec moves the device to 172.31.5.1/24 and apply runs
    specFile = dir.write('tun-test.yaml', spec('172.31.5.1/24'));
    const r = await runTunform(['apply', '-f', specFile]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/~ update tun-test/);
    // THEN the device is the same one with the new address, and the reader gets every flow to the new subnet
    expect(link(ns, DEV).ifindex).toBe(ifindex);
    expect(addresses(ns, DEV)).toEqual(['172.31.5.1/24']);
    expect(reader.child.exitCode).toBeNull();
    sendDatagrams(ns, DATAGRAMS, '172.31.5.2');
    expect(await reader.settle(DATAGRAMS)).toBe(DATAGRAMS);
    expect((await runTunform(['drift', '-f', specFile])).code).toBe(0);
    await reader.kill();
    reader = undefined;
  });

  it('10. destroy removes the device and releases the holder', async () => {
    // GIVEN the applied device with its holder
    expect(holderProcesses(ns)).toHaveLength(1);
    // WHEN destroy runs
    const r = await runTunform(['destroy', '-f', specFile]);
    // THEN the device is gone and no holder process is left in the namespace
    expect(r.code, r.stderr).toBe(0);
    expect(maybeLink(ns, DEV)).toBeUndefined();
    await eventually(() => (holderProcesses(ns).length === 0 ? true : undefined), 'the holder to exit');
    expect(holderProcesses(ns)).toEqual([]);
  });
});
