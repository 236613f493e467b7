import { driftedDevices } from './inspect.js';
import { FRAMING_IN_PLACE, FRAMING_KEPT, heldByText, reasonEntries, reasonNote, showValue } from './format.js';
import { CHANGE_FIELDS, type Action, type Plan } from './types.js';

/**
 * Drift as one `drift: NAME: ...` line per difference, so `grep 'drift: tun0:'`
 * finds everything about a device, then a one-line verdict.
 */
export function renderDriftHuman(plan: Plan): string {
  const lines = [
    ...plan.actions.flatMap(driftLines).map(([name, what]) => `drift: ${name}: ${what}`),
    ...plan.conflicts.map((c) => `drift: ${c.name}: conflict: ${c.message}`),
  ];
  const count = driftedDevices(plan).length;
  const verdict = count === 0 ? 'No drift.' : `Drift: ${count} device(s) differ from the spec.`;
  return [...lines, verdict].join('\n') + '\n';
}

function driftLines(a: Action): Array<[string, string]> {
  const differs = (field: string, from: string | number | boolean | null, to: string | number | boolean | null, tail = '') =>
    [a.name, `${field} is ${showValue(from)}, spec says ${showValue(to)}${tail}`] as [string, string];
  switch (a.action) {
    case 'create':
      return [[a.name, 'missing']];
    case 'replace': {
      const tail = (note: string | undefined) =>
        a.flagsHeldBy !== undefined ? ` (${heldByText(a.flagsHeldBy)}; needs replace: ${FRAMING_KEPT})` : note !== undefined ? ` (needs replace: ${note})` : ' (needs replace)';
      return reasonEntries(a.reasons).map(([field, c]) => differs(field, c.from, c.to, tail(reasonNote(field, c))));
    }
    case 'delete':
      return [[a.name, a.reason === 'pruned' ? 'managed by tunform but not in the spec' : 'exists (destroy deletes it)']];
    case 'update': {
      const out: Array<[string, string]> = [];
      for (const field of CHANGE_FIELDS) {
        const c = a.changes[field];
        if (c === undefined) continue;
        if ('add' in c) {
          for (const addr of c.add) out.push([a.name, `address ${addr} missing`]);
          for (const addr of c.remove) out.push([a.name, `address ${addr} not in the spec`]);
        } else if (field === 'packetInfo' || field === 'vnetHeader') {
          out.push(differs(field, c.from, c.to, ` (${FRAMING_IN_PLACE})`));
        } else if (field === 'persist') {
          // persist is not a spec field: tunform keeps every device it manages persistent.
          out.push([a.name, 'persist is off; tunform keeps its devices persistent (it would vanish with its last fd)']);
        } else {
          out.push(differs(field, c.from, c.to));
        }
      }
      return out;
    }
  }
}
