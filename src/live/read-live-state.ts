import type { LiveState } from '../model.js';
import { resolveOwnerIds } from './ids.js';
import { mergeLive } from './merge.js';
import { netnsPath } from './netns.js';
import { parseAddrs } from './parse-addrs.js';
import { parseLinkDump } from './parse-links.js';
import { scanTunProcesses } from './proc-scan.js';
import { addHolderView } from './holder-view.js';
import { runIp, type IpDumpSession } from './run-ip.js';

export interface ReadLiveOptions {
  /** Named namespace (`ip netns`); undefined reads the caller's own. */
  readonly netns?: string;
  /** Where the dumps go (default: one `ip` process each); the provider's IpDumpSession keeps one running. */
  readonly dumps?: IpDumpSession;
}

/**
 * The kernel's tun/tap state in one namespace: one link dump, one address
 * dump and one /proc scan, all at once, never a process per device.
 */
export async function readLiveState(opts: ReadLiveOptions = {}): Promise<LiveState> {
  const nsPath = netnsPath(opts.netns);
  const dump = (args: readonly string[]) => (opts.dumps ? opts.dumps.run(args) : runIp(args, opts.netns));
  const [linkJson, addrJson, processes] = await Promise.all([
    dump(['-d', '-j', 'link', 'show']),
    dump(['-j', 'addr', 'show']),
    scanTunProcesses({ netnsPath: nsPath }),
  ]);
  const { tun: links, others } = parseLinkDump(linkJson);
  const devices = mergeLive({
    links,
    addresses: parseAddrs(addrJson),
    attachments: processes.complete ? processes.byDevice : await addHolderView(processes.byDevice, opts.netns),
    ownerIds: await resolveOwnerIds(links),
  });
  const state: { -readonly [K in keyof LiveState]: LiveState[K] } = { devices, processesComplete: processes.complete, otherLinks: others };
  if (opts.netns !== undefined) state.netns = opts.netns;
  return state;
}
