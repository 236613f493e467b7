import { backendError } from '../errors.js';
import type { Mode } from '../model.js';
import { isObject, parseIpJson, type JsonObject } from './parse-json.js';
import type { TunLink } from './types.js';

export const LINK_COMMAND = 'ip -d -j link show';

export interface LinkDump {
  readonly tun: TunLink[];
  /** Every other link, by name and kind: only so a declared name taken by one can be reported. */
  readonly others: { name: string; ifindex: number; kind: string }[];
}

/** Reads an `ip -d -j link show` dump: tun/tap links in full, other kinds by name only. */
export function parseLinkDump(json: string): LinkDump {
  return linkDumpOf(parseIpJson(json, LINK_COMMAND), LINK_COMMAND);
}

/**
 * The links of a parsed dump that has their details: `ip -d -j link show`,
 * or `ip -d -j addr show`, whose entries are the same plus `addr_info`.
 * `command` is what messages name.
 */
export function linkDumpOf(entries: readonly unknown[], command: string): LinkDump {
  const dump: LinkDump = { tun: [], others: [] };
  for (const entry of entries) {
    if (!isObject(entry)) continue;
    const linkinfo = entry.linkinfo;
    if (isObject(linkinfo) && linkinfo.info_kind === 'tun') {
      dump.tun.push(toTunLink(entry, isObject(linkinfo.info_data) ? linkinfo.info_data : {}, command));
    } else if (typeof entry.ifname === 'string') {
      const kind = isObject(linkinfo) && typeof linkinfo.info_kind === 'string' ? linkinfo.info_kind : typeof entry.link_type === 'string' ? entry.link_type : 'unknown';
      dump.others.push({ name: entry.ifname, ifindex: typeof entry.ifindex === 'number' ? entry.ifindex : 0, kind });
    }
  }
  return dump;
}

/** The tun/tap links of a dump. */
export function parseLinks(json: string): TunLink[] {
  return parseLinkDump(json).tun;
}

function toTunLink(entry: JsonObject, data: JsonObject, command: string): TunLink {
  const name = String(entry.ifname);
  const flags = Array.isArray(entry.flags) ? entry.flags : [];
  const link: { -readonly [K in keyof TunLink]: TunLink[K] } = {
    name,
    ifindex: requireNumber(entry.ifindex, name, 'ifindex', command),
    mode: toMode(data.type, name, command),
    multiQueue: data.multi_queue === true,
    packetInfo: data.pi === true,
    vnetHeader: data.vnet_hdr === true,
    persist: data.persist === true,
    mtu: requireNumber(entry.mtu, name, 'mtu', command),
    up: flags.includes('UP'),
    carrier: flags.includes('LOWER_UP'),
  };
  if (typeof data.numqueues === 'number') link.numQueues = data.numqueues;
  if (typeof data.numdisabled === 'number') link.numDisabled = data.numdisabled;
  if (typeof data.user === 'number' || typeof data.user === 'string') link.user = data.user;
  if (typeof data.group === 'number' || typeof data.group === 'string') link.group = data.group;
  if (typeof entry.ifalias === 'string') link.alias = entry.ifalias;
  return link;
}

function toMode(type: unknown, name: string, command: string): Mode {
  if (type === 'tun' || type === 'tap') return type;
  throw backendError(`cannot read device '${name}': '${command}' reports type ${JSON.stringify(type)}, expected "tun" or "tap"`);
}

function requireNumber(value: unknown, name: string, field: string, command: string): number {
  if (typeof value === 'number') return value;
  throw backendError(`cannot read device '${name}': '${command}' gives no numeric ${field}`);
}
