/**
 * Where `--host` points: `ssh://[user@]HOST[:PORT]`, parsed and checked
 * before anything reaches the ssh command line. Pure.
 *
 * The host and user end up as arguments of `ssh`, so a value that ssh could
 * read as an option (a leading '-') or that is not a plain name is refused
 * here rather than quoted.
 */
import { invalidInput } from '../errors.js';

export interface SshTarget {
  /** As the user wrote it, for messages. */
  readonly url: string;
  readonly host: string;
  readonly user?: string;
  readonly port?: number;
}

/** The form `--host`, the provider's `host` and the construct's `ssh.host` accept, for messages. */
export const SSH_URL_FORM = 'ssh://[user@]HOST[:PORT]';

const HOST_NAME = /^[A-Za-z0-9_](?:[A-Za-z0-9._-]*[A-Za-z0-9_])?$/;
const IPV6_LITERAL = /^\[[0-9A-Fa-f:.]+\]$/;
const USER_NAME = /^[A-Za-z0-9._][A-Za-z0-9._-]*$/;

/**
 * Parses `ssh://[user@]HOST[:PORT]`. `key` names where the value came from
 * (`'--host'`, `host`), so the message points at it.
 */
export function parseSshTarget(value: string, key = '--host'): SshTarget {
  const bad = (why: string) =>
    invalidInput(`'${key}' (${JSON.stringify(value)}) ${why}; expected ${SSH_URL_FORM}, e.g. ssh://root@203.0.113.7:2222`);
  if (!value.startsWith('ssh://')) throw bad('must start with ssh://');
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw bad('is not a valid URL');
  }
  if (url.password !== '') throw bad('must not contain a password (use a key: --identity)');
  if ((url.pathname !== '' && url.pathname !== '/') || url.search !== '' || url.hash !== '') throw bad('must not have a path, query or fragment');
  const host = url.hostname;
  if (host === '') throw bad('has no host');
  if (!HOST_NAME.test(host) && !IPV6_LITERAL.test(host)) throw bad(`has an invalid host '${host}'`);
  const user = url.username === '' ? undefined : decodeURIComponent(url.username);
  if (user !== undefined && !USER_NAME.test(user)) throw bad(`has an invalid user name '${user}'`);
  const port = url.port === '' ? undefined : Number(url.port);
  return {
    url: value,
    // ssh wants an IPv6 literal without the brackets.
    host: IPV6_LITERAL.test(host) ? host.slice(1, -1) : host,
    ...(user !== undefined ? { user } : {}),
    ...(port !== undefined ? { port } : {}),
  };
}

/** `user@host:port` as messages show it (the URL without the scheme). */
export function describeTarget(t: SshTarget): string {
  return t.url.slice('ssh://'.length).replace(/\/$/, '');
}

/** The known_hosts key of a target: `host`, or `[host]:port` when the port is not 22. */
export function knownHostsName(t: SshTarget): string {
  return t.port === undefined || t.port === 22 ? t.host : `[${t.host}]:${t.port}`;
}

/** Quotes one word for the remote user's shell (ssh joins its arguments into one command line). */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
