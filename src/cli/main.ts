import { Command, CommanderError, Option } from 'commander';
import { asTunformError, EXIT_CODES, invalidInput } from '../errors.js';
import { processIo, type Io } from './io.js';
import { reportFailure } from './report-error.js';
import { packageVersion } from '../sys/version.js';
import { checkTransportOptions, runRemote, type TransportOptions } from './remote.js';
import { runValidate } from './commands/validate.js';
import { runPlan } from './commands/plan.js';
import { runDrift } from './commands/drift.js';
import { runShow } from './commands/show.js';
import { runApply } from './commands/apply.js';
import { runDestroy } from './commands/destroy.js';
import { runSchema } from './commands/schema.js';
import { runHostInfo } from './commands/host-info.js';
import { runServe } from './commands/serve.js';
import { runInstallHelper } from './commands/install-helper.js';
import { runImport } from './commands/import.js';
import { runInstallProvider } from './commands/install-provider.js';
import { runApplyAll } from './commands/apply-all.js';
import { runConvert } from './commands/convert.js';
import { runHolderRestart } from './commands/holder.js';
import { runInstallUnits, UNITS_PREFIX_DEFAULT } from './commands/install-units.js';
import { CONFIG_DIR_DEFAULT, CONFIG_DIR_ENV } from '../boot/config-dir.js';

const netnsOption = () => new Option('--netns <name>', 'network namespace (ip netns); overrides the spec file');
const fileOption = () => new Option('-f, --file <path>', 'spec file (YAML)');
const synthOption = () => new Option('--synth <dir>', 'a synthesized cdktf stack directory (cdktf.out/stacks/<stack>) instead of -f');
const specEnvOption = () =>
  new Option('--spec-env <var>', 'read the spec document (YAML or JSON) from this environment variable (used by the cdktf provisioners)');
const jsonOption = () => new Option('--json', 'print a stable JSON document instead of text');
/** Internal (the provider over SSH): apply's JSON document also carries the live state its verification read. */
const liveOption = () => new Option('--live', "with --json: add the live state the run read last ('live')").hideHelp();

/** How every command reaches another machine (src/cli/remote.ts). */
function addTransportOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--host <url>', 'run on this host over SSH: ssh://[user@]HOST[:PORT] (the host runs its own tunform)'))
    .addOption(new Option('--known-hosts <file>', "with --host: trust only the host keys in FILE (default: ssh's known_hosts)"))
    .addOption(new Option('--identity <file>', 'with --host: the private key to log in with (default: ssh\'s own choice)'))
    .addOption(
      new Option('--remote-tunform <path>', "with --host: the tunform command on the host (default: 'tunform' on the remote PATH)").env(
        'TUNFORM_REMOTE_TUNFORM',
      ),
    );
}

/**
 * Builds the command tree. Each action resolves to an exit code; errors are
 * reported here once, so every command fails the same way.
 */
