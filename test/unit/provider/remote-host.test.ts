/** The provider's SSH arguments: one exact message per rule (static checks, before any connection). */
import { describe, expect, it } from 'vitest';
import { validateHostConfig } from '../../../src/provider/tunform/remote-host.js';
import { UNKNOWN, type CtyObject } from '../../../src/provider/contract.js';

const config = (o: Partial<Record<string, unknown>>): CtyObject =>
  ({ netns: null, helper_path: null, force: null, host: null, known_hosts: null, private_key_path: null, ...o }) as CtyObject;
const messages = (o: Partial<Record<string, unknown>>) => validateHostConfig(config(o)).map((d) => [d.summary, d.attribute]);

describe('validateHostConfig', () => {
  it('GIVEN no host and no SSH settings THEN nothing to say', () => {
    expect(messages({})).toEqual([]);
  });
  it('GIVEN a valid host with its settings THEN accepted', () => {
    expect(messages({ host: 'ssh://root@203.0.113.7:2222', known_hosts: '/k', private_key_path: '/id' })).toEqual([]);
  });
  it('GIVEN a host that is not known yet THEN it waits for ConfigureProvider', () => {
    expect(messages({ host: UNKNOWN })).toEqual([]);
  });
  it('GIVEN a host that is not an ssh URL THEN the diagnostic is on host and says the form', () => {
    expect(messages({ host: 'root@h' })).toEqual([[`'host' ("root@h") must start with ssh://; expected ssh://[user@]HOST[:PORT], e.g. ssh://root@203.0.113.7:2222`, ['host']]]);
  });
  it('GIVEN known_hosts or private_key_path without host THEN each is named', () => {
    expect(messages({ known_hosts: '/k', private_key_path: '/id' })).toEqual([
      [`'known_hosts' only applies with 'host'`, ['known_hosts']],
      [`'private_key_path' only applies with 'host'`, ['private_key_path']],
    ]);
  });
  it('GIVEN helper_path with host THEN it is refused: the remote finds its own helper', () => {
    expect(messages({ host: 'ssh://h', helper_path: '/x' })).toEqual([[`'helper_path' cannot be combined with 'host': the host's tunform finds its own helper`, ['helper_path']]]);
  });
});
