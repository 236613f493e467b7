import type { DeviceSpec } from '../model.js';
import { driftedDevices, isInSync } from './inspect.js';
import type { Action, AddressChange, Changes, Conflict, FieldChange, Plan, ReplaceAction } from './types.js';

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
        device: deviceJson(a.device),
      };
    case 'delete':
      return { action: a.action, name: a.name, ifindex: a.ifindex, reason: a.reason, attachedPids: [...a.attachedPids] };
  }
}

function deviceJson(d: DeviceSpec): Json {
  return {
    name: d.name,
    mode: d.mode,
    multiQueue: d.multiQueue,
    keepCarrier: d.keepCarrier,
    packetInfo: d.packetInfo,
    vnetHeader: d.vnetHeader,
    user: d.user,
    group: d.group,
    mtu: d.mtu,
    up: d.up,
    addresses: d.addresses === undefined ? undefined : [...d.addresses],
  };
}

function changesJson(c: Changes): Json {
  return {
    user: fieldJson(c.user),
    group: fieldJson(c.group),
    mtu: fieldJson(c.mtu),
    up: fieldJson(c.up),
    keepCarrier: fieldJson(c.keepCarrier),
    addresses: addressesJson(c.addresses),
    marker: fieldJson(c.marker),
  };
}

function reasonsJson(r: ReplaceAction['reasons']): Json {
  return {
    mode: fieldJson(r.mode),
    multiQueue: fieldJson(r.multiQueue),
    packetInfo: fieldJson(r.packetInfo),
    vnetHeader: fieldJson(r.vnetHeader),
  };
}

function fieldJson<T extends string | number | boolean>(f: FieldChange<T> | undefined): Json {
  return f === undefined ? undefined : { from: f.from, to: f.to };
}

function addressesJson(a: AddressChange | undefined): Json {
  return a === undefined ? undefined : { add: [...a.add], remove: [...a.remove] };
}

function conflictJson(c: Conflict): Json {
  return { name: c.name, ifindex: c.ifindex, message: c.message };
}
