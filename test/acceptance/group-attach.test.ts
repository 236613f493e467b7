/**
 * A private device (owner root) opened to a group: with `group` alone the
 * members must attach, but the kernel lets a process without CAP_NET_ADMIN in
 * only when it is the owner, where one is set, and a member of the group, where
 * one is set, and no ioctl clears an owner. So tunform replaces the device.
 * Real kernel, CLI and helper in a throwaway namespace; the members attach
 * with test/fixtures-c/tun-attach.c through a private 0666 /dev/net/tun node.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Attacher, buildAttacher } from '../support/attacher.js';
import { attachesAs } from '../support/attach-as.js';
import { requireBuiltCli, runTunform, SpecDir, specYaml, type DeviceYaml } from '../support/cli.js';
import { createNetns, destroyNetns, ipn } from '../support/netns.js';
import { skipUnlessRoot } from '../support/require-root.js';

/** The group the device is opened to: Debian's `users` (gid 100). */
const GROUP = 'users';
const GID = 100;
/** nobody as a member of GROUP (a supplementary group, as qemu in kvm), and nobody in no group at all; no capabilities either way. */
const MEMBER = ['setpriv', '--reuid=nobody', '--regid=nogroup', `--groups=${GID}`, '--inh-caps=-all'];
const OUTSIDER = ['setpriv', '--reuid=nobody', '--regid=nogroup', '--clear-groups', '--inh-caps=-all'];

let specs: SpecDir;
let attacher: { bin: string; cleanup: () => void };
let nodeDir = '';

interface TunInfo {
  ifindex: number;
  linkinfo: { info_data: { user?: string | number; group?: string | number } };
}
const tunInfo = (ns: string, dev: string): TunInfo => (JSON.parse(ipn(ns, '-d', '-j', 'link', 'show', dev)) as TunInfo[])[0]!;

describe.skipIf(skipUnlessRoot())('acceptance: a private device opened to a group alone', () => {
  beforeAll(() => {
    requireBuiltCli();
    specs = new SpecDir('group-attach');
    attacher = buildAttacher();
    chmodSync(dirname(attacher.bin), 0o755); // nobody runs it
    nodeDir = mkdtempSync(join(tmpdir(), 'tunform-tun-node-'));
  });
  afterAll(() => {
    specs?.remove();
    attacher?.cleanup();
    if (nodeDir) rmSync(nodeDir, { recursive: true, force: true });
  });

  it("GIVEN a private device WHEN the spec declares only group THEN plan shows a replace because the owner blocks the group, apply refuses it while a process holds the device and then replaces it, and a member attaches", async () => {
    const ns = createNetns('grp');
    try {
      const spec = (name: string, devices: DeviceYaml[]) => specs.write(name, specYaml(devices, ns));
      const privateSpec = spec('private.yaml', [{ name: 'qg0', mode: 'tap' }]);
      const groupSpec = spec('group.yaml', [{ name: 'qg0', mode: 'tap', group: GROUP }]);
      const attaches = (who: readonly string[]) => attachesAs(who, ns, 'qg0', attacher.bin, nodeDir, 'tap');

      // GIVEN a private device: owner root, so the member is refused
      const made = await runTunform(['apply', '-f', privateSpec]);
      expect(made.code, made.stderr).toBe(0);
      const before = tunInfo(ns, 'qg0');
      expect(before.linkinfo.info_data.user).toBe('root');
      expect(attaches(MEMBER).attached).toBe(false);

      // WHEN the spec declares only the group THEN the plan and drift replace it, saying why
      const reason = "user: 0 -> (none): owner 0 blocks the group's other members and the kernel cannot clear an owner";
      const plan = await runTunform(['plan', '-f', groupSpec]);
      expect(plan.stdout).toContain(`-/+ replace qg0 (${reason})`);
      const json = JSON.parse((await runTunform(['plan', '-f', groupSpec, '--json'])).stdout) as { actions: { action: string; reasons: unknown }[] };
      expect(json.actions).toMatchObject([{ action: 'replace', reasons: { user: { from: 0, to: null } } }]);
      const drift = await runTunform(['drift', '-f', groupSpec]);
      expect(drift.code).toBe(2);
      expect(drift.stdout).toContain('drift: qg0: user is 0, spec says (none) (needs replace:');

      // AND apply refuses while a process (root's, as a VM started before) holds the device, changing nothing
      const holder = await Attacher.start(attacher.bin, ns, 'qg0', 'tap', []);
      try {
        const refused = await runTunform(['apply', '-f', groupSpec]);
        expect(refused.code).toBe(1);
        expect(refused.stderr).toMatch(new RegExp(`\\b${holder.pid}\\b`));
        expect(tunInfo(ns, 'qg0')).toMatchObject({ ifindex: before.ifindex, linkinfo: { info_data: { user: 'root' } } });
      } finally {
        await holder.stop();
      }

      // THEN once nothing holds it, apply replaces it: a new device with the group and no owner
      const applied = await runTunform(['apply', '-f', groupSpec]);
      expect(applied.code, applied.stderr).toBe(0);
      const after = tunInfo(ns, 'qg0');
      expect(after.ifindex).not.toBe(before.ifindex);
      expect(after.linkinfo.info_data.user).toBeUndefined();
      expect(after.linkinfo.info_data.group).toBe(GROUP);
      const member = attaches(MEMBER);
      expect(member.attached, member.output).toBe(true);
      expect(attaches(OUTSIDER).attached).toBe(false);
      expect((await runTunform(['drift', '-f', groupSpec])).code).toBe(0);
    } finally {
      destroyNetns(ns);
    }
  });
});
