/**
 * Cases 7 and 8: systemd-networkd as a peer, and a traffic check.
 *
 * networkd runs as FACTS.md describes: in a private mount namespace
 * (`unshare -m`) with a tmpfs over /run/systemd holding network/ (the
 * .netdev/.network files) and netif/ (owned by systemd-network, mode 0755),
 * a 0666 tun node bind-mounted over /dev/net/tun (networkd drops to the
 * systemd-network user, and /dev/net/tun is 0600 here), then under
 * `ip netns exec NS` with /sys remounted read-only so it does not wait for
 * udev. Nothing of this is visible outside that mount namespace, and the
 * network side lives in the throwaway namespace.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  BUILD_DIR,
  addrOf,
  createNetns,
  destroyNetns,
  devName,
  memKb,
  onCleanup,
  pidsByComm,
  run,
  sleep,
  spawnUntil,
  stats,
  stop,
  timeRun,
  tunform,
  work,
  writeSpec,
} from '../lib/env.js';
import type { Row } from '../lib/report.js';
import { NETWORKD, NETWORKD_ENV, networkdScript } from '../../test/support/networkd.js';
import type { Ctx } from './core.js';

export { NETWORKD };

function networkdConfig(dir: string, n: number): void {
  mkdirSync(dir, { recursive: true });
  for (let i = 0; i < n; i++) {
    const name = devName('bt', i);
    writeFileSync(
      join(dir, `10-${name}.netdev`),
      `[NetDev]\nName=${name}\nKind=tun\n\n[Tun]\nMultiQueue=yes\nKeepCarrier=yes\n`,
    );
    writeFileSync(
      join(dir, `10-${name}.network`),
      `[Match]\nName=${name}\n\n[Network]\nAddress=${addrOf(i)}/24\nLinkLocalAddressing=no\nIPv6AcceptRA=no\n`,
    );
  }
}

interface Networkd {
  child: ReturnType<typeof spawn>;
  log: string;
  stopNow: () => Promise<void>;
}

/** Starts networkd for NS with N devices configured. Returns at once; the caller polls. */
function startNetworkd(ns: string, n: number): Networkd {
  const conf = join(work(), `${ns}-networkd`);
  networkdConfig(conf, n);
  const log = join(work(), `${ns}-networkd.log`);
  const child = spawn('unshare', ['-m', '--propagation', 'private', 'sh', '-c', networkdScript(ns, conf)], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, ...NETWORKD_ENV },
  });
  let text = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (text += d));
  const dispose = onCleanup(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  const nd: Networkd = {
    child,
    get log() {
      return text;
    },
    stopNow: async () => {
      await stop(child, 'SIGTERM').catch(() => undefined);
      dispose();
      writeFileSync(log, text);
    },
  };
  return nd;
}

interface AddrLink {
  ifname: string;
  flags: string[];
  addr_info: { family: string; local: string; prefixlen: number }[];
}

/** Number of bt* devices that have their address and LOWER_UP. */
function readyCount(ns: string, n: number): number {
  const links = JSON.parse(run(['ip', '-n', ns, '-j', 'addr', 'show'])) as AddrLink[];
  let ok = 0;
  for (const l of links) {
    const m = /^bt(\d+)$/.exec(l.ifname);
    if (!m) continue;
    const i = Number(m[1]);
    if (i >= n || !l.flags.includes('LOWER_UP')) continue;
    if (l.addr_info.some((a) => a.family === 'inet' && a.local === addrOf(i))) ok++;
  }
  return ok;
}

/** Starts networkd in a fresh NS and resolves once all N devices are ready. Leaves it running; returns ns, ms and the process. */
async function networkdUp(n: number, timeoutMs = 180_000): Promise<{ ns: string; ms: number; nd: Networkd }> {
  const ns = createNetns('nd');
  const t0 = process.hrtime.bigint();
  const nd = startNetworkd(ns, n);
  const elapsed = () => Number(process.hrtime.bigint() - t0) / 1e6;
  let last = 0;
  try {
    for (;;) {
      if (nd.child.exitCode !== null) throw new Error(`systemd-networkd exited (${nd.child.exitCode}): ${nd.log.slice(-3000)}`);
      last = readyCount(ns, n);
      if (last >= n) return { ns, ms: elapsed(), nd };
      if (elapsed() > timeoutMs) throw new Error(`systemd-networkd: only ${last}/${n} devices ready after ${timeoutMs} ms: ${nd.log.slice(-3000)}`);
      await sleep(n >= 500 ? 100 : 20);
    }
  } catch (e) {
    await nd.stopNow();
    destroyNetns(ns);
    throw e;
  }
}

