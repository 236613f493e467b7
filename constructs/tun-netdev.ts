/**
 * TunNetdev: one tun/tap device. With the host's backend `provider` it is a
 * `tunform_netdev` resource of tunform's own provider; with a record backend
 * it is a record of its canonical spec, applied by the host's applier
 * (constructs/applier.ts). The props are validated here, by the spec's rules.
 */
import { Construct } from 'constructs';
import { Annotations, type TerraformResource } from './cdk.js';
import { DEVICE_DEFAULTS, DEVICE_FIELDS, type DeviceSpec, type Mode } from '../src/model.js';
import { validateDevice } from '../src/spec/index.js';
import type { StoredDevice } from '../src/synth/format.js';
import { TunformHost } from './host.js';
import { TunformNetdevResource } from './provider.js';
import { createRecord, storedSpec } from './applier.js';
import { render, tokenPaths, withoutTokenProblems } from './problems.js';

export interface TunNetdevProps {
  /**
   * Interface name: 1 to 15 bytes, no '/', ':' or whitespace, not '.' or '..'.
   * Renaming creates a new device and deletes the old one.
   *
   * @default - none: required
   */
  readonly name: string;

  /**
   * `tun` (layer 3, IP packets) or `tap` (layer 2, Ethernet frames).
   * Fixed at creation: changing it replaces the device.
   *
   * @default - none: required
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
   * @default - root (only CAP_NET_ADMIN attaches) when `group` is absent too;
   * with `group` alone, no owner (a device that has one is replaced: the
   * kernel cannot clear an owner, and it would keep the group's other members out)
   */
  readonly user?: string | number;

  /**
   * Group allowed to attach without CAP_NET_ADMIN: a group name or a gid.
   * Without `user` the device has no owner, so every member of the group attaches.
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
   * Shared settings (namespace, backend and what it needs) for this device.
   *
   * @default - TunformHost.of(this): the stack's only host, or a default one
   */
  readonly host?: TunformHost;
}

/** A digit string is the same owner as the number: store one form so equal specs hash equal. */
const canonicalId = (v: unknown): unknown => (typeof v === 'string' && /^[0-9]+$/.test(v) ? Number(v) : v);

export class TunNetdev extends Construct {
  /** The Terraform resource that carries the device: a TunformNetdevResource (backend `provider`) or the device's record. */
  readonly resource: TerraformResource;
  /** The host whose settings this device uses. */
  readonly host: TunformHost;
  /** The device's canonical spec document (JSON; what a record stores), or a Terraform expression when props hold tokens. */
  readonly specJson: string;
  /** Short sha256 of the spec document (a record's `generation`). */
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
    const skipped = tokenPaths(raw, this.node.path);
    const validation = validateDevice(raw, this.node.path, settings.lookup);
    const problems = withoutTokenProblems(validation.problems, skipped);
    if (problems.length > 0) {
      const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
      throw new Error(`invalid TunNetdev props: ${count}\n  ${problems.map(render).join('\n  ')}`);
    }
    for (const w of withoutTokenProblems(validation.warnings, skipped)) Annotations.of(this).addWarning(render(w));

    this.storedDevice = storedDevice(raw, validation.device);
    const stored = storedSpec(settings.netns, [this.storedDevice]);
    this.specJson = stored.spec;
    this.generation = stored.hash;
    this.resource =
      settings.backend === 'provider'
        ? new TunformNetdevResource(this, 'Default', { device: this.storedDevice, ...(this.host.provider ? { provider: this.host.provider } : {}) })
        : createRecord(this, settings.backend, stored);
    this.host.devices.push(this);
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
