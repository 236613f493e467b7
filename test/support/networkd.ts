/**
 * systemd-networkd in a throwaway namespace, as FACTS.md describes: a private
 * mount namespace with tmpfs over /run/systemd (network/ holds the given
 * files; netif/ belongs to systemd-network), a private 0666 /dev/net/tun node
 * (networkd drops to systemd-network), and /sys read-only (so it does not wait
 * for udev). Nothing of it is visible outside that mount namespace.
 */
import { spawn, type ChildProcess } from 'node:child_process';

export const NETWORKD = '/lib/systemd/systemd-networkd';

export interface Networkd {
  readonly child: ChildProcess;
  readonly log: () => string;
  stop(): Promise<void>;
}

/** The shell script that sets up the mount namespace and execs networkd in ns (run it under `unshare -m --propagation private sh -c`). */
export function networkdScript(ns: string, confDir: string): string {
  return [
    'set -e',
    'mount -t tmpfs -o mode=0755 tunform-test /run/systemd',
    'mkdir /run/systemd/network /run/systemd/netif',
    `cp "${confDir}"/* /run/systemd/network/`,
    'mount -t tmpfs -o mode=0755,uid=$(id -u systemd-network),gid=$(id -g systemd-network) tunform-test-netif /run/systemd/netif',
    'mknod -m 0666 /run/systemd/tun c 10 200',
    'mount --bind /run/systemd/tun /dev/net/tun',
    // ip netns exec mounts a fresh sysfs for the namespace; remount that one read-only.
    `exec ip netns exec "${ns}" sh -c 'mount -o remount,ro /sys && exec ${NETWORKD}'`,
  ].join('\n');
}

/** networkd logs to stderr at info level. */
export const NETWORKD_ENV = { SYSTEMD_LOG_LEVEL: 'info', SYSTEMD_LOG_TARGET: 'console' } as const;

export function startNetworkd(ns: string, confDir: string): Networkd {
  const child = spawn('unshare', ['-m', '--propagation', 'private', 'sh', '-c', networkdScript(ns, confDir)], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, ...NETWORKD_ENV },
  });
  let text = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (text += d));
  return {
    child,
    log: () => text,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const closed = new Promise((r) => child.once('close', r));
      child.kill('SIGTERM');
      await closed;
    },
  };
}
