/**
 * `tunform serve --stdio` keeps the engine's lock helper and `ip` readers for
 * the whole session (one EngineSessions), as the local provider does: the
 * provider over SSH sends one apply per batch of about ten devices, and a
 * helper plus four whole-namespace dumps started per request cost more than
 * the batch's kernel work. A --device run reads only its devices.
 */
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { cliBin, requireBuiltCli } from '../support/cli.js';
import { ipn, isRoot, withNetns } from '../support/netns.js';
import type { ServeAnswer } from '../../src/sys/ssh-session.js';

/** The pids of `tunform-helper ... lock` processes whose parent is `parent`. */
function lockHelpers(parent: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (ppid === parent && args.some((a) => a.endsWith('tunform-helper')) && args.includes('lock')) out.push(Number(entry));
    } catch {
      /* gone */
    }
  }
  return out;
}

interface LiveDoc {
  readonly live: { readonly devices: readonly { readonly name: string }[] };
}

describe.skipIf(!isRoot())('tunform serve: one engine session for every request', () => {
  it('GIVEN a serve session WHEN two --device applies run one after the other THEN one lock helper serves both and each answer holds only its devices', async () => {
    requireBuiltCli();
    await withNetns('serve', async (ns) => {
      const serve = spawn(process.execPath, [cliBin, 'serve', '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
      const lines = createInterface({ input: serve.stdout! })[Symbol.asyncIterator]();
      const next = async () => JSON.parse(String((await lines.next()).value)) as Record<string, unknown>;
      try {
        expect(await next()).toMatchObject({ tunformServe: 1 });
        const spec = JSON.stringify({ netns: ns, devices: [{ name: 'se0', mode: 'tun' }, { name: 'se1', mode: 'tap' }] });
        const apply = async (id: number, device: string) => {
          serve.stdin!.write(`${JSON.stringify({ id, args: ['apply', '--json', '--spec-stdin=spec.json', '--live', `--device=${device}`], input: spec })}\n`);
          const a = (await next()) as unknown as ServeAnswer;
          expect(a.code, a.stderr).toBe(0);
          return JSON.parse(a.stdout) as LiveDoc;
        };

        const first = await apply(1, 'se0');
        const helpers = lockHelpers(serve.pid!);
        const second = await apply(2, 'se1');

        // Both devices exist: the second run's answer leaves se0 out because it read only se1, not because se0 is gone.
        expect(ipn(ns, '-o', 'link', 'show').match(/se[01]/g)?.sort()).toEqual(['se0', 'se1']);
        expect(first.live.devices.map((d) => d.name)).toEqual(['se0']);
        expect(second.live.devices.map((d) => d.name)).toEqual(['se1']);
        expect(helpers).toHaveLength(1);
        expect(lockHelpers(serve.pid!)).toEqual(helpers);

        // The end of stdin ends the session and its helper with it.
        serve.stdin!.end();
        expect(await new Promise((r) => serve.on('close', r))).toBe(0);
        expect(lockHelpers(serve.pid!)).toEqual([]);
      } finally {
        serve.kill('SIGKILL');
      }
    });
  });
});
