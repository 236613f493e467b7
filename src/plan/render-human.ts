import { deviceOwner, type DeviceSpec } from '../model.js';
import { FRAMING_IN_PLACE, FRAMING_KEPT, heldByText, plural, reasonEntries, reasonText, showValue } from './format.js';
import { CHANGE_FIELDS, type Action, type Changes, type Conflict, type Plan } from './types.js';

export interface HumanRenderOptions {
  /** ANSI colors; off by default so pipes and logs stay clean. */
  readonly color?: boolean;
}

type Tone = 'green' | 'yellow' | 'red' | 'plain';

const ANSI: Record<Exclude<Tone, 'plain'>, string> = { green: '\x1b[32m', yellow: '\x1b[33m', red: '\x1b[31m' };
const RESET = '\x1b[0m';
const INDENT = '    ';

interface Line {
  readonly text: string;
  readonly tone: Tone;
}

/** Terraform-style plan: one header line per device, indented attribute lines, a summary line. */
export function renderPlanHuman(plan: Plan, opts: HumanRenderOptions = {}): string {
  const lines: Line[] = [...plan.actions.flatMap(actionLines), ...plan.conflicts.map(conflictLine)];
  if (lines.length === 0) return 'No changes. Live state matches the spec.\n';
  const paint = (l: Line) => (opts.color && l.tone !== 'plain' ? `${ANSI[l.tone]}${l.text}${RESET}` : l.text);
  return `${lines.map(paint).join('\n')}\n\n${summaryLine(plan)}\n`;
}

function summaryLine(plan: Plan): string {
  const s = plan.summary;
  const conflicts = s.conflict > 0 ? `, ${plural(s.conflict, 'conflict')}` : '';
  return `Plan: ${s.create} to create, ${s.update} to update, ${s.replace} to replace, ${s.delete} to delete${conflicts}.`;
}

function actionLines(a: Action): Line[] {
  switch (a.action) {
    case 'create':
      return [
        { text: `+ create ${a.name} (${deviceFlags(a.device)})`, tone: 'green' },
        ...deviceAttributes(a.device).map((text): Line => ({ text: `${INDENT}+ ${text}`, tone: 'green' })),
      ];
    case 'update':
      return [{ text: `~ update ${a.name}`, tone: 'yellow' }, ...changeLines(a.changes)];
    case 'replace': {
      const why = reasonEntries(a.reasons).map(([f, c]) => reasonText(f, c));
      const held: Line[] = a.flagsHeldBy === undefined ? [] : [{ text: `${INDENT}not in place: ${heldByText(a.flagsHeldBy)}; ${FRAMING_KEPT}`, tone: 'plain' }];
      return [{ text: `-/+ replace ${a.name} (${why.join(', ')})`, tone: 'red' }, ...held, ...attachedNote(a.attachedPids)];
    }
    case 'delete':
      return [{ text: `- delete ${a.name} (${a.reason})`, tone: 'red' }, ...attachedNote(a.attachedPids)];
  }
}

/** The mode and the flags that are on, e.g. `tun, multiQueue, keepCarrier`. */
export function deviceFlags(d: DeviceSpec): string {
  const flags: string[] = [d.mode];
  if (d.multiQueue) flags.push('multiQueue');
  if (d.packetInfo) flags.push('packetInfo');
  if (d.vnetHeader) flags.push('vnetHeader');
  if (d.keepCarrier) flags.push('keepCarrier');
  return flags.join(', ');
}

/** The optional fields a device sets, as `key = value`. */
export function deviceAttributes(d: DeviceSpec): string[] {
  const attrs: string[] = [];
  const owner = deviceOwner(d);
  if (owner !== undefined) attrs.push(d.user === undefined ? `user = ${owner} (private: only CAP_NET_ADMIN attaches)` : `user = ${owner}`);
  if (d.group !== undefined) attrs.push(`group = ${d.group}`);
  if (d.anyoneMayAttach) attrs.push('anyoneMayAttach = true');
  if (d.mtu !== undefined) attrs.push(`mtu = ${d.mtu}`);
  // up is the default; only the unusual choice earns a line.
  if (!d.up) attrs.push('up = false');
  if (d.addresses !== undefined) attrs.push(`addresses = [${d.addresses.join(', ')}]`);
  return attrs;
}

function changeLines(c: Changes): Line[] {
  const lines: Line[] = [];
  for (const field of CHANGE_FIELDS) {
    const change = c[field];
    if (change === undefined) continue;
    if ('add' in change) {
      for (const addr of change.add) lines.push({ text: `${INDENT}+ address ${addr}`, tone: 'green' });
      for (const addr of change.remove) lines.push({ text: `${INDENT}- address ${addr}`, tone: 'red' });
    } else {
      const framing = field === 'packetInfo' || field === 'vnetHeader' ? ` (${FRAMING_IN_PLACE})` : '';
      lines.push(tilde(`${field}: ${showValue(change.from)} -> ${showValue(change.to)}${framing}`));
    }
  }
  return lines;
}

function tilde(text: string): Line {
  return { text: `${INDENT}~ ${text}`, tone: 'yellow' };
}

function attachedNote(pids: readonly number[]): Line[] {
  if (pids.length === 0) return [];
  return [{ text: `${INDENT}attached processes: ${pids.join(', ')} (refuses without --force)`, tone: 'plain' }];
}

function conflictLine(c: Conflict): Line {
  return { text: `! conflict ${c.name}: ${c.message}`, tone: 'red' };
}
