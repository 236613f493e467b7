/**
 * The Terraform provider: `terraform apply`, an in-sync `terraform plan` and
 * `terraform destroy` of N tunform_netdev resources (single-queue tun, one
 * address each; and multiQueue + keepCarrier), against a floor measured in
 * the same run: the same N resources as bare `terraform_data` (no provider,
 * no provisioners, the same input values) plus the kernel's own work done by
 * `ip -batch` (the creates, or the deletes; for plan, the two dumps a refresh
 * needs). Terraform runs offline from a mirror filled by `tunform install-provider`.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { addrOf, BUILD_DIR, ROOT, createNetns, destroyNetns, devName, ipBatchAddrUp, ipBatchCreate, run, spawnUntil, stats, stop, timeRun, work, writeFile } from '../lib/env.js';
import { PROVIDER_SOURCE } from '../../src/provider/address.js';
import { mirrorCliConfig } from '../../src/provider/install.js';
import { install } from './provider.js';
import type { Row } from '../lib/report.js';
import type { Ctx } from './core.js';

const PREFIX = 'bt';

interface TfDir {
  readonly dir: string;
  readonly env: NodeJS.ProcessEnv;
}

/** Terraform offline: the provider installed by `tunform install-provider --dir`, a CLI configuration naming that mirror. */
function terraformSetup(): { env: NodeJS.ProcessEnv; version: string } {
  const { mirror, version } = install();
  const root = join(work(), 'terraform');
  const home = join(root, 'home');
  mkdirSync(home, { recursive: true });
  const rc = join(root, 'terraform.rc');
  writeFileSync(rc, mirrorCliConfig(mirror));
  return { env: { ...process.env, HOME: home, TF_CLI_CONFIG_FILE: rc, CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1', TF_INPUT: '0' }, version };
}

function header(version: string | undefined): string {
  if (version === undefined) return 'variable "netns" { type = string }\n';
  return `terraform {\n  required_providers {\n    tunform = {\n      source  = "${PROVIDER_SOURCE}"\n      version = "${version}"\n    }\n  }\n}\nvariable "netns" { type = string }\nprovider "tunform" {\n  netns = var.netns\n}\n`;
}

function subjectHcl(n: number, keep: boolean, version: string): string {
  const out = [header(version)];
  for (let i = 0; i < n; i++) {
    const flags = keep ? '  multi_queue  = true\n  keep_carrier = true\n' : '';
    out.push(`resource "tunform_netdev" "d${i}" {\n  name      = "${devName(PREFIX, i)}"\n  mode      = "tun"\n${flags}  addresses = ["${addrOf(i)}/24"]\n}\n`);
  }
  return out.join('\n');
}

function floorHcl(n: number, keep: boolean): string {
  const out = [header(undefined)];
  for (let i = 0; i < n; i++) {
    const flags = keep ? ', multi_queue = true, keep_carrier = true' : '';
    out.push(`resource "terraform_data" "d${i}" {\n  input = { name = "${devName(PREFIX, i)}", mode = "tun"${flags}, addresses = ["${addrOf(i)}/24"] }\n}\n`);
  }
  return out.join('\n');
}

function tfDir(name: string, hcl: string, env: NodeJS.ProcessEnv): TfDir {
  const dir = join(work(), 'terraform', name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'main.tf'), hcl);
  const d = { dir, env };
  tf(d, ['init', '-input=false']);
  return d;
}

const tfArgv = (d: TfDir, args: readonly string[]) => ['terraform', `-chdir=${d.dir}`, ...args];

function tf(d: TfDir, args: readonly string[], ok: readonly number[] = [0]): number {
  return timeRun(tfArgv(d, args), { env: d.env, ok });
}

const resetState = (d: TfDir) => {
  rmSync(join(d.dir, 'terraform.tfstate'), { force: true });
  rmSync(join(d.dir, 'terraform.tfstate.backup'), { force: true });
};

const ipDumps = (ns: string) => timeRun(['ip', '-n', ns, '-d', '-j', 'link', 'show']) + timeRun(['ip', '-n', ns, '-j', 'addr', 'show']);

function ipBatchDelete(n: number): string {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(`link del dev ${devName(PREFIX, i)}`);
  return out.join('\n') + '\n';
}

interface Triple {
  apply: number[];
  plan: number[];
  destroy: number[];
}

/** One subject run: apply, in-sync plan (must exit 0), destroy, in a namespace of its own. */
function subjectRun(d: TfDir, into: Triple): void {
  const ns = createNetns('tp');
  try {
    resetState(d);
    const v = [`-var=netns=${ns}`];
    into.apply.push(tf(d, ['apply', '-auto-approve', '-input=false', ...v]));
    into.plan.push(tf(d, ['plan', '-detailed-exitcode', '-input=false', ...v]));
    into.destroy.push(tf(d, ['destroy', '-auto-approve', '-input=false', ...v]));
  } finally {
    destroyNetns(ns);
  }
}

/** The floor: bare terraform_data plus ip doing the kernel work (for keepCarrier, floor-hold holding the fds). */
async function floorRun(d: TfDir, n: number, keep: boolean, into: Triple): Promise<void> {
  const ns = createNetns('tf');
  try {
    resetState(d);
    const v = [`-var=netns=${ns}`];
    const tfApply = tf(d, ['apply', '-auto-approve', '-input=false', ...v]);
    if (keep) {
      const h = await spawnUntil([join(BUILD_DIR, 'floor-hold'), `/run/netns/${ns}`, PREFIX, String(n)], 'ready');
      try {
        into.apply.push(tfApply + h.ms + timeRun(['ip', '-n', ns, '-batch', writeFile(`prov-addrup-${n}.batch`, ipBatchAddrUp(n, PREFIX))]));
        into.plan.push(tf(d, ['plan', '-detailed-exitcode', '-input=false', ...v]) + ipDumps(ns));
      } finally {
        await stop(h.child);
      }
      // floor-hold's devices die with it; make persistent ones for the delete floor (untimed).
      run(['ip', '-n', ns, '-batch', writeFile(`prov-mq-${n}.batch`, ipBatchCreate(n, { prefix: PREFIX, multiQueue: true }))]);
    } else {
      into.apply.push(tfApply + timeRun(['ip', '-n', ns, '-batch', writeFile(`prov-create-${n}.batch`, ipBatchCreate(n, { prefix: PREFIX }))]));
      into.plan.push(tf(d, ['plan', '-detailed-exitcode', '-input=false', ...v]) + ipDumps(ns));
    }
    into.destroy.push(tf(d, ['destroy', '-auto-approve', '-input=false', ...v]) + timeRun(['ip', '-n', ns, '-batch', writeFile(`prov-del-${n}.batch`, ipBatchDelete(n))]));
  } finally {
    destroyNetns(ns);
  }
}

const TARGETS = { apply: 1.5, plan: 2, destroy: 1.5 } as const;
/** The one target for the batched terraform_data backend. */
const BACKEND_TARGETS = { apply: 2, plan: 2, destroy: 2 } as const;

/** Stands for the run's namespace in the synthesized stack until each run writes its own. */
const NETNS_TOKEN = 'tfbNETNSTOKEN';

/**
 * The cdktf stack of N TunNetdev with `backend: 'terraform_data'` (test/e2e/apps/devices.ts), synthesized once
 * (untimed, cdktf synth is not what is measured) with a placeholder namespace; its state lives in the directory.
 */
function backendStack(n: number, env: NodeJS.ProcessEnv): { dir: string; json: string } {
  const root = join(work(), 'terraform', `backend-${n}`);
  rmSync(root, { recursive: true, force: true });
  mkdirSync(root, { recursive: true });
  const devices = Array.from({ length: n }, (_, i) => ({ name: devName(PREFIX, i), mode: 'tun', addresses: [`${addrOf(i)}/24`] }));
  const devicesFile = join(root, 'devices.json');
  writeFileSync(devicesFile, JSON.stringify(devices));
  const app = join(ROOT, 'test', 'e2e', 'apps', 'devices.ts');
  // Without cdktf's own validations: they start `terraform version` once per resource, minutes for a thousand (the app's header says what else they check).
  run(['env', `CDKTF_OUTDIR=${join(root, 'out')}`, `TUNFORM_NETNS=${NETNS_TOKEN}`, 'TUNFORM_BACKEND=terraform_data', `TUNFORM_E2E_DEVICES_FILE=${devicesFile}`, 'TUNFORM_E2E_SKIP_CDKTF_VALIDATION=1', process.execPath, join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), app]);
  const stack = JSON.parse(readFileSync(join(root, 'out', 'stacks', 'e2e', 'cdk.tf.json'), 'utf8')) as { terraform?: unknown };
  const dir = join(root, 'stack');
  mkdirSync(dir, { recursive: true });
  stack.terraform = { backend: { local: { path: join(dir, 'terraform.tfstate') } } };
  const json = JSON.stringify(stack);
  writeFileSync(join(dir, 'cdk.tf.json'), json.replaceAll(NETNS_TOKEN, 'placeholder'));
  tf({ dir, env }, ['init', '-input=false']);
  return { dir, json };
}

