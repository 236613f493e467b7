/**
 * CDK for Terraform (`cdktf`) and CDK Terrain (`cdktn`): one app, written once,
 * synthesized with each library and the constructs entry that matches it
 * (`tunform/constructs`, `tunform/constructs/cdktn`, both built by `npm run
 * build`). `cdktn-cli` needs Node.js 22, so the cdktn stack is synthesized with
 * the library and deployed by running terraform directly.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import { createNetns, destroyNetns } from '../support/netns.js';
import { skipUnlessRoot } from '../support/require-root.js';
import { readLiveState } from '../../src/live/index.js';
import { REPO_ROOT, terraformVersion } from './support/cdktf.js';
import { terraform } from './support/terraform.js';

const APP = join(REPO_ROOT, 'test', 'e2e', 'apps', 'library.mjs');
const run = promisify(execFile);
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});

type Library = 'cdktf' | 'cdktn';

/** Synthesizes the app with one library; returns the stack directory. */
async function synth(library: Library, env: Record<string, string>): Promise<string> {
  const out = mkdtempSync(join(tmpdir(), `tunform-${library}-`));
  cleanups.push(() => rmSync(out, { recursive: true, force: true }));
  mkdirSync(out, { recursive: true });
  await run(process.execPath, [APP, library, out], { cwd: out, env: { ...process.env, ...env } });
  return join(out, 'stacks', 'lib');
}

/** The configuration without the per-construct metadata (which names the library). */
function configOf(stackDir: string): unknown {
  const strip = (v: unknown): unknown =>
    Array.isArray(v) ? v.map(strip) : v !== null && typeof v === 'object' ? Object.fromEntries(Object.entries(v).filter(([k]) => k !== '//').map(([k, x]) => [k, strip(x)])) : v;
  return strip(JSON.parse(readFileSync(join(stackDir, 'cdk.tf.json'), 'utf8')));
}

const DEVICES = JSON.stringify([
  { name: 'tun-a', mode: 'tun', multiQueue: true, keepCarrier: true, addresses: ['10.7.0.1/24'] },
  { name: 'tap-b', mode: 'tap', mtu: 9000 },
]);

describe('the constructs under cdktf and cdktn', () => {
  beforeAll(() => {
    const tf = terraformVersion();
    if (!tf.ok) throw new Error(tf.reason);
  });

  test('GIVEN one app with the provider backend WHEN synthesized with cdktf and with cdktn THEN both configurations are the same', async () => {
    // GIVEN
    const env = { TUNFORM_E2E_DEVICES: DEVICES, TUNFORM_NETNS: 'lab', TUNFORM_BACKEND: 'provider' };
    // WHEN
    const [tf, tn] = [configOf(await synth('cdktf', env)), configOf(await synth('cdktn', env))] as { provider: unknown; resource: unknown }[];
    // THEN
    expect(Object.keys((tf?.resource ?? {}) as object)).toEqual(['tunform_netdev']);
    expect(tn?.provider).toEqual(tf?.provider);
    expect(tn?.resource).toEqual(tf?.resource);
  });

  test('GIVEN one app with the terraform_data backend WHEN synthesized with cdktf and with cdktn THEN both configurations are the same and terraform validates them', async () => {
    // GIVEN
    const env = { TUNFORM_E2E_DEVICES: DEVICES, TUNFORM_NETNS: 'lab', TUNFORM_BACKEND: 'terraform_data' };
    // WHEN
    const dirs = { cdktf: await synth('cdktf', env), cdktn: await synth('cdktn', env) };
    // THEN
    type Config = { resource: { terraform_data: Record<string, unknown> } };
    const [tf, tn] = [configOf(dirs.cdktf) as Config, configOf(dirs.cdktn) as Config];
    expect(Object.keys(tf.resource.terraform_data).sort()).toEqual(['host_Applier_6BC53F95', 'tap-b', 'tun-a']);
    // Everything but the state file's path (each synth has its own directory) is the same.
    expect(tn.resource).toEqual(tf.resource);
    for (const dir of Object.values(dirs)) {
      const init = await terraform(dir, ['init', '-input=false', '-backend=false']);
      expect(init.stderr).toBe('');
      const validate = await terraform(dir, ['validate']);
      expect(`${validate.code} ${validate.stdout}${validate.stderr}`).toContain('0 Success! The configuration is valid.');
    }
  });

  test.skipIf(skipUnlessRoot())('GIVEN a cdktn stack with the terraform_data backend WHEN terraform applies and destroys it THEN the devices are made by one CLI run and then deleted', async () => {
    // GIVEN
    const netns = createNetns('cdktn');
    cleanups.push(() => destroyNetns(netns));
    const dir = await synth('cdktn', { TUNFORM_E2E_DEVICES: DEVICES, TUNFORM_NETNS: netns, TUNFORM_BACKEND: 'terraform_data' });
    expect((await terraform(dir, ['init', '-input=false'])).code).toBe(0);
    // WHEN
    const apply = await terraform(dir, ['apply', '-auto-approve', '-input=false']);
    // THEN
    expect(apply.code, apply.stdout + apply.stderr).toBe(0);
    expect(apply.stdout.match(/Provisioning with 'local-exec'/g)).toHaveLength(1);
    const live = await readLiveState({ netns });
    expect(live.devices.map((d) => [d.name, d.managed, d.keepCarrier, d.mtu])).toEqual([
      ['tap-b', true, false, 9000],
      ['tun-a', true, true, 1500],
    ]);
    // WHEN
    const destroy = await terraform(dir, ['destroy', '-auto-approve', '-input=false']);
    // THEN
    expect(destroy.code, destroy.stdout + destroy.stderr).toBe(0);
    expect((await readLiveState({ netns })).devices).toEqual([]);
  });
});
