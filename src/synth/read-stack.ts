/**
 * Reads a synthesized cdktf stack (cdktf.out/stacks/<stack>/cdk.tf.json)
 * back into a DesiredState: `tunform drift --synth DIR` checks a deployed
 * stack without Terraform, `tunform apply --synth DIR` re-converges it (after
 * a reboot, devices are gone but Terraform's state says they exist).
 *
 * Every tunform device record (terraform_data or null_resource, recognised
 * by FORMAT_TAG) stores its canonical spec document, and every
 * tunform_netdev resource (read-netdevs.ts) its attributes; the devices are
 * merged into one state and validated with the spec module's rules, each
 * problem naming the resource address.
 */
import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { invalidInput, type Problem } from '../errors.js';
import type { DesiredState } from '../model.js';
import { validateDevices, type SystemLookup } from '../spec/index.js';
import { netnsNameSchema } from '../spec/schema.js';
import { netnsMissingMessage } from '../spec/show.js';
import { extractNetdevs } from './read-netdevs.js';
import { FORMAT_TAG, RESOURCE_TYPES, STORED_ATTRIBUTE, generationOf, unescapeTemplate, type Backend } from './format.js';

export interface SynthLoadOptions {
  /** `--netns`: replaces the namespace stored in the stack. */
  readonly netnsOverride?: string;
  readonly lookup: SystemLookup;
}

export interface SynthStack {
  readonly desired: DesiredState;
  readonly warnings: Problem[];
}

