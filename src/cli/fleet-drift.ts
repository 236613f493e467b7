/**
 * `tunform drift --synth DIR` over a stack whose provider aliases name
 * remote hosts (`host = "ssh://..."`): every host is checked by its own
 * tunform, a few at a time, and the exit code sums them up for CI: 2 if any
 * host drifted, 1 if any host could not be checked, 0 when all are in sync.
 * Devices of provider configurations without a host (and the
 * terraform_data/null_resource records) are checked here, as one more host.
 */
import { asTunformError, EXIT_CODES, EXIT_DRIFT, EXIT_OK, formatProblem, invalidInput, TunformError } from '../errors.js';
import { PROVIDER_TYPE, RESOURCE_TYPE } from '../provider/address.js';
import { parseSshTarget } from '../sys/ssh-target.js';
import { SshTransport } from '../sys/ssh.js';
import { packageVersion } from '../sys/version.js';
import { isInSync, plan } from '../plan/plan.js';
import { renderDriftHuman, renderDriftJson } from '../plan/render.js';
import { readLiveState } from '../live/index.js';
import { systemLookup } from '../live/system-lookup.js';
import { errorJson } from './report-error.js';
import type { Io } from './io.js';

/** Hosts checked at once by default: each is one ssh session and one remote tunform. */
export const FLEET_DRIFT_PARALLELISM = 8;
/** What the summary calls the machine tunform runs on. */
export const LOCAL_HOST = 'local';

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** One host's share of the stack: the stack document with only its devices. */
export interface FleetMember {
  /** `ssh://...` as the provider configuration gives it, or LOCAL_HOST. */
  readonly host: string;
  /** The provider configurations (`tunform.ALIAS`) whose devices these are. */
  readonly providers: readonly string[];
  readonly knownHosts?: string;
  readonly identity?: string;
  readonly doc: Record<string, unknown>;
  readonly devices: number;
  /** The stack this share comes from, when a cdktf.out of several stacks is checked (one state per host or group). */
  readonly stack?: { readonly name: string; readonly file: string; readonly label: string };
}

interface HostConfig {
  readonly host: string;
  readonly knownHosts?: string;
  readonly identity?: string;
}

/** Provider reference (`tunform`, `tunform.ALIAS`) -> its remote host, for configurations that have one. */
function remoteProviders(doc: Record<string, unknown>): Map<string, HostConfig> {
  const configs = isRecord(doc.provider) ? doc.provider[PROVIDER_TYPE] : undefined;
  const map = new Map<string, HostConfig>();
  for (const c of Array.isArray(configs) ? configs : isRecord(configs) ? [configs] : []) {
    if (!isRecord(c) || typeof c.host !== 'string') continue;
    const ref = typeof c.alias === 'string' ? `${PROVIDER_TYPE}.${c.alias}` : PROVIDER_TYPE;
    map.set(ref, {
      host: c.host,
      ...(typeof c.known_hosts === 'string' ? { knownHosts: c.known_hosts } : {}),
      ...(typeof c.private_key_path === 'string' ? { identity: c.private_key_path } : {}),
    });
  }
  return map;
}

/**
 * Splits a parsed stack by host; undefined when no provider configuration
 * names a host (the stack is checked as one, here). Two aliases of one host
 * with the same SSH settings are one member.
 */
