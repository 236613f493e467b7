/**
 * The acceptance scenario with real Terraform 1.11, offline, against
 * the real kernel, helper and holder in a throwaway namespace: a hand-written
 * HCL configuration through `tunform install-provider`, init, apply, drift,
 * restore, in-place change under traffic, a refused replacement, import of an
 * `ip tuntap` device, a validation diagnostic, destroy.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { repoRoot, requireBuiltCli } from '../support/cli.js';
import { createNetns, destroyNetns, ipn } from '../support/netns.js';
import { skipUnlessRoot } from '../support/require-root.js';
import { PROVIDER_HEADER, requireTerraform, TerraformSetup } from '../support/terraform.js';
import { addresses, buildReader, link, maybeLink, Reader, sendDatagrams, tunLinks } from '../support/traffic.js';

const VERSION = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;
const run = promisify(execFile);

interface Devices {
  readonly bAddress: string;
  readonly bMultiQueue?: boolean;
  readonly cMtu?: number;
  readonly importExt?: boolean;
}

/** The configuration under test: three devices (b: multiQueue + keepCarrier, read by a test reader), optionally an imported one. */
const hcl = (ns: string, d: Devices) =>
  PROVIDER_HEADER(VERSION, `  netns = "${ns}"\n`) +
  `
resource "tunform_netdev" "a" {
  name      = "tfa"
  mode      = "tun"
  addresses = ["172.31.1.1/24", "FD00:0::1/64"]
}

resource "tunform_netdev" "b" {
  name         = "tfb"
  mode         = "tun"
  multi_queue  = ${d.bMultiQueue ?? true}
  keep_carrier = ${d.bMultiQueue ?? true}
  addresses    = ["${d.bAddress}"]
}

resource "tunform_netdev" "c" {
  name = "tfc"
  mode = "tap"
  mtu  = ${d.cMtu ?? 1400}
}
` +
  (d.importExt
    ? `
import {
  to = tunform_netdev.ext
  id = "ext0"
}

resource "tunform_netdev" "ext" {
  name = "ext0"
  mode = "tap"
}
`
    : '');

