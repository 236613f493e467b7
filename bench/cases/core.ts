/**
 * Cases 1–6: drift, no-op re-apply, apply from nothing (plain and
 * keepCarrier), one change out of N, holder memory.
 */
import { join } from 'node:path';
import {
  BUILD_DIR,
  createNetns,
  destroyNetns,
  ipBatchAddrUp,
  ipBatchCreate,
  memKb,
  paired,
  peakRssKb,
  pidsByComm,
  run,
  sleep,
  spawnUntil,
  stats,
  stop,
  timeRun,
  tunform,
  withNetns,
  writeFile,
  writeSpec,
  addrOf,
  devName,
} from '../lib/env.js';
import { ratioRow, type Row } from '../lib/report.js';

export interface Ctx {
  ns: readonly number[];
  runs: number;
  log: (s: string) => void;
}

const floorDrift = (ns: string) => [
  'sh',
  '-c',
  `ip -n ${ns} -d -j link show >/dev/null; ip -n ${ns} -j addr show >/dev/null; ${process.execPath} -e 0`,
];

/** Issue 12's targets: drift ≤ 1.5× its floor at 1,000 (2× elsewhere); apply and destroy ≤ 1.5× ip -batch from 1,000 up; peak RSS ≤ 200 MB at 10,000. */
const driftMax = (n: number): number => (n === 1000 ? 1.5 : 2);
const batchMax = (n: number): number => (n >= 1000 ? 1.5 : 2);
const rssMaxMb = (n: number): number => (n >= 10000 ? 200 : 150);

/** 1. drift on an in-sync host vs two ip dumps + node start; and drift's peak RSS. */
export async function caseDrift(ctx: Ctx): Promise<Row[]> {
  const rows: Row[] = [];
  for (const n of ctx.ns) {
    await withNetns('drift', async (ns) => {
      const spec = writeSpec(ns, n);
      ctx.log(`drift N=${n}: setting up ${n} devices`);
      run(tunform('apply', '-f', spec));
      const t = await paired(
        ctx.runs,
        () => timeRun(tunform('drift', '-f', spec)),
        () => timeRun(floorDrift(ns)),
      );
      rows.push(
        ratioRow(
          {
            case: 'drift',
            metric: 'time',
            n,
            unit: 'ms',
            subjectLabel: 'tunform drift',
            subject: stats(t.subject),
            baselineLabel: 'ip -d -j link; ip -j addr; node -e 0',
            baseline: stats(t.baseline),
            target: `≤ ${driftMax(n)}×`,
          },
          driftMax(n),
        ),
      );
      const rss: number[] = [];
      const base: number[] = [];
      for (let i = 0; i < ctx.runs; i++) {
        rss.push(peakRssKb(tunform('drift', '-f', spec)) / 1024);
        base.push(peakRssKb([process.execPath, '-e', '0']) / 1024);
      }
      const s = stats(rss);
      rows.push({
        case: 'drift',
        metric: 'peak RSS',
        n,
        unit: 'MiB',
        subjectLabel: 'tunform drift',
        subject: s,
        baselineLabel: 'node -e 0',
        baseline: stats(base),
        ratio: s.median / stats(base).median,
        target: `≤ ${rssMaxMb(n)} MB (${Math.round(rssMaxMb(n) * 1e6 / 2 ** 20)} MiB)`,
        pass: s.max <= (rssMaxMb(n) * 1e6) / 2 ** 20,
        runs: s.n,
      });
    });
  }
  return rows;
}

/** 4. apply with nothing to do vs drift on the same in-sync namespace. */
export async function caseNoop(ctx: Ctx): Promise<Row[]> {
  const rows: Row[] = [];
  for (const n of ctx.ns) {
    await withNetns('noop', async (ns) => {
      const spec = writeSpec(ns, n);
      ctx.log(`noop N=${n}: setting up ${n} devices`);
      run(tunform('apply', '-f', spec));
      const t = await paired(
        ctx.runs,
        () => timeRun(tunform('apply', '-f', spec)),
        () => timeRun(tunform('drift', '-f', spec)),
      );
      rows.push(
        ratioRow(
          {
            case: 'noop',
            metric: 'time',
            n,
            unit: 'ms',
            subjectLabel: 'tunform apply (nothing to do)',
            subject: stats(t.subject),
            baselineLabel: 'tunform drift',
            baseline: stats(t.baseline),
            target: '≤ 1.2×',
          },
          1.2,
        ),
      );
    });
  }
  return rows;
}

