/**
 * The provider's session with a host (src/sys/ssh-session.ts) and the
 * `tunform serve --stdio` it talks to. The "remote" is this checkout's CLI
 * started directly (what ssh would start on the host), so the session's own
 * rules are tested with real processes: answers match separate runs, calls
 * may overlap, a remote without serve is called once per command, a session
 * that dies fails its calls naming the host and the next call starts another,
 * and ssh failing before the greeting is ssh's error. The SSH path itself is
 * covered by test/acceptance/fleet-terraform.test.ts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { cliBin, requireBuiltCli, runTunform } from '../support/cli.js';
import { SshSession, SERVE_ARGS } from '../../src/sys/ssh-session.js';
import { SshTransport, type ExecResult } from '../../src/sys/ssh.js';
import { parseSshTarget } from '../../src/sys/ssh-target.js';
import { backendError } from '../../src/errors.js';

const SPEC = 'devices:\n  - name: ss0\n    mode: tap\n    mtu: 1400\n';

/** A transport whose "remote" command is started here; `serve` decides what the serve request starts instead. */
function fakeTransport(serve: () => ChildProcess = () => spawn(process.execPath, [cliBin, ...SERVE_ARGS], { stdio: ['pipe', 'pipe', 'pipe'] })) {
  const perCall: string[][] = [];
  const transport = {
    name: 'root@192.0.2.9',
    ensureCompatible: async () => {},
    acceptVersion: () => {},
    spawnRemote: (args: readonly string[]) => {
      expect(args).toEqual([...SERVE_ARGS]);
      return serve();
    },
    spawnFailure: (e: Error) => backendError(`cannot start ssh: ${e.message}`),
    failure: (stderr: string) => backendError(`cannot connect to root@192.0.2.9`, { details: [stderr.trim()] }),
    run: async (args: readonly string[]): Promise<ExecResult> => {
      perCall.push([...args]);
      return { code: 0, stdout: 'per-call\n', stderr: '' };
    },
  };
  return { transport: transport as unknown as SshTransport, perCall };
}

/** A real transport (local version 0.1.0) whose "remote" serve is `serve()`, counting the `--version` calls it would make over ssh. */
function versionedTransport(serve: () => ChildProcess) {
  const transport = new SshTransport(parseSshTarget('ssh://root@192.0.2.9', 'host'), {}, '0.1.0');
  const versionCalls: string[][] = [];
  transport.spawnRemote = () => serve();
  transport.exec = async (args) => {
    versionCalls.push([...args]);
    return { code: 0, stdout: '0.1.0\n', stderr: '' };
  };
  return { transport, versionCalls };
}

/** A serve that greets with `version` and answers each request with 'served COMMAND'. */
const fakeServe = (version: string) =>
  spawn(
    process.execPath,
    [
      '-e',
      `console.log(JSON.stringify({ tunformServe: 1, version: ${JSON.stringify(version)} }));
       require('node:readline').createInterface({ input: process.stdin }).on('line', (l) => {
         const r = JSON.parse(l);
         console.log(JSON.stringify({ id: r.id, code: 0, stdout: 'served ' + r.args[0], stderr: '' }));
       });`,
    ],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );

const sh = (script: string) => () => spawn('sh', ['-c', script], { stdio: ['pipe', 'pipe', 'pipe'] });

