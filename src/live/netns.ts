import { existsSync } from 'node:fs';
import { invalidInput } from '../errors.js';
import { netnsMissingMessage } from '../spec/show.js';

const NETNS_DIR = '/run/netns';

/**
 * The file that names the namespace whose processes count. Checked before we
 * run `ip -n`, whose own message for a missing namespace is obscure.
 */
export function netnsPath(netns: string | undefined): string {
  if (netns === undefined) return '/proc/self/ns/net';
  if (netns === '' || netns === '.' || netns === '..' || netns.includes('/')) {
    throw invalidInput(`netns '${netns}' is not a valid namespace name: use a name from 'ip netns list'`);
  }
  const path = `${NETNS_DIR}/${netns}`;
  if (!existsSync(path)) throw invalidInput(netnsMissingMessage(netns));
  return path;
}
