import { runCommand, runCommandToFiles, startCommand, type CommandResult, type RunningCommand } from '../sys/run-command.js';
import { backendError, bug, permissionError } from '../errors.js';
import { parseIpJson } from './parse-json.js';
import { CAP_SYS_ADMIN, hasCapability } from '../sys/capabilities.js';
import { HELPER_EXIT_DENIED, helperPath, useSetuidHelper } from '../sys/paths.js';

/** The two dumps the live reader takes, by the names the helper's `dump` knows them. */
const HELPER_DUMPS: ReadonlyMap<string, string> = new Map([
  ['-d -j link show', 'links'],
  ['-j addr show', 'addrs'],
]);

/**
 * Every link with its details and its addresses: what the two dumps above
 * give, from one `ip` process. On a one-shot run (drift) each process start
 * blocks this one until ip has exec'd, and that wait was as long as the dump.
 */
export const LINKS_AND_ADDRS: readonly string[] = ['-d', '-j', 'addr', 'show'];

/** Whether runIp can take LINKS_AND_ADDRS here: the setuid helper's `dump` gives only the two dumps. */
export const linksAndAddrsDirect = (netns: string | undefined): boolean => viaHelper(['-d', '-j', 'link', 'show'], netns) === undefined;

/**
 * Entering a named namespace (`ip -n`) needs CAP_SYS_ADMIN, even to read. A
 * user without it who has the setuid helper reads through `tunform-helper
 * --netns NS dump`, which enters the namespace and runs ip there as uid 0
 * without any capability (helper/src/dump.c says why not as the user).
 */
function viaHelper(args: readonly string[], netns: string | undefined): { file: string; argv: string[] } | undefined {
  const dump = HELPER_DUMPS.get(args.join(' '));
  if (netns === undefined || dump === undefined || hasCapability(CAP_SYS_ADMIN) || !useSetuidHelper()) return undefined;
  return { file: helperPath(), argv: ['--netns', netns, 'dump', dump] };
}

function cannotRead(netns: string, why: string) {
  return permissionError(`reading network namespace '${netns}' needs root or the setuid helper's permission: ${why}`, [
    'run as root, ask for a rule in the setuid helper ACL that applies in that namespace, or run tunform without --netns from a process already inside it',
  ]);
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
  // The helper says by its exit status that its ACL refused the namespace; its sentence is only shown.
  if (viaHelperFile !== undefined && netns !== undefined && result.exitCode === HELPER_EXIT_DENIED) return cannotRead(netns, `'${command}' was refused: ${stderr}`);
  return backendError(`'${command}' failed${stderr ? `: ${stderr}` : ` (exit ${result.exitCode ?? 'unknown'})`}`, {
    details: [netns === undefined ? 'check that iproute2 works here' : `check the namespace with 'ip netns list'`],
  });
}

/** Runs `ip [-n NS] ARGS` and returns stdout, turning every failure into a sentence. */
export async function runIp(args: readonly string[], netns?: string): Promise<string> {
  const helper = viaHelper(args, netns);
  const argv = netns === undefined ? [...args] : ['-n', netns, ...args];
  const command = helper ? `${helper.file} ${helper.argv.join(' ')}` : `ip ${argv.join(' ')}`;
  // Entering a named namespace (`ip -n`, setns) needs CAP_SYS_ADMIN, even to read: known before running ip, not read from its stderr.
  if (netns !== undefined && !helper && !hasCapability(CAP_SYS_ADMIN)) {
    throw cannotRead(netns, 'entering it (ip -n) needs CAP_SYS_ADMIN, which this process does not have');
  }
  const result = helper ? await runCommand(helper.file, helper.argv) : await runCommandToFiles('ip', argv, { env: { LC_ALL: 'C' } });
  if (result.spawnError || result.exitCode !== 0) throw ipFailure(result, command, netns, helper?.file);
  return String(result.stdout);
}

/** Takes stdout lines of a reader in order; true once it has all of its own. */
interface LineConsumer {
  readonly take: (line: string) => boolean;
  readonly reject: (e: Error) => void;
}

/** One long-lived `ip [-n NS] OPTIONS -batch -`: commands in, one line of JSON per command that succeeded out. */
interface BatchReader {
  readonly cmd: RunningCommand;
  readonly waiting: LineConsumer[];
}

/** The link a scoped read asks after each name: it always exists, so its line marks where that name's answer ends. */
const SENTINEL = 'lo';
/** Names a batch line carries as they are (ip's batch parser gives quotes, '#' and backslashes a meaning). */
const PLAIN_NAME = /^[A-Za-z0-9_.+=@-]+$/;

/** Whether scoped reads can name these devices (else read everything). */
export const scopableNames = (names: readonly string[]): boolean => names.every((n) => n !== SENTINEL && PLAIN_NAME.test(n));

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
    try {
      return await this.ask(options, [words.join(' ')], (answer) => (line) => (answer.push(line), true)).then((lines) => lines[0]!);
    } catch {
      return runIp(args, this.netns);
    }
  }

  /**
   * The same dump restricted to the named links (`ARGS dev NAME` for each, in
   * one reader kept with -force, so a missing name does not end it): a JSON
   * array of those that exist. A missing name prints nothing on stdout, so
   * each name's command is followed by the same one for `lo`, whose line ends
   * that name's answer. Callers check scopableNames first.
   */
  async runScoped(args: readonly string[], names: readonly string[]): Promise<string> {
    if (!scopableNames(names) || viaHelper(args, this.netns)) throw bug('runScoped needs plain names and a direct ip');
    const options = [...args.filter((a) => a.startsWith('-')), '-force'];
    const command = args.filter((a) => !a.startsWith('-')).join(' ');
    const lines = names.flatMap((n) => [`${command} dev ${n}`, `${command} dev ${SENTINEL}`]);
    let sentinels = 0;
    const found = await this.ask(options, lines, (answer) => (line) => {
      const entries = parseIpJson(line, `ip ${args.join(' ')}`);
      const first = entries[0] as { ifname?: unknown } | undefined;
      if (first?.ifname === SENTINEL) return ++sentinels === names.length;
      answer.push(...entries.map((e) => JSON.stringify(e)));
      return false;
    });
    return `[${found.join(',')}]`;
  }

  /** Writes the lines to the reader for these options and collects what the consumer takes, until it says done. */
  private ask(options: readonly string[], lines: readonly string[], consumer: (answer: string[]) => (line: string) => boolean): Promise<string[]> {
    const key = options.join(' ');
    let reader = this.readers.get(key);
    if (!reader) {
      reader = this.start(options);
      this.readers.set(key, reader);
    }
    const r = reader;
    return new Promise<string[]>((resolve, reject) => {
      const answer: string[] = [];
      const take = consumer(answer);
      r.waiting.push({
        take: (line) => {
          if (!take(line)) return false;
          resolve(answer);
          return true;
        },
        reject,
      });
      r.cmd.waiting(true);
      r.cmd.write(lines.map((l) => `${l}\n`).join(''));
    });
  }

  /** Ends every reader. */
  async close(): Promise<void> {
    const readers = [...this.readers.values()];
    this.readers.clear();
    // Keep this process alive until they have exited (they are unref'd while idle).
    for (const r of readers) {
      r.cmd.waiting(true);
      r.cmd.end();
    }
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
          for (const line of lines) {
            const w = reader.waiting[0];
            try {
              if (w?.take(line)) reader.waiting.shift();
            } catch (e) {
              // An answer that is not ip's JSON: this reader is out of step; end it (its waiters fall back).
              reader.cmd.kill();
              return;
            }
          }
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
