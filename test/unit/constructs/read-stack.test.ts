import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TerraformStack, TerraformVariable, Testing } from 'cdktf';
import { afterEach, describe, expect, test } from 'vitest';
import { TunNetdev, TunformHost } from '../../../constructs/index.js';
import { loadSynthStack } from '../../../src/synth/read-stack.js';
import { TunformError } from '../../../src/errors.js';
import { fakeLookup, stackWithHost } from './support.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** Writes the stack as `cdktf synth` would: <out>/stacks/<name>/cdk.tf.json. Returns <out>. */
function writeSynth(stack: TerraformStack, edit: (doc: any) => void = () => {}): string {
  const out = mkdtempSync(join(tmpdir(), 'tunform-synth-test-'));
  dirs.push(out);
  const doc = JSON.parse(Testing.synth(stack));
  edit(doc);
  mkdirSync(join(out, 'stacks', 'st'), { recursive: true });
  writeFileSync(join(out, 'stacks', 'st', 'cdk.tf.json'), JSON.stringify(doc));
  return out;
}

async function problemsOf(p: Promise<unknown>): Promise<string[]> {
  try {
    await p;
  } catch (e) {
    if (e instanceof TunformError) return e.problems.map((x) => `${x.path ?? ''}: ${x.message}`);
    throw e;
  }
  throw new Error('expected a TunformError');
}

