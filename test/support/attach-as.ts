/**
 * Whether a user may attach to a device, tried the way any program attaches
 * (TUNSETIFF, through test/fixtures-c/tun-attach.c), detaching at once (stdin
 * is closed). /dev/net/tun is 0600 on these machines (0666 on stock Debian,
 * where every local user can open it), so a 0666 node is bound over it from a
 * tmpfs on nodeDir that only this private mount namespace sees.
 */
import { spawnSync } from 'node:child_process';

export function attachesAs(
  who: readonly string[],
  ns: string,
  dev: string,
  attacherBin: string,
  nodeDir: string,
  mode: 'tun' | 'tap' = 'tun',
): { attached: boolean; output: string } {
  const script = [
    'set -e',
    `mount -t tmpfs -o mode=0755 tunform-attach "${nodeDir}"`,
    `mknod -m 0666 "${nodeDir}/tun" c 10 200`,
    `mount --bind "${nodeDir}/tun" /dev/net/tun`,
    `exec ip netns exec "${ns}" ${who.join(' ')} "${attacherBin}" "${dev}" ${mode}`,
  ].join('\n');
  const r = spawnSync('unshare', ['-m', '--propagation', 'private', 'sh', '-c', script], { input: '', encoding: 'utf8' });
  const output = `${r.stdout}${r.stderr}`;
  return { attached: r.status === 0 && output.includes('ready'), output };
}
