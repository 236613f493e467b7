/**
 * The record backends (terraform_data, null_resource): each device is a
 * record of its spec and one applier per host runs the CLI, so the stack
 * holds exactly two provisioners per host whatever the number of devices.
 */
import { Testing } from 'cdktf';
import { provider as nullProvider } from '@cdktf/provider-null';
import { describe, expect, test } from 'vitest';
import { APPLY_COMMAND, APPLY_NO_PRUNE_COMMAND, DESTROY_COMMAND, TunNetdev } from '../../../constructs/index.js';
import { CLI, NODE, VPN_SPEC, fakeLookup, resources, sha16, stackWithHost, vpnProps } from './support.js';

const APPLIER = 'host_Applier_6BC53F95';

/** The applier's provisioners: every value read back from self, the marker generation its own id. */
const applierProvisioners = (attr: 'input' | 'triggers', command: string) => {
  const environment = {
    TUNFORM_SPEC_0: `\${substr(self.${attr}.spec, 0, 30000)}`,
    TUNFORM_GENERATION: '${self.id}',
    TUNFORM_NODE: `\${self.${attr}.node}`,
    TUNFORM_CLI: `\${self.${attr}.cli}`,
    TUNFORM_HELPER: `\${self.${attr}.helper}`,
  };
  return [{ 'local-exec': { command, environment } }, { 'local-exec': { when: 'destroy', command: DESTROY_COMMAND, environment } }];
};

const provisionersOf = (all: Record<string, Record<string, unknown>>) =>
  Object.entries(all).flatMap(([name, r]) => ((r.provisioner as unknown[] | undefined) ?? []).map(() => name));

describe('terraform_data backend', () => {
  test('GIVEN a device WHEN synthesized THEN its record stores the canonical spec and its hash, and runs nothing', () => {
    // GIVEN
    const { stack } = stackWithHost({ netns: 'lab', helperPath: '/opt/tunform/helper' });
    // WHEN
    new TunNetdev(stack, 'tun-test', vpnProps);
    // THEN
    expect(resources(stack, 'terraform_data')['tun-test']).toEqual({
      input: { tunform: 'tunform-device/v1', spec: VPN_SPEC, generation: sha16(VPN_SPEC) },
    });
  });

  test('GIVEN only the required props WHEN synthesized THEN defaults are stored and unmanaged fields are absent', () => {
    // GIVEN
    const { stack } = stackWithHost();
    // WHEN
    const dev = new TunNetdev(stack, 'tap0', { name: 'tap0', mode: 'tap' });
    // THEN
    expect(dev.specJson).toBe(
      '{"devices":[{"name":"tap0","mode":"tap","multiQueue":false,"keepCarrier":false,"packetInfo":false,"vnetHeader":false,"anyoneMayAttach":false,"up":true}]}'
    );
    expect(dev.generation).toBe(sha16(dev.specJson));
  });

  test('GIVEN a host with three devices WHEN synthesized THEN one applier holds the whole set, is replaced when it changes, and has the only provisioners of the stack', () => {
    // GIVEN
    const { stack } = stackWithHost({ netns: 'lab', helperPath: '/opt/tunform/helper' });
    // WHEN
    new TunNetdev(stack, 'b', { name: 'tun-b', mode: 'tun' });
    new TunNetdev(stack, 'a', { name: 'tun-a', mode: 'tap', mtu: 9000 });
    new TunNetdev(stack, 'c', { name: 'tun-c', mode: 'tun', addresses: ['10.1.0.1/24'] });
    // THEN
    const spec =
      '{"netns":"lab","devices":[' +
      '{"name":"tun-b","mode":"tun","multiQueue":false,"keepCarrier":false,"packetInfo":false,"vnetHeader":false,"anyoneMayAttach":false,"up":true},' +
      '{"name":"tun-a","mode":"tap","multiQueue":false,"keepCarrier":false,"packetInfo":false,"vnetHeader":false,"anyoneMayAttach":false,"mtu":9000,"up":true},' +
      '{"name":"tun-c","mode":"tun","multiQueue":false,"keepCarrier":false,"packetInfo":false,"vnetHeader":false,"anyoneMayAttach":false,"up":true,"addresses":["10.1.0.1/24"]}]}';
    const all = resources(stack, 'terraform_data');
    expect(Object.keys(all).sort()).toEqual(['a', 'b', 'c', APPLIER]);
    expect(all[APPLIER]).toEqual({
      input: { tunform: 'tunform-applier/v1', spec, hash: sha16(spec), node: NODE, cli: CLI, helper: '/opt/tunform/helper' },
      triggers_replace: { hash: sha16(spec) },
      lifecycle: { create_before_destroy: true },
      provisioner: applierProvisioners('input', APPLY_COMMAND),
    });
    expect(provisionersOf(all)).toEqual([APPLIER, APPLIER]);
  });

  test('GIVEN a host with prune false WHEN synthesized THEN the applier applies without pruning and still destroys by its id', () => {
    // GIVEN
    const { stack } = stackWithHost({ prune: false });
    // WHEN
    new TunNetdev(stack, 'a', { name: 'tun-a', mode: 'tun' });
    // THEN
    expect(resources(stack, 'terraform_data')[APPLIER]?.provisioner).toEqual(applierProvisioners('input', APPLY_NO_PRUNE_COMMAND));
    expect(APPLY_NO_PRUNE_COMMAND).toBe('exec "$TUNFORM_NODE" "$TUNFORM_CLI" apply --spec-env TUNFORM_SPEC --no-prune');
  });

  test('GIVEN a host whose devices were all removed WHEN synthesized THEN its applier applies an empty set', () => {
    // GIVEN
    const { stack } = stackWithHost({ netns: 'lab' });
    // WHEN (no devices)
    const all = resources(stack, 'terraform_data');
    // THEN
    expect(Object.keys(all)).toEqual([APPLIER]);
    expect((all[APPLIER]?.input as { spec: string }).spec).toBe('{"netns":"lab","devices":[]}');
  });

  test('GIVEN a device prop changes WHEN synthesized again THEN the record changes in place and only the applier is replaced', () => {
    // GIVEN
    const before = stackWithHost();
    new TunNetdev(before.stack, 'a', { name: 'tun-a', mode: 'tun', addresses: ['10.0.0.1/24'] });
    const after = stackWithHost();
    new TunNetdev(after.stack, 'a', { name: 'tun-a', mode: 'tun', addresses: ['10.0.0.2/24'] });
    // WHEN
    const [b, a] = [resources(before.stack, 'terraform_data'), resources(after.stack, 'terraform_data')];
    // THEN
    expect(a['a']?.triggers_replace).toBeUndefined();
    expect(a[APPLIER]?.triggers_replace).not.toEqual(b[APPLIER]?.triggers_replace);
  });
});

