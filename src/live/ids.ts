/**
 * Numeric ids for the owner names `ip` prints. ip resolves uid/gid through
 * NSS, so we read the same local databases back; names that only a network
 * directory knows are asked of `getent`, once for all of them.
 *
 * NOTE: overlaps with src/live/system-lookup.ts (resolveUser/resolveGroup);
 * to be merged into one.
 */
import { readFile } from 'node:fs/promises';
import { runCommand } from '../sys/run-command.js';
import { backendError } from '../errors.js';
import type { OwnerIds, TunLink } from './types.js';

export type IdDatabase = 'passwd' | 'group';

/** Parses /etc/passwd or /etc/group text into name -> id. The first entry for a name wins, as in NSS. */
export function parseIdFile(text: string): Map<string, number> {
  const ids = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const [name, , id] = line.split(':');
    if (!name || id === undefined || !/^\d+$/.test(id) || ids.has(name)) continue;
    ids.set(name, Number(id));
  }
  return ids;
}

/** Resolves every owner name the links carry; numeric owners need nothing. */
export async function resolveOwnerIds(links: readonly TunLink[]): Promise<OwnerIds> {
  const userNames = namesOf(links.map((l) => l.user));
  const groupNames = namesOf(links.map((l) => l.group));
  const [users, groups] = await Promise.all([resolveNames('passwd', userNames), resolveNames('group', groupNames)]);
  return { users, groups };
}

function namesOf(values: readonly (string | number | undefined)[]): string[] {
  return [...new Set(values.filter((v): v is string => typeof v === 'string'))];
}

async function resolveNames(db: IdDatabase, names: readonly string[]): Promise<Map<string, number>> {
  const resolved = new Map<string, number>();
  if (names.length === 0) return resolved;
  const local = parseIdFile(await readFile(`/etc/${db}`, 'utf8').catch(() => ''));
  const missing: string[] = [];
  for (const name of names) {
    const id = local.get(name);
    if (id === undefined) missing.push(name);
    else resolved.set(name, id);
  }
  if (missing.length > 0) {
    for (const [name, id] of await getent(db, missing)) resolved.set(name, id);
  }
  const unresolved = names.filter((n) => !resolved.has(n));
  if (unresolved.length > 0) {
    const what = db === 'passwd' ? 'user' : 'group';
    throw backendError(`cannot find the numeric id of ${what} ${unresolved.map((n) => `'${n}'`).join(', ')} that owns a tun/tap device`, {
      details: [`'ip' printed the name, but neither /etc/${db} nor 'getent ${db}' knows it now; check the name service`],
    });
  }
  return resolved;
}

async function getent(db: IdDatabase, names: readonly string[]): Promise<Map<string, number>> {
  // getent exits 2 when some key is unknown but still prints the ones it found.
  const result = await runCommand('getent', [db, ...names]);
  return parseIdFile(result.stdout);
}