function ok(what: string, r: { code: number; stdout: string; stderr: string }): string {
  if (r.code !== 0) throw new Error(`${what} failed (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** Often enough to catch a flap of one netlink round trip's length, seldom enough to leave the 2 cores to Terraform. */
const POLL_EVERY_MS = 10;

/** Polls the device's carrier (LOWER_UP) every few ms until stopped; counts samples without it. */
function pollCarrier(ns: string, dev: string): { stop: () => Promise<{ samples: number; down: number }> } {
  let stopped = false;
  let samples = 0;
  let down = 0;
  const loop = (async () => {
    while (!stopped) {
      const { stdout } = await run('ip', ['-n', ns, '-j', 'link', 'show', 'dev', dev]);
      const [l] = JSON.parse(stdout) as { flags: string[] }[];
      samples += 1;
      if (!l?.flags.includes('LOWER_UP')) down += 1;
      await new Promise((r) => setTimeout(r, POLL_EVERY_MS));
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      await loop;
      return { samples, down };
    },
  };
}

describe.skipIf(skipUnlessRoot())('tunform provider: the HCL acceptance scenario with real terraform', () => {
  let ns: string;
  let tf: TerraformSetup;
  let readerBin: { bin: string; cleanup: () => void };
  let reader: Reader | undefined;

  beforeAll(async () => {
    requireBuiltCli();
    requireTerraform();
    ns = createNetns('tfacc');
    readerBin = buildReader();
    tf = new TerraformSetup('accept');
    ok('install-provider', await tf.installProvider());
  });

  afterAll(async () => {
    await reader?.kill();
    destroyNetns(ns);
    readerBin?.cleanup();
    tf?.remove();
  });

  test('GIVEN three devices in HCL WHEN terraform init (offline) and apply THEN the kernel has them and a plan is clean', async () => {
    tf.writeConfig(hcl(ns, { bAddress: '172.31.2.1/24' }));
    ok('terraform init', await tf.terraform(['init', '-input=false']));
    ok('terraform apply', await tf.terraform(['apply', '-auto-approve', '-input=false']));
    expect(addresses(ns, 'tfa')).toEqual(['172.31.1.1/24', 'fd00::1/64']);
    expect(link(ns, 'tfb').linkinfo?.info_data).toMatchObject({ multi_queue: true });
    expect(link(ns, 'tfc').linkinfo?.info_data).toMatchObject({ type: 'tap' });
    // The spelling FD00:0::1/64 against the kernel's fd00::1/64 is no drift.
    expect((await tf.terraform(['plan', '-detailed-exitcode', '-input=false'])).code).toBe(0);
    reader = await Reader.start(readerBin.bin, ns, 'tfb');
  });

  test('GIVEN an address deleted by hand WHEN terraform plan -detailed-exitcode THEN exit 2 naming the address; apply restores it', async () => {
    ipn(ns, 'addr', 'del', '172.31.1.1/24', 'dev', 'tfa');
    const plan = await tf.terraform(['plan', '-detailed-exitcode', '-input=false']);
    expect(plan.code).toBe(2);
    expect(plan.stdout).toContain('tunform_netdev.a will be updated in-place');
    expect(plan.stdout).toContain('+ "172.31.1.1/24"');
    ok('terraform apply', await tf.terraform(['apply', '-auto-approve', '-input=false']));
    expect(addresses(ns, 'tfa')).toEqual(['172.31.1.1/24', 'fd00::1/64']);
  });

  test('GIVEN a device deleted by hand WHEN planned THEN it is to be created, and apply restores it', async () => {
    ipn(ns, 'link', 'del', 'tfc');
    // apply prints the plan it carries out: the same refresh and plan as `terraform plan`.
    const apply = ok('terraform apply', await tf.terraform(['apply', '-auto-approve', '-input=false']));
    expect(apply).toContain('tunform_netdev.c will be created');
    expect(apply).toContain('Plan: 1 to add, 0 to change, 0 to destroy.');
    expect(link(ns, 'tfc').mtu).toBe(1400);
  });

  test('GIVEN a reader on b WHEN its address changes THEN in place: same ifindex, carrier up at every sample, the reader keeps receiving', async () => {
    const ifindex = link(ns, 'tfb').ifindex;
    tf.writeConfig(hcl(ns, { bAddress: '172.31.3.1/24' }));
    const carrier = pollCarrier(ns, 'tfb');
    const apply = ok('terraform apply', await tf.terraform(['apply', '-auto-approve', '-input=false']));
    const polled = await carrier.stop();
    expect(apply).toContain('tunform_netdev.b will be updated in-place');
    expect(apply).not.toContain('forces replacement');
    expect(polled.samples).toBeGreaterThan(5);
    expect(polled.down).toBe(0);
    expect(link(ns, 'tfb').ifindex).toBe(ifindex);
    expect(addresses(ns, 'tfb')).toEqual(['172.31.3.1/24']);
    const before = reader!.count;
    sendDatagrams(ns, 50, '172.31.3.2');
    expect(await reader!.settle(before + 50)).toBe(before + 50);
  });

  test('GIVEN the reader attached WHEN multi_queue changes THEN the plan says it forces replacement and apply refuses, naming the pid', async () => {
    tf.writeConfig(hcl(ns, { bAddress: '172.31.3.1/24', bMultiQueue: false }));
    const ifindex = link(ns, 'tfb').ifindex;
    const apply = await tf.terraform(['apply', '-auto-approve', '-input=false']);
    expect(apply.stdout).toMatch(/multi_queue\s+= true -> false # forces replacement/);
    expect(apply.code).toBe(1);
    expect(apply.stderr).toContain("tunform_netdev 'tfb': delete refused; nothing was changed for it");
    expect(apply.stderr).toContain(`pid ${reader!.pid}`);
    expect(link(ns, 'tfb').ifindex).toBe(ifindex);
    tf.writeConfig(hcl(ns, { bAddress: '172.31.3.1/24' }));
  });

  test('GIVEN a device made by ip tuntap WHEN an import block is planned and applied THEN it is adopted: marked, same ifindex', async () => {
    ipn(ns, 'tuntap', 'add', 'dev', 'ext0', 'mode', 'tap');
    const ifindex = link(ns, 'ext0').ifindex;
    tf.writeConfig(hcl(ns, { bAddress: '172.31.3.1/24', importExt: true }));
    const plan = ok('terraform plan', await tf.terraform(['plan', '-input=false']));
    expect(plan).toContain('(imported from "ext0")');
    expect(plan).toContain('1 to import');
    expect(plan).toMatch(/managed\s+= false -> true/);
    // Planning an import changes nothing on the host.
    expect(link(ns, 'ext0').ifalias).toBeUndefined();
    ok('terraform apply', await tf.terraform(['apply', '-auto-approve', '-input=false']));
    expect(link(ns, 'ext0')).toMatchObject({ ifindex, ifalias: 'tunform' });
    expect((await tf.terraform(['plan', '-detailed-exitcode', '-input=false'])).code).toBe(0);
  });

  test('GIVEN mtu = 70000 WHEN planned THEN terraform fails with the validator sentence on mtu', async () => {
    tf.writeConfig(hcl(ns, { bAddress: '172.31.3.1/24', importExt: true, cMtu: 70000 }));
    const plan = await tf.terraform(['plan', '-input=false']);
    expect(plan.code).toBe(1);
    expect(plan.stderr).toContain("Error: 'mtu' (70000) must be between 68 and 65535");
    // Terraform quotes the attribute's line of the configuration when the diagnostic has its path.
    expect(plan.stderr).toMatch(/mtu\s+= 70000/);
    tf.writeConfig(hcl(ns, { bAddress: '172.31.3.1/24', importExt: true }));
  });

  test('GIVEN everything applied WHEN terraform destroy THEN no tun/tap device is left', async () => {
    await reader!.kill();
    reader = undefined;
    ok('terraform destroy', await tf.terraform(['destroy', '-auto-approve', '-input=false']));
    expect(tunLinks(ns).map((l) => l.ifname)).toEqual([]);
    expect(maybeLink(ns, 'tfb')).toBeUndefined();
  });
});
