import type { SystemLookup } from '../../../src/spec/index.js';

/** A described system: users nobody(65534), alice(1000); groups netdev(108), kvm(104); namespace 'lab'. */
export function fakeLookup(overrides: Partial<{ users: Record<string, number>; groups: Record<string, number>; netns: string[] }> = {}): SystemLookup {
  const users = new Map(Object.entries(overrides.users ?? { nobody: 65534, alice: 1000 }));
  const groups = new Map(Object.entries(overrides.groups ?? { netdev: 108, kvm: 104 }));
  const netns = new Set(overrides.netns ?? ['lab']);
  const resolve = (names: Map<string, number>) => (v: string | number) =>
    typeof v === 'number' ? v : /^[0-9]+$/.test(v) ? Number(v) : names.get(v);
  return { resolveUser: resolve(users), resolveGroup: resolve(groups), netnsExists: (n) => netns.has(n) };
}
