/**
 * readLiveState against the real kernel and iproute2, in throwaway
 * namespaces. Attached processes are tiny python3 scripts that open
 * /dev/net/tun and TUNSETIFF, started inside the namespace with
 * `ip netns exec`, which execs python itself, so the child's pid is theirs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readLiveState } from '../../src/live/index.js';
import { IpDumpSession } from '../../src/live/run-ip.js';
import type { LiveDevice } from '../../src/model.js';
import { createNetns, destroyNetns, ipn, isRoot } from '../support/netns.js';

const ATTACH_SCRIPT = `
import fcntl, os, struct, sys
name, detach, comm = sys.argv[1], sys.argv[2] == "detach", sys.argv[3]
if comm != "-":
    open("/proc/self/comm", "w").write(comm)
IFF_TUN, IFF_NO_PI, IFF_MULTI_QUEUE, IFF_DETACH_QUEUE = 0x0001, 0x1000, 0x0100, 0x0400
TUNSETIFF, TUNSETQUEUE = 0x400454ca, 0x400454d9
fd = os.open("/dev/net/tun", os.O_RDWR)
fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", name.encode(), IFF_TUN | IFF_NO_PI | IFF_MULTI_QUEUE))
if detach:
    fcntl.ioctl(fd, TUNSETQUEUE, struct.pack("16sH", b"", IFF_DETACH_QUEUE))
print("ready", flush=True)
sys.stdin.read()  # lives until the test closes our stdin or kills us
`;
import { skipUnlessRoot } from '../support/require-root.js';

const children: ChildProcess[] = [];

/** Starts a process in netns attached to multi-queue tun device `name`; resolves with its pid once attached. */
function attach(netns: string, name: string, opts: { detach?: boolean; comm?: string } = {}): Promise<number> {
  const child = spawn('ip', ['netns', 'exec', netns, 'python3', '-c', ATTACH_SCRIPT, name, opts.detach ? 'detach' : 'stay', opts.comm ?? '-'], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  children.push(child);
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    child.stdout?.on('data', (d: Buffer) => {
      if (d.toString().includes('ready') && child.pid !== undefined) resolve(child.pid);
    });
    child.on('exit', (code) => reject(new Error(`attacher for ${name} in ${netns} exited ${code}: ${stderr}`)));
  });
}

async function waitFor(what: string, check: () => boolean): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Pids of the `ip -n NS … -batch -` readers of an IpDumpSession on ns. */
const batchReaders = (ns: string): string[] =>
  readdirSync('/proc').filter((p) => {
    try {
      const argv = readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0');
      return argv[0] === 'ip' && argv.includes(ns) && argv.includes('-batch');
    } catch {
      return false;
    }
  });

const byName = (devices: readonly LiveDevice[]) => new Map(devices.map((d) => [d.name, d]));

