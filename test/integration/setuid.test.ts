/**
 * The setuid helper as an unprivileged user would run it: a copy built with a
 * test ACL path, installed root-owned mode 4755 in a temp directory on a mount
 * without nosuid, run as `setpriv --reuid=nobody --regid=nogroup --clear-groups`.
 * Every test works in its own throwaway namespace. Refusals are checked to
 * change nothing.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, chownSync, existsSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNetns, destroyNetns, ipn } from '../support/netns.js';
import { installSetuidHelper, linkNames as links, NOBODY, NOBODY_UID, runAsNobody, type Run, type SetuidHelper } from '../support/setuid.js';

let h: SetuidHelper | undefined;
let dir = '';
let helper = '';
let acl = '';
let skip: string | undefined;

function writeAcl(text: string, mode = 0o644): void {
  h!.writeAcl(text, mode);
}

function asNobody(args: string[], input = '', env: NodeJS.ProcessEnv = { PATH: process.env.PATH }): Run {
  return runAsNobody([helper, ...args], input, env);
}

/** Fields of /proc/PID/stat after the command name (index 11 is utime, 12 stime). */
const proc = (pid: number): string[] => execFileSync('cat', [`/proc/${pid}/stat`], { encoding: 'utf8' }).split(') ')[1]!.split(' ');

async function inNetns(tag: string, fn: (ns: string) => Promise<void> | void): Promise<void> {
  const ns = createNetns(tag);
  try {
    await fn(ns);
  } finally {
    destroyNetns(ns);
  }
}

/** Sends request lines to a holder's socket as nobody, on one connection, and returns its answer lines. */
function askHolderAsNobody(sock: string, ...lines: string[]): string[] {
  const client = `import socket,sys
s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); lines=sys.argv[2:]
s.sendall(("\\n".join(lines)+"\\n").encode()); buf=b""
while buf.count(b"\\n")<len(lines):
    d=s.recv(4096)
    if not d: break
    buf+=d
sys.stdout.write(buf.decode())`;
  return spawnSync(NOBODY[0]!, [...NOBODY.slice(1), '/usr/bin/python3', '-c', client, sock, ...lines], { encoding: 'utf8' }).stdout.trim().split('\n');
}

/** The test copy's holder drops a non-root client idle this long. */
const CLIENT_IDLE_MS = 2000;

const BASE_ACL = [
  '# test ACL',
  'allow user nobody devices vm-* netns tf-* max-mtu 9000 modes tun addresses 10.77.0.0/16,fd00:77::/48',
  'deny user nobody devices vm-no',
  'allow user nobody devices lo', // allowed by name, refused by kind: lo is not a tun/tap device
  '',
].join('\n');

beforeAll(() => {
  h = installSetuidHelper(BASE_ACL, { clientIdleMs: CLIENT_IDLE_MS });
  ({ dir, helper, acl, skip } = h);
}, 120_000);

afterAll(() => {
  h?.cleanup();
});

