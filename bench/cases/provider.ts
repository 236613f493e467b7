/**
 * The Terraform provider plugin: its start-up (paid 3 to 5 times per
 * terraform command) and a one-resource `terraform plan` through it.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServerCertificate } from '../../src/provider/protocol/server-cert.js';
import { MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE } from '../../src/provider/protocol/handshake.js';
import { PROVIDER_SOURCE } from '../../src/provider/address.js';
import { mirrorCliConfig, pluginExecutableName, pluginFolder } from '../../src/provider/install.js';
import { paired, run, spawnUntil, stats, stop, timeRun, tunform, withNetns, work } from '../lib/env.js';
import type { Row } from '../lib/report.js';
import type { Ctx } from './core.js';

const VERSION_RE = /version = "([^"]+)"/;

/** Installs the plugin with the real `tunform install-provider --dir` and returns the mirror, version and launcher. */
export function install(): { mirror: string; version: string; launcher: string } {
  const mirror = join(work(), 'tf-mirror');
  const out = run(tunform('install-provider', '--dir', mirror));
  const version = VERSION_RE.exec(out)?.[1];
  if (!version) throw new Error(`install-provider printed no version:\n${out}`);
  return { mirror, version, launcher: join(pluginFolder(mirror, version), pluginExecutableName(version)) };
}

const HANDSHAKE_MARK = '|grpc|';

export async function casePluginStart(ctx: Ctx): Promise<Row[]> {
  const { launcher } = install();
  const clientCert = createServerCertificate().certPem;
  const env = ['env', `${MAGIC_COOKIE_KEY}=${MAGIC_COOKIE_VALUE}`, 'PLUGIN_PROTOCOL_VERSIONS=5,6', `PLUGIN_CLIENT_CERT=${clientCert}`];
  const startPlugin = async () => {
    const { child, ms } = await spawnUntil([...env, launcher], HANDSHAKE_MARK);
    await stop(child, 'SIGTERM');
    return ms;
  };
  const startNode = async () => {
    const { child, ms } = await spawnUntil([...env, process.execPath, '-e', `process.stdout.write('1|6|unix|x${HANDSHAKE_MARK}\\n'); setInterval(() => {}, 1000)`], HANDSHAKE_MARK);
    await stop(child, 'SIGTERM');
    return ms;
  };
  const t = await paired(Math.max(ctx.runs, 11), startPlugin, startNode);
  const s = stats(t.subject);
  const b = stats(t.baseline);
  return [
    {
      case: 'plugin-start',
      metric: 'time to handshake line',
      n: 1,
      unit: 'ms',
      subjectLabel: 'installed terraform-provider-tunform (launcher, bundle, code cache, cert, socket)',
      subject: s,
      baselineLabel: 'node -e printing one line',
      baseline: b,
      ratio: s.median / b.median,
      target: 'informational',
      pass: null,
      runs: s.n,
    },
  ];
}

/** `terraform plan` of one tunform_netdev in a throwaway namespace, vs one bare terraform_data. */
export async function casePluginPlan(ctx: Ctx): Promise<Row[]> {
  const { mirror, version } = install();
  const root = join(work(), 'tf-plan');
  const home = join(root, 'home');
  mkdirSync(home, { recursive: true });
  const cliConfig = join(root, 'terraform.rc');
  writeFileSync(cliConfig, mirrorCliConfig(mirror));
  const env = { ...process.env, HOME: home, TF_CLI_CONFIG_FILE: cliConfig, CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1' };
  return withNetns('tfplan', async (ns) => {
    const dirs = { provider: join(root, 'provider'), bare: join(root, 'bare') };
    mkdirSync(dirs.provider, { recursive: true });
    mkdirSync(dirs.bare, { recursive: true });
    writeFileSync(
      join(dirs.provider, 'main.tf'),
      `terraform {\n  required_providers {\n    tunform = {\n      source  = "${PROVIDER_SOURCE}"\n      version = "${version}"\n    }\n  }\n}\nprovider "tunform" {\n  netns = "${ns}"\n}\nresource "tunform_netdev" "d" {\n  name      = "bt0"\n  mode      = "tun"\n  addresses = ["10.64.0.1/24"]\n}\n`,
    );
    writeFileSync(join(dirs.bare, 'main.tf'), `resource "terraform_data" "d" {\n  input = { name = "bt0", mode = "tun", addresses = ["10.64.0.1/24"] }\n}\n`);
    const tf = (dir: string, ...args: string[]) => ['terraform', `-chdir=${dir}`, ...args];
    for (const dir of Object.values(dirs)) timeRun(tf(dir, 'init', '-input=false'), { env });
    ctx.log('plugin-plan: timing terraform plan');
    const t = await paired(
      ctx.runs,
      () => timeRun(tf(dirs.provider, 'plan', '-input=false', '-lock=false'), { env }),
      () => timeRun(tf(dirs.bare, 'plan', '-input=false', '-lock=false'), { env }),
    );
    const s = stats(t.subject);
    const b = stats(t.baseline);
    return [
      {
        case: 'plugin-plan',
        metric: 'terraform plan, 1 resource',
        n: 1,
        unit: 'ms',
        subjectLabel: 'tunform_netdev through the provider',
        subject: s,
        baselineLabel: 'bare terraform_data',
        baseline: b,
        ratio: s.median / b.median,
        target: 'informational',
        pass: null,
        runs: s.n,
      },
    ];
  });
}
