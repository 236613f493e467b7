/**
 * SSH test hosts: network namespaces that each run a real sshd (Debian's
 * openssh-server), reached from a "hub" namespace that stands for the
 * operator's machine. Every host is joined to the hub by a veth pair on its
 * own private /24 (hub .1, host .2); the sshd listens only on the host's
 * address, with throwaway host keys, a throwaway client key and a config in a
 * temp dir. Nothing touches the machine's own namespace: the veths are made
 * inside the hub, and the ssh client (the CLI, terraform) runs in the hub
 * through `ip netns exec`. The hosts share this filesystem, so the "remote
 * tunform" is this checkout's bin/tunform.js.
 *
 * A missing sshd fails under CI=true and skips elsewhere (see sshdMissing).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createNetns, destroyNetns, ipn } from './netns.js';
import { cliBin } from './cli.js';

export const SSHD = '/usr/sbin/sshd';

/**
 * Why the SSH tests cannot run here, or undefined when they can. Under CI a
 * missing sshd throws instead: CI must run them (scripts/install-system-packages.sh installs it).
 */
export function sshdMissing(): string | undefined {
  if (existsSync(SSHD)) return undefined;
  const why = `${SSHD} is missing: run scripts/install-system-packages.sh (installs openssh-server)`;
  if (process.env.CI === 'true') throw new Error(`CI=true and ${why}`);
  return why;
}

/** Account databases a host sees instead of this machine's (its sshd, and so its tunform, run in a mount namespace of their own). */
export interface HostAccounts {
  /** The whole /etc/passwd text. */
  readonly passwd: string;
  /** The whole /etc/group text. */
  readonly group: string;
}

export interface SshFleetOptions {
  /** Every host's accounts; default: this machine's. */
  readonly accounts?: HostAccounts;
}

export interface SshHost {
  readonly index: number;
  readonly netns: string;
  readonly address: string;
  /** ssh://root@ADDRESS */
  readonly url: string;
  /** The host's public key line (`ssh-ed25519 AAAA...`). */
  readonly hostKey: string;
}

/** Stops a process tree member quietly. */
function kill(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    /* gone */
  }
}

export class SshFleet {
  readonly hub: string;
  readonly hosts: SshHost[] = [];
  readonly dir: string;
  /** The client's private key. */
  readonly identity: string;
  /** known_hosts with every host's key. */
  readonly knownHosts: string;
  private readonly sshd = new Map<number, ChildProcess>();
  private readonly subnet: number;

  private constructor(tag: string, private readonly options: SshFleetOptions) {
    this.dir = mkdtempSync(join(tmpdir(), `tunform-ssh-${tag}-`));
    this.hub = createNetns(`${tag}hub`);
    this.identity = join(this.dir, 'client_key');
    this.knownHosts = join(this.dir, 'known_hosts');
    // A random second octet: nothing depends on it, it only keeps two fleets' logs apart.
    this.subnet = 100 + Math.floor(Math.random() * 100);
  }

