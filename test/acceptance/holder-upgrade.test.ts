/**
 * `tunform install-helper` restarts every running holder onto the binary it
 * just installed (the hand-over, or systemctl restart for a unit's holder),
 * and says which, without a carrier drop. The install goes to a temporary
 * prefix; everything runs in a private mount namespace where /run/tunform is
 * a fresh tmpfs (so only this test's holders are found, never another run's)
 * and /etc an overlay (the example ACL make installs lands in the overlay, not
 * the machine's /etc). The kernel, the CLI and the helper are real.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readlinkSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireBuiltCli, runTunform, SpecDir, specYaml } from '../support/cli.js';
import { createNetns, destroyNetns } from '../support/netns.js';
import { buildReader, eventually, holderProcesses, infoData, link, Reader } from '../support/traffic.js';
import { pollCarrier } from '../support/carrier.js';
import { skipUnlessRoot } from '../support/require-root.js';

const DEV = 'up0';
/** No reader: only the holder's fd gives it carrier, so a dropped fd shows here. */
const BARE = 'up1';

let ns = '';
let inside = '';
let work = '';
let specs: SpecDir | undefined;
let readerBuild: { bin: string; cleanup: () => void } | undefined;
let keeper: ChildProcess | undefined;
let mountNs: string[] = [];

/** Holds a private mount namespace: tmpfs on /run/tunform, overlay on /etc. */
const mountScript = (w: string) => `set -e
mount -t tmpfs -o mode=0755 tunform-upgrade /run/tunform
mount -t overlay overlay -o lowerdir=/etc,upperdir=${w}/etc-upper,workdir=${w}/etc-work /etc
echo ready
exec sleep 600`;

describe.skipIf(skipUnlessRoot())('acceptance: install-helper restarts running holders onto the installed binary', () => {
  beforeAll(async () => {
    requireBuiltCli();
    readerBuild = buildReader();
    work = mkdtempSync(join(tmpdir(), 'tunform-upgrade-'));
    specs = new SpecDir('upgrade');
    ns = createNetns('hup');
    inside = createNetns('hui');
    mkdirSync(join(work, 'etc-upper'));
    mkdirSync(join(work, 'etc-work'));
    mkdirSync('/run/tunform', { recursive: true, mode: 0o755 });
    keeper = spawn('unshare', ['-m', '--propagation', 'private', 'sh', '-c', mountScript(work)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    keeper.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
    await eventually(() => {
      if (keeper!.exitCode !== null) throw new Error(`the mount namespace did not come up (exit ${keeper!.exitCode})`);
      return out.includes('ready') ? true : undefined;
    }, 'the private mount namespace');
    mountNs = ['nsenter', `--mount=/proc/${keeper.pid}/ns/mnt`, '--'];
  });
  afterAll(() => {
    // The holders live in the private mount namespace; destroying their network namespaces kills them.
    destroyNetns(ns);
    destroyNetns(inside);
    keeper?.kill('SIGKILL');
    specs?.remove();
    readerBuild?.cleanup();
    rmSync(work, { recursive: true, force: true });
  });

  it('GIVEN a running holder with a reader attached WHEN install-helper installs a new helper THEN the holder runs the installed binary, carrier never drops, and the command says so', async () => {
    const file = specs!.write(
      'u.yaml',
      specYaml(
        [
          { name: DEV, mode: 'tun', multiQueue: true, keepCarrier: true, addresses: ['172.31.0.1/24'] },
          { name: BARE, mode: 'tun', multiQueue: true, keepCarrier: true },
        ],
        ns,
      ),
    );
    const apply = await runTunform(['apply', '-f', file], { wrap: mountNs });
    expect(apply.code, apply.stderr).toBe(0);
    const [oldPid] = holderProcesses(ns);
    // A holder started from inside a namespace (no --netns): --netns cannot reach it, so it is reported, not restarted.
    const own = specs!.write('i.yaml', specYaml([{ name: 'ui0', mode: 'tun', multiQueue: true, keepCarrier: true }]));
    const applyInside = await runTunform(['apply', '-f', own], { wrap: [...mountNs, 'ip', 'netns', 'exec', inside] });
    expect(applyInside.code, applyInside.stderr).toBe(0);
    const [insidePid] = holderProcesses(inside);
    const reader = await Reader.start(readerBuild!.bin, ns, DEV);
    const prefix = join(work, 'prefix');
    const installed = join(prefix, 'libexec', 'tunform', 'tunform-helper');

    const poller = await pollCarrier(ns, [DEV, BARE], join(work, 'stop'));
    let r;
    let carrier;
    try {
      r = await runTunform(['install-helper', '--prefix', prefix], { wrap: mountNs });
    } finally {
      carrier = await poller.stop();
    }

    expect(r.code, r.stderr).toBe(0);
    const holders = holderProcesses(ns);
    expect(holders).toHaveLength(1);
    const newPid = holders[0]!;
    expect(newPid).not.toBe(oldPid);
    expect(realpathSync(readlinkSync(`/proc/${newPid}/exe`))).toBe(realpathSync(installed));
    expect(r.stdout).toContain(`Restarted the holder of netns '${ns}' by a hand-over: pid ${oldPid} -> pid ${newPid}, every device kept.\n`);
    expect(r.stderr).toContain(`warning: could not restart the holder at /run/tunform/self-`);
    expect(r.stderr).toContain(`(pid ${insidePid}) onto ${installed}: it was started from inside its namespace, which --netns does not reach; run \`nsenter -t ${insidePid} -n tunform holder restart\`. It still holds its devices, on the binary it was started from.\n`);
    expect(holderProcesses(inside)).toEqual([insidePid]);
    expect(carrier.samples).toBeGreaterThan(10);
    expect(carrier.down).toBe(0);
    // The very same queues, still detached.
    expect(infoData(ns, DEV)).toMatchObject({ numqueues: 1, numdisabled: 1 });
    expect(infoData(ns, BARE)).toMatchObject({ numqueues: 0, numdisabled: 1 });
    await reader.kill();
    expect(link(ns, BARE).flags).toContain('LOWER_UP');
    // make's example ACL went to the overlay, not to the machine's /etc.
    expect(existsSync(join(work, 'etc-upper', 'tunform', 'helper.acl'))).toBe(true);
  });

  it('GIVEN --destdir (a staged install) WHEN install-helper runs THEN no holder is restarted', async () => {
    const [before] = holderProcesses(ns);
    const r = await runTunform(['install-helper', '--prefix', '/usr/local', '--destdir', join(work, 'stage')], { wrap: mountNs });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('A staged install (--destdir): running holders were not restarted.\n');
    expect(r.stdout).not.toContain('Restarted');
    expect(holderProcesses(ns)).toEqual([before]);
  });
});
