/**
 * The real program behind issue 11's framing section: qemu-system-x86 (TCG,
 * no guest, stopped with -S) attaching as an unprivileged user to a
 * multi-queue tap declared for that user, asking for vnet headers as it does
 * by default. /dev/net/tun is 0600 here, so qemu gets its own 0666 node in a
 * private mount namespace (on a tmpfs there); the machine's node is never changed.
 * Installed in CI by scripts/install-system-packages.sh; under CI=true a
 * missing qemu is a failure (test/support/ci-prerequisites.ts), not a skip.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBuiltCli, runTunform, SpecDir } from '../support/cli.js';
import { skipUnlessRoot } from '../support/require-root.js';
import { eventually, infoData, inNetns, link } from '../support/traffic.js';
import { NOBODY_UID } from '../support/setuid.js';
import { qemuMissing } from '../support/ci-prerequisites.js';

const QEMU = 'qemu-system-x86_64';

function skipUnlessQemu(): boolean {
  if (skipUnlessRoot()) return true;
  if (!qemuMissing()) return false;
  if (process.env.CI === 'true') throw new Error(`${QEMU} is missing and CI=true forbids skipping: run scripts/install-system-packages.sh`);
  return true;
}

let dir: SpecDir;
let nodeDir: string;

/** qemu as nobody in ns, through a private 0666 tun node; `queues=2,vnet_hdr=on` as the recipe. */
function startQemu(ns: string, dev: string): { child: ChildProcess; output: () => string } {
  const script = [
    'set -e',
    // The node lives in a tmpfs only this mount namespace sees: no 0666 tun node on the machine's filesystems.
    `mount -t tmpfs -o mode=0755 tunform-qemu "${nodeDir}"`,
    `mknod -m 0666 "${nodeDir}/tun" c 10 200`,
    `mount --bind "${nodeDir}/tun" /dev/net/tun`,
    `exec ip netns exec "${ns}" setpriv --reuid=nobody --regid=nogroup --clear-groups ${QEMU} -M q35 -accel tcg -nodefaults -display none -S ` +
      `-netdev tap,id=n0,ifname=${dev},script=no,downscript=no,queues=2,vnet_hdr=on -device virtio-net-pci,netdev=n0,mq=on`,
  ].join('\n');
  const child = spawn('unshare', ['-m', '--propagation', 'private', 'sh', '-c', script], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (out += d));
  return { child, output: () => out };
}

async function stopQemu(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const closed = new Promise((r) => child.once('close', r));
  child.kill('SIGTERM');
  await closed;
}

/** qemu's pid once /proc shows it attached to dev (numqueues + numdisabled counts its two queues). */
async function qemuAttached(ns: string, dev: string, q: { child: ChildProcess; output: () => string }): Promise<void> {
  await eventually(() => {
    if (q.child.exitCode !== null) throw new Error(`qemu exited (${q.child.exitCode}): ${q.output()}`);
    const d = infoData(ns, dev);
    return Number(d.numqueues ?? 0) + Number(d.numdisabled ?? 0) >= 2 ? true : undefined;
  }, `qemu to attach to ${dev}`);
}

const spec = (ns: string, name: string, keepCarrier: boolean) =>
  [`netns: ${ns}`, 'devices:', `  - name: ${name}`, '    mode: tap', '    multiQueue: true', `    keepCarrier: ${keepCarrier}`, `    user: ${NOBODY_UID}`, ''].join('\n');

describe.skipIf(skipUnlessQemu())('qemu-system-x86 attaching with vnet_hdr (real qemu, real kernel)', () => {
  beforeAll(() => {
    requireBuiltCli();
    dir = new SpecDir('qemu');
    nodeDir = mkdtempSync(join(tmpdir(), 'tunform-qemu-'));
    chmodSync(nodeDir, 0o755);
  });
  afterAll(() => {
    dir?.remove();
    if (nodeDir) rmSync(nodeDir, { recursive: true, force: true });
  });

  it('GIVEN a multi-queue tap for nobody declared without vnet headers WHEN qemu attaches THEN drift names qemu, and after it exits apply repairs in place', async () => {
    await inNetns('qemu-fr', async (ns) => {
      const file = dir.write(`${ns}.yaml`, spec(ns, 'tap-qemu', false));
      expect((await runTunform(['apply', '-f', file])).code).toBe(0);
      const ifindex = link(ns, 'tap-qemu').ifindex;
      const q = startQemu(ns, 'tap-qemu');
      try {
        await qemuAttached(ns, 'tap-qemu', q);
        expect(infoData(ns, 'tap-qemu')).toMatchObject({ vnet_hdr: true });
        const drift = await runTunform(['drift', '-f', file]);
        expect(drift.code).toBe(2);
        expect(drift.stdout).toMatch(
          /^drift: tap-qemu: vnetHeader is true, spec says false \(set by qemu-system-x86 pid \d+, which holds the device; needs replace: the kernel keeps packetInfo and vnetHeader while a queue is attached\)\n/,
        );
      } finally {
        await stopQemu(q.child);
      }
      const applied = await runTunform(['apply', '-f', file]);
      expect(applied.code, applied.stderr).toBe(0);
      expect(link(ns, 'tap-qemu').ifindex).toBe(ifindex);
      expect(infoData(ns, 'tap-qemu')).toMatchObject({ vnet_hdr: false });
    });
  });

  it('GIVEN keepCarrier on that tap WHEN qemu attaches asking for vnet headers THEN it runs without error on the declared framing, and show warns', async () => {
    await inNetns('qemu-kc', async (ns) => {
      const file = dir.write(`${ns}.yaml`, spec(ns, 'tap-qkc', true));
      expect((await runTunform(['apply', '-f', file])).code).toBe(0);
      const q = startQemu(ns, 'tap-qkc');
      try {
        await qemuAttached(ns, 'tap-qkc', q);
        expect(q.child.exitCode).toBeNull();
        expect(infoData(ns, 'tap-qkc')).toMatchObject({ vnet_hdr: false });
        expect((await runTunform(['drift', '-f', file])).code).toBe(0);
        const show = await runTunform(['show', '--netns', ns]);
        expect(show.stdout).toMatch(/\(qemu-system-x86\)\n/);
        expect(show.stdout).toContain("warning: tap-qkc: multiQueue with keepCarrier: the holder's queue fixes packetInfo=false vnetHeader=false;");
      } finally {
        await stopQemu(q.child);
        await runTunform(['destroy', '-f', file]);
      }
    });
  });
});
