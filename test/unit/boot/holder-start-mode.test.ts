import { describe, expect, it } from 'vitest';
import { chooseHolderRestart, chooseHolderStart, holderUnit, systemdEscape } from '../../../src/boot/holder-start-mode.js';

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

describe('chooseHolderRestart', () => {
  const sd = (holderPid: number | undefined, unitMainPid: number | undefined, ...units: string[]) => ({ ...facts(true, ...units), holderPid, unitMainPid });
  it('GIVEN the holder is the main process of its unit WHEN restarted THEN systemctl restarts the escaped instance', () => {
    expect(chooseHolderRestart('tf-a', sd(812, 812, 'tunform-holder@.service'))).toEqual({ kind: 'systemctl', unit: 'tunform-holder@tf\\x2da.service' });
    expect(chooseHolderRestart(undefined, sd(9, 9, 'tunform-holder.service'))).toEqual({ kind: 'systemctl', unit: 'tunform-holder.service' });
  });
  it('GIVEN the unit runs another process or none WHEN restarted THEN the holder hands over', () => {
    expect(chooseHolderRestart('blue', sd(812, 0, 'tunform-holder@.service'))).toEqual({ kind: 'hand-over', why: 'not-the-unit' });
    expect(chooseHolderRestart('blue', sd(812, 700, 'tunform-holder@.service'))).toEqual({ kind: 'hand-over', why: 'not-the-unit' });
    expect(chooseHolderRestart('blue', sd(812, undefined, 'tunform-holder@.service'))).toEqual({ kind: 'hand-over', why: 'not-the-unit' });
  });
  it('GIVEN no systemd or no unit file WHEN restarted THEN the holder hands over, whatever MainPID says', () => {
    expect(chooseHolderRestart('blue', { ...facts(false, 'tunform-holder@.service'), holderPid: 5, unitMainPid: 5 })).toEqual({ kind: 'hand-over', why: 'no-systemd' });
    expect(chooseHolderRestart(undefined, sd(5, 5, 'tunform-holder@.service'))).toEqual({ kind: 'hand-over', why: 'unit-not-installed' });
  });
  it('GIVEN no holder answers WHEN restarted THEN the helper decides (nothing to restart), never systemctl', () => {
    expect(chooseHolderRestart('blue', sd(undefined, 0, 'tunform-holder@.service'))).toEqual({ kind: 'hand-over', why: 'no-holder' });
    expect(chooseHolderRestart('blue', sd(undefined, undefined, 'tunform-holder@.service'))).toEqual({ kind: 'hand-over', why: 'no-holder' });
  });
});