/** Times `fn(ns)` in a namespace made for this one run and removed afterwards (not timed). */
async function inFresh(tag: string, fn: (ns: string) => number | Promise<number>): Promise<number> {
  const ns = createNetns(tag);
  try {
    return await fn(ns);
  } finally {
    destroyNetns(ns);
  }
}

/** 2. apply from nothing (create, address, up) vs ip -batch doing the same. */
export async function caseApply(ctx: Ctx): Promise<Row[]> {
  const rows: Row[] = [];
  for (const n of ctx.ns) {
    ctx.log(`apply N=${n}`);
    const batch = writeFile(`create-${n}.batch`, ipBatchCreate(n));
    const t = await paired(
      ctx.runs,
      () =>
        inFresh('ap', (ns) => {
          const spec = writeSpec(ns, n);
          return timeRun(tunform('apply', '-f', spec));
        }),
      () => inFresh('ab', (ns) => timeRun(['ip', '-n', ns, '-batch', batch])),
    );
    rows.push(
      ratioRow(
        {
          case: 'apply',
          metric: 'time',
          n,
          unit: 'ms',
          subjectLabel: 'tunform apply',
          subject: stats(t.subject),
          baselineLabel: 'ip -batch (tuntap add, address add, link set up)',
          baseline: stats(t.baseline),
          target: `≤ ${batchMax(n)}×`,
        },
        batchMax(n),
      ),
    );
  }
  return rows;
}

/** destroy of N devices that apply made vs ip -batch deleting as many; creation is not timed. */
export async function caseDestroy(ctx: Ctx): Promise<Row[]> {
  const rows: Row[] = [];
  for (const n of ctx.ns) {
    ctx.log(`destroy N=${n}`);
    const create = writeFile(`create-${n}.batch`, ipBatchCreate(n));
    const del = writeFile(`del-${n}.batch`, Array.from({ length: n }, (_, i) => `link del dev ${devName('bt', i)}`).join('\n') + '\n');
    const t = await paired(
      ctx.runs,
      () =>
        inFresh('dp', (ns) => {
          const spec = writeSpec(ns, n);
          run(tunform('apply', '-f', spec));
          return timeRun(tunform('destroy', '-f', spec));
        }),
      () =>
        inFresh('db', (ns) => {
          run(['ip', '-n', ns, '-batch', create]);
          return timeRun(['ip', '-n', ns, '-batch', del]);
        }),
    );
    rows.push(
      ratioRow(
        {
          case: 'destroy',
          metric: 'time',
          n,
          unit: 'ms',
          subjectLabel: 'tunform destroy',
          subject: stats(t.subject),
          baselineLabel: 'ip -batch (link del)',
          baseline: stats(t.baseline),
          target: `≤ ${batchMax(n)}×`,
        },
        batchMax(n),
      ),
    );
  }
  return rows;
}

/** The floor of a keepCarrier apply: floor-hold (create mq, detach, hold) until "ready", then ip -batch address + up. */
async function floorHoldApply(ns: string, n: number, batch: string, after?: () => void): Promise<number> {
  const h = await spawnUntil([join(BUILD_DIR, 'floor-hold'), `/run/netns/${ns}`, 'bt', String(n)], 'ready');
  try {
    const ms = h.ms + timeRun(['ip', '-n', ns, '-batch', batch]);
    after?.();
    return ms;
  } finally {
    await stop(h.child);
  }
}

/** 3. apply from nothing with multiQueue + keepCarrier vs floor-hold + ip -batch. */
export async function caseApplyKeep(ctx: Ctx): Promise<Row[]> {
  const rows: Row[] = [];
  for (const n of ctx.ns) {
    ctx.log(`apply-kc N=${n}`);
    const batch = writeFile(`addrup-${n}.batch`, ipBatchAddrUp(n));
    const t = await paired(
      ctx.runs,
      () =>
        inFresh('kp', (ns) => {
          const spec = writeSpec(ns, n, { multiQueue: true, keepCarrier: true });
          return timeRun(tunform('apply', '-f', spec));
        }),
      () => inFresh('kb', (ns) => floorHoldApply(ns, n, batch)),
    );
    rows.push(
      ratioRow(
        {
          case: 'apply-kc',
          metric: 'time',
          n,
          unit: 'ms',
          subjectLabel: 'tunform apply (multiQueue, keepCarrier)',
          subject: stats(t.subject),
          baselineLabel: 'floor-hold (open, TUNSETIFF mq, detach, hold) + ip -batch (address, up)',
          baseline: stats(t.baseline),
          target: '≤ 3×',
        },
        3,
      ),
    );
  }
  return rows;
}

