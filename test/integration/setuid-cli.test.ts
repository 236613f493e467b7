/**
 * The real CLI as an unprivileged user through the setuid helper:
 *   ip netns exec NS setpriv --reuid=nobody ... env TUNFORM_HELPER=<setuid copy> node bin/tunform.js apply -f spec.yaml
 * The spec has no netns key: nobody applies in the namespace it runs in (it
 * could not enter another one). Each test uses its own throwaway namespace,
 * removed even on failure, with the holder's run directory of that namespace.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, requireBuiltCli, runTunform, SpecDir, specYaml, type CliResult, type DeviceYaml } from '../support/cli.js';
import { createNetns, destroyNetns, ipn } from '../support/netns.js';
import { installSetuidHelper, linkNames, NOBODY, type SetuidHelper } from '../support/setuid.js';

const ACL = [
  'allow user nobody devices nb-* max-mtu 9000 addresses 10.88.0.0/16,fd00:88::/32',
  'allow user nobody devices kc-* keep-carrier no',
  // Named namespaces: nobody may manage nn-* in the ones these tests create with the tag 'sclin'.
  'allow user nobody devices nn-* netns tf-sclin-* addresses 172.31.0.0/16',
  '',
].join('\n');

let h: SetuidHelper;
let specs: SpecDir;

beforeAll(() => {
  h = installSetuidHelper(ACL);
  if (h.skip) return;
  requireBuiltCli();
  specs = new SpecDir('suid-cli');
}, 120_000);

afterAll(() => {
  specs?.remove();
  h?.cleanup();
});

/** The helper's and the CLI's run directory for a namespace they are in without a name: keyed by its nsfs identity. */
const selfRunDir = (ns: string): string => {
  const st = statSync(`/run/netns/${ns}`);
  return `/run/tunform/self-${st.dev}-${st.ino}`;
};

async function inNetns(fn: (ns: string) => Promise<void>): Promise<void> {
  const ns = createNetns('scli');
  const runDir = selfRunDir(ns);
  try {
    await fn(ns);
  } finally {
    destroyNetns(ns); // kills the holder inside first
    rmSync(runDir, { recursive: true, force: true });
  }
}

/** Pids of tunform-holder processes inside ns. */
function holderPidsIn(ns: string): number[] {
  const pids = execFileSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' }).split(/\s+/).filter(Boolean).map(Number);
  return pids.filter((p) => {
    try {
      return readFileSync(`/proc/${p}/comm`, 'utf8').trim() === 'tunform-holder';
    } catch {
      return false; // gone meanwhile
    }
  });
}

let specCount = 0;
/** `tunform ARGS -f SPEC` as nobody inside ns. */
function asNobody(ns: string, args: string[], devices: readonly DeviceYaml[]): Promise<CliResult> {
  const spec = specs.write(`spec-${++specCount}.yaml`, specYaml(devices));
  return runTunform([...args, '-f', spec], { wrap: ['ip', 'netns', 'exec', ns, ...NOBODY, 'env', `TUNFORM_HELPER=${h.helper}`] });
}

interface Link {
  ifindex: number;
  ifname: string;
  mtu: number;
  flags: string[];
  addr_info: { local: string; address?: string; prefixlen: number; scope: string }[];
  linkinfo: { info_data: { multi_queue?: boolean } };
}
const link = (ns: string, name: string): Link => (JSON.parse(ipn(ns, '-d', '-j', 'addr', 'show', 'dev', name)) as Link[])[0]!;
const globalAddrs = (l: Link): string[] => l.addr_info.filter((a) => a.scope === 'global').map((a) => `${a.local}/${a.prefixlen}`).sort();

const NB_A: DeviceYaml = { name: 'nb-a', multiQueue: true, mtu: 1400, addresses: ['10.88.0.1/24', 'fd00:88::1/64'] };

