/**
 * The provider through real Terraform, offline: `tunform install-provider`,
 * then `terraform init` from the local mirror (a --dir mirror named in the
 * CLI config, and HOME's implicit one), the lock file, the schema Terraform
 * reads from the plugin, validate, and a plan whose failure is a diagnostic
 * from the provider. A missing terraform is a failure, not a skip.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import { repoRoot, requireBuiltCli } from '../support/cli.js';
import { PROVIDER_HEADER, requireTerraform, TerraformSetup } from '../support/terraform.js';

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

  test('GIVEN the provider in HOME\'s implicit mirror WHEN terraform reads the schema THEN tunform_netdev has the attributes with their types and descriptions', async () => {
    // GIVEN
    const s = setup('schema', true);
    ok('install-provider', await s.installProvider());
    s.writeConfig(PROVIDER_HEADER(VERSION) + DEVICE(''));
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
  });

  test('GIVEN configurations WHEN validated THEN a valid one passes and an argument the schema lacks is an error naming it', async () => {
    const s = setup('validate');
    ok('install-provider', await s.installProvider());
    s.writeConfig(PROVIDER_HEADER(VERSION) + DEVICE('  mtu = 1400\n  addresses = ["10.77.0.1/24"]\n'));
    ok('terraform init', await s.terraform(['init', '-input=false']));
    // WHEN / THEN valid
    expect(ok('terraform validate', await s.terraform(['validate']))).toContain('The configuration is valid');
    // WHEN / THEN wrong
    s.writeConfig(PROVIDER_HEADER(VERSION) + DEVICE('  colour = "red"\n'));
    const bad = await s.terraform(['validate']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('An argument named "colour" is not expected here');
  });

  test('GIVEN an MTU out of range WHEN planned THEN terraform fails with an error diagnostic from the provider on that resource', async () => {
    const s = setup('plan');
    ok('install-provider', await s.installProvider());
    s.writeConfig(PROVIDER_HEADER(VERSION) + DEVICE('  mtu = 70000\n'));
    ok('terraform init', await s.terraform(['init', '-input=false']));
    // WHEN
    const plan = await s.terraform(['plan', '-input=false']);
    // THEN
    expect(plan.code).toBe(1);
    expect(plan.stderr).toMatch(/Error: .*\n(.*\n)*.*with tunform_netdev\.a/);
  });
});
