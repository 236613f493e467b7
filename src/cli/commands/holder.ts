import type { Io } from '../io.js';
import { restartHolder } from '../../apply/holder-restart.js';

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
