/**
 * systemd-networkd -> tunform: `.netdev` files with Kind=tun or Kind=tap and
 * the `.network` file networkd would apply to each (the first, in file name
 * order, whose [Match] Name= matches), as a tunform spec. Pure: file texts in,
 * YAML text out. Every setting tunform cannot carry over becomes a comment
 * under its device, naming the file, line and key, so nothing is lost
 * silently.
 */
import yaml from 'js-yaml';
import { parseCidr } from '../spec/address.js';
import { lastValue, listValues, parseIni, type IniEntry, type IniFile } from './ini.js';

export interface NetworkdFile {
  /** File name as shown in comments (e.g. `/etc/systemd/network/10-vpn.netdev`). */
  readonly path: string;
  readonly text: string;
}

/** What carries over, per file kind: `Section.Key`. Everything else is a comment. */
const NETDEV_KEYS = new Set(['NetDev.Name', 'NetDev.Kind']);
const TUN_KEYS = ['MultiQueue', 'PacketInfo', 'VNetHeader', 'User', 'Group', 'KeepCarrier'] as const;
const NETWORK_KEYS = new Set(['Match.Name', 'Network.Address', 'Address.Address', 'Network.ConfigureWithoutCarrier', 'Link.MTUBytes', 'Link.ActivationPolicy']);

/** Why some common settings do not carry over; the rest get the general reason. */
const REASONS: Readonly<Record<string, string>> = {
  'NetDev.MACAddress': 'tunform does not set MAC addresses',
  'NetDev.MTUBytes': "networkd ignores MTUBytes= in a tun/tap .netdev (it warns: set it in the .network's [Link])",
  'Network.DNS': 'tunform does not manage DNS',
  'Network.Domains': 'tunform does not manage DNS',
  'Network.DHCP': 'tunform does not run DHCP',
  'Network.LinkLocalAddressing': 'the kernel makes IPv6 link-local addresses; tunform neither sets nor removes them',
  'Network.IPv6AcceptRA': 'tunform does not manage router advertisements',
  'Network.Gateway': 'tunform does not manage routes',
  'Route.Gateway': 'tunform does not manage routes',
  'Route.Destination': 'tunform does not manage routes',
  'Address.Peer': 'tunform declares addresses as ADDRESS/PREFIX without a peer',
};
const GENERAL_REASON = 'tunform manages only mode, multiQueue, packetInfo, vnetHeader, keepCarrier, user, group, mtu, up and addresses';

/** systemd's parse_boolean. */
function parseBool(v: string): boolean | undefined {
  const s = v.toLowerCase();
  if (['1', 'yes', 'y', 'true', 't', 'on'].includes(s)) return true;
  if (['0', 'no', 'n', 'false', 'f', 'off'].includes(s)) return false;
  return undefined;
}

/** systemd's MTUBytes=: bytes, with K, M, G to the base of 1024. */
function parseMtu(v: string): number | undefined {
  const m = /^(\d+)\s*([KMG]?)$/i.exec(v.trim());
  if (!m) return undefined;
  const factor = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 }[m[2]!.toUpperCase() as '' | 'K' | 'M' | 'G'];
  return Number(m[1]) * factor;
}

