import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { TunformError } from '../../../src/errors.js';
import { loadSpecFile } from '../../../src/spec/index.js';
import { fakeLookup } from './fake-lookup.js';

const dir = mkdtempSync(join(tmpdir(), 'tunform-spec-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('loadSpecFile', () => {
  test('GIVEN a missing file WHEN loaded THEN an invalid-input error names it', async () => {
    const err = await loadSpecFile('x.yaml', { lookup: fakeLookup() }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TunformError);
    expect((err as TunformError).kind).toBe('invalid');
    expect((err as TunformError).message).toBe("cannot read spec file 'x.yaml': no such file");
  });

  test('GIVEN a directory WHEN loaded THEN it is refused as a spec file', async () => {
    await expect(loadSpecFile(dir, { lookup: fakeLookup() })).rejects.toThrow(`cannot read spec file '${dir}': it is a directory; a spec must be a regular file`);
  });

  test('GIVEN a valid file WHEN loaded THEN the desired state is returned', async () => {
    const file = join(dir, 'ok.yaml');
    writeFileSync(file, 'netns: lab\ndevices:\n  - name: tun0\n    mode: tun\n    mtu: 1400\n');
    const { desired } = await loadSpecFile(file, { lookup: fakeLookup() });
    expect(desired.netns).toBe('lab');
    expect(desired.devices.map((d) => [d.name, d.mtu])).toEqual([['tun0', 1400]]);
  });

  test('GIVEN an invalid file WHEN loaded THEN the summary counts the problems and each names the file', async () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'devices:\n  - name: tun0\n    mode: tan\n    mtu: 1\n');
    const err = (await loadSpecFile(file, { lookup: fakeLookup() }).catch((e: unknown) => e)) as TunformError;
    expect(err.message).toBe(`spec file '${file}' is invalid: 2 problems`);
    expect(err.problems.map((p) => p.file)).toEqual([file, file]);
  });
});
