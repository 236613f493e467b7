import type { Io } from '../io.js';
import { loadDesired, type SourceOptions } from '../desired.js';
import type { DesiredState } from '../../model.js';
import { deviceAttributes, deviceFlags } from '../../plan/render.js';

export interface ValidateOptions extends SourceOptions {
  readonly json?: boolean;
}

export async function runValidate(opts: ValidateOptions, io: Io): Promise<number> {
  const { desired, warnings, source } = await loadDesired(opts, io);
  if (opts.json) {
    io.out(JSON.stringify({ formatVersion: 1, valid: true, netns: desired.netns ?? null, devices: desired.devices, warnings }, null, 2) + '\n');
  } else {
    io.out(renderDeclared(source, desired));
  }
  return 0;
}

/** A headline, then each device as plan shows a create (without the `+`), so the two read alike. */
function renderDeclared(source: string, desired: DesiredState): string {
  const count = desired.devices.length;
  const where = desired.netns ? ` in netns '${desired.netns}'` : '';
  const lines = [`${source}: valid, ${count} ${count === 1 ? 'device' : 'devices'}${where}.`];
  for (const d of desired.devices) {
    lines.push(`${d.name} (${deviceFlags(d)})`, ...deviceAttributes(d).map((a) => `    ${a}`));
  }
  return lines.join('\n') + '\n';
}