export function splitByHost(doc: unknown): FleetMember[] | undefined {
  if (!isRecord(doc)) return undefined;
  const remote = remoteProviders(doc);
  if (remote.size === 0) return undefined;
  const resources = isRecord(doc.resource) ? doc.resource : {};
  const netdevs = isRecord(resources[RESOURCE_TYPE]) ? resources[RESOURCE_TYPE] : {};
  const groups = new Map<string, { config?: HostConfig; providers: Set<string>; netdevs: Record<string, unknown> }>();
  const local = { providers: new Set<string>(), netdevs: {} as Record<string, unknown> };
  for (const [name, body] of Object.entries(netdevs)) {
    const provider = isRecord(body) && typeof body.provider === 'string' ? body.provider : PROVIDER_TYPE;
    const config = remote.get(provider);
    if (config === undefined) {
      local.providers.add(provider);
      local.netdevs[name] = body;
      continue;
    }
    const key = JSON.stringify([config.host, config.knownHosts ?? null, config.identity ?? null]);
    const group = groups.get(key) ?? { config, providers: new Set<string>(), netdevs: {} };
    group.providers.add(provider);
    group.netdevs[name] = body;
    groups.set(key, group);
  }
  const members: FleetMember[] = [];
  // The local share keeps every other tunform resource (the records of the terraform_data backend).
  const { [RESOURCE_TYPE]: _netdevs, ...otherResources } = resources;
  const localDoc = { ...doc, resource: { ...otherResources, ...(Object.keys(local.netdevs).length > 0 ? { [RESOURCE_TYPE]: local.netdevs } : {}) } };
  const localDevices = Object.keys(local.netdevs).length + countRecords(otherResources);
  if (localDevices > 0) members.push({ host: LOCAL_HOST, providers: [...local.providers].sort(), doc: localDoc, devices: localDevices });
  for (const { config, providers, netdevs: own } of groups.values()) {
    const c = config as HostConfig;
    members.push({
      host: c.host,
      providers: [...providers].sort(),
      ...(c.knownHosts !== undefined ? { knownHosts: c.knownHosts } : {}),
      ...(c.identity !== undefined ? { identity: c.identity } : {}),
      doc: { ...doc, resource: { [RESOURCE_TYPE]: own } },
      devices: Object.keys(own).length,
    });
  }
  return members;
}

/** A stack whose providers name no host, as one member checked here. */
export function wholeStack(doc: Record<string, unknown>): FleetMember {
  const resources = isRecord(doc.resource) ? doc.resource : {};
  const netdevs = isRecord(resources[RESOURCE_TYPE]) ? resources[RESOURCE_TYPE] : {};
  const providers = new Set(Object.values(netdevs).map((body) => (isRecord(body) && typeof body.provider === 'string' ? body.provider : PROVIDER_TYPE)));
  const { [RESOURCE_TYPE]: _netdevs, ...otherResources } = resources;
  return { host: LOCAL_HOST, providers: [...providers].sort(), doc, devices: Object.keys(netdevs).length + countRecords(otherResources) };
}

/** Tunform records among other resource types (terraform_data/null_resource carrying a `tunform` tag). */
function countRecords(resources: Record<string, unknown>): number {
  let n = 0;
  for (const ofType of Object.values(resources)) {
    if (!isRecord(ofType)) continue;
    for (const body of Object.values(ofType)) {
      if (!isRecord(body)) continue;
      if (Object.values(body).some((v) => isRecord(v) && typeof v.tunform === 'string')) n++;
    }
  }
  return n;
}

export type HostStatus = 'in-sync' | 'drift' | 'error';

export interface HostResult {
  readonly host: string;
  readonly providers: readonly string[];
  /** The member's stack, when several stacks are checked. */
  readonly stack?: string;
  readonly status: HostStatus;
  readonly exitCode: number;
  /** The host's drift output: its JSON document with --json, else its text. */
  readonly output: string;
  /** Why the host could not be checked. */
  readonly error?: string;
}

export interface FleetDriftOptions {
  readonly file: string;
  readonly label: string;
  readonly json: boolean;
  readonly prune: boolean;
  readonly netns?: string;
  readonly parallel: number;
  readonly remoteTunform?: string;
}

const statusOf = (code: number): HostStatus => (code === EXIT_OK ? 'in-sync' : code === EXIT_DRIFT ? 'drift' : 'error');

