/**
 * The ini dialect of systemd's .netdev/.network files (and NetworkManager's
 * keyfiles, which are close enough for the keys tunform reads). Pure: text in,
 * sections out, every entry with its line so messages can point at it.
 *
 * systemd's rules kept here: `#` and `;` start comment lines; a trailing
 * backslash continues a line (joined with a space); a key may repeat (lists
 * such as Address=); an empty assignment resets that key's list.
 */

export interface IniEntry {
  readonly key: string;
  readonly value: string;
  /** 1-based line where the entry starts. */
  readonly line: number;
}

export interface IniSection {
  readonly name: string;
  readonly line: number;
  readonly entries: readonly IniEntry[];
}

export interface IniProblem {
  readonly line: number;
  readonly message: string;
}

export interface IniFile {
  readonly sections: readonly IniSection[];
  readonly problems: readonly IniProblem[];
}

export function parseIni(text: string): IniFile {
  const sections: { name: string; line: number; entries: IniEntry[] }[] = [];
  const problems: IniProblem[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const start = i + 1;
    let raw = lines[i]!;
    while (raw.endsWith('\\') && i + 1 < lines.length) raw = `${raw.slice(0, -1)} ${lines[++i]!}`;
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[([^\]]+)\]$/.exec(line);
    if (header) {
      sections.push({ name: header[1]!.trim(), line: start, entries: [] });
      continue;
    }
    const eq = line.indexOf('=');
    if (eq <= 0) {
      problems.push({ line: start, message: `'${line}' is neither a [Section] nor a Key=Value line` });
      continue;
    }
    const current = sections.at(-1);
    if (current === undefined) {
      problems.push({ line: start, message: `'${line}' comes before any [Section]` });
      continue;
    }
    current.entries.push({ key: line.slice(0, eq).trim(), value: line.slice(eq + 1).trim(), line: start });
  }
  return { sections, problems };
}

/** Every section of that name (systemd merges repeated sections). */
export function sectionsNamed(file: IniFile, name: string): IniSection[] {
  return file.sections.filter((s) => s.name === name);
}

/**
 * The values of a list key across the named sections, applying systemd's
 * "an empty assignment resets the list" rule.
 */
export function listValues(file: IniFile, section: string, key: string): IniEntry[] {
  let values: IniEntry[] = [];
  for (const s of sectionsNamed(file, section)) {
    for (const e of s.entries) {
      if (e.key !== key) continue;
      values = e.value === '' ? [] : [...values, e];
    }
  }
  return values;
}

/** The last assignment of a single-valued key (systemd: the last one wins). */
export function lastValue(file: IniFile, section: string, key: string): IniEntry | undefined {
  let found: IniEntry | undefined;
  for (const s of sectionsNamed(file, section)) for (const e of s.entries) if (e.key === key) found = e;
  return found;
}
