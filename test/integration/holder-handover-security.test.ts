/**
 * Hand-over is root's: a holder gives every device fd it has to whoever takes
 * it over, so a local user must never be able to ask for it. Attacked as a
 * real unprivileged user (nobody) through the holder's world-connectable
 * socket and through a real setuid copy of the helper.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBuiltCli, runTunform, SpecDir, specYaml } from '../support/cli.js';
import { createNetns, destroyNetns } from '../support/netns.js';
import { holderProcesses } from '../support/traffic.js';
import { installSetuidHelper, runAsNobody, type SetuidHelper } from '../support/setuid.js';
import { skipUnlessRoot } from '../support/require-root.js';
import { holderRequest } from '../../src/sys/holder-session.js';
import { holderSocketPath } from '../../src/sys/paths.js';

let ns = '';
let dir: SpecDir;
let h: SetuidHelper;

describe.skipIf(skipUnlessRoot())('security: only root may take over a holder', () => {
  beforeAll(async () => {
    requireBuiltCli();
    ns = createNetns('hsec');
    dir = new SpecDir('hsec');
    h = installSetuidHelper(`allow user nobody devices * netns ${ns}\n`);
    const r = await runTunform(['apply', '-f', dir.write('k.yaml', specYaml([{ name: 'hs0', mode: 'tun', multiQueue: true, keepCarrier: true }], ns))]);
    expect(r.code, r.stderr).toBe(0);
  });
  afterAll(() => {
    destroyNetns(ns);
    dir?.remove();
    h?.cleanup();
  });

  it('GIVEN a running holder WHEN nobody sends handover on its socket THEN it is refused and the holder keeps its fds', async () => {
    const [before] = holderProcesses(ns);
    const script = `
      const c = require('node:net').connect(${JSON.stringify(holderSocketPath(ns))});
      let out = '';
      c.on('data', (d) => { out += d; if (out.includes('\\n')) { process.stdout.write(out); c.end(); } });
      c.write('handover\\n');`;
    const r = runAsNobody([process.execPath, '-e', script]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('error handover -: only root may take over the holder\n');
    expect(holderProcesses(ns)).toEqual([before]);
    expect(await holderRequest(ns, ['list'])).toEqual(['ok list hs0']);
  });

  it('GIVEN the setuid helper WHEN nobody asks it for holder-restart or holder-service THEN each is refused with its message', () => {
    const restart = runAsNobody([h.helper, '--netns', ns, 'holder-restart']);
    expect(restart.code).toBe(1);
    expect(restart.stderr).toBe('tunform-helper: holder-restart is refused in setuid mode: only root may replace the holder\n');
    const service = runAsNobody([h.helper, '--netns', ns, 'holder-service']);
    expect(service.code).toBe(1);
    expect(service.stderr).toBe('tunform-helper: holder-service is refused in setuid mode: systemd runs it as root\n');
  });
});