describe('setuid tunform-helper', () => {
  it('GIVEN the test copy WHEN inspected THEN it is root-owned 4755 and really setuid for nobody', (ctx) => {
    if (skip) ctx.skip(skip);
    const st = statSync(helper);
    expect(st.uid).toBe(0);
    expect(st.mode & 0o7777).toBe(0o4755);
    // acl-check drops to the caller: it works as nobody, with the compiled-in path.
    const r = asNobody(['acl-check'], `${NOBODY_UID} ${NOBODY_UID} tf-x create vm-1 tun -\n`);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('allow create vm-1\n');
  });

  it('GIVEN an allowed name WHEN nobody runs every exec op THEN the device is made, configured and removed', async (ctx) => {
    if (skip) ctx.skip(skip);
    await inNetns('suid', (ns) => {
      const ops = [
        `create vm-a tun - user=${NOBODY_UID} alias=tunform`,
        'mtu vm-a 1400',
        'addr-add vm-a 10.77.0.1/24',
        'addr-add vm-a fd00:77::1/64',
        'up vm-a',
        'alias vm-a tunform@g2',
      ];
      const r = asNobody(['--netns', ns, 'exec'], ops.join('\n') + '\n');
      expect(r.stdout.trim().split('\n')).toEqual(['ok create vm-a', 'ok mtu vm-a', 'ok addr-add vm-a', 'ok addr-add vm-a', 'ok up vm-a', 'ok alias vm-a']);
      expect(r.code).toBe(0);
      const l = (JSON.parse(ipn(ns, '-d', '-j', 'addr', 'show', 'dev', 'vm-a')) as Record<string, unknown>[])[0]!;
      expect(l.mtu).toBe(1400);
      expect(l.ifalias).toBe('tunform@g2');
      expect((l.flags as string[]).includes('UP')).toBe(true);
      const addrs = (l.addr_info as { local: string; prefixlen: number }[]).map((a) => `${a.local}/${a.prefixlen}`);
      expect(addrs).toEqual(expect.arrayContaining(['10.77.0.1/24', 'fd00:77::1/64']));

      const r2 = asNobody(['--netns', ns, 'exec'], 'addr-del vm-a 10.77.0.1/24\ndown vm-a\nunlink vm-a\n');
      expect(r2.stdout).toBe('ok addr-del vm-a\nok down vm-a\nok unlink vm-a\n');
      expect(links(ns)).toEqual(['lo']);
    });
  });

  it('GIVEN names outside the ACL, truncation bait, bad characters and over-limit values WHEN nobody asks THEN each is refused with a reason and nothing changes', async (ctx) => {
    if (skip) ctx.skip(skip);
    await inNetns('suid', (ns) => {
      const before = links(ns);
      const cases: [string, RegExp][] = [
        ['create other tun -', /not permitted: no rule in .* allows uid \d+ to manage 'other'/],
        ['create vm-no tun -', /not permitted: denied by .*helper\.acl line 3/],
        // 16+ bytes that would match vm-* once truncated (CVE-2019-13164): rejected, never truncated
        ['create vm-0123456789abcdef tun -', /longer than 15 bytes \(names are never truncated\)/],
        ['create vm-a/b tun -', /must not contain '\/'/],
        ['create .. tun -', /must not be '\.' or '\.\.'/],
        ['create vm-* tun -', /must not contain '\*'/],
        ['create vm-? tun -', /must not contain '\?'/],
        ['create vm-[a] tun -', /must not contain '\['/],
        ['create vm-t tap -', /not permitted: mode tap is not allowed/],
        ['create vm-o tun - user=1', /not permitted: owner 1 is neither you \(uid \d+\) nor root/],
        ['mtu vm-m 9500', /not permitted: mtu 9500 is above max-mtu 9000/],
        ['unlink lo', /failed to delete 'lo': not a tun\/tap device/],
        ['mtu lo 1000', /failed to set mtu of 'lo': not a tun\/tap device/],
        ['addr-add lo 10.1.2.3/8', /not within the addresses line 4 allows/],
      ];
      const r = asNobody(['--netns', ns, 'exec'], cases.map(([l]) => l).join('\n') + '\n');
      const lines = r.stdout.trim().split('\n');
      expect(lines).toHaveLength(cases.length);
      cases.forEach(([, re], i) => {
        expect(lines[i]).toMatch(/^error /);
        expect(lines[i]).toMatch(re);
      });
      expect(r.code).toBe(1);
      expect(links(ns)).toEqual(before);
      // a name with whitespace cannot even travel as one token: the line is malformed
      const ws = asNobody(['--netns', ns, 'exec'], 'create vm- a tun -\n');
      expect(ws.stdout).toMatch(/^error create vm-: invalid mode 'a'/);
      expect(links(ns)).toEqual(before);
    });
  });

  it('GIVEN a rule bounding addresses to 10.77.0.0/16 and fd00:77::/48, and one without addresses WHEN nobody adds a /1, a neighbour\'s address, a too-wide subnet and addresses to the other device THEN each is refused, nothing is added, and addresses inside the bound are', async (ctx) => {
    if (skip) ctx.skip(skip);
    await inNetns('suid', (ns) => {
      try {
        writeAcl(BASE_ACL + 'allow user nobody devices na-* netns tf-*\n');
        ipn(ns, 'tuntap', 'add', 'dev', 'vm-n', 'mode', 'tun');
        ipn(ns, 'tuntap', 'add', 'dev', 'na-1', 'mode', 'tun');
        const attacks = ['addr-add vm-n 0.0.0.0/1', 'addr-add vm-n 128.0.0.1/1', 'addr-add vm-n 192.168.1.1/24', 'addr-add vm-n 10.77.0.1/8', 'addr-add vm-n fd00:78::1/64', 'addr-add vm-n fd00::1/16', 'addr-add na-1 10.77.0.1/24'];
        // WHEN nobody asks check and then exec
        const c = asNobody(['--netns', ns, 'check'], attacks.join('\n') + '\n');
        const r = asNobody(['--netns', ns, 'exec'], attacks.join('\n') + '\n');
        // THEN each is denied in check and refused by exec, naming the rule's bound
        for (const out of [c.stdout, r.stdout]) {
          const lines = out.trim().split('\n');
          expect(lines).toHaveLength(attacks.length);
          lines.slice(0, -1).forEach((l) => expect(l).toMatch(/not permitted: address \S+ is not within the addresses line 2 allows$/));
          expect(lines.at(-1)).toMatch(/not permitted: address 10\.77\.0\.1\/24 is not within the addresses line 5 allows \(it has no addresses option: no address may be added\)$/);
        }
        // AND no address reached either device
        const addrs = (dev: string): string[] =>
          ((JSON.parse(ipn(ns, '-j', 'addr', 'show', 'dev', dev)) as { addr_info: { local: string; prefixlen: number }[] }[])[0]?.addr_info ?? []).map((a) => `${a.local}/${a.prefixlen}`);
        expect(addrs('vm-n')).toEqual([]);
        expect(addrs('na-1')).toEqual([]);
        // WHEN the subnets lie inside the bound THEN they are added, and removing needs no bound
        const ok = asNobody(['--netns', ns, 'exec'], 'addr-add vm-n 10.77.3.1/24\naddr-add vm-n fd00:77:0:1::1/64\naddr-del vm-n 10.77.3.1/24\n');
        expect(ok.stdout).toBe('ok addr-add vm-n\nok addr-add vm-n\nok addr-del vm-n\n');
        expect(addrs('vm-n')).toEqual(['fd00:77:0:1::1/64']);
      } finally {
        writeAcl(BASE_ACL);
      }
    });
  });

  it('GIVEN nobody inside a namespace without --netns WHEN it asks check THEN the ACL sees that namespace by its ip-netns name (not the machine namespace), checks hold and release, and runs nothing', async (ctx) => {
    if (skip) ctx.skip(skip);
    await inNetns('suid', (ns) => {
      try {
        writeAcl(BASE_ACL + 'allow user nobody devices hs-* netns -\nallow user nobody devices kc-* netns tf-* keep-carrier no\n');
        const lines = ['create vm-c tun - alias=tunform', 'create hs-1 tun -', 'hold vm-c tun mq', 'hold kc-1 tun mq', 'release kc-1', 'mtu vm-c 9500'];
        const r = spawnSync('ip', ['netns', 'exec', ns, ...NOBODY, helper, 'check'], { input: lines.join('\n') + '\n', encoding: 'utf8' });
        const out = r.stdout.trim().split('\n');
        expect(out[0]).toBe('allow create vm-c'); // `netns tf-*` matches the namespace nobody is in
        expect(out[1]).toMatch(new RegExp(`^deny create hs-1: .*no rule .* to manage 'hs-1' in namespace ${ns}$`)); // `netns -` is the machine's own only
        expect(out[2]).toBe('allow hold vm-c');
        expect(out[3]).toMatch(/^deny hold kc-1: .*keep-carrier is not allowed/);
        expect(out[4]).toBe('allow release kc-1');
        expect(out[5]).toMatch(/^deny mtu vm-c: .*above max-mtu 9000/);
        expect(out).toHaveLength(lines.length);
        expect(r.status).toBe(1);
        expect(links(ns)).toEqual(['lo']); // check runs nothing
        // all allowed: exit 0
        const ok = spawnSync('ip', ['netns', 'exec', ns, ...NOBODY, helper, 'check'], { input: 'create vm-c tun -\nup vm-c\n', encoding: 'utf8' });
        expect(ok.stdout).toBe('allow create vm-c\nallow up vm-c\n');
        expect(ok.status).toBe(0);
      } finally {
        writeAcl(BASE_ACL);
      }
    });
  });

  it('GIVEN an ordinary (not setuid) copy WHEN nobody asks check THEN it says it cannot decide instead of allowing', (ctx) => {
    if (skip) ctx.skip(skip);
    const r = runAsNobody([join(dir, 'build', 'tunform-helper'), 'check'], 'create vm-1 tun -\n');
    expect(r.stdout).toBe('error create vm-1: cannot decide: tunform-helper is not setuid root here and you are not root; the kernel decides when the op runs\n');
    expect(r.code).toBe(1);
  });

  it('GIVEN a group-writable, a malformed or a missing ACL WHEN nobody runs exec THEN the helper refuses to run at all, naming the reason', async (ctx) => {
    if (skip) ctx.skip(skip);
    await inNetns('suid', (ns) => {
      try {
        writeAcl(BASE_ACL, 0o664);
        let r = asNobody(['--netns', ns, 'exec'], 'create vm-a tun -\n');
        expect(r.code).toBe(1);
        expect(r.stdout).toBe('');
        expect(r.stderr).toMatch(/refusing ACL .*: the file is writable by its group \(mode 0664; make it 0644\)/);

        writeAcl(BASE_ACL + 'allow user nobody devices vm-** \n');
        r = asNobody(['--netns', ns, 'exec'], 'create vm-a tun -\n');
        expect(r.code).toBe(1);
        expect(r.stderr).toMatch(/helper\.acl:5: invalid device pattern 'vm-\*\*'/);

        writeAcl('allow user nobody devices vm-* bogus yes\n');
        r = asNobody(['--netns', ns, 'exec'], 'create vm-a tun -\n');
        expect(r.stderr).toMatch(/helper\.acl:1: unknown option 'bogus'/);

        rmSync(acl);
        r = asNobody(['--netns', ns, 'exec'], 'create vm-a tun -\n');
        expect(r.code).toBe(1);
        expect(r.stderr).toMatch(/cannot read ACL .*No such file or directory \(no ACL: every request of a user is denied\)/);
        expect(links(ns)).toEqual(['lo']);
      } finally {
        writeAcl(BASE_ACL);
      }
    });
  });

  it('GIVEN an ACL whose file and own directory are safe WHEN an ancestor is writable by others (sticky or not) or its group, is not root\'s, or is a symlink and nobody runs exec THEN the helper refuses to run at all, naming that ancestor', async (ctx) => {
    if (skip) ctx.skip(skip);
    const root = h!.aclRoot;
    const etc = join(root, 'etc');
    const refused = (pattern: RegExp): void => {
      const r = asNobody(['--netns', ns, 'exec'], 'create vm-a tun -\n');
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(pattern);
    };
    let ns = '';
    await inNetns('suid', (n) => {
      ns = n;
      const at = root.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      try {
        // Control: the same ACL, every ancestor safe, is read and allows the op.
        const ok = asNobody(['--netns', ns, 'exec'], 'create vm-a tun -\nunlink vm-a\n');
        expect(ok.stdout).toBe('ok create vm-a\nok unlink vm-a\n');
        chmodSync(root, 0o1777);
        refused(new RegExp(`refusing ACL ${at}/etc/helper\\.acl: directory ${at} is writable by others \\(mode 1777; make it 0755 or keep the ACL out of it\\)`));
        chmodSync(root, 0o775);
        refused(new RegExp(`directory ${at} is writable by its group \\(mode 0775`));
        chmodSync(root, 0o755);
        chownSync(root, NOBODY_UID, 0);
        refused(new RegExp(`directory ${at} is owned by uid ${NOBODY_UID}, not root`));
        chownSync(root, 0, 0);
        renameSync(etc, `${etc}.real`);
        symlinkSync(`${etc}.real`, etc);
        refused(new RegExp(`cannot read ACL ${at}/etc/helper\\.acl: ${at}/etc: is a symlink or not a directory`));
        expect(links(ns)).toEqual(['lo']);
      } finally {
        chmodSync(root, 0o755);
        chownSync(root, 0, 0);
        if (existsSync(`${etc}.real`)) {
          rmSync(etc, { force: true });
          renameSync(`${etc}.real`, etc);
        }
      }
    });
  });

  it('GIVEN a hostile environment (LD_PRELOAD, PATH) and closed stdio WHEN nobody runs exec THEN the preload never runs and the ops still work', async (ctx) => {
    if (skip) ctx.skip(skip);
    await inNetns('suid', (ns) => {
      const outDir = join(dir, 'out');
      execFileSync('mkdir', ['-p', '-m', '0777', outDir]); // nobody may write the marker here (not the ACL's directory)
      const marker = join(outDir, 'preloaded');
      const src = join(dir, 'evil.c');
      writeFileSync(src, `#include <stdio.h>\n__attribute__((constructor)) static void evil(void) { FILE *f = fopen("${marker}", "w"); if (f) fclose(f); }\n`);
      execFileSync('gcc', ['-shared', '-fPIC', '-o', join(dir, 'evil.so'), src]);
      chmodSync(join(dir, 'evil.so'), 0o755);
      // Negative control: the library does run in an ordinary (not setuid) program as nobody.
      spawnSync('/usr/bin/setpriv', [...NOBODY.slice(1), '/usr/bin/env', `LD_PRELOAD=${join(dir, 'evil.so')}`, '/bin/true'], { env: {} });
      expect(existsSync(marker)).toBe(true);
      rmSync(marker);

      // env(1) runs as nobody and hands the hostile environment to the helper itself.
      const r = spawnSync(
        '/usr/bin/setpriv',
        [...NOBODY.slice(1), '/usr/bin/env', `LD_PRELOAD=${join(dir, 'evil.so')}`, `LD_LIBRARY_PATH=${dir}`, `PATH=${dir}`, 'LOCPATH=/nonexistent', helper, '--netns', ns, 'exec'],
        { input: 'create vm-e tun -\n', encoding: 'utf8', env: {} },
      );
      expect(r.stderr).toBe('');
      expect(r.stdout).toBe('ok create vm-e\n');
      expect(existsSync(marker)).toBe(false);

      // stderr closed: the helper reopens it on /dev/null rather than writing errors into a file it opens later
      const closed = spawnSync('sh', ['-c', `${NOBODY.join(' ')} ${helper} --netns ${ns} exec 2>&-`], { input: 'unlink vm-e\n', encoding: 'utf8' });
      expect(closed.stdout).toBe('ok unlink vm-e\n');
      expect(links(ns)).toEqual(['lo']);
    });
  });

  it('GIVEN a holder started by nobody WHEN nobody talks to it THEN only allowed devices are held and the daemon runs as root with only CAP_NET_ADMIN and no new privileges', async (ctx) => {
    if (skip) ctx.skip(skip);
    await inNetns('suid', (ns) => {
      ipn(ns, 'tuntap', 'add', 'dev', 'vm-h', 'mode', 'tun', 'multi_queue');
      ipn(ns, 'tuntap', 'add', 'dev', 'other', 'mode', 'tun', 'multi_queue');
      const start = asNobody(['--netns', ns, 'holder']);
      expect(start.stderr).toBe('');
      const pid = Number(/^ok holder (\d+)$/m.exec(start.stdout)?.[1]);
      expect(pid).toBeGreaterThan(0);
      const status = execFileSync('cat', [`/proc/${pid}/status`], { encoding: 'utf8' });
      expect(status).toMatch(/^Uid:\s+0\s+0\s+0\s+0$/m);
      expect(status).toMatch(/^CapEff:\s+0000000000001000$/m);
      expect(status).toMatch(/^CapBnd:\s+0000000000001000$/m);
      expect(status).toMatch(/^NoNewPrivs:\s+1$/m);

      const sock = `/run/tunform/netns/${ns}/holder.sock`;
      const out = askHolderAsNobody(sock, 'hold other tun mq', 'set other user=0', 'release other', 'hold vm-h tun mq', 'set vm-h user=1', 'list');
      expect(out[0]).toMatch(/^error hold other: failed to hold 'other': not permitted: no rule/);
      expect(out[1]).toMatch(/^error set other: .*not permitted/);
      expect(out[2]).toMatch(/^error release other: .*not permitted/);
      expect(out[3]).toBe('ok hold vm-h');
      expect(out[4]).toMatch(/^error set vm-h: .*owner 1 is neither you \(uid \d+\) nor root/);
      expect(out[5]).toBe('ok list vm-h');
      const info = (JSON.parse(ipn(ns, '-d', '-j', 'link', 'show', 'other')) as { linkinfo: { info_data: Record<string, unknown> } }[])[0]!;
      expect(info.linkinfo.info_data.user).toBeUndefined();
    });
  });

  it('GIVEN a running holder nobody started under a rule WHEN root edits the ACL THEN the next connection of nobody is judged by the new ACL (a revoked rule refuses hold, set and release), while the holder keeps what it holds', async (ctx) => {
    if (skip) ctx.skip(skip);
    await inNetns('suid', (ns) => {
      ipn(ns, 'tuntap', 'add', 'dev', 'vm-r1', 'mode', 'tun', 'multi_queue');
      ipn(ns, 'tuntap', 'add', 'dev', 'vm-r2', 'mode', 'tun', 'multi_queue');
      const sock = `/run/tunform/netns/${ns}/holder.sock`;
      // One connection per call: the ACL is read when a non-root client connects.
      const ask = (...lines: string[]) => askHolderAsNobody(sock, ...lines);
      try {
        // GIVEN nobody's holder holding vm-r1 under the vm-* rule
        const start = asNobody(['--netns', ns, 'holder']);
        const pid = Number(/^ok holder (\d+)$/m.exec(start.stdout)?.[1]);
        expect(pid, start.stderr).toBeGreaterThan(0);
        expect(ask('hold vm-r1 tun mq')).toEqual(['ok hold vm-r1']);
        // WHEN root revokes the rule (only the lo line is left)
        writeAcl('# revoked\nallow user nobody devices lo\n');
        // THEN the same holder refuses nobody's next requests for vm-*
        const after = ask('hold vm-r2 tun mq', 'set vm-r1 user=65534', 'release vm-r1', 'list');
        expect(after[0]).toMatch(/^error hold vm-r2: failed to hold 'vm-r2': not permitted: no rule/);
        expect(after[1]).toMatch(/^error set vm-r1: .*not permitted/);
        expect(after[2]).toMatch(/^error release vm-r1: .*not permitted/);
        // AND it is the same holder, still holding vm-r1 (its queue detached: numdisabled 1)
        expect(after[3]).toBe('ok list vm-r1');
        expect(JSON.parse(ipn(ns, '-d', '-j', 'link', 'show', 'vm-r1'))[0].linkinfo.info_data).toMatchObject({ numdisabled: 1 });
        expect(execFileSync('cat', [`/proc/${pid}/status`], { encoding: 'utf8' })).toMatch(/^State:\s+S/m);
        // AND restoring the rule lets nobody release it again
        writeAcl(BASE_ACL);
        expect(ask('release vm-r1')).toEqual(['ok release vm-r1']);
      } finally {
        writeAcl(BASE_ACL);
      }
    });
  });

  it('GIVEN nobody with a 1 s CPU limit, nice 19, one CPU, SIGTERM ignored, SIGUSR1 blocked and its own cgroup WHEN it starts the holder THEN the holder carries none of it; a hard CPU limit or OOM score 1000 is undone or the start refused', async (ctx) => {
    if (skip) ctx.skip(skip);
    // A cgroup nobody is put in: cgroup v2, or the v1 pids hierarchy.
    const cgRoot = existsSync('/sys/fs/cgroup/cgroup.procs') ? '/sys/fs/cgroup' : '/sys/fs/cgroup/pids';
    const cg = join(cgRoot, `tf-suid-${process.pid}`);
    const start = (ns: string, extra: string): Run => {
      const hostile = `import os,resource,signal,sys
os.nice(19); os.sched_setaffinity(0,{0})
signal.signal(signal.SIGTERM,signal.SIG_IGN); signal.pthread_sigmask(signal.SIG_BLOCK,{signal.SIGUSR1})
${extra}
os.execv(sys.argv[1],[sys.argv[1],'--netns',sys.argv[2],'holder'])`;
      const r = spawnSync('sh', ['-c', `echo $$ > ${cg}/cgroup.procs && exec "$@"`, 'sh', ...NOBODY, '/usr/bin/python3', '-c', hostile, helper, ns], { encoding: 'utf8' });
      return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
    };
    const holderPid = (r: Run): number => Number(/^ok holder (\d+)$/m.exec(r.stdout)?.[1]);
    const proc = (pid: number, f: string): string => execFileSync('cat', [`/proc/${pid}/${f}`], { encoding: 'utf8' });
    execFileSync('mkdir', ['-p', cg]);
    try {
      await inNetns('suid', (ns) => {
        // WHEN nobody, inside that cgroup, starts the holder with a soft CPU limit
        const r = start(ns, 'resource.setrlimit(resource.RLIMIT_CPU,(1,resource.RLIM_INFINITY))');
        expect(r.stderr).toBe('');
        const pid = holderPid(r);
        expect(pid).toBeGreaterThan(0);
        // THEN limits, nice, CPUs, signals and cgroup are the holder's own
        expect(proc(pid, 'limits')).toMatch(/^Max cpu time\s+unlimited\s+unlimited/m);
        expect(proc(pid, 'stat').split(') ')[1]!.split(' ')[16]).toBe('0'); // nice
        const status = proc(pid, 'status');
        const allowed = /^Cpus_allowed_list:\s+(\S+)$/m;
        expect(allowed.exec(status)?.[1]).toBe(allowed.exec(proc(process.pid, 'status'))?.[1]);
        expect(status).toMatch(/^SigBlk:\s+0000000000000000$/m);
        expect(status).toMatch(/^SigIgn:\s+0000000000001001$/m); // SIGHUP and SIGPIPE, its own choice
        const line = proc(pid, 'cgroup').split('\n').find((l) => (cgRoot === '/sys/fs/cgroup' ? l.startsWith('0::') : /^\d+:pids:/.test(l)));
        expect(line?.split(':')[2]).toBe('/');
      });
      await inNetns('suid', (ns) => {
        // WHEN nobody raised its OOM score to 1000 THEN the holder's is 0 again (back to the inherited minimum)
        const pid = holderPid(start(ns, "open('/proc/self/oom_score_adj','w').write('1000')"));
        expect(proc(pid, 'oom_score_adj').trim()).toBe('0');
      });
      await inNetns('suid', (ns) => {
        // WHEN nobody lowered its hard CPU limit THEN it is lifted, or (without CAP_SYS_RESOURCE, as in containers) the start is refused
        const r = start(ns, 'resource.setrlimit(resource.RLIMIT_CPU,(1,1))');
        const canLift = (BigInt(`0x${/^CapBnd:\s+(\S+)$/m.exec(proc(process.pid, 'status'))![1]}`) >> 24n) & 1n;
        if (canLift) {
          expect(proc(holderPid(r), 'limits')).toMatch(/^Max cpu time\s+unlimited\s+unlimited/m);
        } else {
          expect(r.code).toBe(1);
          expect(r.stderr).toMatch(/refusing to start the holder: its starter's CPU time limit cannot be undone here/);
          expect(existsSync(`/run/tunform/netns/${ns}/holder.sock`)).toBe(false);
        }
      });
    } finally {
      spawnSync('rmdir', [cg]);
    }
  });

  it('GIVEN nobody holding 64 idle connections to the holder and a client that pipelines pings, half-closes and never reads WHEN root asks THEN root is served, the holder does not spin, nobody gets only its share and idle clients are dropped', async (ctx) => {
    if (skip) ctx.skip(skip);
    await inNetns('suid', async (ns) => {
      const start = asNobody(['--netns', ns, 'holder']);
      const pid = Number(/^ok holder (\d+)$/m.exec(start.stdout)?.[1]);
      expect(pid, start.stderr).toBeGreaterThan(0);
      const sock = `/run/tunform/netns/${ns}/holder.sock`;
      const attacker = `import json,socket,sys,time
conns=[]
for _ in range(64):
    s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); conns.append(s)
time.sleep(0.3)
served=[]
for s in conns:
    try:
        s.sendall(b"ping\\n"); s.settimeout(2); served.append(s.recv(64).startswith(b"ok ping"))
    except OSError: served.append(False)
kept=[s for s,ok in zip(conns,served) if ok]
spin=kept.pop(); spin.settimeout(0.5)
try: spin.sendall(b"ping\\n"*20000)
except OSError: pass
spin.shutdown(socket.SHUT_WR)
print(json.dumps({"served":sum(served)}),flush=True)
sys.stdin.readline()
time.sleep(float(sys.argv[2]))
closed=0
for s in kept:
    s.settimeout(2)
    try:
        closed+= s.recv(64)==b""
    except ConnectionResetError: closed+=1
print(json.dumps({"closed":closed,"kept":len(kept)}),flush=True)`;
      const child = spawn(NOBODY[0]!, [...NOBODY.slice(1), '/usr/bin/python3', '-c', attacker, sock, String((CLIENT_IDLE_MS * 2) / 1000)], { stdio: ['pipe', 'pipe', 'inherit'] });
      const lines: string[] = [];
      child.stdout.setEncoding('utf8').on('data', (d: string) => lines.push(...d.split('\n').filter(Boolean)));
      let exited = false;
      child.on('exit', () => (exited = true));
      const nextLine = async (n: number): Promise<string> => {
        while (lines.length < n && !exited) await new Promise((r) => setTimeout(r, 50));
        return lines[n - 1] ?? 'null';
      };
      try {
        // WHEN nobody has opened 64 connections and started the pipelined, never-read flood
        expect(JSON.parse(await nextLine(1))).toEqual({ served: 8 }); // its share: 8 connections per uid
        const cpu = (): number => proc(pid).slice(11, 13).reduce((a, b) => a + Number(b), 0);
        const cpu0 = cpu();
        const wall0 = Date.now();
        // THEN root is still served
        const root = spawnSync('/usr/bin/python3', ['-c', 'import socket,sys\ns=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.sendall(b"ping\\n"); s.settimeout(5); print(s.recv(64).decode().strip())', sock], { encoding: 'utf8' });
        expect(root.stdout.trim()).toBe(`ok ping ${pid}`);
        await new Promise((r) => setTimeout(r, 1000));
        // AND the holder sleeps rather than spins: CPU ticks (100 per second) well under the wall time that passed
        const ticks = cpu() - cpu0;
        expect(ticks).toBeLessThan(((Date.now() - wall0) / 1000) * 100 * 0.25);
        // AND once idle past the timeout, nobody's connections are closed by the holder
        child.stdin.write('go\n');
        expect(JSON.parse(await nextLine(2))).toEqual({ closed: 7, kept: 7 });
      } finally {
        // An attacker that already exited emits no second 'exit': waiting for one would hang the test and leak its namespace.
        if (!exited) {
          child.kill();
          await once(child, 'exit').catch(() => undefined);
        }
      }
    });
  });

  it('GIVEN a rule for tap devices only WHEN nobody unlinks, re-addresses, takes down, re-owns or releases a tun device through exec and the holder THEN every op is refused by the mode bound and the device stays held, up and unowned', async (ctx) => {
    if (skip) ctx.skip(skip);
    await inNetns('suid', (ns) => {
      try {
        writeAcl(BASE_ACL + 'allow user nobody devices md-* netns tf-* modes tap addresses 10.66.0.0/16\n');
        ipn(ns, 'tuntap', 'add', 'dev', 'md-1', 'mode', 'tun', 'multi_queue');
        ipn(ns, 'link', 'set', 'md-1', 'up');
        // root holds md-1 through a holder it started
        expect(execFileSync(helper, ['--netns', ns, 'holder'], { encoding: 'utf8' })).toMatch(/^ok holder \d+/);
        const sock = `/run/tunform/netns/${ns}/holder.sock`;
        const talk = (argv: string[], lines: string[]): string[] =>
          spawnSync(argv[0]!, [...argv.slice(1), '/usr/bin/python3', '-c', 'import socket,sys\ns=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); n=len(sys.argv)-2; s.sendall(("\\n".join(sys.argv[2:])+"\\n").encode()); b=b""\nwhile b.count(b"\\n")<n:\n    d=s.recv(4096)\n    if not d: break\n    b+=d\nprint(b.decode(),end="")', sock, ...lines], { encoding: 'utf8' })
            .stdout.trim()
            .split('\n');
        expect(talk(['env'], ['hold md-1 tun mq'])).toEqual(['ok hold md-1']);
        // WHEN nobody runs the ops that name no mode
        const r = asNobody(['--netns', ns, 'exec'], 'mtu md-1 1400\naddr-add md-1 10.66.0.1/24\nalias md-1 mine\ndown md-1\nunlink md-1\n');
        const h = talk(NOBODY, [`set md-1 user=${NOBODY_UID}`, 'release md-1']);
        // THEN each is refused by the mode bound
        const lines = [...r.stdout.trim().split('\n'), ...h];
        expect(lines).toHaveLength(7);
        for (const l of lines) expect(l).toMatch(/^error \S+ md-1: .*not permitted: mode tun is not allowed \(line 5: modes tap\)$/);
        // AND md-1 is still there, up, unowned and held
        const l = (JSON.parse(ipn(ns, '-d', '-j', 'link', 'show', 'md-1')) as { flags: string[]; mtu: number; linkinfo: { info_data: Record<string, unknown> } }[])[0]!;
        expect(l.flags).toContain('UP');
        expect(l.mtu).toBe(1500);
        expect(l.linkinfo.info_data.user).toBeUndefined();
        expect(talk(['env'], ['list'])).toEqual(['ok list md-1']);
      } finally {
        writeAcl(BASE_ACL);
      }
    });
  });

  it('GIVEN nobody running exec, the process that attaches to devices WHEN nobody signals or traces it THEN it is refused: exec runs as uid 0, ignores terminal stops and left nobody\'s cgroup', async (ctx) => {
    if (skip) ctx.skip(skip);
    await inNetns('suid', (ns) => {
      const attack = `import ctypes,json,os,signal,subprocess,sys,time
libc=ctypes.CDLL(None,use_errno=True)
p=subprocess.Popen([sys.argv[1],'--netns',sys.argv[2],'exec'],stdin=subprocess.PIPE,stdout=subprocess.PIPE)
for _ in range(500):
    st=open(f'/proc/{p.pid}/status').read()
    if 'Uid:\\t0\\t0\\t0\\t0' in st and open(f'/proc/{p.pid}/stat').read().split(') ')[1][0]=='S': break
    time.sleep(0.01)
res={}
for name in ('SIGSTOP','SIGTSTP','SIGKILL'):
    try: os.kill(p.pid,getattr(signal,name)); res[name]='sent'
    except PermissionError: res[name]='refused'
res['ptrace']=libc.ptrace(16,p.pid,0,0)
st=open(f'/proc/{p.pid}/status').read()
res['uid']=[l for l in st.splitlines() if l.startswith('Uid:')][0].split()[1:]
res['sigign']=int([l for l in st.splitlines() if l.startswith('SigIgn:')][0].split()[1],16)
res['cgroup']=open(f'/proc/{p.pid}/cgroup').read()
out,_=p.communicate(b'create vm-s tun -\\nunlink vm-s\\n')
res['out']=out.decode()
print(json.dumps(res))`;
      const cgRoot = existsSync('/sys/fs/cgroup/cgroup.procs') ? '/sys/fs/cgroup' : '/sys/fs/cgroup/pids';
      const cg = join(cgRoot, `tf-suid-x-${process.pid}`);
      execFileSync('mkdir', ['-p', cg]);
      try {
        const r = spawnSync('sh', ['-c', `echo $$ > ${cg}/cgroup.procs && exec "$@"`, 'sh', ...NOBODY, '/usr/bin/python3', '-c', attack, helper, ns], { encoding: 'utf8' });
        expect(r.stderr).toBe('');
        const out = JSON.parse(r.stdout) as Record<string, unknown>;
        // THEN no signal of nobody's reaches it and ptrace fails; it is uid 0 and ignores SIGTSTP, SIGTTIN and SIGTTOU
        expect(out).toMatchObject({ SIGSTOP: 'refused', SIGTSTP: 'refused', SIGKILL: 'refused', ptrace: -1, uid: ['0', '0', '0', '0'] });
        expect((out.sigign as number) & 0x380000).toBe(0x380000);
        // AND it is out of nobody's cgroup, and its ops still run
        expect(String(out.cgroup)).not.toContain(`tf-suid-x-${process.pid}`);
        expect(out.out).toBe('ok create vm-s\nok unlink vm-s\n');
      } finally {
        spawnSync('rmdir', [cg]);
      }
    });
  });

  it('GIVEN a holder nobody started and keeps a connection to WHEN root deletes and re-adds the namespace under the same name THEN nobody\'s next holder start gets a new holder, serving the new namespace', async (ctx) => {
    if (skip) ctx.skip(skip);
    await inNetns('suid', async (ns) => {
      const first = Number(/^ok holder (\d+)$/m.exec(asNobody(['--netns', ns, 'holder']).stdout)?.[1]);
      expect(first).toBeGreaterThan(0);
      const sock = `/run/tunform/netns/${ns}/holder.sock`;
      const idle = spawn(NOBODY[0]!, [...NOBODY.slice(1), '/usr/bin/python3', '-c', 'import socket,sys,time\ns=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); time.sleep(30)', sock], { stdio: 'ignore' });
      try {
        await new Promise((r) => setTimeout(r, 300));
        // WHEN the name is given to a new namespace
        execFileSync('ip', ['netns', 'del', ns]);
        execFileSync('ip', ['netns', 'add', ns]);
        ipn(ns, 'tuntap', 'add', 'dev', 'vm-r', 'mode', 'tun', 'multi_queue');
        // THEN nobody's start reaches a holder of the new namespace, which can hold its device
        const again = asNobody(['--netns', ns, 'holder']);
        const second = Number(/^ok holder (\d+)$/m.exec(again.stdout)?.[1]);
        expect(second, again.stderr).toBeGreaterThan(0);
        expect(second).not.toBe(first);
        const held = spawnSync(NOBODY[0]!, [...NOBODY.slice(1), '/usr/bin/python3', '-c', 'import socket,sys\ns=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.sendall(b"hold vm-r tun mq\\n"); s.settimeout(5); print(s.recv(256).decode().strip())', sock], { encoding: 'utf8' });
        expect(held.stdout.trim()).toBe('ok hold vm-r');
        expect(execFileSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' }).split(/\s+/)).toContain(String(second));
      } finally {
        idle.kill();
      }
    });
  });

  it('GIVEN the apply lock WHEN nobody (allowed something) and daemon (allowed nothing) ask THEN only nobody gets it, and only by namespace', async (ctx) => {
    if (skip) ctx.skip(skip);
    await inNetns('suid', (ns) => {
      const ok = asNobody(['--netns', ns, 'lock']);
      expect(ok.stdout).toBe('locked\n');
      expect(ok.code).toBe(0);
      // the run directory and the lock file nobody's run made are root's, group included
      for (const p of [`/run/tunform/netns/${ns}`, `/run/tunform/netns/${ns}/apply.lock`]) expect([statSync(p).uid, statSync(p).gid]).toEqual([0, 0]);
      const byPath = asNobody(['lock', join(dir, 'x.lock')]);
      expect(byPath.code).toBe(2);
      expect(byPath.stderr).toMatch(/lock PATH is refused in setuid mode/);
      const daemon = spawnSync('setpriv', ['--reuid=daemon', '--regid=daemon', '--clear-groups', helper, '--netns', ns, 'lock'], { encoding: 'utf8', input: '' });
      expect(daemon.status).toBe(3); // EXIT_DENIED: the ACL refused the namespace
      expect(daemon.stderr).toMatch(/failed to take the apply lock of namespace '.*': not permitted/);
    });
  });

  it('GIVEN nobody reading a namespace it may not enter WHEN its reader blocks on a full pipe and nobody tries to ptrace and stop it THEN both are refused and the reader holds no capability', async (ctx) => {
    if (skip) ctx.skip(skip);
    await inNetns('suid', (ns) => {
      // GIVEN enough links that `ip -d -j link show` overflows a one-page pipe
      execFileSync('ip', ['-n', ns, '-batch', '-'], { input: Array.from({ length: 16 }, (_, i) => `tuntap add dev vm-p${i} mode tun`).join('\n') + '\n' });
      // WHEN nobody starts the dump into a pipe it does not read, waits for ip, then attacks it
      const attack = `import ctypes,fcntl,json,os,signal,sys,time
libc=ctypes.CDLL(None,use_errno=True)
r,w=os.pipe(); fcntl.fcntl(w,1031,4096)
pid=os.fork()
if pid==0:
    os.dup2(w,1); os.execv(sys.argv[1],[sys.argv[1],'--netns',sys.argv[2],'dump','links'])
os.close(w)
for _ in range(500):
    st=open(f'/proc/{pid}/stat').read().split(') ')[1].split()[0]
    if open(f'/proc/{pid}/comm').read().strip()=='ip' and st=='S': break
    time.sleep(0.01)
comm=open(f'/proc/{pid}/comm').read().strip()
status=open(f'/proc/{pid}/status').read()
res=libc.ptrace(16,pid,0,0); perr=ctypes.get_errno()
if res==0:
    os.waitpid(pid,0x40000000); libc.ptrace(17,pid,0,0)
try:
    os.kill(pid,signal.SIGSTOP); kerr=0; os.kill(pid,signal.SIGCONT)
except PermissionError: kerr=1
data=b''
while True:
    d=os.read(r,65536)
    if not d: break
    data+=d
os.waitpid(pid,0)
cap=[l.split()[1] for l in status.splitlines() if l.startswith(('CapEff','CapPrm','CapBnd'))]
print(json.dumps({'comm':comm,'ptrace':res,'ptraceErrno':perr,'killRefused':kerr,'caps':cap,'links':len(json.loads(data))}))`;
      const r = spawnSync(NOBODY[0]!, [...NOBODY.slice(1), '/usr/bin/python3', '-c', attack, helper, ns], { encoding: 'utf8' });
      expect(r.stderr).toBe('');
      const out = JSON.parse(r.stdout) as { comm: string; ptrace: number; ptraceErrno: number; killRefused: number; caps: string[]; links: number };
      // THEN the attack reached ip while it was blocked, and ptrace (EPERM) and SIGSTOP were refused
      expect(out.comm).toBe('ip');
      expect(out.ptrace).toBe(-1);
      expect(out.ptraceErrno).toBe(1);
      expect(out.killRefused).toBe(1);
      // AND ip held no capability, and the dump still came through whole
      expect(out.caps).toEqual(['0000000000000000', '0000000000000000', '0000000000000000']);
      expect(out.links).toBe(17);
    });
  });

  it('GIVEN rules that deny nobody everything in a namespace, or cover only other namespaces WHEN nobody asks for its apply lock, its dump or its holder THEN each is refused, and a namespace that does not exist gets no run directory', async (ctx) => {
    if (skip) ctx.skip(skip);
    await inNetns('suid', (ns) => {
      const tries = (): Run[] => [asNobody(['--netns', ns, 'lock']), asNobody(['--netns', ns, 'dump', 'links']), asNobody(['--netns', ns, 'holder'])];
      try {
        // GIVEN an allow rule for tf-* overridden, in this namespace, by a deny of every device
        writeAcl(BASE_ACL + `deny user nobody devices * netns ${ns}\n`);
        // WHEN nobody asks THEN lock, dump and holder start are all refused, with the status that says so (EXIT_DENIED)
        for (const r of tries()) {
          expect(r.code).toBe(3);
          expect(r.stdout).toBe('');
          expect(r.stderr).toMatch(new RegExp(`namespace '${ns}': not permitted: no rule in .* allows uid ${NOBODY_UID} anything there`));
        }
        // GIVEN only a rule for other namespaces THEN the same
        writeAcl('allow user nobody devices vm-* netns other-*\n');
        for (const r of tries()) expect(r.stderr).toMatch(/not permitted/);
        expect(existsSync(`/run/tunform/netns/${ns}/holder.sock`)).toBe(false);
        // GIVEN a deny of only one device THEN the rest of vm-* still lets nobody lock
        writeAcl(BASE_ACL + `deny user nobody devices vm-x netns ${ns}\n`);
        expect(asNobody(['--netns', ns, 'lock']).stdout).toBe('locked\n');
        // WHEN nobody names a namespace that does not exist THEN it is refused and no run directory is made for it
        const ghost = `${ns}-ghost`;
        const g = asNobody(['--netns', ghost, 'lock']);
        expect(g.code).toBe(1);
        expect(g.stderr).toMatch(new RegExp(`failed to open namespace '${ghost}': No such file or directory`));
        expect(existsSync(`/run/tunform/netns/${ghost}`)).toBe(false);
      } finally {
        writeAcl(BASE_ACL);
      }
    });
  });

  it('GIVEN deny rules scoped to namespaces WHEN nobody asks in a namespace the helper cannot name (an unnamed one, and the machine\'s own if pid 1\'s is unreadable) THEN every such deny rule applies and no scoped allow rule does', async (ctx) => {
    if (skip) ctx.skip(skip);
    try {
      writeAcl(['allow user nobody devices vm-*', 'allow user nobody devices sc-* netns -', `deny user nobody devices vm-x netns -`, 'deny user nobody devices vm-y netns tf-*', ''].join('\n'));
      const lines = 'create vm-x tun -\ncreate vm-y tun -\ncreate vm-z tun -\n';
      // WHEN nobody asks from a namespace that has no ip-netns name (unshare --net)
      const r = spawnSync('unshare', ['--net', ...NOBODY, helper, 'check'], { input: lines, encoding: 'utf8' });
      const out = r.stdout.trim().split('\n');
      // THEN both scoped denies apply, the unscoped allow still grants vm-z
      expect(out[0]).toMatch(/^deny create vm-x: .*denied by .* line 3$/);
      expect(out[1]).toMatch(/^deny create vm-y: .*denied by .* line 4$/);
      expect(out[2]).toBe('allow create vm-z');
      // AND the allow scoped to the machine's namespace does not apply there
      const sc = spawnSync('unshare', ['--net', ...NOBODY, helper, 'check'], { input: 'create sc-1 tun -\n', encoding: 'utf8' });
      expect(sc.stdout).toMatch(/^deny create sc-1: .*no rule/);
      // WHEN nobody asks in the machine's own namespace (check runs nothing) THEN `deny ... netns -` applies there too
      const host = asNobody(['check'], 'create vm-x tun -\n');
      expect(host.stdout.trim()).toMatch(/^deny create vm-x: .*denied by .* line 3$/);
    } finally {
      writeAcl(BASE_ACL);
    }
  });

  it('GIVEN a namespace nobody may not enter WHEN nobody (a rule applies there) and daemon (no rule) ask for its link dump THEN nobody gets ip\'s JSON and daemon is refused', async (ctx) => {
    if (skip) ctx.skip(skip);
    await inNetns('suid', (ns) => {
      ipn(ns, 'tuntap', 'add', 'dev', 'vm-d', 'mode', 'tun');
      // WHEN nobody asks for the link and address tables
      const links = asNobody(['--netns', ns, 'dump', 'links']);
      const addrs = asNobody(['--netns', ns, 'dump', 'addrs']);
      // THEN both are ip's JSON for that namespace
      expect(links.code, links.stderr).toBe(0);
      expect((JSON.parse(links.stdout) as { ifname: string; linkinfo?: { info_kind?: string } }[]).find((l) => l.ifname === 'vm-d')?.linkinfo?.info_kind).toBe('tun');
      expect(addrs.code, addrs.stderr).toBe(0);
      expect(JSON.parse(addrs.stdout)).toBeInstanceOf(Array);
      // AND an unknown table is a usage error, and daemon, whom no rule allows anything, is refused
      expect(asNobody(['--netns', ns, 'dump', 'routes']).code).toBe(2);
      const daemon = spawnSync('setpriv', ['--reuid=daemon', '--regid=daemon', '--clear-groups', helper, '--netns', ns, 'dump', 'links'], { encoding: 'utf8', input: '' });
      expect(daemon.status).toBe(3);
      expect(daemon.stderr).toContain(`failed to read namespace '${ns}': not permitted`);
      expect(daemon.stdout).toBe('');
    });
  });
});
