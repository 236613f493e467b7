/**
 * `tunform convert --from-networkd DIR`: prints the tunform spec equivalent
 * to the tun/tap devices DIR's .netdev and .network files declare
 * (src/convert/networkd.ts). Reads only; changes nothing.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { invalidInput } from '../../errors.js';
import { convertNetworkd, renderConvertedYaml, type NetworkdFile } from '../../convert/networkd.js';
import type { Io } from '../io.js';

export interface ConvertOptions {
  readonly fromNetworkd?: string;
  readonly json?: boolean;
}

async function networkdFiles(dir: string): Promise<NetworkdFile[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (e) {
    throw invalidInput(`'--from-networkd' (${JSON.stringify(dir)}) cannot be read: ${(e as Error).message}`);
  }
  const wanted = names.filter((n) => n.endsWith('.netdev') || n.endsWith('.network')).sort();
  return Promise.all(wanted.map(async (n) => ({ path: join(dir, n), text: await readFile(join(dir, n), 'utf8') })));
}

export async function runConvert(opts: ConvertOptions, io: Io): Promise<number> {
  if (opts.fromNetworkd === undefined) throw invalidInput("'convert' needs a source: '--from-networkd DIR' (a directory of .netdev and .network files)");
  const converted = convertNetworkd(await networkdFiles(opts.fromNetworkd));
  if (converted.length === 0) io.err(`warning: no .netdev file in ${opts.fromNetworkd} declares a tun or tap device (Kind=tun or Kind=tap)\n`);
  io.out(renderConvertedYaml(converted, `Converted from systemd-networkd (${opts.fromNetworkd}) by tunform convert.`));
  return 0;
}
