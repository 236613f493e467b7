/**
 * `tunform drift --synth cdktf.out` over an app of several stacks (one state
 * per host or group of hosts, docs/terraform.md): every stack is checked,
 * each result naming its stack, and the exit code sums them up as for one
 * stack of several hosts. Here both stacks are local (a provider netns of
 * the test's own); remote members take the same path as in one stack
 * (test/acceptance/fleet-terraform.test.ts).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { requireBuiltCli, runTunform } from '../support/cli.js';
import { isRoot, withNetns } from '../support/netns.js';

function writeStack(out: string, name: string, netns: string, device: string): string {
  const dir = join(out, 'stacks', name);
  mkdirSync(dir, { recursive: true });
  const doc = { provider: { tunform: [{ netns }] }, resource: { tunform_netdev: { [device]: { name: device, mode: 'tun' } } } };
  writeFileSync(join(dir, 'cdk.tf.json'), JSON.stringify(doc));
  return dir;
}

describe.skipIf(!isRoot())('tunform drift --synth over several stacks', () => {
  it('GIVEN a cdktf.out of two stacks, one applied and one not WHEN drift --synth runs on it THEN it checks both, names the stack that drifted and exits 2', async () => {
    requireBuiltCli();
    const tmp = mkdtempSync(join(tmpdir(), 'tunform-stacks-'));
    try {
      await withNetns('stk', async (ns) => {
        const out = join(tmp, 'cdktf.out');
        writeStack(out, 'a', ns, 'sta0');
        const b = writeStack(out, 'b', ns, 'stb0');
        const applied = await runTunform(['apply', '--synth', b]);
        expect(applied.code, applied.stderr).toBe(0);

        const human = await runTunform(['drift', '--synth', out]);
        expect(human.code, human.stderr).toBe(2);
        expect(human.stdout).toContain('== local (tunform) in stack a: DRIFT');
        expect(human.stdout).toContain('== local (tunform) in stack b: in sync');

        const json = await runTunform(['drift', '--synth', out, '--json']);
        expect(json.code).toBe(2);
        const doc = JSON.parse(json.stdout) as { hosts: { stack: string; status: string }[] };
        expect(doc.hosts.map((h) => [h.stack, h.status])).toEqual([
          ['a', 'drift'],
          ['b', 'in-sync'],
        ]);
      });
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});
