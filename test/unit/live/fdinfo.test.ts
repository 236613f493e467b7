import { describe, expect, it } from 'vitest';
import { parseFdinfo } from '../../../src/live/fdinfo.js';
import { fixture } from './fixtures.js';

describe('parseFdinfo', () => {
  it('GIVEN the fdinfo of an attached tun fd WHEN parsed THEN it names the device', () => {
    expect(parseFdinfo(fixture('fdinfo-attached.txt'))).toBe('mq0');
  });

  it('GIVEN the fdinfo of an opened but unattached tun fd WHEN parsed THEN there is no device', () => {
    expect(parseFdinfo(fixture('fdinfo-unattached.txt'))).toBeUndefined();
  });

  it('GIVEN an empty iff line followed by more lines WHEN parsed THEN the next line is not taken for a name', () => {
    expect(parseFdinfo('pos:\t0\niff:\t\nmnt_id:\t60\n')).toBeUndefined();
  });

  it('GIVEN the fdinfo of a regular file WHEN parsed THEN there is no device', () => {
    expect(parseFdinfo(fixture('fdinfo-regular.txt'))).toBeUndefined();
  });
});
