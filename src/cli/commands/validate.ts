import type { Io } from '../io.js';
import { loadDesired, type SourceOptions } from '../desired.js';

export interface ValidateOptions extends SourceOptions {
  readonly json?: boolean;
}

export async function runValidate(opts: ValidateOptions, io: Io): Promise<number> {
  const { desired, warnings, source } = await loadDesired(opts, io);
  if (opts.json) {
    io.out(JSON.stringify({ formatVersion: 1, valid: true, netns: desired.netns ?? null, devices: desired.devices, warnings }, null, 2) + '\n');
  } else {
    io.out(`${source}: valid, ${desired.devices.length} device(s)${desired.netns ? ` in netns '${desired.netns}'` : ''}.\n`);
  }
  return 0;
}
