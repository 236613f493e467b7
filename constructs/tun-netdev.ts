/**
 * TunNetdev: one tun/tap device as one Terraform resource. The resource
 * stores the device's canonical spec; its create-time provisioner runs
 * `tunform apply` for that one device and its destroy-time provisioner runs
 * `tunform destroy`, both with a constant command line and every value in
 * the environment.
 */
import { Construct } from 'constructs';
import { Annotations, DataResource, Fn, Lazy, TerraformStack, Token, type TerraformResource } from 'cdktf';
import { provider as nullProvider, resource as nullResource } from '@cdktf/provider-null';
import type { Problem } from '../src/errors.js';
import { DEVICE_DEFAULTS, DEVICE_FIELDS, type DeviceSpec, type Mode } from '../src/model.js';
import { validateDevice, validateDevices } from '../src/spec/index.js';
import {
  CREATE_COMMAND,
  DESTROY_COMMAND,
  ENV,
  FORMAT_TAG,
  GENERATION_LENGTH,
  INVENTORY_TAG,
  PRUNE_COMMAND,
  STORED_ATTRIBUTE,
  escapeTemplate,
  generationOf,
  specDocument,
  type StoredDevice,
  type StoredKey,
} from '../src/synth/format.js';
import { TunformHost } from './host.js';

export interface TunNetdevProps {
  /**
   * Interface name: 1 to 15 bytes, no '/', ':' or whitespace, not '.' or '..'.
   * Renaming creates a new device and deletes the old one.
   */
  readonly name: string;

  /**
   * `tun` (layer 3, IP packets) or `tap` (layer 2, Ethernet frames).
   * Fixed at creation: changing it replaces the device.
   */
  readonly mode: Mode;

  /**
   * IFF_MULTI_QUEUE: several file descriptors can attach, one queue each.
   * Fixed at creation: changing it replaces the device.
   *
   * @default false
   */
  readonly multiQueue?: boolean;

  /**
   * Keep the carrier up while no application is attached: tunform's holder
   * keeps an fd open and, on multi-queue devices, detaches its queue so every
   * packet reaches the applications' queues (systemd PR 30504). Use with
   * `multiQueue: true`; without it the holder owns the only queue (warning).
   *
   * @default false
   */
  readonly keepCarrier?: boolean;

  /**
   * Prefix packets with the 4-byte packet information header (false sets
   * IFF_NO_PI). Fixed at creation: changing it replaces the device.
   *
   * @default false
   */
  readonly packetInfo?: boolean;

  /**
   * IFF_VNET_HDR: prefix packets with a virtio-net header (VMs).
   * Fixed at creation: changing it replaces the device.
   *
   * @default false
   */
  readonly vnetHeader?: boolean;

  /**
   * Owner allowed to attach without CAP_NET_ADMIN: a user name (resolved on
   * the synth machine for validation, and again where the stack is deployed)
   * or a uid.
   *
   * @default - not managed: tunform neither sets nor checks the owner
   */
  readonly user?: string | number;

  /**
   * Group allowed to attach without CAP_NET_ADMIN: a group name or a gid.
   *
   * @default - not managed: tunform neither sets nor checks the group
   */
  readonly group?: string | number;

  /**
   * Link MTU, 68 to 65535.
   *
   * @default - not managed: the kernel's default (1500) stays as it is
   */
  readonly mtu?: number;

  /**
   * Administrative state (`ip link set up|down`).
   *
   * @default true
   */
  readonly up?: boolean;

  /**
   * Addresses in CIDR form (`172.31.0.1/24`, `fd00::1/64`). Authoritative:
   * other addresses are removed; `[]` means none. Kernel-made IPv6 link-local
   * addresses are never touched.
   *
   * @default - not managed: addresses are neither added nor removed
   */
  readonly addresses?: readonly string[];

  /**
   * Shared settings (namespace, CLI, backend) for this device.
   *
   * @default - TunformHost.of(this): the stack's only host, or a default one
   */
  readonly host?: TunformHost;
}

/** Problems about a key whose value is a token are not problems yet: the CLI checks the resolved value at apply time. */
function tokenPaths(raw: Record<string, unknown>, prefix: string): string[] {
  const paths: string[] = [];
  for (const [key, value] of Object.entries(raw)) {
    if (Token.isUnresolved(value)) {
      paths.push(`${prefix}.${key}`);
    } else if (Array.isArray(value)) {
      value.forEach((item, i) => {
        if (Token.isUnresolved(item)) paths.push(`${prefix}.${key}[${i}]`);
      });
    }
  }
  return paths;
}

