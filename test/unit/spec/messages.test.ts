import { describe, expect, test } from 'vitest';
import { parseSpecText } from '../../../src/spec/index.js';
import { fakeLookup } from './fake-lookup.js';
import { onlyProblem, oneDevice, problemsOf } from './helpers.js';

describe('spec problem messages', () => {
  test('GIVEN a YAML syntax error WHEN parsed THEN the problem names line and column of the error', () => {
    const p = onlyProblem('devices:\n  - name: [tun0\n');
    expect(p).toEqual({
      file: 'spec.yaml',
      line: 3,
      column: 1,
      message: 'YAML syntax error: unexpected end of the stream within a flow collection',
    });
  });

  test('GIVEN a duplicated key WHEN parsed THEN it is a syntax error at the second key', () => {
    const p = onlyProblem(oneDevice('mtu: 1500', 'mtu: 1400'));
    expect(p.message).toBe('YAML syntax error: duplicated mapping key');
    expect(p.line).toBe(5);
  });

  test('GIVEN a misspelt device key WHEN parsed THEN the nearest known key is suggested at the key', () => {
    const p = onlyProblem(oneDevice('multiqueue: true'));
    expect(p).toEqual({
      file: 'spec.yaml',
      line: 4,
      column: 5,
      path: 'devices[0].multiqueue',
      message: "unknown key 'multiqueue' in devices[0]; did you mean 'multiQueue'?",
    });
  });

  test('GIVEN a misspelt top-level key WHEN parsed THEN the suggestion is made at the top level', () => {
    const problems = problemsOf('netnz: lab\ndevices: []\n');
    expect(problems).toEqual([
      { file: 'spec.yaml', line: 1, column: 1, path: 'netnz', message: "unknown key 'netnz' at the top level; did you mean 'netns'?" },
    ]);
  });

  test('GIVEN a key unlike any known key WHEN parsed THEN the allowed keys are listed', () => {
    expect(onlyProblem(oneDevice('colour: blue')).message).toBe(
      "unknown key 'colour' in devices[0]; allowed keys: name, mode, multiQueue, keepCarrier, packetInfo, vnetHeader, user, group, anyoneMayAttach, mtu, up, addresses",
    );
  });

  test.each([
    ['mtu: big', `'mtu' ("big") must be an integer`],
    ['mtu: 1500.5', `'mtu' (1500.5) must be an integer`],
    ['up: yes', `'up' ("yes") must be true or false`],
    ['multiQueue: 1', `'multiQueue' (1) must be true or false`],
    ['addresses: 10.0.0.1/24', `'addresses' ("10.0.0.1/24") must be a list of addresses such as [172.31.0.1/24, "fd00::1/64"]`],
    ['addresses: [42]', `'addresses' (42) must be a string such as 172.31.0.1/24 or fd00::1/64`],
    ['user: -1', `'user' (-1) must be a user name or a numeric uid from 0 to 4294967294`],
    ['group: 4294967295', `'group' (4294967295) must be a group name or a numeric gid from 0 to 4294967294`],
    ['group: "4294967295"', `'group' ("4294967295") must be a group name or a numeric gid from 0 to 4294967294`],
    ['user: [a]', `'user' (a list) must be a user name or a numeric uid from 0 to 4294967294`],
  ])('GIVEN %s WHEN parsed THEN the message is exact', (line, message) => {
    const p = onlyProblem(oneDevice(line));
    expect(p.message).toBe(message);
    expect(p.line).toBe(4);
  });

  test('GIVEN an MTU out of range WHEN parsed THEN the allowed range is given at the value', () => {
    const p = onlyProblem(oneDevice('mtu: 70000'));
    expect(p).toEqual({ file: 'spec.yaml', line: 4, column: 10, path: 'devices[0].mtu', message: "'mtu' (70000) must be between 68 and 65535" });
    expect(onlyProblem(oneDevice('mtu: 67')).message).toBe("'mtu' (67) must be between 68 and 65535");
  });

  test('GIVEN anyoneMayAttach with user or group WHEN parsed THEN it is refused at anyoneMayAttach, naming what limits attaching', () => {
    expect(onlyProblem(oneDevice('user: 1000', 'anyoneMayAttach: true'))).toEqual({
      file: 'spec.yaml',
      line: 5,
      column: 22,
      path: 'devices[0].anyoneMayAttach',
      message: "'anyoneMayAttach' (true) cannot be combined with 'user' (1000): they limit who may attach; remove 'anyoneMayAttach' or 'user'",
    });
    expect(onlyProblem(oneDevice('user: nobody', 'group: 100', 'anyoneMayAttach: true')).message).toBe(
      "'anyoneMayAttach' (true) cannot be combined with 'user' (\"nobody\") and 'group' (100): they limit who may attach; remove 'anyoneMayAttach' or them",
    );
    const open = parseSpecText(oneDevice('anyoneMayAttach: true'), 'spec.yaml', { lookup: fakeLookup() });
    expect(open.desired.devices[0]?.anyoneMayAttach).toBe(true);
  });

  test('GIVEN a tap with an MTU only a tun may have WHEN parsed THEN the tap range is given at the value', () => {
    const p = onlyProblem('devices:\n  - name: tap0\n    mode: tap\n    mtu: 65535\n');
    expect(p).toEqual({
      file: 'spec.yaml',
      line: 4,
      column: 10,
      path: 'devices[0].mtu',
      message: "'mtu' (65535) must be between 68 and 65521 for a tap device (its Ethernet header counts against the kernel's 65535)",
    });
    expect(parseSpecText('devices:\n  - name: tap0\n    mode: tap\n    mtu: 65521\n', 'spec.yaml', { lookup: fakeLookup() }).desired.devices[0]?.mtu).toBe(65521);
  });

  test.each([
    ['""', `'name' ("") is empty; device names must be 1 to 15 bytes`],
    ['abcdefghijklmnop', `'name' ("abcdefghijklmnop") is 16 bytes; device names must be 1 to 15 bytes`],
    ['"tüntüntüntünx"', `'name' ("tüntüntüntünx") is 17 bytes; device names must be 1 to 15 bytes`],
    ['a/b', `'name' ("a/b") contains '/'; device names must not contain '/', ':', '%', '*', '?', '[', ']', whitespace or control characters`],
    ['"a:b"', `'name' ("a:b") contains ':'; device names must not contain '/', ':', '%', '*', '?', '[', ']', whitespace or control characters`],
    ['"a b"', `'name' ("a b") contains whitespace; device names must not contain '/', ':', '%', '*', '?', '[', ']', whitespace or control characters`],
    ['"a\\tb"', `'name' ("a\\tb") contains whitespace; device names must not contain '/', ':', '%', '*', '?', '[', ']', whitespace or control characters`],
    ['.', `'name' (".") is reserved; device names must not be '.', '..', 'all' or 'default'`],
    ['..', `'name' ("..") is reserved; device names must not be '.', '..', 'all' or 'default'`],
    ['"a\\x01b"', `'name' ("a\\u0001b") contains a control character (U+0001); device names must not contain '/', ':', '%', '*', '?', '[', ']', whitespace or control characters`],
    ['"a\\x7fb"', `'name' ("a\\u007fb") contains a control character (U+007F); device names must not contain '/', ':', '%', '*', '?', '[', ']', whitespace or control characters`],
    ['"tun%d"', `'name' ("tun%d") contains '%'; device names must not contain '/', ':', '%', '*', '?', '[', ']', whitespace or control characters`],
    ['"tap*"', `'name' ("tap*") contains '*'; device names must not contain '/', ':', '%', '*', '?', '[', ']', whitespace or control characters`],
    ['all', `'name' ("all") is reserved; device names must not be '.', '..', 'all' or 'default'`],
    ['default', `'name' ("default") is reserved; device names must not be '.', '..', 'all' or 'default'`],
    ['42', `'name' (42) must be a string`],
  ])('GIVEN name %s WHEN parsed THEN the name rule is explained', (name, message) => {
    const p = onlyProblem(`devices:\n  - name: ${name}\n    mode: tun\n`);
    expect(p.message).toBe(message);
    expect(p.path).toBe('devices[0].name');
    expect([p.line, p.column]).toEqual([2, 11]);
  });

  test('GIVEN a 15-byte name WHEN parsed THEN it is accepted', () => {
    expect(() => onlyProblem('devices:\n  - name: abcdefghijklmno\n    mode: tun\n')).toThrow('expected the spec to be rejected');
  });

  test('GIVEN the same name twice WHEN parsed THEN the second is reported with the first one line', () => {
    const p = onlyProblem('devices:\n  - name: tun0\n    mode: tun\n  - name: tun1\n    mode: tun\n  - name: tun0\n    mode: tap\n');
    expect(p).toEqual({
      file: 'spec.yaml',
      line: 6,
      column: 11,
      path: 'devices[2].name',
      message: `'name' ("tun0") is already declared by devices[0] (line 2); device names must be unique`,
    });
  });

  test('GIVEN a mode other than tun or tap WHEN parsed THEN both modes are offered', () => {
    expect(onlyProblem('devices:\n  - name: t\n    mode: tan\n').message).toBe(`'mode' ("tan") must be tun or tap`);
  });

  test('GIVEN a device without mode WHEN parsed THEN the device is pointed at', () => {
    const p = onlyProblem('devices:\n  - name: t\n');
    expect(p).toEqual({ file: 'spec.yaml', line: 2, column: 5, path: 'devices[0].mode', message: `'mode' is required: tun or tap` });
  });

  test.each([
    ['10.0.0.1', `'addresses' ("10.0.0.1") has no prefix length; write ADDRESS/PREFIX, e.g. 172.31.0.1/24 or fd00::1/64`],
    ['10.0.0.300/24', `'addresses' ("10.0.0.300/24") is not an IPv4 or IPv6 address with a prefix length, e.g. 172.31.0.1/24 or fd00::1/64`],
    ['10.0.0.1/33', `'addresses' ("10.0.0.1/33") has prefix length '33'; IPv4 prefix lengths must be 0 to 32`],
    ['"fd00::1/129"', `'addresses' ("fd00::1/129") has prefix length '129'; IPv6 prefix lengths must be 0 to 128`],
    ['"fd00::1/"', `'addresses' ("fd00::1/") has prefix length ''; IPv6 prefix lengths must be 0 to 128`],
    ['"fe80::1%eth0/64"', `'addresses' ("fe80::1%eth0/64") has a zone index; write the address without '%…'`],
    ['"fe80::5/64"', `'addresses' ("fe80::5/64") is an IPv6 link-local address (fe80::/10); the kernel assigns those itself, declare global or ULA addresses only`],
  ])('GIVEN address %s WHEN parsed THEN it is rejected with the rule', (address, message) => {
    const p = onlyProblem(oneDevice(`addresses: [${address}]`));
    expect(p.message).toBe(message);
    expect(p.path).toBe('devices[0].addresses[0]');
    expect([p.line, p.column]).toEqual([4, 17]);
  });

  test('GIVEN two spellings of one address on a device WHEN parsed THEN the second is a duplicate', () => {
    const p = onlyProblem(oneDevice('addresses:', '  - fd00::1/64', '  - "FD00:0::1/64"'));
    expect(p).toEqual({
      file: 'spec.yaml',
      line: 6,
      column: 9,
      path: 'devices[0].addresses[1]',
      message: `'addresses' ("FD00:0::1/64") is the same address as addresses[0] ("fd00::1/64", line 5); a device holds each local address once, with one prefix length or one peer: keep one`,
    });
  });

  test('GIVEN one address on two devices WHEN parsed THEN the second device is reported', () => {
    const text = 'devices:\n  - name: a\n    mode: tun\n    addresses: [172.31.0.1/24]\n  - name: b\n    mode: tun\n    addresses: [172.31.0.1/16]\n';
    expect(onlyProblem(text)).toEqual({
      file: 'spec.yaml',
      line: 7,
      column: 17,
      path: 'devices[1].addresses[0]',
      message: `'addresses' ("172.31.0.1/16") is the same address as "172.31.0.1/24" of devices[0] 'a' (line 4); an address may belong to one device only`,
    });
  });

  test('GIVEN an unknown user and group WHEN parsed THEN each is reported', () => {
    const problems = problemsOf(oneDevice('user: bob', 'group: wheel'));
    expect(problems.map((p) => p.message)).toEqual([
      `'user' ("bob") is not a known user on this system (/etc/passwd); use an existing name or a numeric uid`,
      `'group' ("wheel") is not a known group on this system (/etc/group); use an existing name or a numeric gid`,
    ]);
  });

  test('GIVEN a netns that does not exist WHEN parsed THEN the value is pointed at', () => {
    expect(onlyProblem('netns: nope\ndevices: []\n')).toEqual({
      file: 'spec.yaml',
      line: 1,
      column: 8,
      path: 'netns',
      message: `'netns' ("nope") does not exist; use a name from 'ip netns list'`,
    });
  });

  test('GIVEN an invalid netns name WHEN parsed THEN the name rule is given', () => {
    expect(onlyProblem('netns: a/b\ndevices: []\n').message).toBe(`'netns' ("a/b") contains '/'; namespace names must not contain '/'`);
  });

  test.each([
    ['', `the spec is empty; it must be a mapping with a 'devices' list`],
    ['# only a comment\n', `the spec is empty; it must be a mapping with a 'devices' list`],
    ['- a\n- b\n', `the spec (a list) must be a mapping with a 'devices' list`],
    ['hello\n', `the spec ("hello") must be a mapping with a 'devices' list`],
    ['netns: lab\n', `'devices' is required: a list of devices (it may be empty)`],
    ['devices: tun0\n', `'devices' ("tun0") must be a list of devices`],
    ['devices:\n', `'devices' (null) must be a list of devices`],
    ['devices: [tun0]\n', `'devices[0]' ("tun0") must be a mapping of device settings, at least 'name' and 'mode'`],
  ])('GIVEN document %j WHEN parsed THEN the shape problem is explained', (text, message) => {
    const p = onlyProblem(text);
    expect(p.message).toBe(message);
    expect(p.line).toBe(1);
  });

  test('GIVEN many problems WHEN parsed THEN all are reported in file order', () => {
    const text = 'devices:\n  - name: ""\n    mode: tan\n    mtu: 1\n  - name: b\n    mode: tun\n    up: no\n';
    expect(problemsOf(text).map((p) => `${p.line}:${p.path}`)).toEqual(['2:devices[0].name', '3:devices[0].mode', '4:devices[0].mtu', '7:devices[1].up']);
  });
});