/** 5. one device's address changed out of N: t(N) and t(N)/t(1); growth compared with N spawns of `ip`. */
export async function caseChange(ctx: Ctx): Promise<Row[]> {
  const rows: Row[] = [];
  const medians = new Map<number, number>();
  let spawnMs: number[] = [];
  const ns1 = [...ctx.ns].sort((a, b) => a - b);
  if (ns1[0] !== 1) ns1.unshift(1);
  for (const n of ns1) {
    await withNetns('chg', async (ns) => {
      const specA = writeSpec(ns, n, {}, 'a');
      const specB = writeSpec(ns, n, { addressOf: (i) => (i === 0 ? `${addrOf(0, 9)}/24` : `${addrOf(i)}/24`) }, 'b');
      ctx.log(`change N=${n}: setting up ${n} devices`);
      run(tunform('apply', '-f', specA));
      let flip = false;
      const one = () => {
        flip = !flip;
        return timeRun(tunform('apply', '-f', flip ? specB : specA));
      };
      one(); // warm-up (and puts B in place)
      const xs: number[] = [];
      for (let i = 0; i < ctx.runs; i++) xs.push(one());
      // The cost of one process spawn of the kind a per-device design would pay.
      if (n === 1) {
        spawnMs = [];
        for (let i = 0; i < ctx.runs * 4; i++) spawnMs.push(timeRun(['ip', '-n', ns, 'link', 'show', 'dev', 'lo']));
      }
      const s = stats(xs);
      medians.set(n, s.median);
      rows.push({
        case: 'change',
        metric: 'time',
        n,
        unit: 'ms',
        subjectLabel: 'tunform apply (1 address changed)',
        subject: s,
        baselineLabel: 'same at N=1',
        target: '',
        pass: null,
        runs: s.n,
      });
    });
  }
  const t1 = rows[0]!.subject;
  const spawn = stats(spawnMs).median;
  for (const r of rows) {
    r.baseline = t1;
    r.ratio = r.subject.median / t1.median;
    const growth = r.subject.median - t1.median;
    const nSpawns = r.n * spawn;
    if (r.n > 1) {
      r.target = `growth < N spawns of ip (${r.n}×${spawn.toFixed(1)} ms)`;
      r.pass = growth < nSpawns;
      r.note = `t(${r.n}) − t(1) = ${growth.toFixed(0)} ms; ${r.n} spawns of \`ip -n NS link show dev lo\` would cost ${nSpawns.toFixed(0)} ms`;
    } else r.target = '(baseline)';
  }
  if (!ctx.ns.includes(1)) rows.shift();
  return rows;
}

/** 6. PSS of the namespace's tunform-holder processes holding N devices vs floor-hold holding N. */
export async function caseHolderMem(ctx: Ctx): Promise<Row[]> {
  const rows: Row[] = [];
  for (const n of ctx.ns) {
    ctx.log(`holder-mem N=${n}`);
    const pss: number[] = [];
    const rss: number[] = [];
    const floor: number[] = [];
    const holders: number[] = [];
    const runs = Math.max(1, Math.min(ctx.runs, 3));
    for (let r = 0; r < runs; r++) {
      await withNetns('hm', async (ns) => {
        run(tunform('apply', '-f', writeSpec(ns, n, { multiQueue: true, keepCarrier: true })));
        await sleep(200);
        const pids = pidsByComm('tunform-holder', ns);
        holders.push(pids.length);
        const m = pids.map(memKb);
        pss.push(m.reduce((a, x) => a + x.pss, 0) / 1024);
        rss.push(m.reduce((a, x) => a + x.rss, 0) / 1024);
      });
      await withNetns('hf', async (ns) => {
        // Memory only: hold N, no addresses or link up (they do not change the holder's memory).
        const h = await spawnUntil([join(BUILD_DIR, 'floor-hold'), `/run/netns/${ns}`, 'bt', String(n)], 'ready');
        try {
          floor.push(memKb(h.child.pid!).pss / 1024);
        } finally {
          await stop(h.child);
        }
      });
    }
    const s = stats(pss);
    const f = stats(floor);
    rows.push({
      case: 'holder-mem',
      metric: 'holder PSS',
      n,
      unit: 'MiB',
      subjectLabel: 'tunform-holder (all in the namespace)',
      subject: s,
      baselineLabel: 'floor-hold holding N',
      baseline: f,
      ratio: s.median / f.median,
      target: n >= 1000 ? '≤ 16 MiB' : '',
      pass: n >= 1000 ? s.max <= 16 : null,
      note: `holder processes: ${[...new Set(holders)].join('/')}; RSS median ${stats(rss).median.toFixed(2)} MiB`,
      runs,
    });
  }
  return rows;
}