function withoutTokenProblems(problems: readonly Problem[], skipped: readonly string[]): Problem[] {
  return problems.filter((p) => !skipped.some((s) => p.path === s || p.path?.startsWith(`${s}[`) === true || p.path?.startsWith(`${s}.`) === true));
}

const render = (p: Problem) => (p.path === undefined ? p.message : `${p.path}: ${p.message}`);

/** A digit string is the same owner as the number: store one form so equal specs hash equal. */
const canonicalId = (v: unknown): unknown => (typeof v === 'string' && /^[0-9]+$/.test(v) ? Number(v) : v);

/** Devices registered per host, for the rules across devices and the inventory. */
const registries = new WeakMap<TunformHost, TunNetdev[]>();

function registerWithHost(host: TunformHost, device: TunNetdev): void {
  let list = registries.get(host);
  if (list === undefined) {
    const devices: TunNetdev[] = [];
    list = devices;
    registries.set(host, devices);
    host.node.addValidation({
      validate: () => {
        const items = devices.map((d) => ({ raw: d.rawProps, pathPrefix: d.node.path }));
        const result = validateDevices(items, host.settings.lookup);
        const skipped = devices.flatMap((d) => tokenPaths(d.rawProps, d.node.path));
        return withoutTokenProblems(result.problems, skipped).map(render);
      },
    });
    if (host.settings.prune) createInventory(host, devices);
  }
  list.push(device);
}

/**
 * One resource per host, replaced when the set of declared names changes; its
 * create-time provisioner prunes the devices no longer declared (see
 * INVENTORY_TAG). Everything is computed at synth time, after every device
 * has registered.
 */
function createInventory(host: TunformHost, devices: readonly TunNetdev[]): void {
  const settings = host.settings;
  let cached: { spec: string; names: string } | undefined;
  const compute = () => {
    if (cached) return cached;
    const docDevices = devices.map((d) => d.storedDevice);
    const doc = settings.netns === undefined ? { devices: docDevices } : { netns: settings.netns, devices: docDevices };
    const hasTokens = devices.some((d) => Token.isUnresolved(d.specJson)) || (settings.netns !== undefined && Token.isUnresolved(settings.netns));
    const names = devices.map((d) => d.rawProps.name);
    cached = hasTokens
      ? { spec: Fn.jsonencode(escapeDeep(doc)), names: Fn.jsonencode(escapeDeep([settings.netns ?? null, ...names])) }
      : { spec: escapeTemplate(JSON.stringify(doc)), names: escapeTemplate(JSON.stringify([settings.netns ?? null, ...[...names].map(String).sort()])) };
    return cached;
  };
  const spec = Lazy.stringValue({ produce: () => compute().spec });
  const names = Lazy.stringValue({ produce: () => compute().names });
  const stored = {
    tunform: INVENTORY_TAG,
    names,
    spec,
    node: escapeTemplate(settings.nodePath),
    cli: escapeTemplate(settings.cliPath),
    helper: escapeTemplate(settings.helperPath ?? ''),
  };
  const provisioners = [
    {
      type: 'local-exec' as const,
      command: PRUNE_COMMAND,
      environment: { [ENV.spec]: stored.spec, [ENV.node]: stored.node, [ENV.cli]: stored.cli, [ENV.helper]: stored.helper },
    },
  ];
  const lifecycle = { createBeforeDestroy: true };
  // Plain addresses (`terraform_data.tun0`), as Terraform wants them in depends_on.
  const dependsOn = Lazy.listValue({ produce: () => devices.map((d) => `${d.resource.terraformResourceType}.${d.resource.friendlyUniqueId}`) });
  const resource =
    settings.backend === 'null_resource'
      ? new nullResource.Resource(host, 'Inventory', { triggers: stored, lifecycle, provisioners })
      : new DataResource(host, 'Inventory', { input: stored, triggersReplace: { names }, lifecycle, provisioners });
  resource.dependsOn = dependsOn;
}

export class TunNetdev extends Construct {
  /** The Terraform resource (terraform_data or null_resource) that carries the device. */
  readonly resource: TerraformResource;
  /** The host whose settings this device uses. */
  readonly host: TunformHost;
  /** Canonical spec document stored in the resource (JSON), or a Terraform expression when props hold tokens. */
  readonly specJson: string;
  /** Short sha256 of specJson: the replacement trigger and the device marker's generation. */
  readonly generation: string;
  /** The device props as validated (everything but `host`). */
  readonly rawProps: Record<string, unknown>;
  /** The device as stored in the spec document (defaults filled in, canonical addresses). */
  readonly storedDevice: StoredDevice;

