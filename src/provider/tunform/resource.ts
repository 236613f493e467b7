/**
 * tunform_netdev: Terraform's calls mapped onto the spec validator (validate,
 * plan), the shared live snapshot (read, import) and the batched apply engine.
 */
import { isUnknown, type ApplyRequest, type ApplyResponse, type CtyObject, type CtyValue, type Diagnostic, type ImportResponse, type ReadRequest, type ReadResponse, type ResourceType } from '../contract.js';
import { DEVICE_DEFAULTS, type DeviceSpec } from '../../model.js';
import { deviceNameSchema } from '../../spec/schema.js';
import type { ProviderContext } from './context.js';
import { checkConfig, ConfigChecks, deviceOf } from './validate.js';
import { framingPrivate, planDevice } from './plan.js';
import { attachedQueues } from '../../plan/diff.js';
import { resourceSchema } from './schema.js';
import { stateFromLive } from './values.js';
import { errorDiagnostic } from './diagnostics.js';
import type { DeviceChange } from './batch.js';

/** The planned state with what only apply could know (ifindex) taken from the kernel. */
function fillUnknowns(planned: CtyObject, fromLive: CtyObject): CtyObject {
  const out: Record<string, CtyValue> = {};
  for (const [k, v] of Object.entries(planned)) out[k] = isUnknown(v) ? (fromLive[k] ?? null) : v;
  return out;
}

/** The planned values with `user` as configured: a planned owner that only says the default stays the spec's default, as in the CLI. */
function asConfigured(planned: CtyObject, config: CtyObject | null): CtyObject {
  return config !== null && config.user === null ? { ...planned, user: null } : planned;
}

/** Enough of a device to delete it: the engine's destroy looks only at the name and the kernel. */
function deviceToDelete(prior: CtyObject, ctx: ProviderContext): DeviceSpec {
  const checked = checkConfig(prior, ctx.lookup);
  if (checked.device) return checked.device;
  return { name: String(prior.name), mode: prior.mode === 'tap' ? 'tap' : 'tun', ...DEVICE_DEFAULTS };
}

export function netdevResource(ctx: ProviderContext): ResourceType {
  const checks = new ConfigChecks();
  return {
    schema: resourceSchema(),

    validate: (config) => checks.diagnostics(config, ctx.validationLookup),

    plan: async (request) => planDevice(request, ctx.lookup, (config) => checks.diagnostics(config, ctx.lookup)),

    async apply(request: ApplyRequest): Promise<ApplyResponse> {
      const { prior, planned } = request;
      const change: DeviceChange =
        planned === null
          ? { kind: 'delete', device: deviceToDelete(prior!, ctx), adopt: prior!.managed === false }
          : { kind: 'upsert', device: deviceOf(asConfigured(planned, request.config), ctx.lookup), adopt: prior !== null && prior.managed === false };
      // A write: no Read may be answered from what was read before it, or while it runs.
      ctx.snapshots.invalidate();
      const outcome = await ctx.batcher.submit(change).finally(() => ctx.snapshots.invalidate());
      const warnings = (outcome.warnings ?? []).map((w): Diagnostic => ({ severity: 'warning', summary: w }));
      if (outcome.failure) {
        return { newState: prior, diagnostics: [errorDiagnostic(outcome.failure.summary, outcome.failure.detail), ...warnings] };
      }
      const diagnostics = warnings.length > 0 ? { diagnostics: warnings } : {};
      if (planned === null) return { newState: null, ...diagnostics };
      const device = outcome.live.devices.find((d) => d.name === change.device.name)!;
      return { newState: fillUnknowns(planned, stateFromLive(device, planned, ctx.lookup)), ...diagnostics };
    },

    async read(request: ReadRequest): Promise<ReadResponse> {
      const name = String(request.current.name);
      let snapshot = await ctx.snapshots.get();
      // The shared snapshot may predate a device made by hand a moment ago: look once more before saying it is gone.
      if (!snapshot.byName.has(name)) snapshot = await ctx.snapshots.lookAgain(snapshot);
      const device = snapshot.byName.get(name);
      // Gone: Terraform drops it from state and plans a create.
      if (!device) return { newState: null, private: request.private };
      return { newState: stateFromLive(device, request.current, ctx.lookup), private: framingPrivate(attachedQueues(device) === 0) };
    },

    async import(id: string): Promise<ImportResponse> {
      const name = deviceNameSchema.safeParse(id);
      if (!name.success) {
        return { imported: [], diagnostics: name.error.issues.map((i) => errorDiagnostic(`cannot import ${JSON.stringify(id)}: ${i.message}`)) };
      }
      let { live, byName } = await ctx.snapshots.get();
      // A shared snapshot may predate the device (made by hand a moment ago): look once more before saying it is not there.
      if (!byName.has(id)) ({ live, byName } = await ctx.snapshots.fresh());
      const device = byName.get(id);
      const where = live.netns === undefined ? "Terraform's network namespace" : `netns '${live.netns}'`;
      if (!device) {
        const other = (live.otherLinks ?? []).find((l) => l.name === id);
        const summary = other
          ? `cannot import '${id}': it is a ${other.kind} link, not a tun/tap device; tunform_netdev manages tun/tap devices only`
          : `cannot import '${id}': there is no device of that name in ${where}`;
        return { imported: [], diagnostics: [errorDiagnostic(summary, "tunform_netdev imports an existing tun/tap device by name; 'ip -d link show' lists them (kind tun)")] };
      }
      // Optional fields start unmanaged: the configuration decides what tunform manages from now on.
      return { imported: [{ state: stateFromLive(device, null, ctx.lookup) }] };
    },
  };
}
