/**
 * Which processes have an fd attached to which tun/tap device. The kernel
 * offers no netlink view of this; `ip tuntap show` scans /proc the same way.
 *
 * Synchronous fs calls on purpose: /proc entries are generated in memory, so
 * a sync call costs microseconds, while an async call adds a thread-pool round
 * trip. Measured here for one process holding 1000 tun fds: readlink of all
 * fds 4.5 ms sync vs 22 ms async; reading all fdinfo 12 ms sync vs 119 ms
 * async (Promise.all). Only processes in the target namespace get their fds
 * read, so the rest of the machine costs one stat each.
 *
 * We yield to the event loop every few hundred reads so the concurrent `ip`
 * children can drain their pipes instead of stalling on a full one.
 */
import { readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { backendError } from '../errors.js';
import { parseFdinfo } from './fdinfo.js';
import type { Attachment, ProcessScan } from './types.js';

export const HOLDER_COMM = 'tunform-holder';
const TUN_DEVICE_PATH = '/dev/net/tun';
const READS_PER_SLICE = 256;

export interface ScanOptions {
  /** The namespace file whose members count (/run/netns/NS or /proc/self/ns/net). */
  readonly netnsPath: string;
  /** Overridable for tests. */
  readonly procRoot?: string;
}

/** Tells a vanished process from one we may not look at. */
type Outcome<T> = { ok: true; value: T } | { ok: false; denied: boolean };

export async function scanTunProcesses(opts: ScanOptions): Promise<ProcessScan> {
  const proc = opts.procRoot ?? '/proc';
  const target = namespaceIdentity(opts.netnsPath);
  let complete = true;
  const pidsByDevice = new Map<string, Set<number>>();
  const holders = new Set<number>();
  const names = new Map<number, string>();

  // As root, a process whose namespace we may not even stat is more privileged
  // than our whole context (a container's init); it cannot hold a device that
  // only exists in a namespace we can see, so it does not make the scan partial.
  const deniedNamespaceMatters = process.geteuid?.() !== 0;
  const slicer = new Slicer();
  const pids = readdirSync(proc).filter((e) => /^\d+$/.test(e));
  for (const pid of pids) {
    await slicer.tick();
    const ns = attempt(() => statSync(`${proc}/${pid}/ns/net`));
    if (!ns.ok) {
      if (ns.denied && deniedNamespaceMatters) complete = false;
      continue;
    }
    if (ns.value.ino !== target.ino || ns.value.dev !== target.dev) continue;
    const devices = await tunDevicesOf(proc, pid, slicer);
    if (!devices.complete) complete = false;
    if (devices.names.size === 0) continue;
    for (const name of devices.names) {
      let set = pidsByDevice.get(name);
      if (!set) pidsByDevice.set(name, (set = new Set()));
      set.add(Number(pid));
    }
    const comm = attempt(() => readFileSync(`${proc}/${pid}/comm`, 'utf8'));
    if (comm.ok) names.set(Number(pid), comm.value.trim());
    if (comm.ok && comm.value.trim() === HOLDER_COMM) holders.add(Number(pid));
    else if (!comm.ok && comm.denied) complete = false;
  }

  const byDevice = new Map<string, Attachment>();
  for (const [name, set] of pidsByDevice) {
    const attachedPids = [...set].sort((a, b) => a - b);
    const processNames: Record<number, string> = {};
    for (const p of attachedPids) {
      const comm = names.get(p);
      if (comm !== undefined) processNames[p] = comm;
    }
    byDevice.set(name, { attachedPids, holderPids: attachedPids.filter((p) => holders.has(p)), processNames });
  }
  return { byDevice, complete };
}

async function tunDevicesOf(proc: string, pid: string, slicer: Slicer): Promise<{ names: Set<string>; complete: boolean }> {
  const names = new Set<string>();
  const fds = attempt(() => readdirSync(`${proc}/${pid}/fd`));
  if (!fds.ok) return { names, complete: !fds.denied };
  let complete = true;
  for (const fd of fds.value) {
    await slicer.tick();
    const target = attempt(() => readlinkSync(`${proc}/${pid}/fd/${fd}`));
    if (!target.ok) {
      if (target.denied) complete = false;
      continue;
    }
    if (target.value !== TUN_DEVICE_PATH) continue;
    const info = attempt(() => readFileSync(`${proc}/${pid}/fdinfo/${fd}`, 'utf8'));
    if (!info.ok) {
      if (info.denied) complete = false;
      continue;
    }
    const name = parseFdinfo(info.value);
    if (name !== undefined) names.add(name);
  }
  return { names, complete };
}

/**
 * Processes and fds vanish between listing and reading (ENOENT, ESRCH): a
 * normal race, the entry simply is no longer there. Anything else means we
 * could not see something that exists, so the scan is incomplete.
 */
function attempt<T>(read: () => T): Outcome<T> {
  try {
    return { ok: true, value: read() };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return { ok: false, denied: code !== 'ENOENT' && code !== 'ESRCH' };
  }
}

/** The namespace's identity is its nsfs inode, the same for every path that names it. */
function namespaceIdentity(path: string): { ino: number; dev: number } {
  try {
    return statSync(path);
  } catch (e) {
    throw backendError(`cannot read network namespace '${path}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, {
      details: ["the namespace may have been deleted meanwhile; check 'ip netns list'"],
      cause: e,
    });
  }
}

/** Counts reads and hands control back to the event loop once per slice. */
class Slicer {
  private reads = 0;

  tick(): Promise<void> | undefined {
    if (++this.reads % READS_PER_SLICE !== 0) return undefined;
    return new Promise<void>((resolve) => setImmediate(resolve));
  }
}
