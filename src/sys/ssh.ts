/**
 * The SSH transport: runs the remote host's own `tunform` through the
 * system's OpenSSH client. Every CLI command with `--host`, and the provider
 * for a remote host, reach the host only through here.
 *
 * - One TCP connection per host and credentials: ControlMaster=auto with a
 *   control socket in a private directory, kept 60 s after the last use, so
 *   many calls (Terraform's, or CI's) cost one handshake.
 * - Strict host-key checking always: BatchMode (no prompt) and
 *   StrictHostKeyChecking=yes. `--known-hosts FILE` replaces both the
 *   user's and the global known_hosts.
 * - The first call on a transport asks the remote tunform for its version
 *   (or takes it from a `tunform serve` greeting); a missing or
 *   incompatible tunform is a clear error before any work.
 *
 * ssh tells what went wrong only in its stderr, so that text is classified
 * here, once, into a typed reason (`ssh-<kind>`) and a message that names
 * the host.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { lstatSync, mkdirSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { backendError, invalidInput, TunformError, type SshFailure } from '../errors.js';
import { describeTarget, knownHostsName, shellQuote, type SshTarget } from './ssh-target.js';
import { sha256Hex } from './sha256.js';

export interface SshOptions {
  /** known_hosts file to trust instead of the user's and the global one. */
  readonly knownHosts?: string;
  /** Private key file (ssh -i, and only that key is offered). */
  readonly identity?: string;
  /** The tunform command on the remote host. @default 'tunform' (from the remote user's PATH) */
  readonly remoteTunform?: string;
}

export interface ExecResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface ExecStreams {
  /** Sent to the remote command's stdin (the spec document). */
  readonly input?: string;
  /** Called with the remote stdout as it arrives; then ExecResult.stdout is empty. */
  readonly onStdout?: (text: string) => void;
  /** Called with the remote stderr as it arrives; then ExecResult.stderr is empty. */
  readonly onStderr?: (text: string) => void;
}

/** How long the shared connection stays open after its last session. */
export const CONTROL_PERSIST_SECONDS = 60;
export const CONNECT_TIMEOUT_SECONDS = 10;
/** ssh's own failures exit 255; tunform never does. */
export const SSH_FAILED = 255;
/** What a POSIX shell exits with when the command is not found (or its interpreter is missing). */
const COMMAND_NOT_FOUND = 127;
/**
 * ssh binds the control socket as `PATH.<16 random chars>` before renaming
 * it, and a unix socket path holds at most 107 bytes.
 */
export const CONTROL_PATH_MAX_BYTES = 107 - 17;

/** A private directory for control sockets: the user's runtime dir if short enough, else the temp dir. */
export function controlDirectory(): string {
  const uid = process.getuid?.() ?? 0;
  const bases = [process.env.XDG_RUNTIME_DIR, tmpdir(), '/tmp'].filter((b): b is string => b !== undefined && b !== '');
  const tried: string[] = [];
  for (const base of bases) {
    const dir = join(base, `tunform-ssh-${uid}`);
    tried.push(dir);
    // Room for '/' and the 24-character socket name.
    if (Buffer.byteLength(dir) + 25 > CONTROL_PATH_MAX_BYTES) continue;
    try {
      mkdirSync(dir, { mode: 0o700 });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') continue;
    }
    const st = lstatSync(dir);
    // Anyone who can write here could hijack the shared connection.
    if (!st.isDirectory() || st.uid !== uid || (st.mode & 0o077) !== 0) {
      throw backendError(`the ssh control directory '${dir}' is not a private directory of uid ${uid} (mode 0700, not a symlink); remove it`);
    }
    return dir;
  }
  throw backendError(`no directory for ssh control sockets has a path short enough (at most ${CONTROL_PATH_MAX_BYTES - 25} bytes): ${tried.join(', ')}`);
}