describe('SshSession and tunform serve --stdio', () => {
  it('GIVEN a serve session WHEN calls overlap THEN each gets what a separate tunform process gives', async () => {
    requireBuiltCli();
    const { transport, perCall } = fakeTransport();
    const session = new SshSession(transport);
    try {
      const [validated, bad, version] = await Promise.all([
        session.run(['validate', '--json', '--spec-stdin=spec.yaml'], SPEC),
        session.run(['validate', '--spec-stdin=bad.yaml'], 'devices:\n  - name: ss0\n    mode: nope\n'),
        session.run(['--version']),
      ]);
      const alone = async (args: string[], input: string) => {
        const r = await runTunform(args, { input });
        return { code: r.code, stdout: r.stdout, stderr: r.stderr };
      };
      expect(validated).toEqual(await alone(['validate', '--json', '--spec-stdin=spec.yaml'], SPEC));
      expect(bad).toEqual(await alone(['validate', '--spec-stdin=bad.yaml'], 'devices:\n  - name: ss0\n    mode: nope\n'));
      expect(bad.code).toBe(1);
      expect(version.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
      expect(perCall).toEqual([]);
    } finally {
      session.close();
    }
  });

  it('GIVEN a remote tunform without serve WHEN called THEN each call is its own remote command', async () => {
    const { transport, perCall } = fakeTransport(sh("echo \"error: unknown command 'serve'\" >&2; exit 1"));
    const session = new SshSession(transport);
    expect(await session.run(['host-info', '--json', '--facts'])).toMatchObject({ stdout: 'per-call\n' });
    expect(await session.run(['show', '--json'])).toMatchObject({ stdout: 'per-call\n' });
    expect(perCall).toEqual([
      ['host-info', '--json', '--facts'],
      ['show', '--json'],
    ]);
  });

  it('GIVEN a session that dies during a call WHEN it ends THEN the call fails naming the host, and the next call starts a new session', async () => {
    let starts = 0;
    const { transport } = fakeTransport(() => {
      starts++;
      // The first serve greets, takes one request and dies without answering; the next one works.
      return starts === 1
        ? sh('echo \'{"tunformServe":1,"version":"0.0.0"}\'; read line; echo "serve: out of memory" >&2; exit 137')()
        : spawn(process.execPath, [cliBin, ...SERVE_ARGS], { stdio: ['pipe', 'pipe', 'pipe'] });
    });
    const session = new SshSession(transport);
    try {
      await expect(session.run(['apply', '--json'])).rejects.toThrow(
        "lost the tunform session on root@192.0.2.9 (it ended with exit 137) while 'tunform apply' ran; it may have partly run",
      );
      expect((await session.run(['--version'])).code).toBe(0);
      expect(starts).toBe(2);
    } finally {
      session.close();
    }
  });

  it("GIVEN a serve whose greeting names a compatible version WHEN called THEN no separate 'tunform --version' runs on the host", async () => {
    const { transport, versionCalls } = versionedTransport(() => fakeServe('0.1.7'));
    const session = new SshSession(transport);
    try {
      expect(await session.run(['host-info', '--json', '--facts'])).toEqual({ code: 0, stdout: 'served host-info', stderr: '' });
      await transport.ensureCompatible();
      expect(versionCalls).toEqual([]);
    } finally {
      session.close();
    }
  });

  it('GIVEN a serve whose greeting names an incompatible version WHEN called THEN the call fails as the version check would, and nothing is sent', async () => {
    const { transport, versionCalls } = versionedTransport(() => fakeServe('2.0.0'));
    const session = new SshSession(transport);
    await expect(session.run(['apply', '--json'])).rejects.toThrow('root@192.0.2.9 runs tunform 2.0.0, which is not compatible with this tunform 0.1.0 (major.minor must match)');
    // The version check on its own says the same, still without asking the host again.
    await expect(transport.ensureCompatible()).rejects.toThrow('not compatible');
    expect(versionCalls).toEqual([]);
  });

  it('GIVEN ssh failing before the greeting (exit 255) WHEN called THEN the error is ssh failure, naming the host', async () => {
    const { transport, perCall } = fakeTransport(sh('echo "Connection refused" >&2; exit 255'));
    const session = new SshSession(transport);
    await expect(session.run(['show', '--json'])).rejects.toThrow('cannot connect to root@192.0.2.9');
    expect(perCall).toEqual([]);
  });

  it('GIVEN tunform serve WHEN it reads a line that is not a request, or a request to serve THEN it says so and goes on; at the end of stdin it exits 0', async () => {
    requireBuiltCli();
    const r = await runTunform(['serve', '--stdio'], {
      input: ['not json', JSON.stringify({ id: 1, args: ['serve', '--stdio'] }), JSON.stringify({ id: 2, args: ['--version'] }), ''].join('\n'),
    });
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines[0]).toMatchObject({ tunformServe: 1 });
    expect(lines.slice(1).sort((a, b) => Number(a.id) - Number(b.id))).toEqual([
      { id: 1, code: 1, stdout: '', stderr: "tunform serve: a request cannot run 'serve'\n" },
      { id: 2, code: 0, stdout: `${String(lines[0]!.version)}\n`, stderr: '' },
    ]);
    expect(r.stderr).toBe('tunform serve: ignored a line that is not a request ({"id": N, "args": [...], "input"?: "..."}): not json\n');
  });
});
