/**
 * The provider through real Terraform, offline: `tunform install-provider`,
 * then `terraform init` from the local mirror (a --dir mirror named in the
 * CLI config, and HOME's implicit one), the lock file, the schema Terraform
 * reads from the plugin, validate, diagnostics placed on attribute lines, and
 * (as root, in a throwaway namespace) apply, an empty re-plan and destroy.
 * A missing terraform is a failure, not a skip.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import { repoRoot, requireBuiltCli } from '../support/cli.js';
import { createNetns, destroyNetns, ipn, isRoot } from '../support/netns.js';
import { PROVIDER_HEADER, requireTerraform, TerraformSetup } from '../support/terraform.js';
import { skipUnlessRoot } from '../support/require-root.js';

const VERSION = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;

const setups: TerraformSetup[] = [];
afterEach(() => {
  for (const s of setups.splice(0)) s.remove();
});

function setup(tag: string, implicitMirror = false): TerraformSetup {
  const s = new TerraformSetup(tag, { implicitMirror });
  setups.push(s);
  return s;
}

function ok(what: string, r: { code: number; stdout: string; stderr: string }): string {
  if (r.code !== 0) throw new Error(`${what} failed (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

const DEVICE = (body: string) => `resource "tunform_netdev" "a" {\n  name = "tfpv0"\n  mode = "tun"\n${body}}\n`;

describe('tunform provider with real terraform', () => {
  beforeAll(() => {
    requireBuiltCli();
    requireTerraform();
  });

  test('GIVEN the provider installed with --dir WHEN terraform init runs offline THEN it installs from the mirror and locks one h1 hash that a reinstall keeps', async () => {
    // GIVEN
    const s = setup('init');
    const installed = ok('install-provider', await s.installProvider());
    expect(installed).toContain(`source  = "terraform.local/tunform/tunform"`);
    expect(installed).toContain(`version = "${VERSION}"`);
    s.writeConfig(PROVIDER_HEADER(VERSION) + DEVICE(''));
    // WHEN
    const init = ok('terraform init', await s.terraform(['init', '-input=false']));
    // THEN
    expect(init).toContain(`Installing terraform.local/tunform/tunform v${VERSION}`);
    const lock = readFileSync(join(s.work, '.terraform.lock.hcl'), 'utf8');
    expect(lock).toMatch(new RegExp(`provider "terraform.local/tunform/tunform" \\{\\s+version\\s+= "${VERSION.replace(/\./g, '\\.')}"`));
    expect(lock.match(/"h1:[A-Za-z0-9+/=]+"/g)).toHaveLength(1);
    // WHEN installed again, the folder hashes the same: a read-only lock file still accepts it
    ok('install-provider again', await s.installProvider());
    ok('terraform init -lockfile=readonly', await s.terraform(['init', '-input=false', '-lockfile=readonly']));
  });

  test('GIVEN the provider in HOME\'s implicit mirror WHEN terraform reads the schema, validates and plans THEN the schema, a valid config, an unknown argument and the provider\'s diagnostics all show', async () => {
    // GIVEN
    const s = setup('schema', true);
    ok('install-provider', await s.installProvider());
    s.writeConfig(PROVIDER_HEADER(VERSION) + DEVICE('  mtu = 1400\n  addresses = ["10.77.0.1/24"]\n'));
    ok('terraform init', await s.terraform(['init', '-input=false']));
    // WHEN
    const out = ok('terraform providers schema', await s.terraform(['providers', 'schema', '-json']));
    // THEN
    const schemas = JSON.parse(out) as {
      provider_schemas: Record<string, { resource_schemas: Record<string, { block: { attributes: Record<string, { type: unknown; description?: string; required?: boolean; computed?: boolean }> } }> }>;
    };
    const netdev = schemas.provider_schemas['terraform.local/tunform/tunform']!.resource_schemas.tunform_netdev!.block.attributes;
    expect(netdev.name).toMatchObject({ type: 'string', required: true });
    expect(netdev.mode).toMatchObject({ type: 'string', required: true });
    expect(netdev.addresses).toMatchObject({ type: ['set', 'string'] });
    expect(netdev.ifindex).toMatchObject({ type: 'number', computed: true });
    for (const [name, a] of Object.entries(netdev)) expect(a.description, `description of ${name}`).toBeTruthy();
    // WHEN / THEN a valid configuration validates
    expect(ok('terraform validate', await s.terraform(['validate']))).toContain('The configuration is valid');
    // WHEN / THEN an argument the schema lacks is Terraform's own error, from the schema the plugin sent
    s.writeConfig(PROVIDER_HEADER(VERSION) + DEVICE('  colour = "red"\n'));
    const bad = await s.terraform(['validate']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('An argument named "colour" is not expected here');
    // WHEN invalid values are planned THEN the provider's diagnostics sit on the attribute lines, a set element's on its set
    s.writeConfig(PROVIDER_HEADER(VERSION) + DEVICE('  mtu = 70000\n  addresses = ["10.1.1.300/24"]\n'));
    const plan = await s.terraform(['plan', '-input=false']);
    expect(plan.code).toBe(1);
    expect(plan.stderr).toMatch(/Error: 'mtu' \(70000\) must be between 68 and 65535\n\n  with tunform_netdev\.a,\n  on main\.tf line \d+, in resource "tunform_netdev" "a":\n\s*\d+:\s+mtu = 70000/);
    expect(plan.stderr).toMatch(/Error: 'addresses' \("10\.1\.1\.300\/24"\)[^\n]*\n\n  with tunform_netdev\.a,\n  on main\.tf line \d+[^\n]*\n\s*\d+:\s+addresses = \["10\.1\.1\.300\/24"\]/);
  });
});

describe.skipIf(skipUnlessRoot())('tunform provider lifecycle with real terraform (root, throwaway namespace)', () => {
  beforeAll(() => {
    requireBuiltCli();
    requireTerraform();
  });

  test('GIVEN one device in HCL WHEN applied, planned again and destroyed THEN the kernel has it, the plan is empty, and then it is gone', async () => {
    // GIVEN
    const s = setup('life');
    const ns = createNetns('tfp');
    try {
      ok('install-provider', await s.installProvider());
      s.writeConfig(PROVIDER_HEADER(VERSION, `  netns = "${ns}"\n`) + DEVICE('  addresses = ["10.77.0.1/24"]\n') + 'output "ifindex" {\n  value = tunform_netdev.a.ifindex\n}\n');
      ok('terraform init', await s.terraform(['init', '-input=false']));
      // WHEN
      ok('terraform apply', await s.terraform(['apply', '-auto-approve', '-input=false']));
      // THEN
      const [link] = JSON.parse(ipn(ns, '-j', 'addr', 'show', 'dev', 'tfpv0')) as { ifindex: number; addr_info: { local: string; prefixlen: number }[] }[];
      expect(link!.addr_info.map((a) => `${a.local}/${a.prefixlen}`)).toContain('10.77.0.1/24');
      expect(ok('terraform output', await s.terraform(['output', '-raw', 'ifindex']))).toBe(String(link!.ifindex));
      // WHEN planned again THEN nothing to do (exit 0 with -detailed-exitcode)
      const again = await s.terraform(['plan', '-detailed-exitcode', '-input=false']);
      expect(again.code, again.stdout + again.stderr).toBe(0);
      // WHEN destroyed THEN gone
      ok('terraform destroy', await s.terraform(['destroy', '-auto-approve', '-input=false']));
      expect(JSON.parse(ipn(ns, '-j', 'link', 'show')) as { ifname: string }[]).not.toContainEqual(expect.objectContaining({ ifname: 'tfpv0' }));
    } finally {
      destroyNetns(ns);
    }
  });

  test('GIVEN a private device in HCL WHEN only group is declared THEN the plan says user "0" -> null forces replacement, apply makes a new device with the group and no owner, and a re-plan is empty', async () => {
    // GIVEN a device with neither user nor group: the state shows its owner, root
    const s = setup('grp');
    const ns = createNetns('tfg');
    try {
      ok('install-provider', await s.installProvider());
      const header = PROVIDER_HEADER(VERSION, `  netns = "${ns}"\n`);
      s.writeConfig(header + DEVICE(''));
      ok('terraform init', await s.terraform(['init', '-input=false']));
      ok('terraform apply', await s.terraform(['apply', '-auto-approve', '-input=false']));
      const tun = () => (JSON.parse(ipn(ns, '-d', '-j', 'link', 'show', 'tfpv0')) as { ifindex: number; linkinfo: { info_data: { user?: string; group?: string } } }[])[0]!;
      const before = tun();
      expect(before.linkinfo.info_data.user).toBe('root');
      expect(ok('terraform state show', await s.terraform(['state', 'show', 'tunform_netdev.a']))).toMatch(/user\s+= "0"/);
      // WHEN only the group is declared
      s.writeConfig(header + DEVICE('  group = "users"\n'));
      const plan = await s.terraform(['plan', '-detailed-exitcode', '-input=false']);
      // THEN Terraform plans a replace on user (Terraform drops a requires-replace path whose values are equal: the state must show the owner)
      expect(plan.code, plan.stdout + plan.stderr).toBe(2);
      expect(plan.stdout).toContain('tunform_netdev.a must be replaced');
      expect(plan.stdout).toMatch(/user\s+= "0" -> null # forces replacement/);
      ok('terraform apply', await s.terraform(['apply', '-auto-approve', '-input=false']));
      const after = tun();
      expect(after.ifindex).not.toBe(before.ifindex);
      expect(after.linkinfo.info_data.user).toBeUndefined();
      expect(after.linkinfo.info_data.group).toBe('users');
      const again = await s.terraform(['plan', '-detailed-exitcode', '-input=false']);
      expect(again.code, again.stdout + again.stderr).toBe(0);
      ok('terraform destroy', await s.terraform(['destroy', '-auto-approve', '-input=false']));
    } finally {
      destroyNetns(ns);
    }
  });
});
