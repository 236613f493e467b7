/**
 * Fleet apply over SSH (issue 13), two layouts against the slowest of the 4
 * single-host applies of N devices measured in the same run: one
 * `terraform apply` of 4 hosts × N devices in one state (one provider alias
 * per host), and one state per host (the single-host root modules themselves)
 * applied by 4 `terraform apply` processes side by side. The hosts are the
 * SSH test hosts (namespaces with a real sshd each, test/support/ssh-hosts.ts);
 * Terraform runs in their hub namespace.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { SshFleet } from '../../test/support/ssh-hosts.js';
import { PROVIDER_SOURCE } from '../../src/provider/address.js';
import { mirrorCliConfig } from '../../src/provider/install.js';
import { addrOf, CLI, CommandFailed, devName, run, stats, timeRun, work, yieldToSignals, type Stats } from '../lib/env.js';
import { ratioRow, type Row } from '../lib/report.js';
import type { Ctx } from './core.js';
import { install } from './provider.js';

const HOSTS = 4;
/** Terraform's calls in flight: 10 per host, in both cases (the default 10 is for the whole graph). */
const PARALLELISM_PER_HOST = 10;
/** Issue 13's target: the fleet within this factor of its slowest host alone. */
const FLEET_MAX_RATIO = 1.5;

/** The fleet case's rows at N against one baseline: `max` null makes them informational (Terraform alone). */
function fleetRows(n: number, baseline: { label: string; stats: Stats }, max: number | null, note: string) {
  return (metric: string, subjectLabel: string, times: number[]): Row =>
    ratioRow(
      {
        case: 'fleet',
        metric,
        n,
        unit: 'ms',
        subjectLabel,
        subject: stats(times),
        baselineLabel: baseline.label,
        baseline: baseline.stats,
        target: max === null ? 'informational (Terraform alone)' : `≤ ${max}×`,
        note,
      },
      max,
    );
}

export async function caseFleet(ctx: Ctx): Promise<Row[]> {
  const rows: Row[] = [];
  for (const n of ctx.ns) rows.push(...(await fleetAt(ctx, n)), ...(await terraformShare(ctx, n)));
  return rows;
}

/** The 1-minute load average now, for the rows' notes (the machine is shared). */
const load = () => loadavg()[0]!.toFixed(1);

/** Runs the commands side by side; resolves with the wall time until the last one ends. */
function timeTogether(argvs: readonly (readonly string[])[], env: NodeJS.ProcessEnv): Promise<number> {
  const t0 = process.hrtime.bigint();
  const one = (argv: readonly string[]) =>
    new Promise<void>((resolve, reject) => {
      const child = spawn(argv[0]!, argv.slice(1), { env, stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      child.stderr!.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-2000)));
      child.on('error', reject);
      child.on('close', (code) => (code === 0 ? resolve() : reject(new CommandFailed(`${argv.join(' ')} -> exit ${code}\n${err}`))));
    });
  return Promise.all(argvs.map(one)).then(() => Number(process.hrtime.bigint() - t0) / 1e6);
}

/**
 * Runs every function `runs` times, rotating which goes first (a noisy
 * machine's slow stretches hit each alike); returns each one's times.
 */
async function rotated(runs: number, fns: readonly (() => Promise<number> | number)[]): Promise<number[][]> {
  const times: number[][] = fns.map(() => []);
  for (let i = 0; i < runs; i++) {
    await yieldToSignals();
    for (let k = 0; k < fns.length; k++) {
      const j = (i + k) % fns.length;
      times[j]!.push(await fns[j]!());
    }
  }
  return times;
}

/**
 * Terraform's own share: the same applies with bare terraform_data
 * resources (same input values, no provider, no SSH). Terraform's cost per
 * resource grows with the number of resources in one state, so the one-state
 * fleet apply cannot take less than this row's 4 × N time, however fast the
 * hosts are; the per-host states row is the floor of the other layout (4
 * Terraform processes sharing this machine's cores).
 */