/** Checks one member: locally in this process, or by the host's tunform over SSH. */
async function checkMember(m: FleetMember, opts: FleetDriftOptions): Promise<HostResult> {
  const base = { host: m.host, providers: m.providers, ...(m.stack !== undefined ? { stack: m.stack.name } : {}) };
  const text = JSON.stringify(m.doc);
  const file = m.stack?.file ?? opts.file;
  const label = m.stack?.label ?? opts.label;
  try {
    if (m.host === LOCAL_HOST) {
      const { parseSynthStack } = await import('../synth/read-stack.js');
      const { desired, warnings } = parseSynthStack(text, file, {
        lookup: systemLookup,
        ...(opts.netns !== undefined ? { netnsOverride: opts.netns } : {}),
      });
      const live = await readLiveState(desired.netns === undefined ? {} : { netns: desired.netns });
      const result = plan(desired, live, { prune: opts.prune });
      const code = isInSync(result) ? EXIT_OK : EXIT_DRIFT;
      const notes = warnings.map((w) => `warning: ${formatProblem(w)}\n`).join('');
      return { ...base, status: statusOf(code), exitCode: code, output: (opts.json ? renderDriftJson(result) : renderDriftHuman(result)) + (opts.json ? '' : notes) };
    }
    const transport = new SshTransport(
      parseSshTarget(m.host, 'host'),
      {
        ...(m.knownHosts !== undefined ? { knownHosts: m.knownHosts } : {}),
        ...(m.identity !== undefined ? { identity: m.identity } : {}),
        ...(opts.remoteTunform !== undefined ? { remoteTunform: opts.remoteTunform } : {}),
      },
      packageVersion(),
    );
    const args = ['drift', `--synth-stdin=${file}`, `--source-label=${label}`];
    if (opts.json) args.push('--json');
    if (!opts.prune) args.push('--no-prune');
    if (opts.netns !== undefined) args.push(`--netns=${opts.netns}`);
    const r = await transport.run(args, { input: text });
    const code = r.code === EXIT_OK || r.code === EXIT_DRIFT ? r.code : EXIT_CODES.invalid;
    if (code !== EXIT_CODES.invalid) return { ...base, status: statusOf(code), exitCode: code, output: r.stdout };
    return { ...base, status: 'error', exitCode: code, output: r.stdout, error: remoteError(r.stdout, r.stderr, r.code) };
  } catch (e) {
    const err = asTunformError(e);
    return { ...base, status: 'error', exitCode: EXIT_CODES.invalid, output: opts.json ? errorJson(err, EXIT_CODES.invalid) : '', error: describe(err) };
  }
}

function describe(e: TunformError): string {
  return [e.message, ...e.problems.map((p) => formatProblem(p)), ...e.details].join('\n');
}

/** The remote's own message: its error document with --json, else its stderr. */
function remoteError(stdout: string, stderr: string, code: number): string {
  try {
    const doc = JSON.parse(stdout) as { error?: { message?: string } };
    if (typeof doc.error?.message === 'string') return doc.error.message;
  } catch {
    /* not JSON: human output */
  }
  const text = stderr.trim();
  return text === '' ? `the remote tunform exited ${code}` : text.replace(/^error: /, '');
}

/** Runs `work` over `items`, at most `limit` at a time, keeping their order. */
async function mapBounded<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** 2 if any host drifted, else 1 if any could not be checked, else 0: a drifted host is what CI must hear about first. */
export function fleetExitCode(results: readonly HostResult[]): number {
  if (results.some((r) => r.status === 'drift')) return EXIT_DRIFT;
  if (results.some((r) => r.status === 'error')) return EXIT_CODES.invalid;
  return EXIT_OK;
}

export async function runFleetDrift(members: readonly FleetMember[], opts: FleetDriftOptions, io: Io): Promise<number> {
  const results = await mapBounded(members, opts.parallel, (m) => checkMember(m, opts));
  const exit = fleetExitCode(results);
  if (opts.json) {
    const hosts = results.map((r) => ({
      host: r.host,
      ...(r.stack !== undefined ? { stack: r.stack } : {}),
      providers: r.providers,
      status: r.status,
      exitCode: r.exitCode,
      ...(r.error !== undefined ? { error: r.error } : {}),
      drift: parseOrNull(r.output),
    }));
    io.out(`${JSON.stringify({ formatVersion: 1, exitCode: exit, hosts }, null, 2)}\n`);
    return exit;
  }
  for (const r of results) {
    io.out(`== ${r.host} (${r.providers.join(', ') || 'records'})${r.stack !== undefined ? ` in stack ${r.stack}` : ''}: ${r.status === 'in-sync' ? 'in sync' : r.status === 'drift' ? 'DRIFT' : 'could not be checked'}\n`);
    if (r.status === 'drift') io.out(indent(r.output));
    if (r.error !== undefined) io.out(indent(r.error));
  }
  const count = (s: HostStatus) => results.filter((r) => r.status === s).length;
  io.out(`${results.length} hosts: ${count('in-sync')} in sync, ${count('drift')} drifted, ${count('error')} could not be checked\n`);
  return exit;
}

const indent = (text: string) => text.replace(/\n$/, '').split('\n').map((l) => `   ${l}\n`).join('');

function parseOrNull(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** `--parallel N`: a positive integer. */
export function parseParallel(value: string | undefined): number {
  if (value === undefined) return FLEET_DRIFT_PARALLELISM;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 256) throw invalidInput(`'--parallel' must be a whole number from 1 to 256, got '${value}'`);
  return n;
}