/** A path as an ssh -o value: quoted (spaces) with '%' escaped (ssh expands %-tokens in these). */
function configPath(key: string, path: string): string {
  if (/["\n\r]/.test(path)) throw invalidInput(`'${key}' (${JSON.stringify(path)}) must not contain a double quote or a line break`);
  return `"${resolve(path).replace(/%/g, '%%')}"`;
}

/** major.minor must match: the CLI and the remote tunform speak the same options and JSON. */
export function compatibleVersions(local: string, remote: string): boolean {
  const mm = (v: string) => /^(\d+)\.(\d+)\./.exec(v)?.slice(1, 3).join('.');
  const l = mm(local);
  return l !== undefined && l === mm(remote);
}

export type SshFailureKind = SshFailure;

/**
 * What ssh's stderr says went wrong. ssh exits 255 for every failure of its
 * own (SSH_FAILED) and says which only in this text (OpenSSH's messages are
 * not translated), so this is the one place that reads it; everything else
 * sees the error's reason (`ssh-<kind>`).
 */
export function classifySshFailure(stderr: string): SshFailureKind {
  if (/REMOTE HOST IDENTIFICATION HAS CHANGED|Host key for .* has changed/i.test(stderr)) return 'host-key-changed';
  if (/host key is known for|Host key verification failed/i.test(stderr)) return 'host-key-unknown';
  if (/Permission denied|Too many authentication failures/i.test(stderr)) return 'auth';
  return 'connect';
}

export class SshTransport {
  readonly target: SshTarget;
  readonly options: SshOptions;
  /** `user@host:port`, how every message names the host. */
  readonly name: string;
  private readonly localVersion: string;
  private compatible: Promise<void> | undefined;

  constructor(target: SshTarget, options: SshOptions, localVersion: string) {
    this.target = target;
    this.options = options;
    this.name = describeTarget(target);
    this.localVersion = localVersion;
  }

  private knownHostsFile(): string {
    return this.options.knownHosts === undefined ? join(homedir(), '.ssh', 'known_hosts') : resolve(this.options.knownHosts);
  }

  /** The socket name covers everything that decides whom we trust, so a connection made with one known_hosts is never reused under another. */
  private controlPath(): string {
    const { user, host, port } = this.target;
    const id = sha256Hex(JSON.stringify([user ?? null, host, port ?? null, this.options.knownHosts ?? null, this.options.identity ?? null])).slice(0, 24);
    return join(controlDirectory(), id);
  }

  /** ssh's arguments up to and including the destination. */
  sshArgs(): string[] {
    const o = (kv: string) => ['-o', kv];
    const args = [
      '-T',
      ...o('BatchMode=yes'),
      ...o('StrictHostKeyChecking=yes'),
      ...o('ControlMaster=auto'),
      ...o(`ControlPath=${configPath('ControlPath', this.controlPath())}`),
      ...o(`ControlPersist=${CONTROL_PERSIST_SECONDS}`),
      ...o(`ConnectTimeout=${CONNECT_TIMEOUT_SECONDS}`),
      ...o('ServerAliveInterval=15'),
      ...o('ServerAliveCountMax=3'),
      ...o('LogLevel=ERROR'),
    ];
    if (this.options.knownHosts !== undefined) {
      args.push(...o(`UserKnownHostsFile=${configPath('--known-hosts', this.options.knownHosts)}`), ...o('GlobalKnownHostsFile=/dev/null'));
    }
    if (this.options.identity !== undefined) {
      args.push('-i', resolve(this.options.identity), ...o('IdentitiesOnly=yes'));
    }
    if (this.target.user !== undefined) args.push('-l', this.target.user);
    if (this.target.port !== undefined) args.push('-p', String(this.target.port));
    args.push('--', this.target.host);
    return args;
  }

  /** Starts `remoteTunform ...args` on the host through ssh, stdout and stderr piped. */
  spawnRemote(args: readonly string[], withStdin: boolean): ChildProcess {
    const command = [this.options.remoteTunform ?? 'tunform', ...args].map(shellQuote).join(' ');
    return spawn('ssh', [...this.sshArgs(), command], { stdio: [withStdin ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
  }

  /** The error for ssh itself failing to start. */
  spawnFailure(e: NodeJS.ErrnoException): TunformError {
    return e.code === 'ENOENT'
      ? backendError(`cannot reach ${this.name}: the OpenSSH client 'ssh' is not installed (Debian: apt-get install openssh-client)`)
      : backendError(`cannot start ssh for ${this.name}: ${e.message}`);
  }

  /** Runs `remoteTunform ...args` on the host. No version check; the exit code is the remote one (255: ssh failed). */
  exec(args: readonly string[], streams: ExecStreams = {}): Promise<ExecResult> {
    return new Promise((resolvePromise, reject) => {
      const child = this.spawnRemote(args, streams.input !== undefined);
      const collected = { stdout: '', stderr: '' };
      const pipe = (stream: NodeJS.ReadableStream, key: 'stdout' | 'stderr', on?: (t: string) => void) => {
        const decoder = new StringDecoder('utf8');
        const emit = (t: string) => {
          if (t === '') return;
          if (on) on(t);
          else collected[key] += t;
        };
        stream.on('data', (d: Buffer) => emit(decoder.write(d)));
        stream.on('end', () => emit(decoder.end()));
      };
      pipe(child.stdout!, 'stdout', streams.onStdout);
      pipe(child.stderr!, 'stderr', streams.onStderr);
      let spawnError: NodeJS.ErrnoException | undefined;
      child.on('error', (e: NodeJS.ErrnoException) => (spawnError = e));
      child.on('close', (code, signal) => {
        if (spawnError) {
          reject(this.spawnFailure(spawnError));
          return;
        }
        resolvePromise({ code: code ?? 128 + (signal === 'SIGKILL' ? 9 : 15), ...collected });
      });
      if (streams.input !== undefined) {
        child.stdin!.on('error', () => {});
        child.stdin!.end(streams.input);
      }
    });
  }

  /** The error for an ssh failure (exit 255), naming the host and saying what to do. */
  failure(stderr: string): TunformError {
    const sshSaid = stderr.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !/^@+$|^@/.test(l));
    const details = sshSaid.length > 0 ? [`ssh said: ${sshSaid.join(' / ')}`] : [];
    const file = this.knownHostsFile();
    const hostKeyName = knownHostsName(this.target);
    const portFlag = this.target.port !== undefined && this.target.port !== 22 ? `-p ${this.target.port} ` : '';
    const kind = classifySshFailure(stderr);
    const reason = `ssh-${kind}` as const;
    switch (kind) {
      case 'host-key-unknown':
        return backendError(`refusing to connect to ${this.name}: its host key is not in ${file}`, {
          reason,
          details: [
            ...details,
            `check the key's fingerprint with the host's administrator, then add it: ssh-keyscan ${portFlag}${this.target.host} >> ${file}`,
          ],
        });
      case 'host-key-changed':
        return backendError(`refusing to connect to ${this.name}: its host key does not match the one in ${file} (changed, or someone is in between)`, {
          reason,
          details: [...details, `if the change is expected, remove the old key (ssh-keygen -f ${file} -R '${hostKeyName}') and add the new one`],
        });
      case 'auth':
        return backendError(`cannot log in to ${this.name}: the server refused the key`, {
          reason,
          details: [...details, this.options.identity === undefined ? 'pass the private key with --identity FILE' : `key: ${this.options.identity}`],
        });
      case 'connect':
        return backendError(`cannot connect to ${this.name}`, { reason, details });
    }
  }

  /** Checks, once per transport, that the host runs a compatible tunform. */
  ensureCompatible(): Promise<void> {
    this.compatible ??= this.checkVersion();
    return this.compatible;
  }

  private async checkVersion(): Promise<void> {
    const remote = this.options.remoteTunform ?? 'tunform';
    const r = await this.exec(['--version']);
    if (r.code === SSH_FAILED) throw this.failure(r.stderr);
    const said = r.stderr.trim().split('\n').filter(Boolean);
    if (r.code === COMMAND_NOT_FOUND) {
      throw backendError(`tunform is not installed on ${this.name}: '${remote}' could not be run there`, {
        details: [
          ...(said.length > 0 ? [`the remote shell said: ${said.join(' / ')}`] : []),
          `install tunform ${this.localVersion} on the host (it needs Node.js >= 20), or pass its path with --remote-tunform PATH`,
        ],
      });
    }
    const version = r.stdout.trim();
    if (r.code !== 0 || !/^\d+\.\d+\.\d+/.test(version)) {
      throw backendError(`'${remote} --version' on ${this.name} did not print a version (exit ${r.code}): is it tunform?`, {
        details: said,
      });
    }
    this.requireCompatible(version);
  }

  private requireCompatible(version: string): void {
    if (!compatibleVersions(this.localVersion, version)) {
      throw backendError(`${this.name} runs tunform ${version}, which is not compatible with this tunform ${this.localVersion} (major.minor must match)`, {
        details: [`install tunform ${this.localVersion} on ${this.name}`],
      });
    }
  }

  /**
   * The version a `tunform serve` greeting names stands in for `--version`
   * (one remote Node start less per session): compatible, and then
   * ensureCompatible() asks no more, or the error the check would give.
   */
  acceptVersion(version: string): void {
    try {
      this.requireCompatible(version);
      this.compatible ??= Promise.resolve();
    } catch (e) {
      const refused = Promise.reject(e);
      refused.catch(() => {}); // only a later ensureCompatible() reports it
      this.compatible ??= refused;
      throw e;
    }
  }

  /** Checks the version, then runs the command; an ssh failure is an error naming the host, anything else is the remote's exit code. */
  async run(args: readonly string[], streams: ExecStreams = {}): Promise<ExecResult> {
    await this.ensureCompatible();
    // Buffer stderr here when the caller streams it, to explain a lost connection.
    let tail = '';
    const onStderr = streams.onStderr
      ? (t: string) => {
          tail = (tail + t).slice(-4096);
          streams.onStderr!(t);
        }
      : undefined;
    const r = await this.exec(args, { ...streams, ...(onStderr ? { onStderr } : {}) });
    if (r.code === SSH_FAILED) throw this.failure(onStderr ? tail : r.stderr);
    return r;
  }
}
