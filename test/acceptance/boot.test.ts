/**
 * Boot: the shipped unit installs, passes `systemd-analyze verify`, and its
 * exact ExecStart, run in a throwaway namespace with a temporary config
 * directory (YAML specs, one invalid, and a synthesized stack), applies every
 * valid spec and fails visibly on the invalid one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Testing, TerraformStack } from 'cdktf';
import { TunformHost, TunNetdev } from '../../constructs/index.js';
import { repoRoot, requireBuiltCli, runTunform, specYaml } from '../support/cli.js';
import { createNetns, destroyNetns } from '../support/netns.js';
import { link } from '../support/traffic.js';
import { skipUnlessRoot } from '../support/require-root.js';

let ns = '';
let work = '';

/** The values of `Key=` lines in a unit file. */
const unitValues = (text: string, key: string): string[] =>
  text.split('\n').filter((l) => l.startsWith(`${key}=`)).map((l) => l.slice(key.length + 1));

describe.skipIf(skipUnlessRoot())('boot: tunform.service and apply-all', () => {
  beforeAll(() => {
    requireBuiltCli();
    work = mkdtempSync(join(tmpdir(), 'tunform-boot-'));
    ns = createNetns('boot');
  });
  afterAll(() => {
    destroyNetns(ns);
    rmSync(work, { recursive: true, force: true });
  });

  it('GIVEN install-units --prefix WHEN the units are verified by systemd-analyze THEN none has an error or a warning', async () => {
    const r = await runTunform(['install-units', '--prefix', join(work, 'prefix')]);
    expect(r.code, r.stderr).toBe(0);
    const unit = join(work, 'prefix', 'lib', 'systemd', 'system', 'tunform.service');
    const text = readFileSync(unit, 'utf8');
    expect(text).not.toMatch(/@[A-Z_]+@/);
    expect(unitValues(text, 'Before')).toEqual(['network-pre.target shutdown.target']);
    // The holder template is verified as an instance, as systemd would load it.
    const units = join(work, 'prefix', 'lib', 'systemd', 'system');
    copyFileSync(join(units, 'tunform-holder@.service'), join(units, 'tunform-holder@lab.service'));
    for (const u of ['tunform.service', 'tunform-holder.service', 'tunform-holder@lab.service']) {
      const v = spawnSync('systemd-analyze', ['verify', join(units, u)], { encoding: 'utf8' });
      expect(v.status, `${u}: ${v.stderr}`).toBe(0);
      expect(v.stderr.trim(), u).toBe('');
    }
    expect(readFileSync(join(units, 'tunform-holder@lab.service'), 'utf8')).toMatch(/^ExecStart=\/\S+ --netns %i holder-service$/m);
  });

  it('GIVEN a copy of the package in a directory others can write WHEN root runs install-units THEN it refuses naming that directory and installs nothing; the same copy made root-only installs', () => {
    // GIVEN what install-units and the units use from the package, copied below a directory anyone may write (not sticky)
    const open = join(work, 'open');
    const pkg = join(open, 'pkg');
    for (const rel of ['package.json', 'bin', 'dist/tunform.cjs', 'dist/tunform.cjs.cache', 'systemd', 'helper/build/tunform-helper']) {
      cpSync(join(repoRoot, rel), join(pkg, rel), { recursive: true });
    }
    chmodSync(open, 0o777);
    const env = { ...process.env };
    delete env.TUNFORM_HELPER;
    const install = (prefix: string) => spawnSync(process.execPath, [join(pkg, 'bin', 'tunform.js'), 'install-units', '--prefix', prefix], { encoding: 'utf8', env });
    // WHEN root installs the units from it
    const refused = install(join(work, 'prefix-open'));
    // THEN a permission error (exit 3) names the directory, and no unit exists
    expect(refused.status, refused.stderr).toBe(3);
    expect(refused.stderr).toContain(`refusing to install units that make systemd run ${join(pkg, 'bin', 'tunform.js')} as root: ${open} is writable by others (mode 0777); nothing was installed`);
    expect(existsSync(join(work, 'prefix-open'))).toBe(false);
    // AND once only root can write there, the same copy installs, and the units run that copy
    chmodSync(open, 0o755);
    const ok = install(join(work, 'prefix-closed'));
    expect(ok.status, ok.stderr).toBe(0);
    const unit = readFileSync(join(work, 'prefix-closed', 'lib', 'systemd', 'system', 'tunform.service'), 'utf8');
    expect(unitValues(unit, 'ExecStart')).toEqual([`${process.execPath} ${join(pkg, 'bin', 'tunform.js')} apply-all`]);
  });

  it("GIVEN a config dir with two valid YAML specs, one invalid one and a stack WHEN the unit's ExecStart runs in a namespace THEN the valid ones are applied and it exits 1 naming the invalid one", async () => {
    const text = readFileSync(join(work, 'prefix', 'lib', 'systemd', 'system', 'tunform.service'), 'utf8');
    const [execStart] = unitValues(text, 'ExecStart');
    const [environment] = unitValues(text, 'Environment');
    expect(environment).toBe('TUNFORM_CONFIG_DIR=/etc/tunform');

    const conf = join(work, 'conf');
    mkdirSync(join(conf, 'stacks', 'st'), { recursive: true });
    writeFileSync(join(conf, '10-vpn.yaml'), specYaml([{ name: 'bt0', mode: 'tun', multiQueue: true, keepCarrier: true, addresses: ['172.31.9.1/24'] }]));
    writeFileSync(join(conf, '20-bad.yaml'), 'devices:\n  - name: bt-bad\n    mode: tun\n    mtu: 5\n');
    writeFileSync(join(conf, '30-lab.yml'), specYaml([{ name: 'bt2', mode: 'tap' }]));
    writeFileSync(join(conf, 'helper.acl'), '# not a spec: ignored\n');
    const stack = new TerraformStack(Testing.app(), 'st');
    new TunformHost(stack, 'host', {});
    new TunNetdev(stack, 'bt1', { name: 'bt1', mode: 'tap', vnetHeader: true, mtu: 9000 });
    writeFileSync(join(conf, 'stacks', 'st', 'cdk.tf.json'), Testing.synth(stack));

    // The unit's exact command; only the directory its Environment= names is swapped for the temporary one.
    const argv = execStart!.split(' ');
    const r = spawnSync('ip', ['netns', 'exec', ns, ...argv], {
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1', TUNFORM_CONFIG_DIR: conf },
    });
    expect(r.status, r.stderr).toBe(1);
    expect(r.stdout).toContain(`ok ${join(conf, '10-vpn.yaml')}: `);
    expect(r.stdout).toContain(`failed ${join(conf, '20-bad.yaml')}: spec file '${join(conf, '20-bad.yaml')}' is invalid`);
    expect(r.stdout).toContain(`ok ${join(conf, '30-lab.yml')}: `);
    expect(r.stdout).toContain(`ok ${join(conf, 'stacks', 'st')}: `);
    expect(r.stdout).toContain('apply-all: 3 of 4 spec(s) applied, 1 failed');
    expect(r.stderr).toContain(`${join(conf, '20-bad.yaml')}:4:`);
    expect(r.stderr).toContain('mtu');

    expect(link(ns, 'bt0').flags).toContain('LOWER_UP'); // held by the holder: carrier with no reader
    expect(link(ns, 'bt1').mtu).toBe(9000);
    expect(link(ns, 'bt2').linkinfo?.info_data?.type).toBe('tap');
    expect(() => link(ns, 'bt-bad')).toThrow();
    const drift = await runTunform(['drift', '--no-prune', '-f', join(conf, '10-vpn.yaml'), '--netns', ns]);
    expect(drift.code, drift.stdout + drift.stderr).toBe(0);

    // Run again (a unit restart): every spec is already applied, nothing changes.
    writeFileSync(join(conf, '20-bad.yaml'), specYaml([{ name: 'bt3' }]));
    const again = spawnSync('ip', ['netns', 'exec', ns, ...argv], { encoding: 'utf8', env: { ...process.env, TUNFORM_CONFIG_DIR: conf } });
    expect(again.status, again.stderr).toBe(0);
    expect(again.stdout).toContain(`ok ${join(conf, '10-vpn.yaml')}: no changes`);
    expect(again.stdout).toContain('apply-all: 4 of 4 spec(s) applied');
  });

  it('GIVEN a config dir that does not exist WHEN apply-all runs THEN it says so and exits 0', async () => {
    const missing = join(work, 'none');
    const r = await runTunform(['apply-all', '--config-dir', missing]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`tunform: no specs in ${missing} (it does not exist); nothing to apply\n`);
  });
});