describe('loadSynthStack', () => {
  test('GIVEN a stack with devices of both backends WHEN read THEN one desired state holds every device in the stack namespace', async () => {
    // GIVEN
    const { stack } = stackWithHost({ netns: 'lab' });
    new TunNetdev(stack, 'a', { name: 'tun-a', mode: 'tun', multiQueue: true, keepCarrier: true, user: 'alice', addresses: ['172.31.0.1/24'] });
    new TunNetdev(stack, 'b', { name: 'tap-b', mode: 'tap', vnetHeader: true, mtu: 9000 });
    const out = writeSynth(stack, (doc) => {
      // The same resource as a null_resource: what backend 'null_resource' writes.
      const b = doc.resource.terraform_data.b;
      delete doc.resource.terraform_data.b;
      doc.resource.null_resource = { b: { ...b, triggers: b.input, input: undefined } };
    });
    // WHEN
    const { desired, warnings } = await loadSynthStack(join(out, 'stacks', 'st'), { lookup: fakeLookup });
    // THEN
    expect(warnings).toEqual([]);
    expect(desired).toEqual({
      netns: 'lab',
      devices: [
        {
          name: 'tun-a',
          mode: 'tun',
          multiQueue: true,
          keepCarrier: true,
          packetInfo: false,
          vnetHeader: false,
          user: 1000,
          anyoneMayAttach: false,
          up: true,
          addresses: ['172.31.0.1/24'],
        },
        { name: 'tap-b', mode: 'tap', multiQueue: false, keepCarrier: false, packetInfo: false, vnetHeader: true, anyoneMayAttach: false, mtu: 9000, up: true },
      ],
    });
  });

  test('GIVEN cdktf.out with one stack and --netns WHEN read THEN that stack is used and the override wins', async () => {
    // GIVEN
    const { stack } = stackWithHost({ netns: 'lab' });
    new TunNetdev(stack, 'a', { name: 'tun-a', mode: 'tun' });
    const out = writeSynth(stack);
    // WHEN
    const { desired } = await loadSynthStack(out, { lookup: fakeLookup, netnsOverride: 'other' });
    // THEN
    expect(desired.netns).toBe('other');
    expect(desired.devices.map((d) => d.name)).toEqual(['tun-a']);
  });

  test('GIVEN template syntax in the netns WHEN read THEN the escaping is undone', async () => {
    // GIVEN
    const { stack } = stackWithHost({ netns: 'x${y}%{z}' });
    new TunNetdev(stack, 'a', { name: 'tun-a', mode: 'tun' });
    // WHEN
    const { desired } = await loadSynthStack(writeSynth(stack), { lookup: fakeLookup });
    // THEN
    expect(desired.netns).toBe('x${y}%{z}');
  });

  test('GIVEN a hand-edited spec, a token spec and an unknown user WHEN read THEN every problem names its resource address', async () => {
    // GIVEN
    const { stack } = stackWithHost();
    new TunNetdev(stack, 'edited', { name: 'tun-e', mode: 'tun' });
    const v = new TerraformVariable(stack, 'mtu', { type: 'number' });
    new TunNetdev(stack, 'tok', { name: 'tun-t', mode: 'tun', mtu: v.numberValue });
    new TunNetdev(stack, 'who', { name: 'tun-w', mode: 'tun', user: 'alice' });
    const out = writeSynth(stack, (doc) => {
      doc.resource.terraform_data.edited.input.spec = doc.resource.terraform_data.edited.input.spec.replace('"up":true', '"up":false');
    });
    // WHEN
    const problems = await problemsOf(loadSynthStack(out, { lookup: { ...fakeLookup, resolveUser: () => undefined } }));
    // THEN
    expect(problems).toEqual([
      `terraform_data.edited: 'generation' ("${JSON.parse(Testing.synth(stack)).resource.terraform_data.edited.input.generation}") is not the hash of 'spec' (${
        problems[0]?.match(/\(([0-9a-f]{16})\)/)?.[1]
      }); the file was edited by hand: synthesize it again`,
      expect.stringMatching(/^terraform_data\.tok: the device's spec depends on values known only at apply time \(\$\{jsonencode/),
      `terraform_data.who.user: 'user' ("alice") is not a known user on this system (/etc/passwd); use an existing name or a numeric uid`,
    ]);
  });

  test('GIVEN a provider stack with two hosts and template syntax in a name WHEN read with --netns THEN the tunform_netdev attributes come back in the spec vocabulary', async () => {
    // GIVEN
    const { stack } = stackWithHost({ backend: 'provider', netns: 'lab' });
    new TunNetdev(stack, 'a', { name: 'tun-a', mode: 'tun', multiQueue: true, keepCarrier: true, user: 'alice', addresses: ['fd00:0::1/64', '172.31.0.1/24'] });
    new TunNetdev(stack, 'b', { name: 't${x}', mode: 'tap', mtu: 9000 });
    // WHEN
    const { desired } = await loadSynthStack(writeSynth(stack), { lookup: fakeLookup });
    // THEN
    expect(desired).toEqual({
      netns: 'lab',
      devices: [
        {
          name: 'tun-a',
          mode: 'tun',
          multiQueue: true,
          keepCarrier: true,
          packetInfo: false,
          vnetHeader: false,
          user: 1000,
          anyoneMayAttach: false,
          up: true,
          addresses: ['172.31.0.1/24', 'fd00::1/64'],
        },
        { name: 't${x}', mode: 'tap', multiQueue: false, keepCarrier: false, packetInfo: false, vnetHeader: false, anyoneMayAttach: false, mtu: 9000, up: true },
      ],
    });
  });

  test('GIVEN provider hosts in two namespaces WHEN read THEN each device has the namespace of its provider configuration and the mix is refused', async () => {
    // GIVEN
    const stack = new TerraformStack(Testing.app(), 'st');
    const one = new TunformHost(stack, 'one', { backend: 'provider', netns: 'ns1', lookup: fakeLookup });
    const two = new TunformHost(stack, 'two', { backend: 'provider', netns: 'ns2', lookup: fakeLookup });
    new TunNetdev(stack, 'a', { name: 'tun-a', mode: 'tun', host: one });
    new TunNetdev(stack, 'b', { name: 'tun-b', mode: 'tun', host: two });
    // WHEN
    const problems = await problemsOf(loadSynthStack(writeSynth(stack), { lookup: fakeLookup }));
    // THEN
    expect(problems).toEqual([
      ": the stack's devices are in different namespaces (netns 'ns1': tunform_netdev.a; netns 'ns2': tunform_netdev.b); tunform reads one namespace at a time: pass --netns",
    ]);
  });

  test('GIVEN a directory without a stack WHEN read THEN the error says to synthesize first', async () => {
    // GIVEN
    const empty = mkdtempSync(join(tmpdir(), 'tunform-synth-test-'));
    dirs.push(empty);
    // WHEN / THEN
    await expect(loadSynthStack(empty, { lookup: fakeLookup })).rejects.toThrow(
      `no synthesized stack in '${empty}': expected ${empty}/cdk.tf.json (run 'cdktf synth' first, then pass cdktf.out/stacks/<stack>)`
    );
  });
});
