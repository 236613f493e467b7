/**
 * What validation needs to know about the machine. Injected, so src/spec
 * stays pure and tests can describe any system; the real implementation is
 * src/live/system-lookup.ts.
 */
export interface SystemLookup {
  /** uid for a user name or numeric id; undefined when the name is unknown. Numbers and digit strings are ids as they are. */
  resolveUser(value: string | number): number | undefined;
  /** gid for a group name or numeric id; undefined when the name is unknown. */
  resolveGroup(value: string | number): number | undefined;
  /** Whether `ip netns` knows the namespace (/run/netns/NAME exists). */
  netnsExists(name: string): boolean;
  /** Whose accounts these are, for messages (a remote host's name); default 'this system'. */
  readonly where?: string;
}
