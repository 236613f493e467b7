import { runCommand, startCommand, type CommandResult, type RunningCommand } from '../sys/run-command.js';
import { backendError, permissionError } from '../errors.js';
import { CAP_SYS_ADMIN, hasCapability } from '../sys/capabilities.js';
import { helperPath, useSetuidHelper } from '../sys/paths.js';

/** The two dumps the live reader takes, by the names the helper's `dump` knows them. */
const HELPER_DUMPS: ReadonlyMap<string, string> = new Map([
  ['-d -j link show', 'links'],
  ['-j addr show', 'addrs'],
]);

/**
 * Entering a named namespace (`ip -n`) needs CAP_SYS_ADMIN, even to read. A
 * user without it who has the setuid helper reads through `tunform-helper
 * --netns NS dump`, which enters the namespace and runs ip as that user.
 */
function viaHelper(args: readonly string[], netns: string | undefined): { file: string; argv: string[] } | undefined {
  const dump = HELPER_DUMPS.get(args.join(' '));
  if (netns === undefined || dump === undefined || hasCapability(CAP_SYS_ADMIN) || !useSetuidHelper()) return undefined;
  return { file: helperPath(), argv: ['--netns', netns, 'dump', dump] };
}

/** The sentence for a failed `ip` (or helper dump) run. */
function ipFailure(result: CommandResult, command: string, netns: string | undefined, viaHelperFile?: string): Error {
  if (result.spawnError?.code === 'ENOENT') {
    return backendError(viaHelperFile !== undefined ? `cannot run the helper ${viaHelperFile}: not found` : "cannot run 'ip': not found; install iproute2");
  }
  if (result.spawnError) {
    return backendError(`cannot run '${command}': ${result.spawnError.message}`, { cause: result.spawnError });
  }
  const stderr = String(result.stderr ?? '').trim();
  // Entering a named namespace (`ip -n`) needs CAP_SYS_ADMIN, even to read.
  if (netns !== undefined && /Operation not permitted|Permission denied|not permitted/.test(stderr)) {
    return permissionError(`reading network namespace '${netns}' needs root or the setuid helper's permission: '${command}' failed: ${stderr}`, [
      'run as root, ask for a rule in the setuid helper ACL that applies in that namespace, or run tunform without --netns from a process already inside it',
    ]);
  }
  return backendError(`'${command}' failed${stderr ? `: ${stderr}` : ` (exit ${result.exitCode ?? 'unknown'})`}`, {
    details: [netns === undefined ? 'check that iproute2 works here' : `check the namespace with 'ip netns list'`],
  });
}

/** Runs `ip [-n NS] ARGS` and returns stdout, turning every failure into a sentence. */
export async function runIp(args: readonly string[], netns?: string): Promise<string> {
  const helper = viaHelper(args, netns);
  const argv = netns === undefined ? [...args] : ['-n', netns, ...args];
  const command = helper ? `${helper.file} ${helper.argv.join(' ')}` : `ip ${argv.join(' ')}`;
  const result = helper ? await runCommand(helper.file, helper.argv) : await runCommand('ip', argv, { env: { LC_ALL: 'C' } });
  if (result.spawnError || result.exitCode !== 0) throw ipFailure(result, command, netns, helper?.file);
  return String(result.stdout);
}

/** One long-lived `ip [-n NS] OPTIONS -batch -`: a command per line in, one line of JSON per command out. */
interface BatchReader {
  readonly cmd: RunningCommand;
  readonly waiting: { resolve: (out: string) => void; reject: (e: Error) => void }[];
}

/**
 * The same dumps as runIp, through one long-lived `ip -batch -` per set of
 * options instead of a process per dump. A plugin applying batch after batch
 * reads the namespace several times per batch; on two loaded cores each `ip`
 * start cost 100–340 ms, the dump itself a few ms. `ip -j` prints each
 * command's array on one line and flushes it, so the answers are the lines
 * of its stdout, in order.
 *
 * A reader that fails (the namespace went away, ip was killed) fails the
 * dumps waiting on it; the next dump runs once through runIp, which words the
 * error as before, and a later one starts a new reader. The setuid helper's
 * dumps (no CAP_SYS_ADMIN) stay one process each.
 */
export class IpDumpSession {
  private readonly readers = new Map<string, BatchReader>();

  constructor(private readonly netns: string | undefined) {}

  async run(args: readonly string[]): Promise<string> {
    if (viaHelper(args, this.netns)) return runIp(args, this.netns);
    const options = args.filter((a) => a.startsWith('-'));
    const words = args.filter((a) => !a.startsWith('-'));
    const key = options.join(' ');
    let reader = this.readers.get(key);
    if (!reader) {
      reader = this.start(options);
      this.readers.set(key, reader);
    }
    const r = reader;
    try {
      return await new Promise<string>((resolve, reject) => {
        r.waiting.push({ resolve, reject });
        r.cmd.waiting(true);
        r.cmd.write(`${words.join(' ')}\n`);
      });
    } catch {
      return runIp(args, this.netns);
    }
  }

  /** Ends every reader. */
  async close(): Promise<void> {
    const readers = [...this.readers.values()];
    this.readers.clear();
    for (const r of readers) r.cmd.end();
    await Promise.all(readers.map((r) => r.cmd.result));
  }

  private start(options: readonly string[]): BatchReader {
    const argv = [...(this.netns === undefined ? [] : ['-n', this.netns]), ...options, '-batch', '-'];
    let partial = '';
    const reader: BatchReader = {
      waiting: [],
      cmd: startCommand('ip', argv, {
        env: { LC_ALL: 'C' },
        serving: true,
        onStdout(chunk) {
          const lines = (partial + chunk).split('\n');
          partial = lines.pop()!;
          for (const line of lines) reader.waiting.shift()?.resolve(line);
          if (reader.waiting.length === 0) reader.cmd.waiting(false);
        },
      }),
    };
    const key = options.join(' ');
    void reader.cmd.result.then((result) => {
      if (this.readers.get(key) === reader) this.readers.delete(key);
      // The dumps waiting on it go through runIp, whose error (if any) says why.
      const e = backendError(`'ip ${argv.join(' ')}' ended (exit ${result.exitCode ?? result.signal ?? 'unknown'})`);
      for (const w of reader.waiting.splice(0)) w.reject(e);
    });
    return reader;
  }
}
