/** runCommandToFiles: a program's output goes to unlinked files, so the program never waits for this process to read it. */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCommandToFiles } from '../../../src/sys/run-command.js';

const ours = () => readdirSync(tmpdir()).filter((f) => f.startsWith(`.tunform-${process.pid}-`));
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('runCommandToFiles', () => {
  it('GIVEN a program that prints far more than a pipe holds WHEN this thread is busy right after starting it THEN the program finishes meanwhile, and all its output is returned', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'run-command-'));
    dirs.push(dir);
    const mark = join(dir, 'finished');
    // GIVEN 1 MiB on stdout (a pipe holds 64 KiB), then a mark once it is all written
    const result = runCommandToFiles('sh', ['-c', `head -c 1048576 /dev/zero | tr '\\0' x; echo done >&2; touch '${mark}'`]);
    // WHEN the event loop is blocked (as drift's validation blocks it): nothing reads a pipe now
    let finished = false;
    for (const until = Date.now() + 20_000; !finished && Date.now() < until; ) finished = existsSync(mark);
    // THEN the program got to its end without being read
    expect(finished).toBe(true);
    const r = await result;
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe('x'.repeat(1048576));
    expect(r.stderr).toBe('done\n');
    expect(ours()).toEqual([]);
  });

  it('GIVEN a program that does not exist WHEN run THEN the result carries the spawn error, as runCommand does, and no file is left', async () => {
    const r = await runCommandToFiles('tunform-test-no-such-program', []);
    expect(r.spawnError?.code).toBe('ENOENT');
    expect(ours()).toEqual([]);
  });

  it('GIVEN a program that fails WHEN run THEN its exit status and stderr are returned', async () => {
    const r = await runCommandToFiles('sh', ['-c', 'echo oops >&2; exit 3'], { env: { LC_ALL: 'C' } });
    expect(r).toMatchObject({ exitCode: 3, stdout: '', stderr: 'oops\n' });
  });
});
