/**
 * `tunform holder restart`: the holder hands every fd to a successor over its
 * socket (SCM_RIGHTS) and exits; no fd is closed in between. Checked against
 * the kernel: carrier sampled every couple of milliseconds inside the
 * namespace across 20 restarts with a reader attached (no sample without
 * carrier), flows sent all through the restarts all reach the reader (the
 * successor's queue stays detached), and a restart onto a freshly built
 * helper binary.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readlinkSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot, requireBuiltCli, runTunform, SpecDir, specYaml } from '../support/cli.js';
import { createNetns, destroyNetns } from '../support/netns.js';
import { buildReader, holderProcesses, infoData, link, Reader, UDP_PORT } from '../support/traffic.js';
import { skipUnlessRoot } from '../support/require-root.js';
import { nodeInNetns, pollCarrier, type CarrierSamples } from '../support/carrier.js';

const DEV = 'hr0';
/** Kept but with no reader: only the holder's fd gives it carrier, so a dropped fd shows here. */
const BARE = 'hr1';
const RESTARTS = 20;
const SAMPLE_EVERY_MS = 2;
const FLOW_EVERY_MS = 5;

let ns = '';
let dir: SpecDir;
let work = '';
let readerBuild: { bin: string; cleanup: () => void };

/** One datagram every few ms, each from its own socket (its own flow), until STOP exists. */
const flowSender = (stop: string) => `
  const fs = require('node:fs');
  const dgram = require('node:dgram');
  let sent = 0, failed = 0, pending = 0, stopping = false;
  console.log('sending');
  const finish = () => { if (stopping && pending === 0) console.log(JSON.stringify({ sent, failed })); };
  const timer = setInterval(() => {
    if (fs.existsSync(${JSON.stringify(stop)})) { stopping = true; clearInterval(timer); finish(); return; }
    const s = dgram.createSocket('udp4');
    pending++;
    s.send(Buffer.from('restart ' + sent), ${UDP_PORT}, '172.31.0.2', (e) => {
      if (e) failed++; else sent++;
      s.close(); pending--; finish();
    });
  }, ${FLOW_EVERY_MS});`;

describe.skipIf(skipUnlessRoot())('acceptance: holder restart without a carrier drop', () => {
  beforeAll(() => {
    requireBuiltCli();
    readerBuild = buildReader();
    dir = new SpecDir('holder-restart');
    work = mkdtempSync(join(tmpdir(), 'tunform-hr-'));
    ns = createNetns('hr');
  });
  afterAll(() => {
    destroyNetns(ns);
    dir?.remove();
    readerBuild?.cleanup();
    rmSync(work, { recursive: true, force: true });
  });

  it(`GIVEN a kept multi-queue device with a reader WHEN the holder is restarted ${RESTARTS} times and once onto a new helper build THEN carrier never drops and every flow reaches the reader`, async () => {
    const file = dir.write(
      'hr.yaml',
      specYaml(
        [
          { name: DEV, mode: 'tun', multiQueue: true, keepCarrier: true, addresses: ['172.31.0.1/24'] },
          { name: BARE, mode: 'tun', multiQueue: true, keepCarrier: true },
        ],
        ns,
      ),
    );
    const apply = await runTunform(['apply', '-f', file]);
    expect(apply.code, apply.stderr).toBe(0);
    const ifindex = link(ns, DEV).ifindex;
    const reader = await Reader.start(readerBuild.bin, ns, DEV);
    // A freshly built helper, as after an upgrade: a different binary at a different path.
    const newBuild = join(work, 'build');
    execFileSync('make', ['-s', '-C', join(repoRoot, 'helper'), `BUILD=${newBuild}`], { stdio: 'ignore' });
    const newHelper = join(newBuild, 'tunform-helper');

    const stop = join(work, 'stop');
    const poller = await pollCarrier(ns, [DEV, BARE], stop, SAMPLE_EVERY_MS);
    const sender = nodeInNetns<{ sent: number; failed: number }>(ns, flowSender(stop));
    await sender.started;
    const pids: number[] = [];
    let carrier: CarrierSamples;
    try {
      let [previous] = holderProcesses(ns);
      expect(previous).toBeDefined();
      // The helper's holder-restart is what `tunform holder restart` runs; called directly, 20 restarts fit in the sampling window cheaply.
      for (let i = 0; i < RESTARTS - 1; i++) {
        const out = execFileSync(join(repoRoot, 'helper', 'build', 'tunform-helper'), ['--netns', ns, 'holder-restart'], { encoding: 'utf8' });
        const next = Number(/^ok holder (\d+)$/m.exec(out)?.[1]);
        expect(next).not.toBe(previous);
        pids.push(next);
        previous = next;
      }
      const r = await runTunform(['holder', 'restart', '--netns', ns, '--json']);
      expect(r.code, r.stderr).toBe(0);
      const doc = JSON.parse(r.stdout) as { oldPid: number; newPid: number };
      expect(doc.oldPid).toBe(previous);
      expect(doc.newPid).not.toBe(previous);
      pids.push(doc.newPid);
      const up = await runTunform(['holder', 'restart', '--netns', ns, '--json'], { env: { TUNFORM_HELPER: newHelper } });
      expect(up.code, up.stderr).toBe(0);
      const upgraded = (JSON.parse(up.stdout) as { newPid: number }).newPid;
      expect(realpathSync(readlinkSync(`/proc/${upgraded}/exe`))).toBe(realpathSync(newHelper));
    } finally {
      carrier = await poller.stop();
    }
    const flows = await sender.result();

    expect(new Set(pids).size).toBe(RESTARTS);
    expect(carrier.samples).toBeGreaterThan(RESTARTS * 10); // it sampled all along, not once
    expect(carrier.down).toBe(0);
    expect(flows.failed).toBe(0);
    expect(flows.sent).toBeGreaterThan(0);
    expect(await reader.settle(flows.sent)).toBe(flows.sent);
    await reader.kill();

    // One holder, the new build's; same device, queue still detached, carrier kept without the reader.
    const holders = holderProcesses(ns);
    expect(holders).toHaveLength(1);
    expect(realpathSync(readlinkSync(`/proc/${holders[0]}/exe`))).toBe(realpathSync(newHelper));
    expect(link(ns, DEV).ifindex).toBe(ifindex);
    expect(infoData(ns, DEV)).toMatchObject({ numdisabled: 1 });
    expect(link(ns, DEV).flags).toContain('LOWER_UP');
    expect(link(ns, BARE).flags).toContain('LOWER_UP');
    const drift = await runTunform(['drift', '-f', file]);
    expect(drift.code, drift.stdout + drift.stderr).toBe(0);
  });

  it('GIVEN no holder runs WHEN restarted THEN it says so and exits 0', async () => {
    const empty = createNetns('hr0');
    try {
      const r = await runTunform(['holder', 'restart', '--netns', empty]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toBe(`No holder runs in netns '${empty}'; nothing to restart.\n`);
    } finally {
      destroyNetns(empty);
    }
  });
});
