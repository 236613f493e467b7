/**
 * The examples as a user deploys them: `cdktf deploy` with the constructs'
 * default backend, tunform's own provider (installed offline into each
 * project's mirror), then `cdktf destroy`, each into a throwaway namespace.
 * What is checked against the kernel is read by tunform's CLI, not by the
 * provider: `tunform drift --synth` compares the live devices with what the
 * synthesized stack declares.
 */
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import { createNetns, destroyNetns } from '../support/netns.js';
import { skipUnlessRoot } from '../support/require-root.js';
import { readLiveState } from '../../src/live/index.js';
import { REPO_ROOT, cdktfProject, terraformVersion, tunform, type RunResult } from './support/cdktf.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});

const ok = (what: string, r: RunResult) => {
  if (r.code !== 0) throw new Error(`${what} failed (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
};

/** Each example, the devices it declares and which of them keep their carrier. */
const EXAMPLES: [string, string[], string[]][] = [
  ['vpn-keepcarrier', ['tun-test'], ['tun-test']],
  ['vm-tap', ['tap-vm0'], []],
  ['packet-processing', ['pp-in', 'pp-out'], ['pp-in', 'pp-out']],
];

describe.skipIf(skipUnlessRoot())('the examples through the provider (root, real terraform)', { timeout: 600_000 }, () => {
  beforeAll(() => {
    const tf = terraformVersion();
    if (!tf.ok) throw new Error(tf.reason);
  });

  test.each(EXAMPLES)('GIVEN examples/%s WHEN deployed THEN its tunform_netdev resources make exactly the declared devices; WHEN destroyed THEN none is left', async (example, names, held) => {
    // GIVEN
    const netns = createNetns('ex');
    cleanups.push(() => destroyNetns(netns));
    const project = cdktfProject(join(REPO_ROOT, 'examples', example, 'main.ts'), { TUNFORM_NETNS: netns });
    cleanups.push(() => project.remove());
    // WHEN
    const deploy = await project.deploy();
    ok('cdktf deploy', deploy);
    // THEN
    expect(deploy.stdout).toContain('tunform_netdev.');
    expect(deploy.stdout).not.toContain('local-exec');
    const live = await readLiveState({ netns });
    expect(live.devices.map((d) => d.name)).toEqual([...names].sort());
    expect(live.devices.every((d) => d.managed)).toBe(true);
    expect(live.devices.filter((d) => d.holderPids.length > 0).map((d) => d.name)).toEqual([...held].sort());
    const drift = await tunform(['drift', '--synth', project.stackDir(example)]);
    expect(drift.code, drift.stdout + drift.stderr).toBe(0);
    // WHEN
    ok('cdktf destroy', await project.destroy());
    // THEN
    expect((await readLiveState({ netns })).devices).toEqual([]);
  });
});
