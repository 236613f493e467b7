/**
 * Input that cannot hurt (issue 12, items 7-11 and 13): files and YAML that
 * used to hang, crash or eat memory, each now refused with an exact message.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync, ftruncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { TunformError } from '../../../src/errors.js';
import { loadSpecFile, parseSpecText } from '../../../src/spec/index.js';
import { MAX_SPEC_BYTES } from '../../../src/spec/read-spec.js';
import { fakeLookup } from './fake-lookup.js';
import { oneDevice, onlyProblem, problemsOf } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'tunform-hostile-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const accepted = (text: string) => parseSpecText(text, 'spec.yaml', { lookup: fakeLookup() }).desired.devices;

async function refusal(path: string): Promise<TunformError> {
  const e = await loadSpecFile(path, { lookup: fakeLookup() }).catch((x: unknown) => x);
  expect(e).toBeInstanceOf(TunformError);
  expect((e as TunformError).kind).toBe('invalid');
  return e as TunformError;
}

describe('spec files that are not regular files, or too big', () => {
  test('GIVEN a FIFO as the spec WHEN loaded THEN it is refused at once instead of waiting for a writer', async () => {
    const fifo = join(dir, 'fifo.yaml');
    execFileSync('mkfifo', [fifo]);
    expect((await refusal(fifo)).message).toBe(`cannot read spec file '${fifo}': it is a FIFO; a spec must be a regular file`);
  });

  test('GIVEN /dev/zero as the spec WHEN loaded THEN it is refused without reading', async () => {
    expect((await refusal('/dev/zero')).message).toBe("cannot read spec file '/dev/zero': it is a character device; a spec must be a regular file");
  });

  test('GIVEN a file one byte over the limit WHEN loaded THEN it is refused by its size', async () => {
    const big = join(dir, 'big.yaml');
    const fd = openSync(big, 'w');
    ftruncateSync(fd, MAX_SPEC_BYTES + 1); // sparse: no disk, and nothing is read
    closeSync(fd);
    expect((await refusal(big)).message).toBe(
      `cannot read spec file '${big}': it is ${MAX_SPEC_BYTES + 1} bytes or more; a spec may be at most ${MAX_SPEC_BYTES} bytes (16 MiB)`,
    );
  });

  test('GIVEN a name with a byte that is not UTF-8 WHEN loaded THEN the file is refused at that byte, not silently repaired', async () => {
    const file = join(dir, 'latin1.yaml');
    writeFileSync(file, Buffer.from('devices:\n  - name: t\xfcn\n    mode: tun\n', 'latin1'));
    const e = await refusal(file);
    expect(e.message).toBe(`spec file '${file}' is not valid UTF-8; nothing was read from it`);
    expect(e.problems).toEqual([{ file, line: 2, column: 12, message: 'byte 0xfc is not valid UTF-8 here; save the file as UTF-8' }]);
  });
});

describe('YAML that cannot hurt', () => {
  test('GIVEN two YAML documents WHEN parsed THEN the problem points at the second document', () => {
    expect(onlyProblem('devices: []\n---\ndevices: []\n')).toEqual({
      file: 'spec.yaml',
      line: 2,
      column: 1,
      message: "a second YAML document starts here ('---'); a spec is one document: merge the devices into one 'devices' list",
    });
  });

  test('GIVEN a 600-byte alias bomb in a name WHEN parsed THEN it is refused before anything walks it', () => {
    const levels = ['a0: &a0 ["xxxxxxxx","xxxxxxxx","xxxxxxxx","xxxxxxxx","xxxxxxxx","xxxxxxxx","xxxxxxxx","xxxxxxxx","xxxxxxxx"]'];
    for (let i = 1; i < 9; i++) levels.push(`a${i}: &a${i} [${Array.from({ length: 9 }, () => `*a${i - 1}`).join(',')}]`);
    const text = `${levels.join('\n')}\ndevices:\n  - name: *a8\n    mode: tun\n`;
    expect(text.length).toBeLessThan(700);
    expect(onlyProblem(text)).toEqual({
      file: 'spec.yaml',
      message: 'YAML aliases make this spec expand to more than 100000 values and characters; write the values out instead',
    });
  });

  test('GIVEN a few aliases that repeat a list WHEN parsed THEN the spec is accepted', () => {
    const text = 'devices:\n  - &dev {name: a, mode: tun, mtu: 1400}\n  - {name: b, mode: tun, mtu: 1400}\n  - name: c\n    mode: tun\n    mtu: &m 1300\n  - {name: d, mode: tun, mtu: *m}\n';
    expect(accepted(text).map((d) => [d.name, d.mtu])).toEqual([['a', 1400], ['b', 1400], ['c', 1300], ['d', 1300]]);
  });

  test('GIVEN 40,000 unknown keys in one device WHEN parsed THEN 20 are named and the rest counted in one problem', () => {
    const keys = Array.from({ length: 40_000 }, (_, i) => `k${i}: 1`);
    const problems = problemsOf(oneDevice(...keys));
    expect(problems).toHaveLength(21);
    expect(problems.filter((p) => p.message.startsWith("unknown key 'k"))).toHaveLength(20);
    expect(problems.find((p) => p.message.startsWith('and '))?.message).toBe(
      'and 39980 more unknown keys in devices[0]; allowed keys: name, mode, multiQueue, keepCarrier, packetInfo, vnetHeader, user, group, anyoneMayAttach, mtu, up, addresses',
    );
  });

  test('GIVEN an unknown key with a control character WHEN reported THEN the character is shown escaped, never raw', () => {
    expect(onlyProblem(oneDevice('"co\\x1b[31mlour": red')).message).toBe(
      "unknown key 'co\\u001b[31mlour' in devices[0]; allowed keys: name, mode, multiQueue, keepCarrier, packetInfo, vnetHeader, user, group, anyoneMayAttach, mtu, up, addresses",
    );
  });
});

describe('specs that validated and then failed in apply', () => {
  test.each([
    ['0.0.0.0/0', "'addresses' (\"0.0.0.0/0\") is the unspecified address 0.0.0.0; the kernel accepts it and adds nothing, so declare a host address"],
    ['"::1/128"', "'addresses' (\"::1/128\") is the IPv6 loopback address (::1); the kernel refuses it on any device but lo"],
    ['"::/0"', "'addresses' (\"::/0\") is the unspecified IPv6 address (::); the kernel refuses it, so declare a host address"],
    ['"::/128"', "'addresses' (\"::/128\") is the unspecified IPv6 address (::); the kernel refuses it, so declare a host address"],
    ['"ff02::1/64"', "'addresses' (\"ff02::1/64\") is an IPv6 multicast address (ff00::/8); the kernel refuses those as interface addresses"],
  ])('GIVEN address %s WHEN parsed THEN it is refused with the reason', (address, message) => {
    expect(onlyProblem(oneDevice(`addresses: [${address}]`)).message).toBe(message);
  });

  test('GIVEN mtu 1000 and an IPv6 address WHEN parsed THEN the mtu is refused naming the address', () => {
    const p = onlyProblem(oneDevice('mtu: 1000', 'addresses: [10.0.0.1/24, "fd00::1/64"]'));
    expect(p.path).toBe('devices[0].mtu');
    expect(p.message).toBe(
      `'mtu' (1000) is below 1280, the least IPv6 works with, but addresses[1] ("fd00::1/64") is IPv6; raise 'mtu' to at least 1280 or declare only IPv4 addresses`,
    );
  });

  test('GIVEN mtu 1000 and only IPv4 addresses WHEN parsed THEN it is accepted', () => {
    expect(accepted(oneDevice('mtu: 1000', 'addresses: [10.0.0.1/24]')).map((d) => d.mtu)).toEqual([1000]);
  });
});