  /** Makes `count` hosts, each with a running sshd. Always call destroy(), also when this throws. */
  static async create(tag: string, count: number, options: SshFleetOptions = {}): Promise<SshFleet> {
    const fleet = new SshFleet(tag, options);
    try {
      execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'tunform-test-client', '-f', fleet.identity]);
      writeFileSync(join(fleet.dir, 'authorized_keys'), readFileSync(`${fleet.identity}.pub`));
      mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
      for (let i = 0; i < count; i++) fleet.addHost(tag, i);
      writeFileSync(fleet.knownHosts, fleet.hosts.map((h) => `${h.address} ${h.hostKey}\n`).join(''));
      await Promise.all(fleet.hosts.map((h) => fleet.startSshd(h.index)));
      return fleet;
    } catch (e) {
      fleet.destroy();
      throw e;
    }
  }

  private addHost(tag: string, i: number): void {
    const netns = createNetns(`${tag}h${i}`);
    const hostDir = join(this.dir, `host${i}`);
    mkdirSync(hostDir);
    const address = `10.${this.subnet}.${i}.2`;
    this.hosts.push({ index: i, netns, address, url: `ssh://root@${address}`, hostKey: '' });
    // Both ends are made from inside the hub: the machine's namespace never sees them.
    ipn(this.hub, 'link', 'add', `hv${i}`, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', netns);
    ipn(this.hub, 'addr', 'add', `10.${this.subnet}.${i}.1/24`, 'dev', `hv${i}`);
    ipn(this.hub, 'link', 'set', `hv${i}`, 'up');
    ipn(netns, 'addr', 'add', `${address}/24`, 'dev', 'eth0');
    ipn(netns, 'link', 'set', 'eth0', 'up');
    const hostKey = join(hostDir, 'host_key');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', `host${i}`, '-f', hostKey]);
    writeFileSync(
      join(hostDir, 'sshd_config'),
      [
        `ListenAddress ${address}:22`,
        `HostKey ${hostKey}`,
        `PidFile ${join(hostDir, 'sshd.pid')}`,
        `AuthorizedKeysFile ${join(this.dir, 'authorized_keys')}`,
        'StrictModes no',
        'UsePAM no',
        'PermitRootLogin prohibit-password',
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        // Terraform has many calls in flight; they share one connection per host.
        'MaxSessions 100',
        'MaxStartups 100',
        'LogLevel INFO',
        '',
      ].join('\n'),
    );
    const pub = readFileSync(`${hostKey}.pub`, 'utf8').trim().split(/\s+/).slice(0, 2).join(' ');
    this.hosts[i] = { ...this.hosts[i]!, hostKey: pub };
  }

  /** Starts host i's sshd and resolves once it listens. */
  startSshd(i: number): Promise<void> {
    const host = this.hosts[i]!;
    const config = join(this.dir, `host${i}`, 'sshd_config');
    // The host gets an empty home for root, in a mount namespace of its own: sessions
    // would otherwise run this machine's ~/.bashrc (bash sources it under sshd),
    // which can cost seconds per call and is not what a fresh host has.
    const home = join(this.dir, 'empty-home');
    mkdirSync(home, { recursive: true });
    // Other accounts: the same mount namespace sees them in place of /etc/passwd and /etc/group.
    const binds: [string, string][] = [[home, '/root']];
    const accounts = this.options.accounts;
    if (accounts !== undefined) {
      const dir = join(this.dir, `host${i}`);
      writeFileSync(join(dir, 'passwd'), accounts.passwd);
      writeFileSync(join(dir, 'group'), accounts.group);
      binds.push([join(dir, 'passwd'), '/etc/passwd'], [join(dir, 'group'), '/etc/group']);
    }
    // Each bind's paths are positional parameters ($1 $2, then shifted), never spliced into the script.
    const script = `${binds.map(() => 'mount --bind "$1" "$2" && shift 2 && ').join('')}exec "$@"`;
    const child = spawn(
      'ip',
      ['netns', 'exec', host.netns, 'unshare', '--mount', '--propagation', 'private', 'sh', '-c', script, 'sh', ...binds.flat(), SSHD, '-D', '-e', '-f', config],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    this.sshd.set(i, child);
    let log = '';
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`sshd of host ${i} did not start listening within 10 s:\n${log}`)), 10_000);
      child.stderr!.setEncoding('utf8').on('data', (d: string) => {
        log += d;
        if (/Server listening on/.test(log)) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.on('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`sshd of host ${i} exited (${code}):\n${log}`));
      });
    });
  }

  /** Stops host i's sshd: the listener and every session, so shared connections break too. */
  stopSshd(i: number): void {
    const child = this.sshd.get(i);
    if (child?.pid !== undefined) kill(child.pid);
    this.sshd.delete(i);
    for (const pid of execFileSync('ip', ['netns', 'pids', this.hosts[i]!.netns], { encoding: 'utf8' }).split(/\s+/).filter(Boolean)) {
      try {
        if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'sshd') kill(Number(pid));
      } catch {
        /* gone */
      }
    }
  }

  /** CLI options that reach host i from the hub with the fleet's key and known_hosts. */
  cliArgs(i: number): string[] {
    return ['--host', this.hosts[i]!.url, '--known-hosts', this.knownHosts, '--identity', this.identity, '--remote-tunform', cliBin];
  }

  /** Runs a command in the hub (the operator's side). */
  get inHub(): string[] {
    return ['ip', 'netns', 'exec', this.hub];
  }

  destroy(): void {
    for (const i of [...this.sshd.keys()]) this.stopSshd(i);
    for (const h of this.hosts) destroyNetns(h.netns);
    // The hub holds the ssh masters (ControlPersist): destroying it ends them.
    destroyNetns(this.hub);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