describe('null_resource backend', () => {
  test('GIVEN backend null_resource and no provider declared WHEN synthesized with validations THEN records and applier store everything in triggers and no provider block is needed', () => {
    // GIVEN
    const { stack } = stackWithHost({ netns: 'lab', backend: 'null_resource' });
    // WHEN
    new TunNetdev(stack, 'tun-test', vpnProps);
    // THEN
    const all = resources(stack, 'null_resource', true);
    // One device: the applier's set is the record's document.
    const spec = VPN_SPEC;
    expect(all).toEqual({
      'tun-test': { triggers: { tunform: 'tunform-device/v1', spec: VPN_SPEC, generation: sha16(VPN_SPEC) } },
      [APPLIER]: {
        triggers: { tunform: 'tunform-applier/v1', spec, hash: sha16(spec), node: NODE, cli: CLI, helper: '' },
        lifecycle: { create_before_destroy: true },
        provisioner: applierProvisioners('triggers', APPLY_COMMAND),
      },
    });
    expect(resources(stack, 'terraform_data')).toEqual({});
    const doc = JSON.parse(Testing.synth(stack)) as { provider?: unknown; terraform?: { required_providers?: unknown } };
    expect(doc.provider).toBeUndefined();
    expect(doc.terraform?.required_providers).toBeUndefined();
  });

  test('GIVEN a NullProvider the user declared (cdktf prebuilt binding) WHEN synthesized with validations THEN the records use it as they are', () => {
    // GIVEN
    const { stack } = stackWithHost({ backend: 'null_resource', lookup: fakeLookup });
    new nullProvider.NullProvider(stack, 'null');
    // WHEN
    new TunNetdev(stack, 'tun0', { name: 'tun0', mode: 'tun' });
    // THEN
    const doc = JSON.parse(Testing.synth(stack, true)) as { provider: Record<string, unknown>; resource: Record<string, Record<string, unknown>> };
    expect(Object.keys(doc.provider)).toEqual(['null']);
    expect(Object.keys(doc.resource.null_resource ?? {}).sort()).toEqual([APPLIER, 'tun0']);
  });
});