/** fnmatch as networkd's Name= uses it: `*`, `?` and `[...]`. */
function globMatches(pattern: string, name: string): boolean {
  const re = pattern.replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.').replace(/\[!/g, '[^');
  try {
    return new RegExp(`^${re}$`).test(name);
  } catch {
    return false;
  }
}

/** Name= is a space-separated list of globs; a leading `!` inverts the whole list. */
function nameMatches(ini: IniFile, name: string): boolean {
  const entries = listValues(ini, 'Match', 'Name');
  if (entries.length === 0) return false; // tunform only follows .network files that name their link
  const patterns = entries.flatMap((e) => e.value.split(/\s+/).filter(Boolean));
  const invert = patterns[0]?.startsWith('!') ?? false;
  const matched = patterns.some((p) => globMatches(p.replace(/^!/, ''), name));
  return invert ? !matched : matched;
}

interface Device {
  name: string;
  mode: 'tun' | 'tap';
  multiQueue?: boolean;
  packetInfo?: boolean;
  vnetHeader?: boolean;
  keepCarrier?: boolean;
  user?: string | number;
  group?: string | number;
  anyoneMayAttach?: boolean;
  mtu?: number;
  up?: boolean;
  addresses?: string[];
}

interface Converted {
  readonly device: Device;
  readonly sources: readonly string[];
  readonly notes: readonly string[];
  /** What the converted spec keeps that the reader may want to change. */
  readonly hints?: readonly string[];
}

const where = (f: NetworkdFile, e: IniEntry) => `${f.path}:${e.line}`;

function leftOver(f: NetworkdFile, ini: IniFile, keep: (section: string, key: string) => boolean, notes: string[]): void {
  for (const s of ini.sections) {
    for (const e of s.entries) {
      if (keep(s.name, e.key)) continue;
      notes.push(`[${s.name}] ${e.key}=${e.value} (${where(f, e)}): ${REASONS[`${s.name}.${e.key}`] ?? GENERAL_REASON}`);
    }
  }
  for (const p of ini.problems) notes.push(`${f.path}:${p.line}: ${p.message}`);
}

function tunSettings(f: NetworkdFile, ini: IniFile, section: 'Tun' | 'Tap', d: Device, notes: string[]): void {
  const flag = (key: string, set: (v: boolean) => void) => {
    const e = lastValue(ini, section, key);
    if (!e) return;
    const v = parseBool(e.value);
    if (v === undefined) notes.push(`[${section}] ${key}=${e.value} (${where(f, e)}): not a boolean; networkd ignores it, and so does this conversion`);
    else set(v);
  };
  flag('MultiQueue', (v) => (d.multiQueue = v));
  flag('PacketInfo', (v) => (d.packetInfo = v));
  flag('VNetHeader', (v) => (d.vnetHeader = v));
  flag('KeepCarrier', (v) => (d.keepCarrier = v));
  const owner = (key: 'User' | 'Group', set: (v: string | number) => void) => {
    const e = lastValue(ini, section, key);
    if (e) set(/^\d+$/.test(e.value) ? Number(e.value) : e.value);
  };
  owner('User', (v) => (d.user = v));
  owner('Group', (v) => (d.group = v));
  // networkd sets no owner then, so every local user may attach; tunform's default would make the device root's.
  if (d.user === undefined && d.group === undefined) d.anyoneMayAttach = true;
}

/** Why a converted device says anyoneMayAttach: true. */
export const OPEN_DEVICE_HINT =
  "networkd sets neither User= nor Group= here, so every local user may attach: anyoneMayAttach keeps that; delete it to make the device private (only CAP_NET_ADMIN processes attach)";

function fromNetdev(f: NetworkdFile, ini: IniFile): Converted | undefined {
  const kind = lastValue(ini, 'NetDev', 'Kind')?.value;
  const name = lastValue(ini, 'NetDev', 'Name')?.value;
  if ((kind !== 'tun' && kind !== 'tap') || name === undefined) return undefined;
  const section = kind === 'tun' ? 'Tun' : 'Tap';
  const device: Device = { name, mode: kind };
  const notes: string[] = [];
  tunSettings(f, ini, section, device, notes);
  const hints = device.anyoneMayAttach ? [OPEN_DEVICE_HINT] : [];
  leftOver(f, ini, (s, k) => s === 'Match' || NETDEV_KEYS.has(`${s}.${k}`) || (s === section && (TUN_KEYS as readonly string[]).includes(k)), notes);
  for (const s of ini.sections.filter((x) => x.name === 'Match')) {
    for (const e of s.entries) notes.push(`[Match] ${e.key}=${e.value} (${where(f, e)}): tunform has no match conditions; the device is declared unconditionally`);
  }
  return { device, sources: [f.path], notes, hints };
}

function setMtu(f: NetworkdFile, e: IniEntry, d: Device, notes: string[]): void {
  const mtu = parseMtu(e.value);
  if (mtu === undefined) notes.push(`MTUBytes=${e.value} (${where(f, e)}): not a size; not carried over`);
  else d.mtu = mtu;
}

function applyNetwork(f: NetworkdFile, ini: IniFile, c: Converted): Converted {
  const d = { ...c.device };
  const notes = [...c.notes];
  const addresses: string[] = [];
  for (const e of [...listValues(ini, 'Network', 'Address'), ...listValues(ini, 'Address', 'Address')]) {
    const parsed = parseCidr(e.value);
    if (parsed.ok) addresses.push(parsed.value.cidr);
    else notes.push(`Address=${e.value} (${where(f, e)}): not carried over: ${parsed.reason}`);
  }
  d.addresses = addresses;
  const withoutCarrier = lastValue(ini, 'Network', 'ConfigureWithoutCarrier');
  if (addresses.length > 0 && d.keepCarrier !== true && parseBool(withoutCarrier?.value ?? 'no') !== true) {
    notes.push(
      `${f.path}: networkd configures these addresses only once the device has carrier (an application attached; no KeepCarrier=, ConfigureWithoutCarrier=no); tunform configures them at once`,
    );
  }
  const mtu = lastValue(ini, 'Link', 'MTUBytes');
  if (mtu) setMtu(f, mtu, d, notes);
  const policy = lastValue(ini, 'Link', 'ActivationPolicy');
  if (policy) {
    if (['up', 'always-up'].includes(policy.value)) d.up = true;
    else if (['down', 'always-down'].includes(policy.value)) d.up = false;
    else notes.push(`[Link] ActivationPolicy=${policy.value} (${where(f, policy)}): tunform declares the link up or down; 'up' is kept (the default)`);
  }
  leftOver(f, ini, (s, k) => NETWORK_KEYS.has(`${s}.${k}`) || (s === 'Match' && k !== 'Name'), notes);
  for (const s of ini.sections.filter((x) => x.name === 'Match')) {
    for (const e of s.entries.filter((x) => x.key !== 'Name')) {
      notes.push(`[Match] ${e.key}=${e.value} (${where(f, e)}): converted as if this condition held`);
    }
  }
  return { device: d, sources: [...c.sources, f.path], notes, ...(c.hints ? { hints: c.hints } : {}) };
}

const byBaseName = (a: NetworkdFile, b: NetworkdFile) => {
  const base = (p: string) => p.slice(p.lastIndexOf('/') + 1);
  return base(a.path) < base(b.path) ? -1 : base(a.path) > base(b.path) ? 1 : 0;
};

/** The devices the .netdev files declare, each with the .network networkd would give it. */
export function convertNetworkd(files: readonly NetworkdFile[]): Converted[] {
  const parsed = [...files].sort(byBaseName).map((f) => ({ f, ini: parseIni(f.text) }));
  const networks = parsed.filter((p) => p.f.path.endsWith('.network'));
  const out: Converted[] = [];
  for (const { f, ini } of parsed.filter((p) => p.f.path.endsWith('.netdev'))) {
    const c = fromNetdev(f, ini);
    if (!c) continue;
    const network = networks.find((n) => nameMatches(n.ini, c.device.name));
    if (network) out.push(applyNetwork(network.f, network.ini, c));
    else {
      // networkd creates the device but, with no .network, never brings it up or addresses it.
      out.push({ device: { ...c.device, up: false }, sources: c.sources, ...(c.hints ? { hints: c.hints } : {}), notes: [...c.notes, 'no .network file matches this device: networkd leaves it down and unconfigured (up: false)'] });
    }
  }
  return out;
}

/** The converted devices as a tunform YAML document with one comment per setting left behind. */
export function renderConvertedYaml(converted: readonly Converted[], header: string): string {
  const lines = [`# ${header}`, '# Every setting tunform cannot carry over is a comment under its device.'];
  if (converted.length === 0) return `${lines.join('\n')}\ndevices: []\n`;
  lines.push('devices:');
  for (const c of converted) {
    lines.push(`  # from ${c.sources.join(' + ')}`);
    const body = yaml.dump([c.device], { lineWidth: -1, noRefs: true }).trimEnd().split('\n');
    lines.push(...body.map((l) => `  ${l}`));
    for (const h of c.hints ?? []) lines.push(`    # ${h}`);
    for (const n of c.notes) lines.push(`    # not carried over: ${n}`);
  }
  return `${lines.join('\n')}\n`;
}
