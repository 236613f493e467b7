/**
 * The record backend's applier passes a host's whole spec through the
 * environment, where Linux caps one string at 128 KiB: 1000 devices (about
 * 150 KB of spec) used to fail with "Argument list too long". Real terraform
 * runs the synthesized applier (the per-device records only store, so they
 * are left out to keep the test short), the real CLI applies in a throwaway
 * namespace, and destroy removes what it made.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TerraformStack, Testing } from 'cdktf';
import { TunformHost, TunNetdev } from '../../constructs/index.js';
import { cliBin, requireBuiltCli } from '../support/cli.js';
import { createNetns, destroyNetns, ipn } from '../support/netns.js';
import { skipUnlessRoot } from '../support/require-root.js';
import { requireTerraform, TerraformSetup } from '../support/terraform.js';

const N = 1000;
let ns = '';
let tf: TerraformSetup | undefined;

const tunCount = (): number =>
  (JSON.parse(ipn(ns, '-j', 'link', 'show', 'type', 'tun')) as unknown[]).length;

describe.skipIf(skipUnlessRoot())('acceptance: a host spec longer than one environment string', () => {
  beforeAll(() => {
    requireBuiltCli();
    requireTerraform();
    ns = createNetns('als');
    tf = new TerraformSetup('applier');
  });
  afterAll(() => {
    destroyNetns(ns);
    tf?.remove();
  });

  it(`GIVEN ${N} devices on one terraform_data host WHEN terraform applies the applier THEN all exist, and destroy removes them`, async () => {
    // GIVEN the synthesized stack's applier for N devices
    const stack = new TerraformStack(Testing.app(), 'long');
    new TunformHost(stack, 'host', { backend: 'terraform_data', netns: ns, nodePath: process.execPath, cliPath: cliBin });
    for (let i = 0; i < N; i++) new TunNetdev(stack, `d${i}`, { name: `tl${i}`, mode: 'tun', addresses: [`10.${i >> 8}.${i & 255}.1/32`] });
    const doc = JSON.parse(Testing.synth(stack)) as { resource: { terraform_data: Record<string, unknown> } };
    const [applierName, applier] = Object.entries(doc.resource.terraform_data).find(([name]) => name.includes('Applier'))!;
    expect(JSON.stringify(applier).length).toBeGreaterThan(128 * 1024);
    writeFileSync(join(tf!.work, 'main.tf.json'), JSON.stringify({ resource: { terraform_data: { [applierName]: applier } } }));

    // WHEN
    expect((await tf!.terraform(['init'])).code).toBe(0);
    const applied = await tf!.terraform(['apply', '-auto-approve']);

    // THEN
    expect(applied.code, applied.stderr).toBe(0);
    expect(tunCount()).toBe(N);
    const destroyed = await tf!.terraform(['destroy', '-auto-approve']);
    expect(destroyed.code, destroyed.stderr).toBe(0);
    expect(tunCount()).toBe(0);
  });
});
