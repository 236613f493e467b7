import type { LiveDevice } from '../model.js';

/**
 * How an attached process reads in messages and tables: `2390(qemu-system-x86)`,
 * `812(holder)` for tunform's holder, the bare pid when its name was not readable.
 */
export function processLabel(d: Pick<LiveDevice, 'holderPids' | 'processNames'>, pid: number): string {
  if (d.holderPids.includes(pid)) return `${pid}(holder)`;
  const name = d.processNames?.[pid];
  return name === undefined ? String(pid) : `${pid}(${name})`;
}
