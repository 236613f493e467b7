/**
 * Which processes have an fd attached to which tun/tap device. The kernel
 * offers no netlink view of this; `ip tuntap show` scans /proc the same way.
 *
 * Synchronous fs calls on purpose: /proc entries are generated in memory, so
 * each call is a few microseconds, while an async call costs a thread-pool
 * round trip that is ten times that (measured: see the report in git log).
 * We yield to the event loop between batches of processes so the concurrent
 * `ip` children can drain their pipes.
 */
import { readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { parseFdinfo } from './fdinfo.js';
import type { Attachment, ProcessScan } from './types.js';

export const HOLDER_COMM = 'tunform-holder';
const TUN_DEVICE_PATH = '/dev/net/tun';
const PIDS_PER_SLICE = 64;

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
  const target = statSync(opts.netnsPath);
  let complete = true;
  const pidsByDevice = new Map<string, Set<number>>();
  const holders = new Set<number>();

  const pids = readdirSync(proc).filter((e) => /^\d+$/.test(e));
  for (let i = 0; i < pids.length; i++) {
    if (i > 0 && i % PIDS_PER_SLICE === 0) await yieldToEventLoop();
    const pid = pids[i] as string;
    const ns = attempt(() => statSync(`${proc}/${pid}/ns/net`));
    if (!ns.ok) {
      if (ns.denied) complete = false;
      continue;
    }
    if (ns.value.ino !== target.ino || ns.value.dev !== target.dev) continue;
    const devices = tunDevicesOf(proc, pid);
    if (!devices.complete) complete = false;
    if (devices.names.size === 0) continue;
    for (const name of devices.names) {
      let set = pidsByDevice.get(name);
      if (!set) pidsByDevice.set(name, (set = new Set()));
      set.add(Number(pid));
    }
    const comm = attempt(() => readFileSync(`${proc}/${pid}/comm`, 'utf8'));
    if (comm.ok && comm.value.trim() === HOLDER_COMM) holders.add(Number(pid));
    else if (!comm.ok && comm.denied) complete = false;
  }

  const byDevice = new Map<string, Attachment>();
  for (const [name, set] of pidsByDevice) {
    const attachedPids = [...set].sort((a, b) => a - b);
    byDevice.set(name, { attachedPids, holderPids: attachedPids.filter((p) => holders.has(p)) });
  }
  return { byDevice, complete };
}

function tunDevicesOf(proc: string, pid: string): { names: Set<string>; complete: boolean } {
  const names = new Set<string>();
  const fds = attempt(() => readdirSync(`${proc}/${pid}/fd`));
  if (!fds.ok) return { names, complete: !fds.denied };
  let complete = true;
  for (const fd of fds.value) {
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

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));
