/**
 * Fleet apply over SSH (issue 13): one `terraform apply` of 4 hosts × N
 * devices, one provider alias per host, against the slowest of the 4
 * single-host applies of N devices measured in the same run. The hosts are
 * the SSH test hosts (namespaces with a real sshd each, test/support/ssh-hosts.ts);
 * Terraform runs in their hub namespace.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SshFleet } from '../../test/support/ssh-hosts.js';
import { PROVIDER_SOURCE } from '../../src/provider/address.js';
import { mirrorCliConfig } from '../../src/provider/install.js';
import { addrOf, CLI, devName, paired, run, stats, timeRun, work } from '../lib/env.js';
import type { Row } from '../lib/report.js';
import type { Ctx } from './core.js';
import { install } from './provider.js';

const HOSTS = 4;
/** Terraform's calls in flight: 10 per host, in both cases (the default 10 is for the whole graph). */
const PARALLELISM_PER_HOST = 10;

export async function caseFleet(ctx: Ctx): Promise<Row[]> {
  const rows: Row[] = [];
  for (const n of ctx.ns) rows.push(await fleetAt(ctx, n), await terraformShare(ctx, n));
  return rows;
}

/**
 * Terraform's own share: the same two applies with bare terraform_data
 * resources (same input values, no provider, no SSH). Terraform's cost per
 * resource grows with the number of resources in one run, so the fleet apply
 * cannot take less than this row's 4 × N time, however fast the hosts are.
 */
async function terraformShare(ctx: Ctx, n: number): Promise<Row> {
  const root = join(work(), `tf-fleet-share-${n}`);
  const home = join(root, 'home');
  mkdirSync(home, { recursive: true });
  const env = { ...process.env, HOME: home, TF_CLI_CONFIG_FILE: '/dev/null', CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1' };
  const config = (count: number) =>
    Array.from({ length: count }, (_, d) => `resource "terraform_data" "d${d}" {\n  input = { name = "${devName('bf', d % n)}", mode = "tun", addresses = ["${addrOf(d % n)}/24"] }\n}\n`).join('');
  const dirs = { fleet: join(root, 'fleet'), single: join(root, 'single') };
  for (const [dir, count] of [[dirs.fleet, HOSTS * n], [dirs.single, n]] as const) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'main.tf'), config(count));
    timeRun(['terraform', `-chdir=${dir}`, 'init', '-input=false'], { env });
  }
  const apply = (dir: string, parallelism: number) => {
    const ms = timeRun(['terraform', `-chdir=${dir}`, 'apply', '-auto-approve', '-input=false', `-parallelism=${parallelism}`], { env });
    for (const f of ['terraform.tfstate', 'terraform.tfstate.backup']) rmSync(join(dir, f), { force: true });
    return ms;
  };
  ctx.log(`fleet: timing Terraform's share (terraform_data, ${HOSTS} x ${n} vs ${n})`);
  const { subject, baseline } = await paired(ctx.runs, () => apply(dirs.fleet, PARALLELISM_PER_HOST * HOSTS), () => apply(dirs.single, PARALLELISM_PER_HOST), false);
  const s = stats(subject);
  const b = stats(baseline);
  return {
    case: 'fleet',
    metric: "Terraform's share: terraform_data only",
    n,
    unit: 'ms',
    subjectLabel: `one terraform apply of ${HOSTS * n} terraform_data (-parallelism=${PARALLELISM_PER_HOST * HOSTS})`,
    subject: s,
    baselineLabel: `one terraform apply of ${n} terraform_data (-parallelism=${PARALLELISM_PER_HOST})`,
    baseline: b,
    ratio: s.median / b.median,
    target: 'informational (Terraform alone)',
    pass: null,
    runs: s.n,
  };
}

async function fleetAt(ctx: Ctx, n: number): Promise<Row> {
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
    ctx.log(`fleet: timing ${HOSTS} hosts x ${n} devices`);
    const t = await paired(ctx.runs, () => apply(dirs.fleet, PARALLELISM_PER_HOST * HOSTS, fleet.hosts.map((h) => h.index)), slowestSingle, false);
    const s = stats(t.subject);
    const b = stats(t.baseline);
    const ratio = s.median / b.median;
    const perHost = fleet.hosts.map((h) => stats(singles.map((r) => r[h.index]!)).median);
    return {
      case: 'fleet',
      metric: `terraform apply, ${HOSTS} hosts over SSH`,
      n,
      unit: 'ms',
      subjectLabel: `one terraform apply of ${HOSTS} hosts × ${n} tunform_netdev (one provider alias per host, -parallelism=${PARALLELISM_PER_HOST * HOSTS})`,
      subject: s,
      baselineLabel: `slowest of the ${HOSTS} single-host applies of ${n} (-parallelism=${PARALLELISM_PER_HOST})`,
      baseline: b,
      ratio,
      target: '≤ 1.5×',
      pass: ratio <= 1.5,
      runs: s.n,
      note: `single-host medians: ${perHost.map((ms) => `${(ms / 1000).toFixed(1)} s`).join(', ')}`,
    };
  } finally {
    fleet.destroy();
  }
}