async function networkdDown(x: { ns: string; nd: Networkd }): Promise<void> {
  await x.nd.stopNow();
  destroyNetns(x.ns);
}

function networkdPid(ns: string): number {
  const pids = pidsByComm('systemd-network', ns);
  if (pids.length !== 1) throw new Error(`expected one systemd-networkd in ${ns}, found ${pids.length}`);
  return pids[0]!;
}

/** 7. networkd vs tunform: time to N devices with address and carrier; memory of the process keeping the fds. */
export async function caseNetworkd(ctx: Ctx): Promise<Row[]> {
  if (!existsSync(NETWORKD)) throw new Error(`${NETWORKD} is not installed`);
  const rows: Row[] = [];
  for (const n of ctx.ns) {
    ctx.log(`networkd N=${n}`);
    const runs = n >= 1000 ? Math.min(ctx.runs, 3) : ctx.runs;
    const tf: number[] = [];
    const nd: number[] = [];
    const tfPss: number[] = [];
    const ndPss: number[] = [];
    const ndRss: number[] = [];
    let ndQueueInfo = '';
    for (let r = 0; r < runs + 1; r++) {
      const warm = r === 0;
      // tunform
      const ns = createNetns('ndt');
      try {
        const ms = timeRun(tunform('apply', '-f', writeSpec(ns, n, { multiQueue: true, keepCarrier: true })));
        if (readyCount(ns, n) !== n) throw new Error('tunform apply returned before every device was ready');
        if (!warm) {
          tf.push(ms);
          tfPss.push(pidsByComm('tunform-holder', ns).map(memKb).reduce((a, x) => a + x.pss, 0) / 1024);
        }
      } finally {
        destroyNetns(ns);
      }
      // networkd
      const up = await networkdUp(n);
      try {
        if (!warm) {
          if (r === 1) ndQueueInfo = queues(up.ns, 'bt0');
          nd.push(up.ms);
          await sleep(200);
          const m = memKb(networkdPid(up.ns));
          ndPss.push(m.pss / 1024);
          ndRss.push(m.rss / 1024);
        }
      } finally {
        await networkdDown(up);
      }
    }
    const a = stats(tf);
    const b = stats(nd);
    rows.push({
      case: 'networkd',
      metric: 'time to address + carrier',
      n,
      unit: 'ms',
      subjectLabel: 'tunform apply (mq, keepCarrier)',
      subject: a,
      baselineLabel: 'systemd-networkd start → all ready (polled)',
      baseline: b,
      ratio: a.median / b.median,
      target: '(peer comparison)',
      pass: null,
      runs,
    });
    const p = stats(tfPss);
    const q = stats(ndPss);
    rows.push({
      case: 'networkd',
      metric: 'PSS of the fd keeper',
      n,
      unit: 'MiB',
      subjectLabel: 'tunform-holder',
      subject: p,
      baselineLabel: 'systemd-networkd',
      baseline: q,
      ratio: p.median / q.median,
      target: '(peer comparison)',
      pass: null,
      note: `systemd-networkd RSS median ${stats(ndRss).median.toFixed(1)} MiB; its bt0: ${ndQueueInfo} (KeepCarrier fd held, queue detached)`,
      runs,
    });
  }
  return rows;
}

// ---------------------------------------------------------------- traffic

const SENDER = `
import dgram from 'node:dgram';
const [n, per, port] = process.argv.slice(2).map(Number);
const addr = (i) => '10.' + (64 + (i >> 8)) + '.' + (i & 255) + '.2';
let sent = 0, failed = 0;
for (let i = 0; i < n; i++) {
  const socks = [];
  await Promise.all(Array.from({ length: per }, () => new Promise((res) => {
    const s = dgram.createSocket('udp4');
    socks.push(s);
    s.send(Buffer.from('tunform-bench'), port, addr(i), (e) => { if (e) failed++; else sent++; res(); });
  })));
  for (const s of socks) s.close();
}
console.log(JSON.stringify({ sent, failed }));
`;

