/** `--spec-env VAR`: the spec in VAR, or in VAR_0, VAR_1, ... (how the cdktf applier passes a long one). */
import { afterEach, describe, expect, it } from 'vitest';
import { readSpecEnv } from '../../../src/cli/desired.js';

const NAMES = ['TF_SPEC_TEST', 'TF_SPEC_TEST_0', 'TF_SPEC_TEST_1', 'TF_SPEC_TEST_2', 'TF_SPEC_TEST_3'];
afterEach(() => NAMES.forEach((n) => delete process.env[n]));

describe('readSpecEnv', () => {
  it('GIVEN VAR set WHEN read THEN it is the spec, whatever parts exist', () => {
    process.env.TF_SPEC_TEST = 'devices: []';
    process.env.TF_SPEC_TEST_0 = 'ignored';
    expect(readSpecEnv('TF_SPEC_TEST')).toBe('devices: []');
  });

  it('GIVEN VAR unset and parts _0, _1, _2 (one empty) WHEN read THEN they are joined in order up to the first missing one', () => {
    process.env.TF_SPEC_TEST_0 = '{"devices"';
    process.env.TF_SPEC_TEST_1 = ':[]}';
    process.env.TF_SPEC_TEST_2 = '';
    process.env.TF_SPEC_TEST_4 = 'after a gap: not read';
    expect(readSpecEnv('TF_SPEC_TEST')).toBe('{"devices":[]}');
    delete process.env.TF_SPEC_TEST_4;
  });

  it('GIVEN neither VAR nor VAR_0 WHEN read THEN the error names the variable and its parts', () => {
    expect(() => readSpecEnv('TF_SPEC_TEST')).toThrow(
      "'--spec-env' names the environment variable 'TF_SPEC_TEST', which is not set (nor are TF_SPEC_TEST_0, TF_SPEC_TEST_1, ..., the parts of a long spec)",
    );
  });
});