describe('tunform apply as nobody through the setuid helper', () => {
  it('GIVEN a rule for a named namespace WHEN nobody applies, checks and destroys with --netns from outside it THEN the helper reads and changes it, and a namespace no rule covers is refused', async (ctx) => {
    if (h.skip) ctx.skip(h.skip);
    const allowed = createNetns('sclin');
    const other = createNetns('sclox');
    try {
      const dev: DeviceYaml = { name: 'nn-a', multiQueue: true, keepCarrier: true, addresses: ['172.31.9.1/24'] };
      const spec = specs.write(`spec-${++specCount}.yaml`, specYaml([dev]));
      const outside = { wrap: [...NOBODY, 'env', `TUNFORM_HELPER=${h.helper}`] };
      // WHEN nobody applies into the allowed namespace from the machine's own
      const applied = await runTunform(['apply', '-f', spec, '--netns', allowed], outside);
      // THEN it is created, held and verified, and drift and show read it through the helper
      expect(applied.code, applied.stderr).toBe(0);
      expect(JSON.parse(ipn(allowed, '-d', '-j', 'link', 'show', 'dev', 'nn-a'))[0].linkinfo.info_data).toMatchObject({ numdisabled: 1 });
      expect((await runTunform(['drift', '-f', spec, '--netns', allowed], outside)).code).toBe(0);
      expect((await runTunform(['show', '--netns', allowed], outside)).stdout).toMatch(/nn-a .*172\.31\.9\.1\/24/);
      // AND in a namespace where no rule covers nn-* the whole run is refused before any change
      const refused = await runTunform(['apply', '-f', spec, '--netns', other], outside);
      expect(refused.code).toBe(3);
      expect(refused.stderr).toMatch(/4 of 4 step\(s\) are not permitted/);
      expect(refused.stderr).toContain('not permitted: create nn-a');
      expect(linkNames(other)).toEqual(['lo']);
      // AND a user no rule allows anything (daemon) is refused the namespace's tables: a permission problem, known by the helper's exit status
      const daemon = await runTunform(['drift', '-f', spec, '--netns', allowed, '--json'], {
        wrap: ['setpriv', '--reuid=daemon', '--regid=daemon', '--clear-groups', '--inh-caps=-all', 'env', `TUNFORM_HELPER=${h.helper}`],
      });
      expect(daemon.code, daemon.stderr).toBe(1);
      const error = JSON.parse(daemon.stdout).error as { kind: string; message: string };
      expect(error.kind).toBe('permission');
      expect(error.message).toMatch(new RegExp(`^reading network namespace '${allowed}' needs root or the setuid helper's permission: '.*dump (links|addrs)' was refused: .*not permitted`));
      // AND the same user taking the namespace's lock (what apply does first) is refused it as a permission problem, not as a broken helper
      const lockScript = `import { acquireLock } from ${JSON.stringify(`${repoRoot}/dist/src/apply/lock.js`)};
        acquireLock(${JSON.stringify(allowed)}).then(() => console.log('locked'), (e) => console.log(JSON.stringify({ kind: e.kind, message: e.message })));`;
      const lockOut = execFileSync(
        'setpriv',
        ['--reuid=daemon', '--regid=daemon', '--clear-groups', '--inh-caps=-all', 'env', `TUNFORM_HELPER=${h.helper}`, process.execPath, '--input-type=module', '-e', lockScript],
        { encoding: 'utf8' },
      );
      const lockError = JSON.parse(lockOut) as { kind: string; message: string };
      expect(lockError.kind).toBe('permission');
      expect(lockError.message).toMatch(new RegExp(`^not allowed to take the lock /run/tunform/netns/${allowed}/apply\\.lock$`));
      // AND destroy with --netns removes the device
      expect((await runTunform(['destroy', '-f', spec, '--netns', allowed], outside)).code).toBe(0);
      expect(linkNames(allowed)).toEqual(['lo']);
    } finally {
      destroyNetns(allowed);
      destroyNetns(other);
    }
  });

  it('GIVEN an allowed multi-queue tun with mtu and addresses WHEN nobody applies, changes the mtu and destroys THEN each step works in place and drift is 0', async (ctx) => {
    if (h.skip) ctx.skip(h.skip);
    await inNetns(async (ns) => {
      const applied = await asNobody(ns, ['apply'], [NB_A]);
      expect(applied.stderr).toBe('');
      expect(applied.code).toBe(0);
      const l = link(ns, 'nb-a');
      expect(l.mtu).toBe(1400);
      expect(l.linkinfo.info_data.multi_queue).toBe(true);
      expect(globalAddrs(l)).toEqual(['10.88.0.1/24', 'fd00:88::1/64']);

      const drift = await asNobody(ns, ['drift'], [NB_A]);
      expect(drift.code).toBe(0);

      const mtu = await asNobody(ns, ['apply'], [{ ...NB_A, mtu: 1300 }]);
      expect(mtu.code).toBe(0);
      expect(mtu.stdout).toMatch(/~ update nb-a/);
      const after = link(ns, 'nb-a');
      expect(after.mtu).toBe(1300);
      expect(after.ifindex).toBe(l.ifindex); // updated in place, not replaced

      const destroyed = await asNobody(ns, ['destroy'], [NB_A]);
      expect(destroyed.code).toBe(0);
      expect(linkNames(ns)).toEqual(['lo']);
    });
  });

  it('GIVEN a spec with one allowed and two denied changes WHEN nobody applies THEN the whole run is refused with exit 3 naming each denied step, and nothing changes', async (ctx) => {
    if (h.skip) ctx.skip(h.skip);
    await inNetns(async (ns) => {
      expect((await asNobody(ns, ['apply'], [NB_A])).code).toBe(0);
      const before = link(ns, 'nb-a');

      // nb-a would be pruned, nb-b created (both allowed), 'other' created (denied), nb-c set to an mtu above max-mtu (denied)
      const r = await asNobody(ns, ['apply'], [
        { name: 'nb-b' },
        { name: 'other' },
        { name: 'nb-c', mtu: 9500 },
      ]);
      expect(r.code).toBe(3);
      expect(r.stderr).toMatch(/permission denied: 3 of 8 step\(s\) are not permitted by the setuid helper's ACL; nothing was changed/);
      expect(r.stderr).toMatch(/not permitted: create other: not permitted: no rule in .*helper\.acl allows uid \d+ to manage 'other' in namespace tf-scli-/);
      expect(r.stderr).toMatch(/not permitted: up other: /);
      expect(r.stderr).toMatch(/not permitted: mtu nb-c 9500: not permitted: mtu 9500 is above max-mtu 9000/);
      expect(r.stderr).not.toMatch(/nb-b|delete nb-a/);

      expect(linkNames(ns)).toEqual(['lo', 'nb-a']); // nb-b and nb-c not created, nb-a not pruned
      const after = link(ns, 'nb-a');
      expect(after.ifindex).toBe(before.ifindex);
      expect(after.mtu).toBe(1400);
      expect(globalAddrs(after)).toEqual(globalAddrs(before));
    });
  });

  it('GIVEN keepCarrier on a device whose rule says keep-carrier no WHEN nobody applies THEN the hold step is refused before anything is created', async (ctx) => {
    if (h.skip) ctx.skip(h.skip);
    await inNetns(async (ns) => {
      const r = await asNobody(ns, ['apply'], [{ name: 'kc-1', multiQueue: true, keepCarrier: true }]);
      expect(r.code).toBe(3);
      expect(r.stderr).toMatch(/not permitted: hold kc-1: not permitted: keep-carrier is not allowed \(line 2: keep-carrier no\)/);
      expect(r.stderr).not.toMatch(/create kc-1/);
      expect(linkNames(ns)).toEqual(['lo']);
    });
  });

  it('GIVEN keepCarrier in two namespaces WHEN nobody applies in each THEN each namespace gets its own holder (its run directory keyed by the namespace), which keeps the carrier up', async (ctx) => {
    if (h.skip) ctx.skip(h.skip);
    await inNetns(async (a) => {
      await inNetns(async (b) => {
        const dev: DeviceYaml = { name: 'nb-k', multiQueue: true, keepCarrier: true };
        const holders: number[] = [];
        for (const ns of [a, b]) {
          const r = await asNobody(ns, ['apply'], [dev]);
          // The hold itself must have run: a shared run directory made B ask A's holder, which finds no nb-k.
          expect(r.stderr).not.toMatch(/failed: hold nb-k/);
          expect(link(ns, 'nb-k').flags).toContain('LOWER_UP');
          const pids = holderPidsIn(ns);
          expect(pids).toHaveLength(1);
          holders.push(pids[0]!);
          expect(statSync(`${selfRunDir(ns)}/holder.sock`).isSocket()).toBe(true);
        }
        expect(holders[0]).not.toBe(holders[1]);
      });
    });
  });

  // nobody cannot read a root holder's /proc/PID/fd; the live reader then asks
  // the holder (`ping`, `list`, open to every user) what it holds.
  it('GIVEN keepCarrier WHEN nobody applies THEN the run verifies (exit 0) and drift is 0', async (ctx) => {
    if (h.skip) ctx.skip(h.skip);
    await inNetns(async (ns) => {
      const dev: DeviceYaml = { name: 'nb-k', multiQueue: true, keepCarrier: true };
      const r = await asNobody(ns, ['apply'], [dev]);
      expect(r.code).toBe(0);
      expect((await asNobody(ns, ['drift'], [dev])).code).toBe(0);
    });
  });

  it('GIVEN the addresses bound WHEN nobody declares point-to-point addresses THEN the helper adds them with their peer, removes them with it, and refuses a peer outside the bound', async (ctx) => {
    if (h.skip) ctx.skip(h.skip);
    await inNetns(async (ns) => {
      // GIVEN nb-p with two point-to-point addresses inside 10.88.0.0/16 and fd00:88::/32
      const peers: DeviceYaml = { name: 'nb-p', addresses: ['10.88.0.1 peer 10.88.0.2/32', 'fd00:88::1 peer fd00:88::2/128'] };
      // WHEN nobody applies
      const applied = await asNobody(ns, ['apply'], [peers]);
      // THEN both ends are on the device, and drift is clean
      expect(applied.code, applied.stderr).toBe(0);
      const ends = link(ns, 'nb-p').addr_info.filter((a) => a.scope === 'global').map((a) => `${a.local} peer ${a.address}/${a.prefixlen}`).sort();
      expect(ends).toEqual(['10.88.0.1 peer 10.88.0.2/32', 'fd00:88::1 peer fd00:88::2/128']);
      expect((await asNobody(ns, ['drift'], [peers])).code).toBe(0);
      // WHEN the spec moves to a plain address THEN the peer addresses are deleted (which needs their peer)
      const plain = await asNobody(ns, ['apply'], [{ name: 'nb-p', addresses: ['10.88.0.5/24'] }]);
      expect(plain.code, plain.stderr).toBe(0);
      expect(globalAddrs(link(ns, 'nb-p'))).toEqual(['10.88.0.5/24']);
      // WHEN the peer, or the local end, lies outside the bound THEN the run is refused before any change
      const outPeer = await asNobody(ns, ['apply'], [{ name: 'nb-p', addresses: ['10.88.0.1 peer 10.99.0.2/32'] }]);
      expect(outPeer.code).toBe(3);
      expect(outPeer.stderr).toContain('not permitted: address-add nb-p 10.88.0.1 peer 10.99.0.2/32: not permitted: the peer of address 10.88.0.1 peer 10.99.0.2/32 is not within the addresses line 1 allows');
      const outLocal = await asNobody(ns, ['apply'], [{ name: 'nb-p', addresses: ['10.99.0.1 peer 10.88.0.2/32'] }]);
      expect(outLocal.code).toBe(3);
      expect(outLocal.stderr).toContain('not permitted: address-add nb-p 10.99.0.1 peer 10.88.0.2/32: not permitted: address 10.99.0.1 peer 10.88.0.2/32 is not within the addresses line 1 allows');
      expect(globalAddrs(link(ns, 'nb-p'))).toEqual(['10.88.0.5/24']);
    });
  });
});
