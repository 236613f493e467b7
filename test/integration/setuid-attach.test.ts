/**
 * Who may attach to a device tunform made, tried as nobody with a real
 * program (test/fixtures-c/tun-attach.c) through a private 0666 /dev/net/tun
 * node (the machine's is 0600; on stock Debian it is 0666, so every local
 * user can open it). The kernel checks nothing when a device has neither
 * owner nor group, so tunform makes devices private by default (owner root:
 * only CAP_NET_ADMIN attaches) and anyoneMayAttach opts out. Each test uses
 * its own throwaway namespace, removed even on failure.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAttacher } from '../support/attacher.js';
import { attachesAs } from '../support/attach-as.js';
import { requireBuiltCli, runTunform, SpecDir, specYaml, type CliResult, type DeviceYaml } from '../support/cli.js';
import { createNetns, destroyNetns, ipn } from '../support/netns.js';
import { installSetuidHelper, NOBODY, type SetuidHelper } from '../support/setuid.js';

let h: SetuidHelper;
let specs: SpecDir;
let attacher: { bin: string; cleanup: () => void } | undefined;
let nodeDir = '';

beforeAll(() => {
  h = installSetuidHelper('allow user nobody devices pv-*\n');
  if (h.skip) return;
  requireBuiltCli();
  specs = new SpecDir('suid-attach');
  attacher = buildAttacher();
  chmodSync(dirname(attacher.bin), 0o755); // nobody runs it
  nodeDir = mkdtempSync(join(tmpdir(), 'tunform-tun-node-'));
}, 120_000);

afterAll(() => {
  specs?.remove();
  attacher?.cleanup();
  if (nodeDir) rmSync(nodeDir, { recursive: true, force: true });
  h?.cleanup();
});

async function inNetns(fn: (ns: string) => Promise<void>): Promise<void> {
  const ns = createNetns('sattach');
  try {
    await fn(ns);
  } finally {
    destroyNetns(ns);
  }
}

let specCount = 0;
/** `tunform ARGS -f SPEC` as root, the spec bound to ns. */
function asRoot(ns: string, args: string[], devices: readonly DeviceYaml[]): Promise<CliResult> {
  return runTunform([...args, '-f', specs.write(`spec-${++specCount}.yaml`, specYaml(devices, ns))]);
}

/** nobody attaches to dev in ns, through a private 0666 node. */
const nobodyAttaches = (ns: string, dev: string) => attachesAs(NOBODY, ns, dev, attacher!.bin, nodeDir);

interface TunInfo {
  ifindex: number;
  linkinfo: { info_data: { user?: string | number; group?: string | number } };
}
const tunInfo = (ns: string, dev: string): TunInfo => (JSON.parse(ipn(ns, '-d', '-j', 'link', 'show', dev)) as TunInfo[])[0]!;

describe('private by default: who may attach', () => {
  it('GIVEN a device with neither user nor group and one with anyoneMayAttach WHEN root applies and nobody attaches THEN the first is root\'s and refuses nobody, the second has no owner and lets nobody attach', async (ctx) => {
    if (h.skip) ctx.skip(h.skip);
    await inNetns(async (ns) => {
      const r = await asRoot(ns, ['apply'], [{ name: 'pv-priv' }, { name: 'pv-open', anyoneMayAttach: true }]);
      expect(r.code, r.stderr).toBe(0);
      expect(tunInfo(ns, 'pv-priv').linkinfo.info_data.user).toBe('root');
      expect(tunInfo(ns, 'pv-open').linkinfo.info_data.user).toBeUndefined();
      const refused = nobodyAttaches(ns, 'pv-priv');
      expect(refused.attached).toBe(false);
      expect(refused.output).toMatch(/failed to attach to 'pv-priv': Operation not permitted/);
      const open = nobodyAttaches(ns, 'pv-open');
      expect(open.attached, open.output).toBe(true);
      expect((await asRoot(ns, ['drift'], [{ name: 'pv-priv' }, { name: 'pv-open', anyoneMayAttach: true }])).code).toBe(0);
    });
  });

  it('GIVEN a device any user may attach to, as every device made before the private default WHEN the spec no longer opts out THEN drift names the owner, apply makes it root\'s in place (same ifindex) and nobody is refused; opting out again replaces it', async (ctx) => {
    if (h.skip) ctx.skip(h.skip);
    await inNetns(async (ns) => {
      expect((await asRoot(ns, ['apply'], [{ name: 'pv-old', anyoneMayAttach: true }])).code).toBe(0);
      const before = tunInfo(ns, 'pv-old').ifindex;
      expect(nobodyAttaches(ns, 'pv-old').attached).toBe(true);

      const drift = await asRoot(ns, ['drift'], [{ name: 'pv-old' }]);
      expect(drift.code).toBe(2);
      expect(drift.stdout).toContain('pv-old: user is (none), spec says 0');
      const apply = await asRoot(ns, ['apply'], [{ name: 'pv-old' }]);
      expect(apply.code, apply.stderr).toBe(0);
      expect(tunInfo(ns, 'pv-old')).toMatchObject({ ifindex: before, linkinfo: { info_data: { user: 'root' } } });
      expect(nobodyAttaches(ns, 'pv-old').attached).toBe(false);
      expect((await asRoot(ns, ['drift'], [{ name: 'pv-old' }])).code).toBe(0);

      // The kernel cannot clear an owner: opting out again needs a new device.
      const plan = await asRoot(ns, ['plan'], [{ name: 'pv-old', anyoneMayAttach: true }]);
      expect(plan.stdout).toContain('-/+ replace pv-old (anyoneMayAttach: false -> true)');
      expect((await asRoot(ns, ['apply'], [{ name: 'pv-old', anyoneMayAttach: true }])).code).toBe(0);
      expect(tunInfo(ns, 'pv-old').ifindex).not.toBe(before);
      expect(nobodyAttaches(ns, 'pv-old').attached).toBe(true);
    });
  });

  it('GIVEN nobody with a rule (owner self) WHEN it applies a device with neither user nor group through the setuid helper THEN the helper gives the device to root, and nobody cannot attach to it', async (ctx) => {
    if (h.skip) ctx.skip(h.skip);
    await inNetns(async (ns) => {
      const spec = specs.write(`spec-${++specCount}.yaml`, specYaml([{ name: 'pv-nb' }]));
      const r = await runTunform(['apply', '-f', spec], { wrap: ['ip', 'netns', 'exec', ns, ...NOBODY, 'env', `TUNFORM_HELPER=${h.helper}`] });
      expect(r.code, r.stderr).toBe(0);
      expect(tunInfo(ns, 'pv-nb').linkinfo.info_data.user).toBe('root');
      expect(nobodyAttaches(ns, 'pv-nb').attached).toBe(false);
    });
  });
});