async function terraformShare(ctx: Ctx, n: number): Promise<Row[]> {
  const root = join(work(), `tf-fleet-share-${n}`);
  const home = join(root, 'home');
  mkdirSync(home, { recursive: true });
  const env = { ...process.env, HOME: home, TF_CLI_CONFIG_FILE: '/dev/null', CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1' };
  const config = (count: number) =>
    Array.from({ length: count }, (_, d) => `resource "terraform_data" "d${d}" {\n  input = { name = "${devName('bf', d % n)}", mode = "tun", addresses = ["${addrOf(d % n)}/24"] }\n}\n`).join('');
  const dirs = { fleet: join(root, 'fleet'), single: join(root, 'single'), perHost: Array.from({ length: HOSTS }, (_, i) => join(root, `state${i}`)) };
  for (const [dir, count] of [[dirs.fleet, HOSTS * n], [dirs.single, n], ...dirs.perHost.map((d) => [d, n] as const)] as const) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'main.tf'), config(count));
    timeRun(['terraform', `-chdir=${dir}`, 'init', '-input=false'], { env });
  }
  const applyArgs = (dir: string, parallelism: number) => ['terraform', `-chdir=${dir}`, 'apply', '-auto-approve', '-input=false', `-parallelism=${parallelism}`];
  const forget = (dir: string) => {
    for (const f of ['terraform.tfstate', 'terraform.tfstate.backup']) rmSync(join(dir, f), { force: true });
  };
  const apply = (dir: string, parallelism: number) => {
    const ms = timeRun(applyArgs(dir, parallelism), { env });
    forget(dir);
    return ms;
  };
  const applyPerHost = async () => {
    const ms = await timeTogether(dirs.perHost.map((d) => applyArgs(d, PARALLELISM_PER_HOST)), env);
    dirs.perHost.forEach(forget);
    return ms;
  };
  ctx.log(`fleet: timing Terraform's share (terraform_data, ${HOSTS} x ${n} in one state and in ${HOSTS} states side by side, vs ${n})`);
  const before = load();
  const [oneState, perHost, single] = await rotated(ctx.runs, [() => apply(dirs.fleet, PARALLELISM_PER_HOST * HOSTS), applyPerHost, () => apply(dirs.single, PARALLELISM_PER_HOST)]);
  const note = `load average (1 min) ${before} before, ${load()} after`;
  const b = stats(single!);
  const row = fleetRows(n, { label: `one terraform apply of ${n} terraform_data (-parallelism=${PARALLELISM_PER_HOST})`, stats: b }, null, note);
  return [
    row("Terraform's share: terraform_data only", `one terraform apply of ${HOSTS * n} terraform_data (-parallelism=${PARALLELISM_PER_HOST * HOSTS})`, oneState!),
    row(
      "Terraform's share, one state per host: terraform_data only",
      `${HOSTS} terraform apply side by side, ${n} terraform_data each in its own state (-parallelism=${PARALLELISM_PER_HOST} each)`,
      perHost!,
    ),
  ];
}

