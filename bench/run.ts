/**
 * tunform benchmarks.
 *
 *   npm run bench                              all cases
 *   npm run bench -- drift noop                some cases
 *   npm run bench -- --n 1,100 --runs 7        other sizes / run counts
 *   npm run bench -- --no-write                print only, leave docs/benchmarks.md alone
 *   npm run bench -- --render                  measure nothing: write docs/benchmarks.md again from bench/results/latest.json
 *                                              and bench/notes.md (after editing the notes, or resolving a merge of the doc)
 *
 * Needs root (it creates network namespaces), gcc, iproute2, and a built
 * tunform (`npm run build`). Prints a table and writes docs/benchmarks.md.
 */
import { pathToFileURL } from 'node:url';
import { ensureBuilt, cleanupAll } from './lib/env.js';
import { machine, mergeResults, printTable, readStored, writeDoc, type Row } from './lib/report.js';
import { caseApply, caseApplyKeep, caseDestroy, caseChange, caseDrift, caseHolderMem, caseNoop, type Ctx } from './cases/core.js';
import { caseNetworkd, caseTraffic } from './cases/networkd.js';
import { caseProvider, caseProviderBackend, caseProviderKeep } from './cases/terraform-provider.js';
import { casePluginPlan, casePluginStart } from './cases/provider.js';
import { casePluginRpc } from './cases/plugin-rpc.js';
import { caseFleet } from './cases/fleet.js';

interface CaseDef {
  run: (ctx: Ctx) => Promise<Row[]>;
  describe: string;
  /** Default sizes when --n is not given. */
  ns?: number[];
}

