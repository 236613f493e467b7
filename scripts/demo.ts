/**
 * `npm run demo`: tunform's main job end to end, in a throwaway network
 * namespace. Installs tunform's Terraform provider into a temporary mirror
 * and deploys examples/vpn-keepcarrier through it with the real `cdktf
 * deploy` (terraform from PATH; no network), attaches a reader to the multi-queue tun device,
 * sends 200 UDP flows through it and prints how many arrived (the holder's
 * queue is detached, so all of them should), shows `tunform show` and
 * `tunform drift --synth`, then destroys the stack and removes the namespace,
 * also when a step fails.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createNetns, destroyNetns, isRoot } from '../test/support/netns.js';
import { REPO_ROOT, buildReader, cdktfProject, sendUdp, startReader, summarize, terraformVersion, tunform, type Reader } from '../test/e2e/support/cdktf.js';

const FLOWS = 200;
const STACK = 'vpn-keepcarrier';
const DEVICE = 'tun-test';
const PEER = '172.31.0.2';

const say = (line = '') => process.stdout.write(`${line}\n`);
const indent = (text: string) =>
  text
    .trimEnd()
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n');

async function main(): Promise<number> {
  if (!isRoot()) {
    process.stderr.write('demo: must be run as root: it creates a network namespace and tun devices (try: sudo npm run demo)\n');
    return 1;
  }
  const tf = terraformVersion();
  if (!tf.ok) {
    process.stderr.write(`demo: ${tf.reason}\n`);
    return 1;
  }
  const helper = join(REPO_ROOT, 'helper', 'build', 'tunform-helper');
  const cli = await tunform(['--version']);
  if (cli.code !== 0 || !existsSync(helper)) {
    process.stderr.write(
      `demo: tunform is not built (${
        cli.code !== 0 ? cli.stderr.trim().split('\n')[0] : `${helper} is missing`
      }): run 'npm install' (or 'npm run build') first\n`
    );
    return 1;
  }

  const netns = createNetns('demo');
  const project = cdktfProject(join(REPO_ROOT, 'examples', STACK, 'main.ts'), { TUNFORM_NETNS: netns });
  let reader: Reader | undefined;
  let deployed = false;
  let status = 0;
  say(`tunform demo: terraform ${tf.version}, namespace ${netns}, working directory ${project.dir}`);
  try {
    say(`\n1. cdktf deploy examples/${STACK}: a tunform_netdev resource of tunform's own Terraform provider (installed offline into the working directory) for the multi-queue tun '${DEVICE}', keepCarrier, 172.31.0.1/24`);
    const deploy = await project.deploy();
    deployed = true;
    for (const l of summarize(deploy)) say(`    ${l}`);
    if (deploy.code !== 0) throw new Error(`cdktf deploy failed (exit ${deploy.code}):\n${indent(deploy.stderr || deploy.stdout)}`);

    say(`\n2. attach a reader to '${DEVICE}' and send ${FLOWS} UDP datagrams from distinct source ports to ${PEER}`);
    const readerBin = buildReader(project.dir);
    reader = await startReader(readerBin, netns, DEVICE);
    sendUdp(netns, PEER, FLOWS);
    const delivered = await reader.settle(FLOWS);
    say(`    delivered ${delivered}/${FLOWS} to the reader (the holder's detached queue took none)`);
    if (delivered !== FLOWS) status = 1;

    say(`\n3. tunform show --netns ${netns}`);
    const show = await tunform(['show', '--netns', netns]);
    say(indent(show.stdout || show.stderr));

    say(`\n4. tunform drift --synth ${project.stackDir(STACK)}`);
    const drift = await tunform(['drift', '--synth', project.stackDir(STACK)]);
    say(indent(drift.stdout + drift.stderr));
    say(`    exit ${drift.code} (${drift.code === 0 ? 'in sync' : drift.code === 2 ? 'drift' : 'error'})`);
    if (drift.code !== 0) status = 1;

    await reader.stop();
    reader = undefined;
  } catch (e) {
    process.stderr.write(`demo: ${e instanceof Error ? e.message : String(e)}\n`);
    status = 1;
  } finally {
    if (reader) await reader.stop().catch(() => 0);
    if (deployed) {
      say('\n5. cdktf destroy');
      const destroy = await project.destroy();
      for (const l of summarize(destroy)) say(`    ${l}`);
      if (destroy.code !== 0) {
        process.stderr.write(`demo: cdktf destroy failed (exit ${destroy.code}):\n${indent(destroy.stderr || destroy.stdout)}\n`);
        status = 1;
      }
    }
    destroyNetns(netns);
    project.remove();
    say(`\nremoved namespace ${netns} and the working directory`);
  }
  say(status === 0 ? '\ndemo: OK' : '\ndemo: FAILED');
  return status;
}

process.exitCode = await main();
