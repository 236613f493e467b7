/**
 * Other network managers that declare a device by name: systemd-networkd
 * (.netdev files) and NetworkManager (keyfile connections). An adopted device
 * that one of them still declares may be reconfigured behind tunform's back,
 * so import says so and how to hand it over. Reads configuration files only;
 * neither daemon is asked (neither may be running).
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { lastValue, parseIni } from '../convert/ini.js';

/** networkd's search path, highest precedence first (systemd.network(5)). */
export const NETWORKD_DIRS = ['/etc/systemd/network', '/run/systemd/network', '/usr/local/lib/systemd/network', '/usr/lib/systemd/network', '/lib/systemd/network'] as const;

/** NetworkManager's keyfile directories (nm-settings-keyfile(5)). */
export const NM_DIRS = ['/etc/NetworkManager/system-connections', '/run/NetworkManager/system-connections', '/usr/lib/NetworkManager/system-connections'] as const;

export interface OtherManager {
  readonly name: string;
  readonly manager: 'systemd-networkd' | 'NetworkManager';
  readonly file: string;
  /** NetworkManager's connection id. */
  readonly connection?: string;
}

async function filesIn(dir: string, suffix: string): Promise<string[]> {
  try {
    return (await readdir(dir)).filter((f) => f.endsWith(suffix)).sort().map((f) => join(dir, f));
  } catch {
    return []; // absent or unreadable: that manager declares nothing here
  }
}

async function readText(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch {
    return undefined;
  }
}

export interface ManagerDirs {
  readonly networkd?: readonly string[];
  readonly networkManager?: readonly string[];
}

/** Which of `names` another manager declares, each with the file that does. */
export async function findOtherManagers(names: readonly string[], dirs: ManagerDirs = {}): Promise<OtherManager[]> {
  const wanted = new Set(names);
  const found: OtherManager[] = [];
  if (wanted.size === 0) return found;
  for (const dir of dirs.networkd ?? NETWORKD_DIRS) {
    for (const file of await filesIn(dir, '.netdev')) {
      const text = await readText(file);
      const name = text === undefined ? undefined : lastValue(parseIni(text), 'NetDev', 'Name')?.value;
      if (name !== undefined && wanted.has(name)) found.push({ name, manager: 'systemd-networkd', file });
    }
  }
  for (const dir of dirs.networkManager ?? NM_DIRS) {
    for (const file of await filesIn(dir, '.nmconnection')) {
      const text = await readText(file);
      if (text === undefined) continue;
      const ini = parseIni(text);
      const name = lastValue(ini, 'connection', 'interface-name')?.value;
      if (name === undefined || !wanted.has(name)) continue;
      const id = lastValue(ini, 'connection', 'id')?.value;
      found.push({ name, manager: 'NetworkManager', file, ...(id !== undefined ? { connection: id } : {}) });
    }
  }
  return found;
}

/** The warning import prints: who else owns the device and how to hand it over. */
export function handOverAdvice(m: OtherManager): string {
  if (m.manager === 'systemd-networkd') {
    return `'${m.name}' is still declared by systemd-networkd in ${m.file}, which may reconfigure it behind tunform's back; to hand it over, remove that file and the .network files that match '${m.name}', then run 'networkctl reload' (the device itself stays)`;
  }
  return `'${m.name}' is still declared by NetworkManager (connection '${m.connection ?? m.file}', ${m.file}), which may reconfigure it behind tunform's back; to hand it over, run 'nmcli device set ${m.name} managed no', then delete that connection file (deleting an active connection would remove the device)`;
}