export const CASES: Record<string, CaseDef> = {
  provider: {
    run: caseProvider,
    describe:
      'The Terraform provider: `terraform apply`, an in-sync `terraform plan -detailed-exitcode` and `terraform destroy` of N `tunform_netdev` resources (single-queue tun, one address each) in a fresh namespace per run, vs the same N as bare `terraform_data` resources (same input values, no provisioners) plus the kernel work done by `ip -n NS -batch` (tuntap add + address add + link set up; link del for destroy; for plan, the two `ip -j` dumps). Offline, from a mirror filled by `tunform install-provider`; default -parallelism (10).',
    ns: [100, 1000],
  },
  'provider-kc': {
    run: caseProviderKeep,
    describe:
      'The same with multiQueue + keepCarrier; the apply floor holds the fds with bench/floor-hold.c (as apply-kc) instead of ip tuntap add.',
    ns: [1000],
  },
  'provider-td': {
    run: caseProviderBackend,
    describe:
      "The batched `terraform_data` backend of the constructs (`TunformHost` with `backend: 'terraform_data'`): the cdktf stack of N `TunNetdev` (single-queue tun, one address each; test/e2e/apps/devices.ts, synthesized once, untimed) where one applier resource applies the whole host through one `tunform apply` (local-exec) and the per-device resources only record their spec: `terraform apply`, an in-sync `terraform plan -detailed-exitcode` and `terraform destroy` in a fresh namespace per run, vs the same floor as provider (N bare `terraform_data` + `ip -n NS -batch`).",
    ns: [100, 1000],
  },
  drift: {
    run: caseDrift,
    ns: [1, 100, 1000, 10000],
    describe:
      '`tunform drift` on an in-sync namespace of N single-queue tun devices with one address each, vs the floor `sh -c \'ip -n NS -d -j link show >/dev/null; ip -n NS -j addr show >/dev/null; node -e 0\'` (the two dumps tunform read until it took one `ip -d -j addr show`, plus a Node start; the floor is kept as it was defined). Peak RSS of the drift process from wait4 (bench/rusage.c), next to `node -e 0`.',
  },
  noop: {
    run: caseNoop,
    describe: '`tunform apply` with nothing to do on the same kind of in-sync namespace, vs `tunform drift` on it.',
  },
  apply: {
    run: caseApply,
    ns: [1, 100, 1000, 10000],
    describe:
      '`tunform apply` from nothing (N tun devices: create, one address, up; no keepCarrier) in a fresh namespace per run, vs one `ip -n NS -batch FILE` doing `tuntap add`, `address add`, `link set up` in another fresh namespace.',
  },
  destroy: {
    run: caseDestroy,
    ns: [1000, 10000],
    describe:
      '`tunform destroy` of N single-queue tun devices (one address each, up) that `tunform apply` made (not timed), in a fresh namespace per run, vs one `ip -n NS -batch FILE` of `link del` for N devices that `ip -batch` made in another fresh namespace.',
  },
  'apply-kc': {
    run: caseApplyKeep,
    describe:
      'the same with multiQueue + keepCarrier, vs bench/floor-hold.c (one process: open, TUNSETIFF multi-queue, TUNSETQUEUE IFF_DETACH_QUEUE, keep N fds; timed until it prints ready) plus `ip -batch` for the addresses and link up.',
  },
  change: {
    run: caseChange,
    describe:
      'one device\'s address changed out of N (apply alternates between two specs differing in one address). The ratio is t(N)/t(1); it passes when t(N) − t(1) is below the cost of N spawns of `ip` measured in the same run (i.e. apply does not grow like one process per device).',
  },
  'holder-mem': {
    run: caseHolderMem,
    describe:
      'PSS (/proc/PID/smaps_rollup) of every `tunform-holder` process in the namespace after applying N multiQueue + keepCarrier devices, vs floor-hold holding N fds.',
  },
  networkd: {
    run: caseNetworkd,
    describe:
      'systemd-networkd (Debian 12, v252) in a namespace, set up as in FACTS.md, with N KeepCarrier multi-queue tun devices with an address each: time from start until every device has its address and carrier (polling `ip -n NS -j addr`), and networkd\'s RSS/PSS once done, side by side with tunform\'s apply from nothing (keepCarrier) and holder memory measured in the same run.',
    ns: [1, 100, 1000],
  },
  'plugin-start': {
    run: casePluginStart,
    describe:
      'the Terraform provider plugin as installed by `tunform install-provider` (launcher, bundle, code cache), started with the magic cookie and a client certificate: time until its handshake line, vs `node -e` printing one line, both through `env`.',
    ns: [1],
  },
  'plugin-rpc': {
    run: casePluginRpc,
    describe:
      'CPU time one gRPC call costs the installed plugin (ValidateResourceConfig for one tun device, 10 calls in flight, 2000 timed calls after 300 untimed, utime+stime from /proc) vs a bare node:http2 server with the same AutoMTLS answering an empty message: how much of the provider\'s per-call cost is Node\'s HTTP/2 and TLS, which every Node plugin pays.',
    ns: [2000],
  },
  fleet: {
    run: caseFleet,
    describe:
      'Two layouts of 4 hosts × N `tunform_netdev` (tun, one address each), one provider alias per host with `host = "ssh://..."`, vs the slowest of the 4 single-host applies of N measured in the same run: one `terraform apply` of all 4 hosts in one state, and one root module and state per host (the single-host configurations themselves) applied by 4 `terraform apply` processes side by side (the layout docs/terraform.md recommends for large fleets). Hosts are namespaces joined to a hub namespace by veth pairs, each with a real sshd (throwaway keys), sharing the machine\'s cores with Terraform; Terraform runs in the hub, the remote tunform is this checkout. -parallelism is 10 per host everywhere (40 for the one-state fleet). Between runs the devices are deleted with `ip -batch` and the state removed; the order of the three rotates per run. Two more rows time Terraform alone in the same way: 4 × N bare `terraform_data` (same inputs) in one state, and in 4 states side by side, vs N in one.',
    ns: [250],
  },
  'plugin-plan': {
    run: casePluginPlan,
    describe:
      '`terraform plan` of one `tunform_netdev` (a tun device with one address, in a throwaway namespace, not yet created) through the installed provider, vs `terraform plan` of one bare `terraform_data` with the same input; both initialized once, offline.',
    ns: [1],
  },
  traffic: {
    run: caseTraffic,
    describe:
      'N=100 KeepCarrier multi-queue devices, one reader (test/fixtures-c/tun-reader.c) on each, 100 UDP flows (distinct source ports) sent to each device\'s subnet; delivered/sent for tunform and for networkd.',
    ns: [100],
  },
};

