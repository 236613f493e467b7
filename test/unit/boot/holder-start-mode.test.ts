import { describe, expect, it } from 'vitest';
import { chooseHolderStart, holderUnit, systemdEscape } from '../../../src/boot/holder-start-mode.js';

const facts = (systemdBooted: boolean, ...units: string[]) => ({ systemdBooted, installedUnits: new Set(units) });

describe('systemdEscape (systemd-escape, instance names)', () => {
  it.each([
    ['blue', 'blue'],
    ['tf-a1', 'tf\\x2da1'],
    ['a b', 'a\\x20b'],
    ['.hidden', '\\x2ehidden'],
    ['a.b_c:d', 'a.b_c:d'],
    ['x/y', 'x-y'],
    ['é', '\\xc3\\xa9'],
    ['@x', '\\x40x'],
  ])('GIVEN %j WHEN escaped THEN %j (what systemd-escape prints)', (name, want) => {
    expect(systemdEscape(name)).toBe(want);
  });
});

describe('chooseHolderStart', () => {
  it('GIVEN no systemd WHEN the unit is installed THEN the holder starts directly', () => {
    expect(chooseHolderStart('ns1', facts(false, 'tunform-holder@.service'))).toEqual({ kind: 'direct', why: 'no-systemd' });
  });
  it('GIVEN systemd WHEN the template is not installed THEN the holder starts directly', () => {
    expect(chooseHolderStart('ns1', facts(true, 'tunform-holder.service'))).toEqual({ kind: 'direct', why: 'unit-not-installed' });
  });
  it('GIVEN systemd and the template WHEN a namespace needs its holder THEN systemctl starts the escaped instance', () => {
    expect(chooseHolderStart('tf-a', facts(true, 'tunform-holder@.service'))).toEqual({ kind: 'systemd', unit: 'tunform-holder@tf\\x2da.service' });
  });
  it('GIVEN systemd and only an instance file WHEN that namespace needs its holder THEN it goes through systemd', () => {
    expect(chooseHolderStart('blue', facts(true, 'tunform-holder@blue.service')).kind).toBe('systemd');
  });
  it('GIVEN systemd and tunform-holder.service WHEN the machine namespace needs its holder THEN that unit, not the template', () => {
    expect(chooseHolderStart(undefined, facts(true, 'tunform-holder@.service'))).toEqual({ kind: 'direct', why: 'unit-not-installed' });
    expect(chooseHolderStart(undefined, facts(true, 'tunform-holder.service'))).toEqual({ kind: 'systemd', unit: 'tunform-holder.service' });
  });
  it('holderUnit names the file to look for', () => {
    expect(holderUnit('blue')).toEqual({ unit: 'tunform-holder@blue.service', file: 'tunform-holder@.service' });
  });
});
