import type { LiveState } from '../model.js';
import { resolveOwnerIds } from './ids.js';
import { mergeLive } from './merge.js';
import { netnsPath } from './netns.js';
import { addrsOf, parseAddrs } from './parse-addrs.js';
import { linkDumpOf, parseLinkDump, type LinkDump } from './parse-links.js';
import { parseIpJson } from './parse-json.js';
import { scanTunProcesses } from './proc-scan.js';
import { addHolderView } from './holder-view.js';
import { LINKS_AND_ADDRS, linksAndAddrsDirect, runIp, scopableNames, type IpDumpSession } from './run-ip.js';

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

interface Dumped {
  readonly links: LinkDump;
  readonly addresses: ReadonlyMap<number, readonly string[]>;
}

/**
 * Links and addresses: one `ip -d -j addr show` process when runIp can take
 * it, else a link dump and an address dump (through the session's readers,
 * or the setuid helper's two dumps).
 */
async function dumpLinksAndAddrs(opts: ReadLiveOptions): Promise<Dumped> {
  const { dumps, names, netns } = opts;
  if (!dumps && linksAndAddrsDirect(netns)) {
    const command = `ip ${LINKS_AND_ADDRS.join(' ')}`;
    const entries = parseIpJson(await runIp(LINKS_AND_ADDRS, netns), command);
    return { links: linkDumpOf(entries, command), addresses: addrsOf(entries) };
  }
  const scoped = dumps !== undefined && names !== undefined && scopableNames(names);
  const dump = (args: readonly string[]) =>
    !dumps ? runIp(args, netns) : scoped ? dumps.runScoped(args, names).catch(() => runIp(args, netns)) : dumps.run(args);
  const [linkJson, addrJson] = await Promise.all([dump(['-d', '-j', 'link', 'show']), dump(['-j', 'addr', 'show'])]);
  return { links: parseLinkDump(linkJson), addresses: parseAddrs(addrJson) };
}

/**
 * The kernel's tun/tap state in one namespace: its links and addresses (one
 * dump, or two) and one /proc scan, all at once, never a process per device.
 */
export async function readLiveState(opts: ReadLiveOptions = {}): Promise<LiveState> {
  const nsPath = netnsPath(opts.netns);
  const [dumped, processes] = await Promise.all([dumpLinksAndAddrs(opts), scanTunProcesses({ netnsPath: nsPath })]);
  const { tun: links, others } = dumped.links;
  const devices = mergeLive({
    links,
    addresses: dumped.addresses,
    attachments: processes.complete ? processes.byDevice : await addHolderView(processes.byDevice, opts.netns),
    ownerIds: await resolveOwnerIds(links),
  });
  const state: { -readonly [K in keyof LiveState]: LiveState[K] } = { devices, processesComplete: processes.complete, otherLinks: others };
  if (opts.netns !== undefined) state.netns = opts.netns;
  return state;
}
