import { DEVICE_FIELDS, type DeviceSpec } from '../model.js';
import { driftedDevices, isInSync } from './inspect.js';
import { CHANGE_FIELDS, REPLACE_REASONS, type Action, type AddressChange, type Changes, type Conflict, type FieldChange, type Plan, type ReplaceAction } from './types.js';

/*
 * Every object is rebuilt key by key so the document's key order is the one
 * documented in docs/plan-json.md, whatever order the Plan was built in.
 * Absent optional values stay absent (JSON.stringify drops undefined).
 */

type Json = string | number | boolean | null | undefined | Json[] | { [key: string]: Json };

export function renderPlanJson(plan: Plan): string {
  return stringify(planDocument(plan));
}

/** The plan document plus a verdict, so a CI job can read one field. */
export function renderDriftJson(plan: Plan): string {
  const { formatVersion, netns, ...rest } = planDocument(plan);
  return stringify({ formatVersion, netns, inSync: isInSync(plan), drifted: driftedDevices(plan), ...rest });
}

function stringify(doc: Json): string {
  return `${JSON.stringify(doc, null, 2)}\n`;
}

function planDocument(plan: Plan) {
  return {
    formatVersion: plan.formatVersion,
    netns: plan.netns,
    summary: {
      create: plan.summary.create,
      update: plan.summary.update,
      replace: plan.summary.replace,
      delete: plan.summary.delete,
      conflict: plan.summary.conflict,
    },
    actions: plan.actions.map(actionJson),
    conflicts: plan.conflicts.map(conflictJson),
  };
}

function actionJson(a: Action): Json {
  switch (a.action) {
    case 'create':
      return { action: a.action, name: a.name, device: deviceJson(a.device) };
    case 'update':
      return { action: a.action, name: a.name, ifindex: a.ifindex, changes: changesJson(a.changes) };
    case 'replace':
      return {
        action: a.action,
        name: a.name,
        ifindex: a.ifindex,
        reasons: reasonsJson(a.reasons),
        attachedPids: [...a.attachedPids],
        flagsHeldBy: a.flagsHeldBy?.map((p) => ({ pid: p.pid, name: p.name, holder: p.holder })),
        device: deviceJson(a.device),
      };
    case 'delete':
      return { action: a.action, name: a.name, ifindex: a.ifindex, reason: a.reason, attachedPids: [...a.attachedPids] };
  }
}

function deviceJson(d: DeviceSpec): Json {
  const out: { [key: string]: Json } = {};
  for (const field of DEVICE_FIELDS) {
    const value = d[field];
    if (value !== undefined) out[field] = Array.isArray(value) ? [...(value as readonly string[])] : (value as Json);
  }
  return out;
}

function changesJson(c: Changes): Json {
  const out: { [key: string]: Json } = {};
  for (const field of CHANGE_FIELDS) {
    const change = c[field];
    if (change === undefined) continue;
    out[field] = 'add' in change ? addressesJson(change) : fieldJson(change);
  }
  return out;
}

function reasonsJson(r: ReplaceAction['reasons']): Json {
  return Object.fromEntries(REPLACE_REASONS.map((k) => [k, fieldJson(r[k])]));
}

function fieldJson(f: FieldChange<string | number | boolean> | undefined): Json {
  return f === undefined ? undefined : { from: f.from, to: f.to };
}

function addressesJson(a: AddressChange): Json {
  return { add: [...a.add], remove: [...a.remove] };
}

function conflictJson(c: Conflict): Json {
  return { name: c.name, ifindex: c.ifindex, message: c.message };
}
