/**
 * The real SystemLookup: local account databases and `ip netns` names, read
 * straight from files (no process spawn: validation runs on every command and
 * must stay cheap). Each file is read at most once per lookup object.
 *
 * Names known only to a network directory (LDAP, sssd) are not found here;
 * use a numeric uid/gid for those.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SystemLookup } from '../spec/lookup.js';
import { ID_MAX } from '../spec/schema.js';
import { parseIdFile } from './ids.js';

export interface SystemLookupPaths {
  readonly passwd?: string;
  readonly group?: string;
  /** Where `ip netns` keeps its namespace files. */
  readonly netnsDir?: string;
}

export function createSystemLookup(paths: SystemLookupPaths = {}): SystemLookup {
  const passwd = paths.passwd ?? '/etc/passwd';
  const group = paths.group ?? '/etc/group';
  const netnsDir = paths.netnsDir ?? '/run/netns';
  let users: Map<string, number> | undefined;
  let groups: Map<string, number> | undefined;
  return {
    resolveUser: (v) => resolveId(v, () => (users ??= readIds(passwd))),
    resolveGroup: (v) => resolveId(v, () => (groups ??= readIds(group))),
    netnsExists: (name) => name !== '' && !name.includes('/') && name !== '.' && name !== '..' && existsSync(join(netnsDir, name)),
  };
}

function resolveId(v: string | number, names: () => Map<string, number>): number | undefined {
  if (typeof v === 'number') return Number.isInteger(v) && v >= 0 && v <= ID_MAX ? v : undefined;
  if (/^[0-9]+$/.test(v)) {
    const id = Number(v);
    return id <= ID_MAX ? id : undefined;
  }
  return names().get(v);
}

function readIds(path: string): Map<string, number> {
  try {
    return parseIdFile(readFileSync(path, 'utf8'));
  } catch {
    // An unreadable database means no names resolve; the user sees "not a known user" for each.
    return new Map();
  }
}

/**
 * What a SystemLookup knows, as data: how a remote host's accounts and
 * namespaces travel to the machine that validates for it (`tunform host-info`).
 */
export interface HostFacts {
  readonly users: Readonly<Record<string, number>>;
  readonly groups: Readonly<Record<string, number>>;
  readonly netns: readonly string[];
}

export function readHostFacts(paths: SystemLookupPaths = {}): HostFacts {
  let netns: string[] = [];
  try {
    netns = readdirSync(paths.netnsDir ?? '/run/netns').sort();
  } catch {
    /* no namespaces yet */
  }
  return {
    users: Object.fromEntries(readIds(paths.passwd ?? '/etc/passwd')),
    groups: Object.fromEntries(readIds(paths.group ?? '/etc/group')),
    netns,
  };
}

/** A SystemLookup that answers from facts read elsewhere (on `where`, which messages name), with the same rules as the local one. */
export function lookupFromFacts(facts: HostFacts, where?: string): SystemLookup {
  const users = new Map(Object.entries(facts.users));
  const groups = new Map(Object.entries(facts.groups));
  const netns = new Set(facts.netns);
  return {
    resolveUser: (v) => resolveId(v, () => users),
    resolveGroup: (v) => resolveId(v, () => groups),
    netnsExists: (name) => netns.has(name),
    ...(where !== undefined ? { where } : {}),
  };
}

/** Shared instance for the CLI. */
export const systemLookup: SystemLookup = createSystemLookup();
