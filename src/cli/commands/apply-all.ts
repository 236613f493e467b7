/**
 * `tunform apply-all [--config-dir DIR]`: applies every spec of the boot
 * configuration directory (src/boot/config-dir.ts), one after the other, what
 * tunform.service runs before network-pre.target. An invalid or failing spec
 * does not stop the others; each gets one result line, and the exit code is
 * that of the first one that failed, so the journal and systemctl both show it.
 * Nothing is pruned: several files may share a namespace.
 */
import type { Io } from '../io.js';
import { asTunformError, EXIT_OK } from '../../errors.js';
import { CONFIG_DIR_DEFAULT, CONFIG_DIR_ENV, listConfigSources, type ConfigSource } from '../../boot/config-dir.js';
import { applySource } from './apply.js';
import { reportError } from '../report-error.js';

export interface ApplyAllOptions {
  readonly configDir?: string;
  readonly json?: boolean;
}

export interface SourceOutcome {
  readonly source: string;
  readonly kind: ConfigSource['kind'];
  readonly ok: boolean;
  readonly changed?: boolean;
  readonly exitCode: number;
  readonly error?: string;
}

export async function runApplyAll(opts: ApplyAllOptions, io: Io): Promise<number> {
  const dir = opts.configDir ?? process.env[CONFIG_DIR_ENV] ?? CONFIG_DIR_DEFAULT;
  const sources = await listConfigSources(dir);
  if (sources === undefined || sources.length === 0) {
    if (opts.json) io.out(`${JSON.stringify({ formatVersion: 1, configDir: dir, results: [] }, null, 2)}\n`);
    else io.out(`tunform: no specs in ${dir}${sources === undefined ? ' (it does not exist)' : ''}; nothing to apply\n`);
    return EXIT_OK;
  }
  const results: SourceOutcome[] = [];
  for (const s of sources) {
    try {
      const r = await applySource(s.kind === 'file' ? { file: s.path } : { synth: s.path }, { prune: false }, io);
      results.push({ source: s.path, kind: s.kind, ok: true, changed: r.changed, exitCode: EXIT_OK });
      if (!opts.json) io.out(`ok ${s.path}: ${r.changed ? `${r.report.done.length} step(s) done, verified` : 'no changes'}\n`);
    } catch (e) {
      const err = asTunformError(e);
      results.push({ source: s.path, kind: s.kind, ok: false, exitCode: err.exitCode, error: err.message });
      if (!opts.json) io.out(`failed ${s.path}: ${err.message}\n`);
      io.err(`${s.path}:\n`);
      reportError(err, io);
    }
  }
  const failed = results.filter((r) => !r.ok);
  if (opts.json) io.out(`${JSON.stringify({ formatVersion: 1, configDir: dir, results }, null, 2)}\n`);
  else io.out(`apply-all: ${results.length - failed.length} of ${results.length} spec(s) applied${failed.length ? `, ${failed.length} failed` : ''}\n`);
  return failed[0]?.exitCode ?? EXIT_OK;
}