/** One run of the synthesized stack in a namespace of its own: apply (one tunform CLI run for the host), in-sync plan, destroy. */
function backendRun(stack: { dir: string; json: string }, env: NodeJS.ProcessEnv, into: Triple): void {
  const ns = createNetns('tb');
  try {
    const d = { dir: stack.dir, env };
    resetState(d);
    writeFileSync(join(stack.dir, 'cdk.tf.json'), stack.json.replaceAll(NETNS_TOKEN, ns));
    into.apply.push(tf(d, ['apply', '-auto-approve', '-input=false']));
    into.plan.push(tf(d, ['plan', '-detailed-exitcode', '-input=false']));
    into.destroy.push(tf(d, ['destroy', '-auto-approve', '-input=false']));
  } finally {
    destroyNetns(ns);
  }
}

function rowsOf(caseId: string, n: number, s: Triple, f: Triple, subjectOf: (what: keyof Triple) => string, keep: boolean, targets: Record<keyof Triple, number>): Row[] {
  return (['apply', 'plan', 'destroy'] as const).map((what): Row => {
    const subj = stats(s[what]);
    const base = stats(f[what]);
    const ratio = subj.median / base.median;
    const atTarget = n >= 1000;
    return {
      case: caseId,
      metric: `terraform ${what}`,
      n,
      unit: 'ms',
      subjectLabel: subjectOf(what),
      subject: subj,
      baselineLabel: `${n} terraform_data + ${what === 'plan' ? 'two ip -j dumps' : keep && what === 'apply' ? 'floor-hold + ip -batch' : 'ip -batch'}`,
      baseline: base,
      ratio,
      target: atTarget ? `≤ ${targets[what]}×` : 'report',
      pass: atTarget ? ratio <= targets[what] : null,
      runs: subj.n,
    };
  });
}