  constructor(scope: Construct, id: string, props: TunNetdevProps) {
    super(scope, id);
    this.host = props.host ?? TunformHost.of(this);
    const settings = this.host.settings;

    // Everything but host, unknown keys included, so JavaScript callers get the spec's "unknown key" message.
    const { host: _host, ...raw } = (props ?? {}) as TunNetdevProps & Record<string, unknown>;
    this.rawProps = raw;
    const path = this.node.path;
    const skipped = tokenPaths(raw, path);
    const validation = validateDevice(raw, path, settings.lookup);
    const problems = withoutTokenProblems(validation.problems, skipped);
    if (problems.length > 0) {
      const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
      throw new Error(`invalid TunNetdev props: ${count}\n  ${problems.map(render).join('\n  ')}`);
    }
    for (const w of withoutTokenProblems(validation.warnings, skipped)) Annotations.of(this).addWarning(render(w));

    const device = storedDevice(raw, validation.device);
    this.storedDevice = device;
    const doc = specDocument(settings.netns, device);
    const hasTokens = skipped.length > 0 || (settings.netns !== undefined && Token.isUnresolved(settings.netns));
    if (hasTokens) {
      // Known only at apply time: Terraform encodes and hashes the resolved document.
      this.specJson = Fn.jsonencode(escapeDeep(doc));
      this.generation = Fn.substr(Fn.sha256(this.specJson), 0, GENERATION_LENGTH);
    } else {
      const json = JSON.stringify(doc);
      this.specJson = escapeTemplate(json);
      this.generation = generationOf(json);
    }

    const backend = settings.backend;
    const stored: Record<StoredKey, string> = {
      tunform: FORMAT_TAG,
      spec: this.specJson,
      generation: this.generation,
      node: escapeTemplate(settings.nodePath),
      cli: escapeTemplate(settings.cliPath),
      helper: escapeTemplate(settings.helperPath ?? ''),
    };
    const fromSelf = (key: StoredKey) => `\${self.${STORED_ATTRIBUTE[backend]}.${key}}`;
    const createEnv = {
      [ENV.spec]: stored.spec,
      [ENV.generation]: stored.generation,
      [ENV.node]: stored.node,
      [ENV.cli]: stored.cli,
      [ENV.helper]: stored.helper,
    };
    // Destroy-time provisioners may only reference self: read everything back from the stored map.
    const destroyEnv = {
      [ENV.spec]: fromSelf('spec'),
      [ENV.generation]: fromSelf('generation'),
      [ENV.node]: fromSelf('node'),
      [ENV.cli]: fromSelf('cli'),
      [ENV.helper]: fromSelf('helper'),
    };
    const provisioners = [
      { type: 'local-exec' as const, command: CREATE_COMMAND, environment: createEnv },
      { type: 'local-exec' as const, when: 'destroy' as const, command: DESTROY_COMMAND, environment: destroyEnv },
    ];
    const lifecycle = { createBeforeDestroy: true };

    if (backend === 'null_resource') {
      this.resource = new nullResource.Resource(this, 'Default', { triggers: stored, lifecycle, provisioners });
      this.node.addValidation({
        validate: () => {
          const stack = TerraformStack.of(this);
          const declared = stack.node.findAll().some((c) => c instanceof nullProvider.NullProvider);
          return declared
            ? []
            : [
                `${path}: backend 'null_resource' needs the hashicorp/null provider in stack '${stack.node.path}': add \`new NullProvider(stack, 'null')\` (from @cdktf/provider-null), or use backend 'terraform_data'`,
              ];
        },
      });
    } else {
      this.resource = new DataResource(this, 'Default', {
        input: stored,
        triggersReplace: { generation: this.generation },
        lifecycle,
        provisioners,
      });
    }
    registerWithHost(this.host, this);
  }
}

/** The device as written, defaults filled in, in the model's field order, so equal specs hash equal. */
function storedDevice(raw: Record<string, unknown>, validated: DeviceSpec | undefined): StoredDevice {
  const out: Record<string, unknown> = {};
  for (const field of DEVICE_FIELDS) {
    let value = raw[field] ?? (DEVICE_DEFAULTS as Record<string, unknown>)[field];
    if (value === undefined) continue;
    if (field === 'user' || field === 'group') value = canonicalId(value);
    // Validated addresses are canonical (normalised, sorted); with tokens they stay as written.
    if (field === 'addresses') value = validated?.addresses ?? value;
    out[field] = value;
  }
  return out as unknown as StoredDevice;
}

function escapeDeep(v: unknown): unknown {
  if (typeof v === 'string') return Token.isUnresolved(v) ? v : escapeTemplate(v);
  if (Array.isArray(v)) return v.map(escapeDeep);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, escapeDeep(x)]));
  return v;
}
