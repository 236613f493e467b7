import type { LiveDevice, LiveState } from '../model.js';
import { processLabel } from '../live/labels.js';

/** Flags column: short tokens in a fixed order so output is greppable. */
function flagsOf(d: LiveDevice): string {
  const flags: string[] = [];
  if (d.multiQueue) flags.push('multiQueue');
  if (d.packetInfo) flags.push('packetInfo');
  if (d.vnetHeader) flags.push('vnetHeader');
  if (d.persist) flags.push('persist');
  if (d.keepCarrier) flags.push('keepCarrier');
  return flags.length > 0 ? flags.join(',') : '-';
}

/** Active/detached queues; the kernel reports them for multi-queue devices only. */
function queuesOf(d: LiveDevice): string {
  if (!d.multiQueue) return d.attachedPids.length > 0 ? '1/0' : '0/0';
  return `${d.numQueues ?? 0}/${d.numDisabled ?? 0}`;
}

/** `alice(1000):netdev(108)`; a bare number when the id has no name. */
function ownerOf(d: LiveDevice): string {
  const one = (id: number | undefined, name: string | undefined) => (id === undefined ? '-' : name !== undefined ? `${name}(${id})` : String(id));
  return `${one(d.user, d.userName)}:${one(d.group, d.groupName)}`;
}

function processesOf(d: LiveDevice): string {
  if (d.attachedPids.length === 0) return '-';
  return d.attachedPids.map((pid) => processLabel(d, pid)).join(',');
}

const HEADER = ['NAME', 'MODE', 'FLAGS', 'QUEUES', 'STATE', 'CARRIER', 'OWNER', 'MTU', 'MANAGED', 'ADDRESSES', 'PROCESSES'];

/** A fixed-width table of the live tun/tap devices, sorted by name. */
export function renderShowTable(live: LiveState): string {
  const devices = [...live.devices].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  if (devices.length === 0) {
    return `No tun/tap devices in ${live.netns ? `netns '${live.netns}'` : 'this network namespace'}.\n`;
  }
  const rows = devices.map((d) => [
    d.name,
    d.mode,
    flagsOf(d),
    queuesOf(d),
    d.up ? 'UP' : 'DOWN',
    d.carrier ? 'yes' : 'no',
    ownerOf(d),
    String(d.mtu),
    d.managed ? (d.generation ? `yes@${d.generation}` : 'yes') : 'no',
    d.addresses.length > 0 ? d.addresses.join(',') : '-',
    processesOf(d),
  ]);
  const table = [HEADER, ...rows];
  const widths = HEADER.map((_, col) => Math.max(...table.map((row) => row[col]!.length)));
  const lines = table.map((row) =>
    row
      .map((cell, col) => (col === row.length - 1 ? cell : cell.padEnd(widths[col]!)))
      .join('  ')
      .trimEnd(),
  );
  let out = lines.join('\n') + '\n';
  for (const w of showWarnings(devices)) out += `warning: ${w.name}: ${w.message}\n`;
  if (!live.processesComplete) {
    out += 'note: some processes could not be inspected (run as root to see every attached process)\n';
  }
  return out;
}

export interface ShowWarning {
  readonly name: string;
  readonly message: string;
}

/**
 * Framing a program cannot change: with the holder's (detached) queue on a
 * multi-queue device, tun_set_iff keeps the device's IFF_NO_PI/IFF_VNET_HDR and
 * returns success to an attacher that asked for others, so it silently reads other framing.
 */
export function showWarnings(devices: readonly LiveDevice[]): ShowWarning[] {
  return devices
    .filter((d) => d.multiQueue && d.keepCarrier)
    .map((d) => ({
      name: d.name,
      message: `multiQueue with keepCarrier: the holder's queue fixes packetInfo=${d.packetInfo} vnetHeader=${d.vnetHeader}; a program asking for other framing attaches without error and silently gets these`,
    }));
}

/** Stable JSON for `show --json`: the LiveState document, then the warnings the table prints. */
export function renderShowJson(live: LiveState): string {
  const devices = [...live.devices].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const warnings = showWarnings(devices);
  return JSON.stringify({ formatVersion: 1, netns: live.netns ?? null, processesComplete: live.processesComplete, devices, warnings }, null, 2) + '\n';
}