async function fleetAt(ctx: Ctx, n: number): Promise<Row[]> {
  const { mirror, version } = install();
  const root = join(work(), `tf-fleet-${n}`);
  const home = join(root, 'home');
  mkdirSync(home, { recursive: true });
  const cliConfig = join(root, 'terraform.rc');
  writeFileSync(cliConfig, mirrorCliConfig(mirror));
  const env = { ...process.env, HOME: home, TF_CLI_CONFIG_FILE: cliConfig, CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1', TUNFORM_REMOTE_TUNFORM: CLI };
  const fleet = await SshFleet.create('bf', HOSTS);
  try {
    const header = `terraform {\n  required_providers {\n    tunform = {\n      source  = "${PROVIDER_SOURCE}"\n      version = "${version}"\n    }\n  }\n}\n`;
    const hostBlock = (i: number) => {
      const h = fleet.hosts[i]!;
      let hcl = `provider "tunform" {\n  alias            = "h${i}"\n  host             = "${h.url}"\n  known_hosts      = "${fleet.knownHosts}"\n  private_key_path = "${fleet.identity}"\n}\n`;
      for (let d = 0; d < n; d++) {
        hcl += `resource "tunform_netdev" "h${i}_${d}" {\n  provider  = tunform.h${i}\n  name      = "${devName('bf', d)}"\n  mode      = "tun"\n  addresses = ["${addrOf(d)}/24"]\n}\n`;
      }
      return hcl;
    };
    const dirs = { fleet: join(root, 'fleet'), single: fleet.hosts.map((h) => join(root, `single${h.index}`)) };
    mkdirSync(dirs.fleet, { recursive: true });
    writeFileSync(join(dirs.fleet, 'main.tf'), header + fleet.hosts.map((h) => hostBlock(h.index)).join(''));
    dirs.single.forEach((dir, i) => {
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'main.tf'), header + hostBlock(i));
    });
    const tf = (dir: string, ...args: string[]) => [...fleet.inHub, 'terraform', `-chdir=${dir}`, ...args];
    for (const dir of [dirs.fleet, ...dirs.single]) timeRun(tf(dir, 'init', '-input=false'), { env });

    // Back to nothing without Terraform: delete the devices and forget the state.
    const reset = (dir: string, hosts: readonly number[]) => {
      const batch = Array.from({ length: n }, (_, d) => `link del ${devName('bf', d)}\n`).join('');
      for (const i of hosts) run(['ip', '-n', fleet.hosts[i]!.netns, '-force', '-batch', '-'], { input: batch, ok: [0, 1] });
      for (const f of ['terraform.tfstate', 'terraform.tfstate.backup']) rmSync(join(dir, f), { force: true });
    };
    const apply = (dir: string, parallelism: number, hosts: readonly number[]) => {
      const ms = timeRun(tf(dir, 'apply', '-auto-approve', '-input=false', `-parallelism=${parallelism}`), { env });
      reset(dir, hosts);
      return ms;
    };
    const singles: number[][] = [];
    const slowestSingle = () => {
      const each = fleet.hosts.map((h) => apply(dirs.single[h.index]!, PARALLELISM_PER_HOST, [h.index]));
      singles.push(each);
      return Math.max(...each);
    };
    // The per-host layout: the single-host root modules (one state each), applied side by side.
    const applyPerHost = async () => {
      const ms = await timeTogether(dirs.single.map((dir) => tf(dir, 'apply', '-auto-approve', '-input=false', `-parallelism=${PARALLELISM_PER_HOST}`)), env);
      fleet.hosts.forEach((h) => reset(dirs.single[h.index]!, [h.index]));
      return ms;
    };
    ctx.log(`fleet: timing ${HOSTS} hosts x ${n} devices (one state; one state per host side by side; each host alone)`);
    const before = load();
    const [oneState, perHostStates, slowest] = await rotated(ctx.runs, [() => apply(dirs.fleet, PARALLELISM_PER_HOST * HOSTS, fleet.hosts.map((h) => h.index)), applyPerHost, slowestSingle]);
    const after = load();
    const b = stats(slowest!);
    const perHost = fleet.hosts.map((h) => stats(singles.map((r) => r[h.index]!)).median);
    const note = `single-host medians: ${perHost.map((ms) => `${(ms / 1000).toFixed(1)} s`).join(', ')}; load average (1 min) ${before} before, ${after} after`;
    const row = fleetRows(n, { label: `slowest of the ${HOSTS} single-host applies of ${n} (-parallelism=${PARALLELISM_PER_HOST})`, stats: b }, FLEET_MAX_RATIO, note);
    return [
      row(
        `terraform apply, ${HOSTS} hosts over SSH`,
        `one terraform apply of ${HOSTS} hosts × ${n} tunform_netdev in one state (one provider alias per host, -parallelism=${PARALLELISM_PER_HOST * HOSTS})`,
        oneState!,
      ),
      row(
        `terraform apply, ${HOSTS} hosts over SSH, one state per host`,
        `${HOSTS} terraform apply side by side, one root module and state per host, ${n} tunform_netdev each (-parallelism=${PARALLELISM_PER_HOST} each)`,
        perHostStates!,
      ),
    ];
  } finally {
    fleet.destroy();
  }
}