function buildProgram(io: Io, setExit: (code: number) => void, json: boolean): Command {
  const program = new Command('tunform')
    .description('Declare Linux tun/tap devices as code: plan, apply, verify and detect drift.')
    .version(packageVersion(), '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    // With --json a usage error becomes the JSON error document (main), not commander's text.
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => (json ? undefined : io.err(s)) });

  /**
   * Runs a command locally, or on `--host` through the remote tunform.
   * `errorExit` overrides the error kinds' exit codes (drift: 1 for any error).
   */
  const wrap =
    <O extends { json?: boolean }>(fn: (opts: O, io: Io) => Promise<number>, errorExit?: number) =>
    async (opts: O & TransportOptions, cmd: Command) => {
      try {
        checkTransportOptions(opts);
        setExit(opts.host !== undefined ? await runRemote(cmd, { ...opts, host: opts.host }, io) : await fn(opts, io));
      } catch (e) {
        const err = asTunformError(e);
        setExit(reportFailure(err, io, opts.json, errorExit ?? err.exitCode));
      }
    };

  /** A command that reads a spec: -f, --synth or --spec-env, plus --netns and --json. */
  const specCommand = (name: string, description: string) =>
    program
      .command(name)
      .description(description)
      .addOption(fileOption())
      .addOption(synthOption())
      .addOption(specEnvOption())
      .addOption(new Option('--spec-stdin <name>', 'read the spec document from stdin, named NAME in messages (how --host sends it)').hideHelp())
      .addOption(new Option('--synth-stdin <file>', 'read a cdk.tf.json from stdin, named FILE in messages (how --host sends it)').hideHelp())
      .addOption(new Option('--source-label <label>', 'what validate calls the stdin source').hideHelp())
      .addOption(netnsOption())
      .addOption(jsonOption());

  specCommand('validate', 'check a spec file and print the devices it declares; changes nothing')
    .action(wrap(runValidate));

  specCommand('plan', 'show what apply would change (create, update, replace, delete); changes nothing')
    .option('--no-prune', 'do not plan the deletion of managed devices the spec no longer declares')
    .option('--destroy', 'plan what destroy would delete')
    .action(wrap(runPlan));

  specCommand('drift', 'compare live state with the spec: exit 0 in sync, 2 on drift, 1 on error')
    .option('--no-prune', 'do not count undeclared managed devices as drift')
    .option('--parallel <n>', 'with --synth over a stack whose providers name hosts: check this many hosts at once (default 8)')
    .action(wrap(runDrift, EXIT_CODES.invalid));

  program
    .command('show')
    .description('list the live tun/tap devices: mode, flags, queues, carrier, owner, addresses, processes')
    .addOption(netnsOption())
    .addOption(jsonOption())
    .action(wrap(runShow));

  specCommand('apply', 'make live state match the spec, then verify it')
    .option('--no-prune', 'keep managed devices the spec no longer declares')
    .option('--force', 'replace or delete devices even when other processes are attached')
    .option('--device <name...>', 'reconcile only these declared devices (no pruning)')
    .addOption(new Option('--generation <id>', 'marker generation to stamp on the devices (used by the cdktf constructs)').env('TUNFORM_GENERATION'))
    .addOption(liveOption())
    .action(wrap(runApply));

  specCommand('destroy', 'delete the declared devices and release their held fds')
    .option('--force', 'delete devices even when other processes are attached')
    .option('--device <name...>', 'destroy only these declared devices')
    .addOption(new Option('--generation <id>', 'only destroy devices still stamped with this generation').env('TUNFORM_GENERATION'))
    .addOption(liveOption())
    .action(wrap(runDestroy));

  specCommand('import', 'adopt declared devices that exist without the tunform marker (fixed flags must match); changes only the marker')
    .argument('[name...]', 'declared devices to adopt (default: every declared device)')
    .addOption(new Option('--generation <id>', 'marker generation to stamp on the adopted devices').env('TUNFORM_GENERATION'))
    .action(async (names: string[], opts: { json?: boolean }, cmd: Command) => wrap((o: typeof opts, io2: Io) => runImport(names, o, io2))(opts, cmd));

  program
    .command('holder')
    .description("manage a namespace's holder (the process keeping keepCarrier fds)")
    .command('restart')
    .description("replace the holder without a carrier drop: systemctl restart when it is its unit's main process, else it hands every fd to a new holder from the current helper binary")
    .addOption(netnsOption())
    .addOption(jsonOption())
    .action(wrap(runHolderRestart));

  program
    .command('convert')
    .description('print the tunform spec equivalent to systemd-networkd tun/tap devices, a comment for each setting it cannot carry over; changes nothing')
    .option('--from-networkd <dir>', 'a directory of .netdev and .network files (e.g. /etc/systemd/network)')
    .action(wrap(runConvert));

  program
    .command('apply-all')
    .description('apply every spec of the boot configuration directory (what tunform.service runs); an invalid spec does not stop the others')
    .addOption(new Option('--config-dir <dir>', 'configuration directory (YAML specs and stacks/NAME/cdk.tf.json)').env(CONFIG_DIR_ENV).default(CONFIG_DIR_DEFAULT))
    .addOption(jsonOption())
    .action(wrap(runApplyAll));

  program
    .command('install-units')
    .description('install the systemd units (tunform.service: apply-all before network-pre.target); does not enable them')
    .option('--prefix <dir>', 'install into DIR/lib/systemd/system', UNITS_PREFIX_DEFAULT)
    .option('--config-dir <dir>', `the configuration directory the unit applies (default ${CONFIG_DIR_DEFAULT})`)
    .action(wrap(runInstallUnits));

  program
    .command('install-helper')
    .description('install the setuid helper (root, 4755) and an example ACL, for unprivileged applies (needs root)')
    .option('--prefix <dir>', 'install prefix: the helper goes to PREFIX/libexec/tunform/', '/usr/local')
    .option('--destdir <dir>', 'staging root for packagers (make DESTDIR)')
    .action(wrap(runInstallHelper));

  program
    .command('install-provider')
    .description("install the Terraform provider plugin where 'terraform init' finds it offline, and print the required_providers block")
    .option('--dir <dir>', 'plugin mirror directory (default ~/.terraform.d/plugins, which Terraform searches by itself)')
    .action(wrap(runInstallProvider));

  program
    .command('schema')
    .description('print the JSON Schema of the spec file format')
    .action(wrap(runSchema));

  // Internal: what the provider reads from a remote host over SSH (src/remote/engine.ts).
  program
    .command('host-info', { hidden: true })
    .description('print this host\'s accounts and namespaces (--facts) and live state (--live) as JSON')
    .addOption(netnsOption())
    .option('--facts', 'user and group names, and ip netns names')
    .option('--live', 'the live state of the namespace')
    .addOption(jsonOption())
    .action(wrap(runHostInfo));

  // Internal: the provider's session with a remote host (src/sys/ssh-session.ts); one Node start per host, not per call.
  program
    .command('serve', { hidden: true })
    .description('run tunform commands sent as JSON lines on stdin, answering each on stdout')
    .option('--stdio', 'requests on stdin, answers on stdout')
    .action(wrap((o: { stdio?: boolean; json?: boolean }, io2: Io) => runServe(o, io2, main)));

  for (const cmd of program.commands) addTransportOptions(cmd);
  return program;
}

/** Entry point: parses argv, runs one command, returns the process exit code. */
export async function main(argv: string[], io: Io = processIo): Promise<number> {
  let code = 0;
  const json = argv.includes('--json');
  const program = buildProgram(io, (c) => (code = c), json);
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version end here with exit code 0; usage errors are invalid input.
      // Without --json commander has already printed the usage error.
      if (e.exitCode === 0) return 0;
      return json ? reportFailure(invalidInput(e.message.replace(/^error: /, '')), io, true) : EXIT_CODES.invalid;
    }
    return reportFailure(asTunformError(e), io, json);
  }
  return code;
}

