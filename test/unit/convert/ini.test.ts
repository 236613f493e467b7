import { describe, expect, it } from 'vitest';
import { lastValue, listValues, parseIni } from '../../../src/convert/ini.js';

describe('systemd ini dialect', () => {
  it('GIVEN repeated keys, comments, a continuation and an empty reset WHEN parsed THEN lists follow systemd rules with line numbers', () => {
    const ini = parseIni(['# c', '[Network]', 'Address=10.0.0.1/24', '; c', 'Address=', 'Address=10.0.0.2/24', 'DNS=1.1.1.1 \\', '  8.8.8.8', '[Network]', 'Address=fd00::1/64'].join('\n'));
    expect(ini.problems).toEqual([]);
    expect(listValues(ini, 'Network', 'Address').map((e) => [e.value, e.line])).toEqual([
      ['10.0.0.2/24', 6],
      ['fd00::1/64', 10],
    ]);
    expect(lastValue(ini, 'Network', 'DNS')?.value).toBe('1.1.1.1    8.8.8.8');
  });

  it('GIVEN a key before any section and a line without = WHEN parsed THEN each is a problem with its line', () => {
    expect(parseIni('Name=x\n[NetDev]\nbogus\n').problems).toEqual([
      { line: 1, message: "'Name=x' comes before any [Section]" },
      { line: 3, message: "'bogus' is neither a [Section] nor a Key=Value line" },
    ]);
  });
});
