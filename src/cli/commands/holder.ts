import { realpathSync } from 'node:fs';
import type { Io } from '../io.js';
import { restartHolder, type HolderRestartOutcome } from '../../apply/holder-restart.js';

export interface HolderRestartOptions {
  readonly netns?: string;
  readonly json?: boolean;
}

/**
 * `tunform holder restart [--netns NS]`: a new holder takes every held fd, with
 * no carrier drop: by `systemctl restart` when the holder is its unit's main
 * process, else by a hand-over.
 */
export async function runHolderRestart(opts: HolderRestartOptions, io: Io): Promise<number> {
  const r = await restartHolder(opts.netns);
  if (opts.json) {
    io.out(`${JSON.stringify({ formatVersion: 1, netns: opts.netns ?? null, oldPid: r.oldPid ?? null, newPid: r.newPid ?? null, helper: r.helper, via: r.via ?? null, unit: r.unit ?? null }, null, 2)}\n`);
  } else if (r.newPid === undefined) {
    io.out(`No holder runs${opts.netns ? ` in netns '${opts.netns}'` : ''}; nothing to restart.\n`);
  } else if (r.via === 'systemctl') {
    io.out(`Holder restarted with systemctl restart ${r.unit}: pid ${r.oldPid ?? '?'} ended, systemd's fd store kept every fd and passed it to pid ${r.newPid} (${r.helper}).\n`);
  } else {
    io.out(`Holder restarted: pid ${r.oldPid ?? '?'} handed every fd to pid ${r.newPid} (${r.helper}).\n`);
  }
  return 0;
}

const canonical = (p: string): string => {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
};

/**
 * What `tunform install-helper` says about the holders it restarted onto the
 * installed helper: one line each on stdout, and a warning on stderr for each
 * that could not be (it keeps running the old binary, with its devices).
 */
export function reportHolderRestarts(outcomes: readonly HolderRestartOutcome[], installed: string, io: Io): void {
  if (outcomes.length === 0) io.out('No holder runs; none to restart.\n');
  for (const o of outcomes) {
    const whose = o.netns !== undefined ? `the holder of netns '${o.netns}'` : 'runDir' in o && o.runDir ? `the holder at ${o.runDir}` : "this namespace's holder";
    if ('failed' in o) {
      io.err(`warning: could not restart ${whose} (pid ${o.pid}) onto ${installed}: ${o.failed}. It still holds its devices, on the binary it was started from.\n`);
      continue;
    }
    const r = o.restarted;
    if (r.newPid === undefined) continue; // it ended between the two questions: nothing left to restart
    const how = r.via === 'systemctl' ? `with systemctl restart ${r.unit}` : 'by a hand-over';
    const other =
      r.via === 'systemctl' && r.helper !== canonical(installed)
        ? ` (it runs ${r.helper}, its unit's ExecStart, not ${installed}; to change that: \`TUNFORM_HELPER=${installed} tunform install-units\`, \`systemctl daemon-reload\`, \`tunform holder restart\`)`
        : '';
    io.out(`Restarted ${whose} ${how}: pid ${r.oldPid ?? '?'} -> pid ${r.newPid}, every device kept${other}.\n`);
  }
}
