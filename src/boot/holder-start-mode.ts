/**
 * How a namespace's holder is started: through systemd when systemd runs the
 * machine and tunform's holder unit is installed (so systemd supervises it and
 * keeps its fds in the fd store), else directly as a daemon. Pure: the system
 * facts are read by src/sys/systemd.ts.
 */

/** Unit search directories, most specific first, as systemd's system manager reads them. */
export const UNIT_SEARCH_DIRS: readonly string[] = [
  '/etc/systemd/system',
  '/run/systemd/system',
  '/usr/local/lib/systemd/system',
  '/usr/lib/systemd/system',
  '/lib/systemd/system',
];

/**
 * `systemd-escape NAME` for a unit instance (not --path): every byte outside
 * [A-Za-z0-9:_.] and a leading '.' become `\xNN`, '/' becomes '-'. A netns name
 * may hold '-' or '@', which would otherwise change what systemd's %i gives back.
 */
export function systemdEscape(name: string): string {
  let out = '';
  const bytes = Buffer.from(name, 'utf8');
  bytes.forEach((b, i) => {
    const c = String.fromCharCode(b);
    if (c === '/') out += '-';
    else if (/[A-Za-z0-9:_]/.test(c) || (c === '.' && i > 0)) out += c;
    else out += `\\x${b.toString(16).padStart(2, '0')}`;
  });
  return out;
}

/** The holder's unit for a namespace: tunform-holder.service for the machine's own, else an instance of tunform-holder@.service. */
export const holderUnit = (netns: string | undefined): { unit: string; file: string } =>
  netns === undefined
    ? { unit: 'tunform-holder.service', file: 'tunform-holder.service' }
    : { unit: `tunform-holder@${systemdEscape(netns)}.service`, file: 'tunform-holder@.service' };

export interface HolderStartFacts {
  /** systemd is the service manager (sd_booted(): /run/systemd/system is a directory). */
  readonly systemdBooted: boolean;
  /** Unit file names present in UNIT_SEARCH_DIRS. */
  readonly installedUnits: ReadonlySet<string>;
}

export type HolderStartMode =
  | { readonly kind: 'systemd'; readonly unit: string }
  | { readonly kind: 'direct'; readonly why: 'no-systemd' | 'unit-not-installed' };

export function chooseHolderStart(netns: string | undefined, facts: HolderStartFacts): HolderStartMode {
  if (!facts.systemdBooted) return { kind: 'direct', why: 'no-systemd' };
  const { unit, file } = holderUnit(netns);
  // An instance may also be installed as a file of its own (a copy edited for one namespace).
  if (!facts.installedUnits.has(file) && !facts.installedUnits.has(unit)) return { kind: 'direct', why: 'unit-not-installed' };
  return { kind: 'systemd', unit };
}

export interface HolderRestartFacts extends HolderStartFacts {
  /** The running holder's pid (its answer to `ping`); undefined when none answers. */
  readonly holderPid?: number;
  /** `systemctl show -P MainPID UNIT`: 0 or undefined when the unit runs no process or was not asked. */
  readonly unitMainPid?: number;
}

export type HolderRestartMode =
  | { readonly kind: 'systemctl'; readonly unit: string }
  | { readonly kind: 'hand-over'; readonly why: 'no-holder' | 'no-systemd' | 'unit-not-installed' | 'not-the-unit' };

/**
 * How `tunform holder restart` replaces a running holder. When it is the main
 * process of its unit, `systemctl restart UNIT`: a successor started outside
 * the unit would leave systemd watching its main process exit (the unit then
 * stops, and the next `systemctl start` fails against the successor's lock),
 * while across a restart job systemd keeps the fd store and passes it to the
 * new main process. Any other holder (a daemon, or one started before the
 * unit was installed) hands its fds over to a successor.
 */
export function chooseHolderRestart(netns: string | undefined, facts: HolderRestartFacts): HolderRestartMode {
  if (facts.holderPid === undefined) return { kind: 'hand-over', why: 'no-holder' };
  const start = chooseHolderStart(netns, facts);
  if (start.kind === 'direct') return { kind: 'hand-over', why: start.why };
  if (facts.unitMainPid !== facts.holderPid) return { kind: 'hand-over', why: 'not-the-unit' };
  return { kind: 'systemctl', unit: start.unit };
}
