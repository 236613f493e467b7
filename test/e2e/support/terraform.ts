/**
 * Terraform run directly on a synthesized stack (no cdktf CLI): what a CDK
 * Terrain user does while `cdktn-cli` needs a newer Node.js than this one.
 * Each working directory gets an empty CLI configuration, so no user setting
 * leaks in.
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { RunResult } from './cdktf.js';

const run = promisify(execFile);

export async function terraform(dir: string, args: string[], env: Record<string, string> = {}): Promise<RunResult> {
  const rc = join(dir, '.terraformrc');
  writeFileSync(rc, '', { flag: 'a' });
  try {
    const { stdout, stderr } = await run('terraform', [...args, '-no-color'], {
      cwd: dir,
      env: { ...process.env, CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1', TF_CLI_CONFIG_FILE: rc, ...env },
      maxBuffer: 64 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof err.code === 'number' ? err.code : 1, stdout: err.stdout ?? '', stderr: err.stderr ?? String(e) };
  }
}