describe('hostile values', () => {
  test('GIVEN shell and Terraform template syntax in the name, netns and user WHEN synthesized THEN they reach only stored values, escaped, and the commands are constants', () => {
    // GIVEN
    const netns = 'lab$(touch pwned)"; rm -rf ${path.root} %{if true}x%{endif}';
    const { stack } = stackWithHost({ netns, lookup: { ...fakeLookup, resolveUser: () => 1234 } });
    // WHEN
    new TunNetdev(stack, 'evil', { name: '$(reboot)', mode: 'tun', user: '`id`;x' });
    new TunNetdev(stack, 'plain', { name: 'tun0', mode: 'tun' });
    // THEN
    const text = Testing.synth(stack);
    const res = resources(stack, 'terraform_data');
    const commands = Object.values(res).flatMap((r) => ((r.provisioner as { 'local-exec': { command: string } }[] | undefined) ?? []).map((p) => p['local-exec'].command));
    expect(commands).toEqual([APPLY_COMMAND, DESTROY_COMMAND]);
    const escaped = 'lab$(touch pwned)\\"; rm -rf $${path.root} %%{if true}x%%{endif}';
    const evil = '{"name":"$(reboot)","mode":"tun","multiQueue":false,"keepCarrier":false,"packetInfo":false,"vnetHeader":false,"user":"`id`;x","anyoneMayAttach":false,"up":true}';
    expect((res['evil']?.input as { spec: string }).spec).toBe(`{"netns":"${escaped}","devices":[${evil}]}`);
    expect((res[APPLIER]?.input as { spec: string }).spec).toContain(`{"netns":"${escaped}","devices":[${evil},`);
    // Nowhere is the template syntax left unescaped: Terraform would evaluate it.
    expect(text).not.toMatch(/[^$]\$\{path/);
    expect(text).not.toMatch(/[^%]%\{if/);
  });
});

describe('a host spec longer than one environment string may be', () => {
  /** Terraform's substr over characters, as the applier's environment asks for it. */
  const evaluate = (expr: string, spec: string): string => {
    const m = /^\$\{substr\(self\.input\.spec, (\d+), (\d+)\)\}$/.exec(expr);
    if (!m) throw new Error(`not a spec part: ${expr}`);
    return [...spec].slice(Number(m[1]), Number(m[1]) + Number(m[2])).join('');
  };

  test('GIVEN 600 devices on one host WHEN synthesized THEN the spec goes in TUNFORM_SPEC_0.. parts of at most 30000 characters that join to the stored spec', () => {
    // GIVEN a spec of about 70,000 characters
    const { stack } = stackWithHost({ netns: 'lab' });
    for (let i = 0; i < 600; i++) new TunNetdev(stack, `d${i}`, { name: `tl${i}`, mode: 'tun', addresses: [`10.${i >> 8}.${i & 255}.1/32`] });
    // WHEN
    const applier = resources(stack, 'terraform_data')[APPLIER]!;
    const spec = (applier.input as { spec: string }).spec;
    const env = ((applier.provisioner as { 'local-exec': { environment: Record<string, string> } }[])[0]!)['local-exec'].environment;
    // THEN parts _0.._n cover it exactly, no whole TUNFORM_SPEC, and each part is under the kernel's 128 KiB
    const parts = Object.keys(env).filter((k) => k.startsWith('TUNFORM_SPEC'));
    expect(spec.length).toBeGreaterThan(2 * 30000);
    expect(parts).toEqual(Array.from({ length: Math.ceil(spec.length / 30000) }, (_, i) => `TUNFORM_SPEC_${i}`));
    expect(parts.map((k) => evaluate(env[k]!, spec)).join('')).toBe(spec);
    for (const k of parts) expect(Buffer.byteLength(evaluate(env[k]!, spec))).toBeLessThan(128 * 1024);
  });
});