/** One tunform device resource found in a stack. */
export interface SynthDevice {
  /** Terraform resource address, e.g. `terraform_data.tun-test`. */
  readonly address: string;
  /** cdktf construct path from the resource's metadata, when present. */
  readonly constructPath?: string;
  /** A record's generation (the hash of its spec); tunform_netdev resources have none. */
  readonly generation?: string;
  readonly netns?: string;
  readonly device: unknown;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const STACK_FILE = 'cdk.tf.json';

/**
 * The cdk.tf.json to read: DIR/cdk.tf.json, or the only stack under
 * DIR/stacks (so `--synth cdktf.out` works for one-stack apps).
 */
export async function findStackFile(dir: string): Promise<string> {
  const direct = join(dir, STACK_FILE);
  if (await isFile(direct)) return direct;
  const stacksDir = join(dir, 'stacks');
  const candidates = (await listStacks(dir)).map((s) => s.name);
  if (candidates.length === 1) return join(stacksDir, candidates[0] as string, STACK_FILE);
  if (candidates.length > 1) {
    throw invalidInput(
      `'${dir}' holds ${candidates.length} stacks (${candidates.join(', ')}); pass one of them, e.g. '--synth ${join(stacksDir, candidates[0] as string)}'`
    );
  }
  throw invalidInput(`no synthesized stack in '${dir}': expected ${direct} (run 'cdktf synth' first, then pass cdktf.out/stacks/<stack>)`);
}

/** The stacks of a cdktf.out directory (DIR/stacks/NAME/cdk.tf.json), by name; none when DIR is a stack itself or holds none. */
export async function listStacks(dir: string): Promise<{ readonly name: string; readonly file: string }[]> {
  if (await isFile(join(dir, STACK_FILE))) return [];
  const stacksDir = join(dir, 'stacks');
  let names: string[] = [];
  try {
    names = (await readdir(stacksDir)).filter(Boolean).sort();
  } catch {
    /* not a cdktf.out directory */
  }
  const stacks: { name: string; file: string }[] = [];
  for (const name of names) if (await isFile(join(stacksDir, name, STACK_FILE))) stacks.push({ name, file: join(stacksDir, name, STACK_FILE) });
  return stacks;
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/** The tunform device resources of a parsed cdk.tf.json, with per-resource format problems. */
export function extractDevices(doc: unknown, file: string): { devices: SynthDevice[]; problems: Problem[] } {
  const devices: SynthDevice[] = [];
  const problems: Problem[] = [];
  const resources = isRecord(doc) && isRecord(doc.resource) ? doc.resource : {};
  for (const backend of Object.keys(RESOURCE_TYPES) as Backend[]) {
    const ofType = resources[RESOURCE_TYPES[backend]];
    if (!isRecord(ofType)) continue;
    for (const [name, body] of Object.entries(ofType)) {
      if (!isRecord(body)) continue;
      const stored = body[STORED_ATTRIBUTE[backend]];
      if (!isRecord(stored) || stored.tunform !== FORMAT_TAG) continue;
      const address = `${RESOURCE_TYPES[backend]}.${name}`;
      const problem = (message: string) => problems.push({ file, path: address, message });
      const spec = stored.spec;
      if (typeof spec !== 'string') {
        problem(`'spec' must be a string holding the device's spec document`);
        continue;
      }
      const text = unescapeTemplate(spec);
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        // A token in the props makes Terraform compute the document at apply time: nothing to check it against yet.
        problem(
          /\$\{/.test(text)
            ? `the device's spec depends on values known only at apply time (${truncate(text)}); drift and apply --synth need literal props`
            : `'spec' is not valid JSON (${truncate(text)})`
        );
        continue;
      }
      if (!isRecord(parsed) || !Array.isArray(parsed.devices) || parsed.devices.length !== 1) {
        problem(`'spec' must be a spec document with exactly one device, got ${truncate(text)}`);
        continue;
      }
      const generation = typeof stored.generation === 'string' ? stored.generation : '';
      if (generation !== generationOf(text)) {
        problem(
          `'generation' (${JSON.stringify(stored.generation)}) is not the hash of 'spec' (${generationOf(
            text
          )}); the file was edited by hand: synthesize it again`
        );
        continue;
      }
      const meta = isRecord(body['//']) && isRecord(body['//'].metadata) ? body['//'].metadata : {};
      const entry: { -readonly [K in keyof SynthDevice]: SynthDevice[K] } = { address, generation, device: parsed.devices[0] };
      if (typeof meta.path === 'string') entry.constructPath = meta.path;
      if (parsed.netns !== undefined) entry.netns = parsed.netns as string;
      devices.push(entry);
    }
  }
  return { devices, problems };
}

const truncate = (s: string) => (s.length > 80 ? `${s.slice(0, 79)}…` : s);

/** Reads, merges and validates a synthesized stack; throws invalidInput listing every problem. */
export async function loadSynthStack(dir: string, opts: SynthLoadOptions): Promise<SynthStack> {
  const { file, text } = await readStackText(dir);
  return parseSynthStack(text, file, opts);
}

/** The stack file of DIR and its text (also what `--host` sends to the remote tunform). */
export async function readStackText(dir: string): Promise<{ file: string; text: string }> {
  const file = await findStackFile(dir);
  try {
    return { file, text: await readFile(file, 'utf8') };
  } catch (e) {
    throw invalidInput(`cannot read synthesized stack '${file}': ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** Merges and validates a stack file's text; `file` is used in messages only. */
export function parseSynthStack(text: string, file: string, opts: SynthLoadOptions): SynthStack {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw invalidInput(`cannot read synthesized stack '${file}': ${e instanceof Error ? e.message : String(e)}`);
  }
  const records = extractDevices(doc, file);
  const netdevs = extractNetdevs(doc, file);
  const devices = [...records.devices, ...netdevs.devices];
  const problems = [...records.problems, ...netdevs.problems];

  const netns = checkNetns(devices, file, opts, problems);
  const validation = validateDevices(
    devices.map((d) => ({ raw: d.device, pathPrefix: d.address })),
    opts.lookup
  );
  problems.push(...validation.problems.map((p) => ({ ...p, file })));
  if (problems.length > 0) {
    throw invalidInput(`synthesized stack '${file}' is invalid: ${problems.length} ${problems.length === 1 ? 'problem' : 'problems'}`, problems);
  }
  const list = validation.devices ?? [];
  const desired: DesiredState = netns === undefined ? { devices: list } : { netns, devices: list };
  return { desired, warnings: validation.warnings.map((p) => ({ ...p, file })) };
}

/** One namespace for the whole stack: --netns wins; otherwise every resource must agree. */
function checkNetns(devices: readonly SynthDevice[], file: string, opts: SynthLoadOptions, problems: Problem[]): string | undefined {
  let netns: string | undefined;
  if (opts.netnsOverride !== undefined) {
    netns = opts.netnsOverride;
    const valid = netnsNameSchema.safeParse(netns);
    if (!valid.success) {
      for (const issue of valid.error.issues) problems.push({ path: 'netns', message: `${issue.message} (from --netns)` });
      return netns;
    }
  } else {
    const seen = new Map<string, string[]>();
    for (const d of devices) {
      const key = d.netns === undefined ? '' : d.netns;
      seen.set(key, [...(seen.get(key) ?? []), d.address]);
    }
    if (seen.size > 1) {
      const listing = [...seen.entries()].map(([ns, addrs]) => `${ns === '' ? 'no netns' : `netns '${ns}'`}: ${addrs.join(', ')}`).join('; ');
      problems.push({ file, message: `the stack's devices are in different namespaces (${listing}); tunform reads one namespace at a time: pass --netns` });
      return undefined;
    }
    const only = [...seen.keys()][0];
    netns = only === undefined || only === '' ? undefined : only;
    if (netns !== undefined) {
      const valid = netnsNameSchema.safeParse(netns);
      if (!valid.success) {
        const where = seen.get(netns)?.join(', ') ?? '';
        for (const issue of valid.error.issues) problems.push({ file, path: where, message: issue.message });
        return netns;
      }
    }
  }
  if (netns !== undefined && !opts.lookup.netnsExists(netns)) {
    problems.push({ ...(opts.netnsOverride === undefined ? { file } : {}), path: 'netns', message: netnsMissingMessage(netns) });
  }
  return netns;
}
