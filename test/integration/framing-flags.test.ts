/**
 * Framing flags that attaching programs change (issue 11), against the real
 * kernel with test/fixtures-c/tun-attach.c standing in for qemu (vnet headers)
 * and tinc (packet info): drift names the program, apply sets the declared
 * flags again in place once no queue is attached (same ifindex), and refuses
 * to replace while one is. With keepCarrier on a multi-queue device the
 * holder's queue keeps the declared flags and `show` warns about it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBuiltCli, runTunform, SpecDir, specYaml } from '../support/cli.js';
import { skipUnlessRoot } from '../support/require-root.js';
import { Attacher, buildAttacher } from '../support/attacher.js';
import { infoData, inNetns, link } from '../support/traffic.js';

let dir: SpecDir;
let attacher: { bin: string; cleanup: () => void };

const KEPT = 'the kernel keeps packetInfo and vnetHeader while a queue is attached';

describe.skipIf(skipUnlessRoot())('framing flags set by attaching programs (real kernel)', () => {
  beforeAll(() => {
    requireBuiltCli();
    dir = new SpecDir('framing');
    attacher = buildAttacher();
  });
  afterAll(() => {
    dir?.remove();
    attacher?.cleanup();
  });

  it('GIVEN a single-queue tap declared without vnet headers WHEN a program attaches asking for them THEN drift names it, apply refuses to replace, and after it leaves apply repairs in place', async () => {
    await inNetns('fr-sq', async (ns) => {
      // GIVEN
      const file = dir.write(`${ns}.yaml`, specYaml([{ name: 'tap-vm', mode: 'tap' }], ns));
      expect((await runTunform(['apply', '-f', file])).code).toBe(0);
      const ifindex = link(ns, 'tap-vm').ifindex;
      // WHEN a qemu-like program attaches with IFF_VNET_HDR
      const a = await Attacher.start(attacher.bin, ns, 'tap-vm', 'tap', ['vnet']);
      try {
        expect(infoData(ns, 'tap-vm')).toMatchObject({ vnet_hdr: true, pi: false });
        // THEN drift names the program that holds the device, and says why it cannot be repaired now
        const drift = await runTunform(['drift', '-f', file]);
        expect(drift.code).toBe(2);
        expect(drift.stdout).toBe(
          `drift: tap-vm: vnetHeader is true, spec says false (set by tun-attach pid ${a.pid}, which holds the device; needs replace: ${KEPT})\n` +
            'Drift: 1 device(s) differ from the spec.\n',
        );
        const planned = JSON.parse((await runTunform(['plan', '-f', file, '--json'])).stdout);
        expect(planned.actions[0]).toMatchObject({ action: 'replace', attachedPids: [a.pid], flagsHeldBy: [{ pid: a.pid, name: 'tun-attach', holder: false }] });
        // THEN apply refuses to take the device from it, changing nothing
        const refused = await runTunform(['apply', '-f', file]);
        expect(refused.code).toBe(1);
        expect(refused.stderr).toContain(`'tap-vm' would be replaced but processes are attached: pid ${a.pid}`);
        expect(refused.stderr).toContain('once no queue is attached, apply sets packetInfo/vnetHeader again in place (same ifindex)');
        expect(link(ns, 'tap-vm').ifindex).toBe(ifindex);
      } finally {
        await a.stop();
      }
      // WHEN the program has left
      const drift = await runTunform(['drift', '-f', file]);
      expect(drift.stdout).toBe(
        'drift: tap-vm: vnetHeader is true, spec says false (no queue is attached: apply sets it again in place)\nDrift: 1 device(s) differ from the spec.\n',
      );
      const plan = await runTunform(['plan', '-f', file]);
      expect(plan.stdout).toContain('~ update tap-vm\n    ~ vnetHeader: true -> false (no queue is attached: apply sets it again in place)\n');
      const applied = await runTunform(['apply', '-f', file]);
      // THEN apply sets the declared flags again on the same device
      expect(applied.code, applied.stderr).toBe(0);
      expect(link(ns, 'tap-vm').ifindex).toBe(ifindex);
      expect(infoData(ns, 'tap-vm')).toMatchObject({ vnet_hdr: false, pi: false });
      expect((await runTunform(['drift', '-f', file])).code).toBe(0);
    });
  });

  it('GIVEN a multi-queue tun declared without packet info WHEN a tinc-like program is its only queue THEN the flag changes, and once it leaves apply repairs it in place', async () => {
    await inNetns('fr-mq', async (ns) => {
      const file = dir.write(`${ns}.yaml`, specYaml([{ name: 'tun-mq', multiQueue: true }], ns));
      expect((await runTunform(['apply', '-f', file])).code).toBe(0);
      const ifindex = link(ns, 'tun-mq').ifindex;
      const a = await Attacher.start(attacher.bin, ns, 'tun-mq', 'tun', ['mq', 'pi']);
      try {
        expect(infoData(ns, 'tun-mq')).toMatchObject({ pi: true });
        const drift = await runTunform(['drift', '-f', file]);
        expect(drift.stdout).toContain(`drift: tun-mq: packetInfo is true, spec says false (set by tun-attach pid ${a.pid}, which holds the device; needs replace: ${KEPT})\n`);
      } finally {
        await a.stop();
      }
      const applied = await runTunform(['apply', '-f', file]);
      expect(applied.code, applied.stderr).toBe(0);
      expect(link(ns, 'tun-mq').ifindex).toBe(ifindex);
      expect(infoData(ns, 'tun-mq')).toMatchObject({ pi: false, numqueues: 0, numdisabled: 0 });
      expect((await runTunform(['drift', '-f', file])).code).toBe(0);
    });
  });

  it('GIVEN keepCarrier on a multi-queue tap WHEN a program asks for vnet headers THEN it attaches, the declared flags stay, and show warns', async () => {
    await inNetns('fr-kc', async (ns) => {
      const file = dir.write(`${ns}.yaml`, specYaml([{ name: 'tap-kc', mode: 'tap', multiQueue: true, keepCarrier: true }], ns));
      const applied = await runTunform(['apply', '-f', file]);
      expect(applied.code, applied.stderr).toBe(0);
      const a = await Attacher.start(attacher.bin, ns, 'tap-kc', 'tap', ['mq', 'vnet']);
      try {
        // The attacher got no error, but the device kept the holder's framing.
        expect(infoData(ns, 'tap-kc')).toMatchObject({ vnet_hdr: false, numqueues: 1, numdisabled: 1 });
        expect((await runTunform(['drift', '-f', file])).code).toBe(0);
        const show = await runTunform(['show', '--netns', ns]);
        expect(show.stdout).toContain(
          "warning: tap-kc: multiQueue with keepCarrier: the holder's queue fixes packetInfo=false vnetHeader=false; a program asking for other framing attaches without error and silently gets these\n",
        );
        const doc = JSON.parse((await runTunform(['show', '--netns', ns, '--json'])).stdout);
        expect(doc.warnings).toEqual([
          { name: 'tap-kc', message: "multiQueue with keepCarrier: the holder's queue fixes packetInfo=false vnetHeader=false; a program asking for other framing attaches without error and silently gets these" },
        ]);
      } finally {
        await a.stop();
      }
    });
  });
});