async function trafficIn(ns: string, n: number, per: number, idleQueue = false): Promise<{ sent: number; delivered: number; perDevice: number[] }> {
  const reader = join(BUILD_DIR, 'tun-reader');
  if (!existsSync(reader)) throw new Error('test/fixtures-c/tun-reader.c is missing: no reader to attach');
  const readers: Awaited<ReturnType<typeof spawnUntil>>[] = [];
  const idle: Awaited<ReturnType<typeof spawnUntil>>[] = [];
  try {
    // Negative control: an attached, never-read queue per device (the pre-PR-30504 holder) must eat flows.
    if (idleQueue) for (let i = 0; i < n; i++) idle.push(await spawnUntil(['ip', 'netns', 'exec', ns, reader, devName('bt', i), '--idle'], 'ready', 20_000));
    for (let i = 0; i < n; i++) readers.push(await spawnUntil(['ip', 'netns', 'exec', ns, reader, devName('bt', i)], 'ready', 20_000));
    const sender = join(work(), 'sender.mjs');
    writeFileSync(sender, SENDER);
    const out = run(['ip', 'netns', 'exec', ns, process.execPath, sender, String(n), String(per), '9']);
    const { sent } = JSON.parse(out.trim().split('\n').pop()!) as { sent: number };
    await sleep(500);
    const perDevice: number[] = [];
    for (const r of readers) {
      const closed = new Promise((res) => r.child.once('close', res));
      r.child.kill('SIGTERM');
      await closed;
      const m = /count (\d+)\s*$/.exec(r.out());
      perDevice.push(m ? Number(m[1]) : 0);
    }
    return { sent, delivered: perDevice.reduce((a, x) => a + x, 0), perDevice };
  } finally {
    for (const r of [...readers, ...idle]) await stop(r.child);
  }
}

/** numqueues/numdisabled of a device, as `ip -d` shows them. */
function queues(ns: string, name: string): string {
  const [l] = JSON.parse(run(['ip', '-n', ns, '-d', '-j', 'link', 'show', 'dev', name])) as { linkinfo?: { info_data?: { numqueues?: number; numdisabled?: number } } }[];
  const d = l?.linkinfo?.info_data;
  return `${d?.numqueues ?? '?'} active / ${d?.numdisabled ?? '?'} detached queues`;
}

/** 8. N KeepCarrier multi-queue devices, a reader on each, `per` flows per device: delivered/sent, tunform and networkd. */
export async function caseTraffic(ctx: Ctx): Promise<Row[]> {
  const rows: Row[] = [];
  const per = 100;
  for (const n of ctx.ns) {
    ctx.log(`traffic N=${n}: tunform`);
    const ns = createNetns('trt');
    let tf: { sent: number; delivered: number; perDevice: number[] };
    let control: { sent: number; delivered: number; perDevice: number[] };
    let tfQueues = '';
    try {
      run(tunform('apply', '-f', writeSpec(ns, n, { multiQueue: true, keepCarrier: true })));
      tfQueues = queues(ns, 'bt0');
      tf = await trafficIn(ns, n, per);
      ctx.log(`traffic N=${n}: negative control (an idle attached queue on every device)`);
      control = await trafficIn(ns, n, per, true);
    } finally {
      destroyNetns(ns);
    }
    let nd: { sent: number; delivered: number; perDevice: number[] } | undefined;
    let ndErr = '';
    let ndQueues = '';
    if (existsSync(NETWORKD)) {
      ctx.log(`traffic N=${n}: systemd-networkd`);
      try {
        const up = await networkdUp(n);
        try {
          ndQueues = queues(up.ns, 'bt0');
          nd = await trafficIn(up.ns, n, per);
        } finally {
          await networkdDown(up);
        }
      } catch (e) {
        ndErr = (e as Error).message.split('\n')[0]!;
      }
    } else ndErr = `${NETWORKD} is not installed`;
    const frac = (x: { sent: number; delivered: number }) => ({ median: x.delivered / x.sent, min: x.delivered / x.sent, max: x.delivered / x.sent, n: 1 });
    const worst = (x: { perDevice: number[] }) => Math.min(...x.perDevice);
    rows.push({
      case: 'traffic',
      metric: 'delivered / sent',
      n,
      unit: 'ratio',
      subjectLabel: 'tunform',
      subject: frac(tf),
      ...(nd ? { baselineLabel: 'systemd-networkd', baseline: frac(nd) } : {}),
      target: '= 1.00 (every flow to the reader)',
      pass: tf.delivered === tf.sent,
      note:
        `tunform ${tf.delivered}/${tf.sent} (fewest on one device: ${worst(tf)}/${per}; bt0 before readers: ${tfQueues}); ` +
        (nd ? `systemd-networkd ${nd.delivered}/${nd.sent} (fewest on one device: ${worst(nd)}/${per}; bt0: ${ndQueues}); ` : `systemd-networkd not measured: ${ndErr}; `) +
        `negative control (tunform + an idle attached queue per device): ${control.delivered}/${control.sent}, so the check can fail`,
      runs: 1,
    });
  }
  return rows;
}