describe.skipIf(skipUnlessRoot())('readLiveState (real kernel)', () => {
  let ns: string;
  let otherNs: string;
  let readerPid: number;
  let holderPid: number;
  let foreignPid: number;

  beforeAll(async () => {
    ns = createNetns('live');
    otherNs = createNetns('live2');
    ipn(ns, 'tuntap', 'add', 'dev', 'tun0', 'mode', 'tun');
    ipn(ns, 'tuntap', 'add', 'dev', 'tap0', 'mode', 'tap', 'pi', 'vnet_hdr', 'user', 'nobody', 'group', '54321');
    ipn(ns, 'tuntap', 'add', 'dev', 'mq0', 'mode', 'tun', 'multi_queue', 'user', '4242');
    ipn(ns, 'tuntap', 'add', 'dev', 'mq1', 'mode', 'tun', 'multi_queue');
    ipn(ns, 'link', 'set', 'dev', 'tun0', 'alias', 'tunform');
    ipn(ns, 'link', 'set', 'dev', 'mq0', 'alias', 'tunform@7');
    ipn(ns, 'addr', 'add', '172.31.0.1/24', 'dev', 'tap0');
    ipn(ns, 'addr', 'add', 'FD00:0::1/64', 'dev', 'tap0');
    ipn(ns, 'addr', 'add', '10.9.0.1/16', 'dev', 'tap0');
    ipn(ns, 'link', 'set', 'dev', 'mq0', 'mtu', '1400', 'up');
    ipn(ns, 'link', 'set', 'dev', 'mq1', 'up');
    ipn(otherNs, 'tuntap', 'add', 'dev', 'mq0', 'mode', 'tun', 'multi_queue');

    readerPid = await attach(ns, 'mq0');
    holderPid = await attach(ns, 'mq1', { detach: true, comm: 'tunform-holder' });
    foreignPid = await attach(otherNs, 'mq0');
    // mq0 has carrier now; the kernel adds its fe80:: address shortly after.
    await waitFor('a link-local address on mq0', () => ipn(ns, '-6', 'addr', 'show', 'dev', 'mq0', 'scope', 'link').includes('fe80'));
  });

  afterAll(() => {
    for (const child of children) child.kill('SIGKILL');
    if (ns) destroyNetns(ns);
    if (otherNs) destroyNetns(otherNs);
  });

  it('GIVEN tun and tap devices WHEN read THEN only they are listed, with creation flags mapped', async () => {
    const state = await readLiveState({ netns: ns });
    const devices = byName(state.devices);

    expect(state.netns).toBe(ns);
    expect([...devices.keys()]).toEqual(['mq0', 'mq1', 'tap0', 'tun0']);
    expect(devices.get('tun0')).toMatchObject({ mode: 'tun', multiQueue: false, packetInfo: false, vnetHeader: false, persist: true, up: false });
    expect(devices.get('tap0')).toMatchObject({ mode: 'tap', packetInfo: true, vnetHeader: true });
    expect(devices.get('tun0')).not.toHaveProperty('numQueues');
  });

  it('GIVEN owners set by name and by unresolvable number WHEN read THEN both are numeric ids', async () => {
    const devices = byName((await readLiveState({ netns: ns })).devices);

    expect(devices.get('tap0')).toMatchObject({ user: 65534, group: 54321 });
    expect(devices.get('mq0')?.user).toBe(4242);
    expect(devices.get('mq0')).not.toHaveProperty('group');
    expect(devices.get('tun0')).not.toHaveProperty('user');
  });

  it('GIVEN addresses and a kernel link-local address WHEN read THEN addresses are canonical, sorted, without fe80::', async () => {
    const devices = byName((await readLiveState({ netns: ns })).devices);

    expect(devices.get('tap0')?.addresses).toEqual(['10.9.0.1/16', '172.31.0.1/24', 'fd00::1/64']);
    expect(devices.get('mq0')?.addresses).toEqual([]);
  });

  it('GIVEN aliases WHEN read THEN the marker decides managed and generation', async () => {
    const devices = byName((await readLiveState({ netns: ns })).devices);

    expect(devices.get('tun0')).toMatchObject({ alias: 'tunform', managed: true });
    expect(devices.get('mq0')).toMatchObject({ alias: 'tunform@7', managed: true, generation: '7' });
    expect(devices.get('tap0')).toMatchObject({ managed: false });
  });

  it('GIVEN a reader on mq0 here and on a same-named mq0 elsewhere WHEN read THEN only the local reader is attached', async () => {
    const mq0 = byName((await readLiveState({ netns: ns })).devices).get('mq0');

    expect(mq0).toMatchObject({ attachedPids: [readerPid], holderPids: [], keepCarrier: false });
    expect(mq0).toMatchObject({ numQueues: 1, numDisabled: 0, mtu: 1400, up: true, carrier: true });
    expect(mq0?.attachedPids).not.toContain(foreignPid);
  });

  it('GIVEN the other namespace WHEN read THEN its own attacher is the one listed', async () => {
    const mq0 = byName((await readLiveState({ netns: otherNs })).devices).get('mq0');

    expect(mq0?.attachedPids).toEqual([foreignPid]);
  });

  it('GIVEN a tunform-holder with a detached queue on mq1 WHEN read THEN it is the holder and keepCarrier is observed', async () => {
    const mq1 = byName((await readLiveState({ netns: ns })).devices).get('mq1');

    expect(mq1).toMatchObject({ attachedPids: [holderPid], holderPids: [holderPid], keepCarrier: true, numQueues: 0, numDisabled: 1, carrier: true });
  });

  it('GIVEN an IpDumpSession WHEN read, changed by hand, read again THEN each read is what a one-shot read gives, through one ip -batch per dump kind', async () => {
    const dumps = new IpDumpSession(ns);
    try {
      const first = await readLiveState({ netns: ns, dumps });
      expect(first).toEqual(await readLiveState({ netns: ns }));
      // WHEN a device changes by hand between two reads
      ipn(ns, 'addr', 'add', '192.0.2.7/32', 'dev', 'tun0');
      const second = await readLiveState({ netns: ns, dumps });
      // THEN the second read sees it, and still matches a one-shot read
      expect(byName(second.devices).get('tun0')?.addresses).toContain('192.0.2.7/32');
      expect(second).toEqual(await readLiveState({ netns: ns }));
      expect(batchReaders(ns)).toHaveLength(2);
    } finally {
      ipn(ns, 'addr', 'del', '192.0.2.7/32', 'dev', 'tun0');
      await dumps.close();
    }
    expect(batchReaders(ns)).toEqual([]);
  });

  it('GIVEN an IpDumpSession WHEN read for some names THEN only those links are listed, each as the whole read has it; a missing name is absent and another kind of link is an other link', async () => {
    ipn(ns, 'link', 'add', 'dm0', 'type', 'veth', 'peer', 'name', 'dm1');
    const dumps = new IpDumpSession(ns);
    try {
      const whole = await readLiveState({ netns: ns });
      const scoped = await readLiveState({ netns: ns, dumps, names: ['tap0', 'gone0', 'dm0', 'mq1'] });
      expect(scoped.devices.map((d) => d.name).sort()).toEqual(['mq1', 'tap0']);
      expect(scoped.devices).toEqual(whole.devices.filter((d) => d.name === 'tap0' || d.name === 'mq1'));
      expect(scoped.otherLinks).toEqual((whole.otherLinks ?? []).filter((l) => l.name === 'dm0'));
      expect(scoped.processesComplete).toBe(whole.processesComplete);
      // a name ip's batch parser would read otherwise: the whole namespace, as without names
      expect((await readLiveState({ netns: ns, dumps, names: ['a"b'] })).devices).toEqual(whole.devices);
    } finally {
      await dumps.close();
      ipn(ns, 'link', 'del', 'dm0');
    }
  });

  it('GIVEN an IpDumpSession whose ip readers were killed WHEN read THEN the read still succeeds, and later reads go through new readers', async () => {
    const dumps = new IpDumpSession(ns);
    try {
      const before = await readLiveState({ netns: ns, dumps });
      const killed = batchReaders(ns);
      expect(killed).toHaveLength(2);
      for (const p of killed) process.kill(Number(p), 'SIGKILL');
      expect(await readLiveState({ netns: ns, dumps })).toEqual(before);
      expect(await readLiveState({ netns: ns, dumps })).toEqual(before);
      const now = batchReaders(ns);
      expect(now).toHaveLength(2);
      expect(now.filter((p) => killed.includes(p))).toEqual([]);
    } finally {
      await dumps.close();
    }
  });

  it('GIVEN a namespace that does not exist WHEN read THEN an invalid-input error points at ip netns list', async () => {
    await expect(readLiveState({ netns: `${ns}-missing` })).rejects.toMatchObject({
      kind: 'invalid',
      message: `'netns' ("${ns}-missing") does not exist; use a name from 'ip netns list'`,
    });
  });

  it('GIVEN no ip on PATH WHEN read THEN a backend error says to install iproute2', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'tunform-nopath-'));
    const saved = process.env.PATH;
    process.env.PATH = empty;
    try {
      await expect(readLiveState({ netns: ns })).rejects.toMatchObject({
        kind: 'backend',
        message: "cannot run 'ip': not found; install iproute2",
      });
    } finally {
      process.env.PATH = saved;
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
