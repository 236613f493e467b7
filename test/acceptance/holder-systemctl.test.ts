/**
 * With systemd running the machine and tunform-holder@.service installed, an
 * apply starts the namespace's holder through `systemctl start` on the
 * systemd-escaped instance. PID 1 is not systemd on the test machines: a fake
 * systemctl records its calls and runs the unit's ExecStart under
 * test/fixtures-py/fake-systemd.py (notify, fd store); $TUNFORM_SYSTEMD_RUN_DIR
 * stands in for /run/systemd/system. The CLI, helper and kernel are real.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot, requireBuiltCli, runTunform, SpecDir, specYaml } from '../support/cli.js';
import { createNetns, destroyNetns } from '../support/netns.js';
import { holderProcesses, link } from '../support/traffic.js';
import { skipUnlessRoot } from '../support/require-root.js';
import { systemdEscape } from '../../src/boot/holder-start-mode.js';

let ns = '';
let work = '';
let specs: SpecDir | undefined;

/** systemctl start UNIT: ExecStart of tunform-holder@.service with %i = NS, under fake-systemd, until READY=1. */
const fakeSystemctl = (w: string, helper: string, netns: string): string => `#!/bin/bash
echo "$*" >> '${w}/calls'
[ "$1" = start ] || exit 1
mkfifo '${w}/ctl'
python3 '${join(repoRoot, 'test', 'fixtures-py', 'fake-systemd.py')}' '${w}/notify' -- '${helper}' --netns '${netns}' holder-service < '${w}/ctl' > '${w}/answers' 2> '${w}/stderr' &
# Keeps fake-systemd (and its fd store) alive after this systemctl returns, as PID 1 would.
# Nothing in the background keeps this script's stdout, so the caller sees systemctl end.
(exec 3> '${w}/ctl'; echo start >&3; echo ready >&3; exec sleep 300) < /dev/null > /dev/null 2>&1 &
echo $! > '${w}/keeper.pid'
for i in $(seq 100); do
  grep -q '^ready' '${w}/answers' && exit 0
  grep -q '^timeout' '${w}/answers' && exit 1
  sleep 0.1
done
exit 1
`;

describe.skipIf(skipUnlessRoot())('acceptance: the holder is started through systemctl when systemd runs the machine', () => {
  beforeAll(() => {
    requireBuiltCli();
    work = mkdtempSync(join(tmpdir(), 'tunform-systemctl-'));
    ns = createNetns('sdh');
    specs = new SpecDir('systemctl');
  });
  afterAll(() => {
    try {
      process.kill(Number(readFileSync(join(work, 'keeper.pid'), 'utf8')), 'SIGKILL');
    } catch {
      /* never started */
    }
    destroyNetns(ns);
    specs?.remove();
    rmSync(work, { recursive: true, force: true });
  });

  it('GIVEN the holder unit installed WHEN an apply needs a holder THEN it runs systemctl start on the escaped instance and uses the holder systemd started', async () => {
    const units = join(work, 'systemd');
    mkdirSync(units);
    writeFileSync(join(units, 'tunform-holder@.service'), '[Service]\n');
    const systemctl = join(work, 'systemctl');
    writeFileSync(systemctl, fakeSystemctl(work, join(repoRoot, 'helper', 'build', 'tunform-helper'), ns));
    chmodSync(systemctl, 0o755);
    const file = specs!.write('a.yaml', specYaml([{ name: 'sd0', mode: 'tun', multiQueue: true, keepCarrier: true }], ns));

    const r = await runTunform(['apply', '-f', file], { env: { TUNFORM_SYSTEMCTL: systemctl, TUNFORM_SYSTEMD_RUN_DIR: units } });

    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(join(work, 'calls'), 'utf8')).toBe(`start tunform-holder@${systemdEscape(ns)}.service\n`);
    expect(systemdEscape(ns)).toContain('\\x2d');
    const started = Number(/^started (\d+)$/m.exec(readFileSync(join(work, 'answers'), 'utf8'))![1]);
    expect(holderProcesses(ns)).toEqual([started]);
    expect(link(ns, 'sd0').flags).toContain('LOWER_UP');
  });

  it('GIVEN systemd absent WHEN an apply needs a holder THEN it starts the holder directly and calls no systemctl', async () => {
    const other = createNetns('sdd');
    try {
      const file = specs!.write('b.yaml', specYaml([{ name: 'sd1', mode: 'tun', multiQueue: true, keepCarrier: true }], other));
      const r = await runTunform(['apply', '-f', file], {
        env: { TUNFORM_SYSTEMCTL: join(work, 'systemctl'), TUNFORM_SYSTEMD_RUN_DIR: join(work, 'no-such-dir') },
      });
      expect(r.code, r.stderr).toBe(0);
      expect(readFileSync(join(work, 'calls'), 'utf8').split('\n').filter(Boolean)).toHaveLength(1);
      expect(holderProcesses(other)).toHaveLength(1);
    } finally {
      destroyNetns(other);
    }
  });
});
