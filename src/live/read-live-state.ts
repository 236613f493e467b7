import type { LiveState } from '../model.js';
import { resolveOwnerIds } from './ids.js';
import { mergeLive } from './merge.js';
import { netnsPath } from './netns.js';
import { parseAddrs } from './parse-addrs.js';
import { parseLinkDump } from './parse-links.js';
import { scanTunProcesses } from './proc-scan.js';
import { addHolderView } from './holder-view.js';
import { runIp, scopableNames, type IpDumpSession } from './run-ip.js';

export interface ReadLiveOptions {
  /** Named namespace (`ip netns`); undefined reads the caller's own. */
  readonly netns?: string;
  /** Where the dumps go (default: one `ip` process each); the provider's IpDumpSession keeps one running. */
  readonly dumps?: IpDumpSession;
  /**
   * With dumps: read only these links (and every process), for a run scoped
   * to them; devices and otherLinks then hold only these names. A run of 10
   * devices in a namespace of 1000 read all 1000 twice (100–300 ms per dump
   * on a loaded machine); these reads cost a few ms. Names a batch line cannot
   * carry as they are fall back to the whole namespace.
   */
  readonly names?: readonly string[];
}

/**
 * The kernel's tun/tap state in one namespace: one link dump, one address
 * dump and one /proc scan, all at once, never a process per device.
 */
export async function readLiveState(opts: ReadLiveOptions = {}): Promise<LiveState> {
  const nsPath = netnsPath(opts.netns);
  const { dumps, names } = opts;
  const scoped = dumps !== undefined && names !== undefined && scopableNames(names);
  const dump = (args: readonly string[]) =>
    !dumps ? runIp(args, opts.netns) : scoped ? dumps.runScoped(args, names).catch(() => runIp(args, opts.netns)) : dumps.run(args);
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