function parseArgs(argv: string[]): { cases: string[]; ns?: number[]; runs: number; write: boolean; render: boolean } {
  const cases: string[] = [];
  let ns: number[] | undefined;
  let runs = 5;
  let write = true;
  let render = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const val = () => {
      const v = a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--n' || a.startsWith('--n=')) ns = val().split(',').map(Number);
    else if (a === '--runs' || a.startsWith('--runs=')) runs = Number(val());
    else if (a === '--no-write') write = false;
    else if (a === '--render') render = true;
    else if (a === '--help' || a === '-h') {
      console.log(`usage: npm run bench -- [CASE...] [--n 1,100,1000] [--runs 5] [--no-write] | --render\ncases: ${Object.keys(CASES).join(', ')}`);
      process.exit(0);
    } else if (a.startsWith('-')) throw new Error(`unknown flag ${a}`);
    else if (!(a in CASES)) throw new Error(`unknown case '${a}' (cases: ${Object.keys(CASES).join(', ')})`);
    else cases.push(a);
  }
  if (ns && ns.some((x) => !Number.isInteger(x) || x < 1 || x > 10000)) throw new Error('--n takes integers 1..10000');
  if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs takes a positive integer');
  if (render && (cases.length > 0 || ns !== undefined)) throw new Error('--render measures nothing: give it no case and no --n');
  return { cases: cases.length ? cases : Object.keys(CASES), ...(ns ? { ns } : {}), runs, write, render };
}

/** Merges rows into bench/results/latest.json and regenerates docs/benchmarks.md. */
export function writeResults(rows: Row[], m: ReturnType<typeof machine>, commandLine = `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim()): void {
  if (rows.length === 0) return;
  const merged = mergeResults(rows, { ...m, commandLine }, Object.keys(CASES));
  writeDoc(merged.rows, m, descriptions(), commandLine);
}

const descriptions = (): Record<string, string> => Object.fromEntries(Object.entries(CASES).map(([k, v]) => [k, v.describe]));

/** --render: the document again from what is stored, with the stored run's header. */
function render(): number {
  const stored = readStored();
  if (!stored) {
    console.error('bench: nothing measured yet (no bench/results/latest.json)');
    return 1;
  }
  writeDoc(stored.rows, stored.machine, descriptions(), stored.machine.commandLine ?? 'npm run bench');
  console.log('wrote docs/benchmarks.md');
  return 0;
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  if (args.render) return render();
  if (process.getuid?.() !== 0) {
    console.error('bench: needs root (it creates network namespaces and tun devices)');
    return 1;
  }
  ensureBuilt();
  const m = machine();
  const rows: Row[] = [];
  const t0 = Date.now();
  const log = (s: string) => console.error(`[${((Date.now() - t0) / 1000).toFixed(0).padStart(4)} s] ${s}`);
  let failed = false;
  for (const id of args.cases) {
    const def = CASES[id]!;
    const ns = args.ns ?? def.ns ?? [1, 100, 1000];
    log(`case ${id}: N=${ns.join(',')}, runs=${args.runs}`);
    try {
      const got = await def.run({ ns, runs: args.runs, log });
      for (const r of got) r.date = m.date;
      rows.push(...got);
      printTable(got);
      // Written after each case, so a long run stopped later keeps what it measured.
      if (args.write) writeResults(got, m);
    } catch (e) {
      failed = true;
      console.error(`case ${id} failed: ${(e as Error).stack ?? e}`);
    } finally {
      cleanupAll();
    }
  }
  log('done');
  console.log('');
  printTable(rows);
  if (args.write && rows.length > 0) console.log('\nwrote docs/benchmarks.md');
  return failed ? 1 : 0;
}

// Imported (to reuse CASES or writeResults), it only defines them.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) void main().then(
  (code) => {
    cleanupAll();
    process.exitCode = code;
  },
  (e) => {
    console.error(`bench: ${(e as Error).message}`);
    cleanupAll();
    process.exitCode = 1;
  },
);
