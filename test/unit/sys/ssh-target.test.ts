/** Pure parts of the SSH transport: the --host URL, shell quoting, version compatibility, ssh's failure text. */
import { describe, expect, it } from 'vitest';
import { describeTarget, knownHostsName, parseSshTarget, shellQuote } from '../../../src/sys/ssh-target.js';
import { classifySshFailure, compatibleVersions, SshTransport } from '../../../src/sys/ssh.js';
import { hasReason } from '../../../src/errors.js';

const rejects = (value: string) => {
  try {
    parseSshTarget(value);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error(`accepted ${value}`);
};
const EXPECTED = 'expected ssh://[user@]HOST[:PORT], e.g. ssh://root@203.0.113.7:2222';

describe('parseSshTarget', () => {
  it('GIVEN user, host and port WHEN parsed THEN all three are kept', () => {
    expect(parseSshTarget('ssh://ops@host-1.example.org:2222')).toEqual({ url: 'ssh://ops@host-1.example.org:2222', host: 'host-1.example.org', user: 'ops', port: 2222 });
  });
  it('GIVEN only a host WHEN parsed THEN user and port are left to ssh', () => {
    expect(parseSshTarget('ssh://10.0.0.2')).toEqual({ url: 'ssh://10.0.0.2', host: '10.0.0.2' });
  });
  it('GIVEN an IPv6 literal WHEN parsed THEN ssh gets it without brackets', () => {
    const t = parseSshTarget('ssh://root@[fd00::2]:22');
    expect(t.host).toBe('fd00::2');
    expect(knownHostsName(t)).toBe('fd00::2');
  });
  it('names the host as user@host:port and the known_hosts entry as [host]:port off port 22', () => {
    const t = parseSshTarget('ssh://root@10.0.0.2:2222');
    expect(describeTarget(t)).toBe('root@10.0.0.2:2222');
    expect(knownHostsName(t)).toBe('[10.0.0.2]:2222');
  });
  it('rejects another scheme', () => {
    expect(rejects('root@10.0.0.2')).toBe(`'--host' ("root@10.0.0.2") must start with ssh://; ${EXPECTED}`);
  });
  it('rejects a password', () => {
    expect(rejects('ssh://root:pw@h')).toBe(`'--host' ("ssh://root:pw@h") must not contain a password (use a key: --identity); ${EXPECTED}`);
  });
  it('rejects a path', () => {
    expect(rejects('ssh://h/x')).toBe(`'--host' ("ssh://h/x") must not have a path, query or fragment; ${EXPECTED}`);
  });
  it('rejects a host ssh could read as an option', () => {
    expect(rejects('ssh://-oProxyCommand=x')).toBe(`'--host' ("ssh://-oProxyCommand=x") has an invalid host '-oProxyCommand=x'; ${EXPECTED}`);
  });
  it('rejects a user name ssh could read as an option', () => {
    expect(rejects('ssh://-x@h')).toBe(`'--host' ("ssh://-x@h") has an invalid user name '-x'; ${EXPECTED}`);
  });
  it('rejects a port out of range', () => {
    expect(rejects('ssh://h:70000')).toBe(`'--host' ("ssh://h:70000") is not a valid URL; ${EXPECTED}`);
  });
  it('names the key it came from', () => {
    expect(() => parseSshTarget('x', 'host')).toThrow(`'host' ("x") must start with ssh://`);
  });
});

describe('shellQuote', () => {
  it('leaves plain words and quotes the rest so the remote shell sees one word', () => {
    expect(shellQuote('--spec-stdin=/tmp/a.yaml')).toBe('--spec-stdin=/tmp/a.yaml');
    expect(shellQuote("it's $(x) *")).toBe(`'it'\\''s $(x) *'`);
    expect(shellQuote('')).toBe("''");
  });
});

describe('compatibleVersions', () => {
  it('GIVEN the same major.minor THEN compatible, whatever the patch', () => {
    expect(compatibleVersions('0.1.0', '0.1.7')).toBe(true);
  });
  it('GIVEN another minor or major, or no version THEN not', () => {
    expect(compatibleVersions('0.1.0', '0.2.0')).toBe(false);
    expect(compatibleVersions('1.1.0', '2.1.0')).toBe(false);
    expect(compatibleVersions('unknown', 'unknown')).toBe(false);
  });
});

describe('classifySshFailure', () => {
  it('tells unknown, changed host keys, refused logins and connection failures apart', () => {
    expect(classifySshFailure('No ED25519 host key is known for 10.0.0.2 and you have requested strict checking.\nHost key verification failed.\n')).toBe('host-key-unknown');
    expect(classifySshFailure('@@@ WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED! @@@\nHost key verification failed.\n')).toBe('host-key-changed');
    expect(classifySshFailure('root@10.0.0.2: Permission denied (publickey).\n')).toBe('auth');
    expect(classifySshFailure('ssh: connect to host 10.0.0.2 port 22: Connection refused\n')).toBe('connect');
  });
});

describe('an ssh failure as an error', () => {
  it('GIVEN what ssh printed WHEN it becomes an error THEN the error carries the kind as its reason, for code to check instead of the text', () => {
    const t = new SshTransport(parseSshTarget('ssh://root@10.0.0.2'), { knownHosts: '/tmp/kh' }, '0.1.0');
    const unknown = t.failure('No ED25519 host key is known for 10.0.0.2 and you have requested strict checking.\nHost key verification failed.\n');
    expect(hasReason(unknown, 'ssh-host-key-unknown')).toBe(true);
    expect(unknown.kind).toBe('backend');
    expect(hasReason(t.failure('root@10.0.0.2: Permission denied (publickey).\n'), 'ssh-auth')).toBe(true);
    expect(hasReason(t.failure('@@@ WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED! @@@\n'), 'ssh-host-key-changed')).toBe(true);
    const down = t.failure('ssh: connect to host 10.0.0.2 port 22: Connection refused\n');
    expect(hasReason(down, 'ssh-connect')).toBe(true);
    expect(down.message).toBe('cannot connect to root@10.0.0.2');
  });
});
