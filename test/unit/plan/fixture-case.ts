/**
 * Test-only loader for golden cases. It reads the YAML spec format with bare
 * defaults instead of the real validator in src/spec/, so planner goldens do
 * not break (or pass) because of validation changes.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';
import type { DesiredState, DeviceSpec, LiveState } from '../../../src/model.js';
import type { PlanOptions } from '../../../src/plan/types.js';

export interface GoldenCase {
  readonly name: string;
  readonly dir: string;
  readonly desired: DesiredState;
  readonly live: LiveState;
  readonly options: PlanOptions;
  readonly planPath: string;
}

export const FIXTURES_DIR = new URL('../../fixtures/', import.meta.url).pathname;

export function listCases(root = FIXTURES_DIR): string[] {
  return readdirSync(root)
    .filter((entry) => statSync(join(root, entry)).isDirectory())
    .sort();
}

export function loadCase(name: string, root = FIXTURES_DIR): GoldenCase {
  const dir = join(root, name);
  const optionsPath = join(dir, 'options.json');
  return {
    name,
    dir,
    desired: desiredFromYaml(readFileSync(join(dir, 'desired.yaml'), 'utf8')),
    live: JSON.parse(readFileSync(join(dir, 'live.json'), 'utf8')) as LiveState,
    options: existsSync(optionsPath) ? (JSON.parse(readFileSync(optionsPath, 'utf8')) as PlanOptions) : {},
    planPath: join(dir, 'plan.json'),
  };
}

interface RawSpec {
  netns?: string;
  devices?: Array<Record<string, unknown>>;
}

export function desiredFromYaml(text: string): DesiredState {
  const raw = (yaml.load(text) ?? {}) as RawSpec;
  const devices = (raw.devices ?? []).map(deviceWithDefaults);
  return raw.netns === undefined ? { devices } : { netns: raw.netns, devices };
}

function deviceWithDefaults(d: Record<string, unknown>): DeviceSpec {
  const spec: Record<string, unknown> = {
    name: d.name,
    mode: d.mode,
    multiQueue: d.multiQueue ?? false,
    keepCarrier: d.keepCarrier ?? false,
    packetInfo: d.packetInfo ?? false,
    vnetHeader: d.vnetHeader ?? false,
    anyoneMayAttach: d.anyoneMayAttach ?? false,
    up: d.up ?? true,
  };
  // Absent optional fields must stay absent: that is what "not managed" means.
  for (const key of ['user', 'group', 'mtu', 'addresses']) {
    if (d[key] !== undefined) spec[key] = d[key];
  }
  return spec as unknown as DeviceSpec;
}