async function measureBackend(ctx: Ctx): Promise<Row[]> {
  const { env } = terraformSetup();
  const rows: Row[] = [];
  for (const n of ctx.ns) {
    ctx.log(`provider-td N=${n}: cdktf synth (untimed) and terraform init of both configurations`);
    const stack = backendStack(n, env);
    const floor = tfDir(`floor-td-${n}`, floorHcl(n, false), env);
    const s: Triple = { apply: [], plan: [], destroy: [] };
    const f: Triple = { apply: [], plan: [], destroy: [] };
    for (let i = 0; i < ctx.runs; i++) {
      ctx.log(`provider-td N=${n}: run ${i + 1}/${ctx.runs}`);
      if (i % 2 === 0) {
        backendRun(stack, env, s);
        await floorRun(floor, n, false, f);
      } else {
        await floorRun(floor, n, false, f);
        backendRun(stack, env, s);
      }
    }
    rows.push(...rowsOf('provider-td', n, s, f, (what) => `terraform ${what === 'plan' ? 'plan (in sync)' : what} of ${n} TunNetdev, backend terraform_data`, false, BACKEND_TARGETS));
  }
  return rows;
}

async function measure(ctx: Ctx, keep: boolean): Promise<Row[]> {
  const { env, version } = terraformSetup();
  const rows: Row[] = [];
  const caseId = keep ? 'provider-kc' : 'provider';
  for (const n of ctx.ns) {
    ctx.log(`${caseId} N=${n}: terraform init of both configurations`);
    const subject = tfDir(`subject-${keep ? 'kc-' : ''}${n}`, subjectHcl(n, keep, version), env);
    const floor = tfDir(`floor-${keep ? 'kc-' : ''}${n}`, floorHcl(n, keep), env);
    const s: Triple = { apply: [], plan: [], destroy: [] };
    const f: Triple = { apply: [], plan: [], destroy: [] };
    for (let i = 0; i < ctx.runs; i++) {
      ctx.log(`${caseId} N=${n}: run ${i + 1}/${ctx.runs}`);
      // Alternate the order so a slow drift of the noisy machine hits both alike.
      if (i % 2 === 0) {
        subjectRun(subject, s);
        await floorRun(floor, n, keep, f);
      } else {
        await floorRun(floor, n, keep, f);
        subjectRun(subject, s);
      }
    }
    rows.push(...rowsOf(caseId, n, s, f, (what) => `terraform ${what === 'plan' ? 'plan (in sync)' : what} of ${n} tunform_netdev${keep ? ' (multiQueue, keepCarrier)' : ''}`, keep, TARGETS));
  }
  return rows;
}

export const caseProvider = (ctx: Ctx): Promise<Row[]> => measure(ctx, false);
export const caseProviderKeep = (ctx: Ctx): Promise<Row[]> => measure(ctx, true);
export const caseProviderBackend = (ctx: Ctx): Promise<Row[]> => measureBackend(ctx);
