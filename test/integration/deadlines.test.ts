/**
 * Deadlines that scale (issue 12, item 6): a program or holder that keeps
 * answering is never cut off for being slow overall; one that goes silent is
 * stopped, and the message names the real cause.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasReason, TunformError } from '../../src/errors.js';
import { runHelperExec, type HelperOp } from '../../src/apply/helper-client.js';
import { ensureHolder } from '../../src/apply/holder-start.js';
import { holderRequest } from '../../src/sys/holder-session.js';
import { runDir } from '../../src/sys/paths.js';
import { runCommand } from '../../src/sys/run-command.js';
import { isRoot, uniqueNetnsName, withNetns } from '../support/netns.js';

const dir = mkdtempSync(join(tmpdir(), 'tunform-deadline-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A stand-in helper: a shell script run as TUNFORM_HELPER for one call. */
async function withFakeHelper<T>(script: string, fn: () => Promise<T>): Promise<T> {
  const bin = join(dir, `helper-${Math.random().toString(36).slice(2)}.sh`);
  writeFileSync(bin, `#!/bin/sh\n${script}\n`);
  chmodSync(bin, 0o755);
  const saved = process.env.TUNFORM_HELPER;
  process.env.TUNFORM_HELPER = bin;
  try {
    return await fn();
  } finally {
    if (saved === undefined) delete process.env.TUNFORM_HELPER;
    else process.env.TUNFORM_HELPER = saved;
  }
}

const OPS: HelperOp[] = ['d0', 'd1', 'd2'].map((name) => ({ op: 'delete', name, mode: 'tun', multiQueue: false, packetInfo: false, vnetHeader: false }));

describe('the process runner', () => {
  it('GIVEN a program that prints every 100 ms for 1 s WHEN run with a 1 s idle deadline THEN it completes', async () => {
    const r = await runCommand('sh', ['-c', 'for i in 1 2 3 4 5 6 7 8 9 10; do echo $i; sleep 0.1; done'], { idleTimeoutMs: 1_000 });
    expect(r.exitCode).toBe(0);
    expect(r.deadline).toBeUndefined();
    expect(r.stdout.trim().split('\n')).toHaveLength(10);
  });

  it('GIVEN a program silent for 5 s WHEN run with a 300 ms idle deadline THEN tunform stops it and says so', async () => {
    const r = await runCommand('sh', ['-c', 'echo started; exec sleep 5'], { idleTimeoutMs: 300 });
    expect(r.deadline).toBe('idle');
    expect(r.signal).toBe('SIGKILL');
    expect(r.stdout).toBe('started\n');
  });
});

describe('helper exec deadlines', () => {
  it('GIVEN a helper that answers slowly but steadily WHEN the batch outlasts the idle deadline THEN every op gets its result', async () => {
    const results = await withFakeHelper('while read op name rest; do sleep 0.4; echo "ok $op $name"; done', () =>
      runHelperExec(OPS, { idleTimeoutMs: 1_000 }),
    );
    expect(results.map((r) => r.line)).toEqual(['ok delete d0', 'ok delete d1', 'ok delete d2']);
  });

  it('GIVEN a helper that goes silent after two results WHEN the idle deadline passes THEN the error says tunform stopped it', async () => {
    const e = await withFakeHelper('read a b c; echo "ok $a $b"; read a b c; echo "ok $a $b"; exec sleep 5', () =>
      runHelperExec(OPS, { idleTimeoutMs: 300 }),
    ).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(TunformError);
    expect((e as TunformError).message).toBe('the helper gave no result for 0.3 s (after answering 2 of 3 ops), so tunform stopped it');
    expect((e as TunformError).details).toContain('no result for: delete d2');
    expect(hasReason(e, 'deadline')).toBe(true);
  });

  it('GIVEN a helper killed by someone else WHEN it dies THEN the error says it was not tunform', async () => {
    const e = await withFakeHelper('read a b c; echo "ok $a $b"; kill -9 $$', () => runHelperExec(OPS)).catch((x: unknown) => x);
    expect((e as TunformError).message).toBe('the helper was killed by SIGKILL (not by tunform) after answering 1 of 3 ops');
    expect(hasReason(e, 'deadline')).toBe(false);
  });
});

describe('holder session deadlines', () => {
  let server: Server | undefined;
  let ns: string;
  beforeAll(() => {
    if (!isRoot()) throw new Error('these tests need root (a holder socket under /run/tunform)');
  });
  afterAll(() => {
    server?.close();
    if (ns) rmSync(runDir(ns), { recursive: true, force: true });
  });

  it('GIVEN a holder that answers each request 200 ms apart WHEN 10 requests outlast the idle deadline THEN all are answered', async () => {
    // A stand-in holder on the socket path of a namespace name nobody uses.
    ns = uniqueNetnsName('dl');
    mkdirSync(runDir(ns), { recursive: true });
    server = createServer((c) => {
      let buf = '';
      let queue = Promise.resolve();
      c.setEncoding('utf8').on('data', (d: string) => {
        buf += d;
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          queue = queue.then(() => new Promise((r) => setTimeout(r, 200))).then(() => void c.write(`ok ${line}\n`));
        }
      });
    });
    await new Promise<void>((r) => server!.listen(join(runDir(ns), 'holder.sock'), r));
    const lines = Array.from({ length: 10 }, (_, i) => `ping${i}`);
    expect(await holderRequest(ns, lines, { idleTimeoutMs: 1_000 })).toEqual(lines.map((l) => `ok ${l}`));
  });

  it('GIVEN a stopped holder WHEN a request waits past the idle deadline THEN the error names the silence', async () => {
    await withNetns('dlstop', async (real) => {
      const { pid } = await ensureHolder(real);
      process.kill(pid, 'SIGSTOP');
      try {
        const e = await holderRequest(real, ['list'], { idleTimeoutMs: 300 }).catch((x: unknown) => x);
        expect((e as TunformError).message).toBe(
          `the holder at ${join(runDir(real), 'holder.sock')} gave no answer for 0.3 s while 1 request(s) waited (0 answered before)`,
        );
        expect(hasReason(e, 'deadline')).toBe(true);
      } finally {
        process.kill(pid, 'SIGCONT');
      }
    });
  });
});
