/**
 * The engine's lock and live reads for a process that applies many times:
 * the Terraform provider (and `tunform serve`, its session on a remote host), whose ApplyResourceChange calls become one engine
 * run per batch of about -parallelism (10) devices, so 100 runs for 1000
 * devices. Per run the CLI's way starts a lock helper and four `ip` dumps
 * (read before, verify after); on two loaded cores each start cost
 * 80–340 ms, far more than the work. Here one lock helper and one `ip -batch`
 * reader per dump kind serve every run of the process, per namespace.
 *
 * A run scoped to its batch's devices reads only those links (ip link/addr
 * show dev NAME through the same readers), not the whole namespace twice.
 *
 * The lock is still taken and released by each run (a line to the helper),
 * so other tunform runs interleave between batches as before.
 */
import type { LiveState } from '../model.js';
import { readLiveState } from '../live/read-live-state.js';
import { IpDumpSession } from '../live/run-ip.js';
import { LockSession, type Lock } from './lock.js';
import type { EngineIo } from './apply.js';

export class EngineSessions implements EngineIo {
  private readonly locks = new Map<string | undefined, LockSession>();
  private readonly dumps = new Map<string | undefined, IpDumpSession>();

  readonly lock = (netns: string | undefined): Promise<Lock> => {
    let s = this.locks.get(netns);
    if (!s) this.locks.set(netns, (s = new LockSession(netns)));
    return s.acquire();
  };

  /** With names, only those links are dumped (see ReadLiveOptions.names). */
  readonly read = (netns: string | undefined, names?: readonly string[]): Promise<LiveState> => {
    let dumps = this.dumps.get(netns);
    if (!dumps) this.dumps.set(netns, (dumps = new IpDumpSession(netns)));
    return readLiveState({ ...(netns === undefined ? {} : { netns }), dumps, ...(names ? { names } : {}) });
  };

  /** Ends every helper and reader (a held lock is released with its helper). */
  async close(): Promise<void> {
    const all = [...this.locks.values(), ...this.dumps.values()];
    this.locks.clear();
    this.dumps.clear();
    await Promise.all(all.map((s) => s.close()));
  }
}
