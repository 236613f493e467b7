import { describe, expect, it } from 'vitest';
import { parseIdFile, resolveOwnerIds } from '../../../src/live/ids.js';
import type { TunLink } from '../../../src/live/types.js';

const link = (owner: Partial<Pick<TunLink, 'user' | 'group'>>): TunLink => ({
  name: 'tun0',
  ifindex: 2,
  mode: 'tun',
  multiQueue: false,
  packetInfo: false,
  vnetHeader: false,
  persist: true,
  mtu: 1500,
  up: false,
  carrier: false,
  ...owner,
});

describe('parseIdFile', () => {
  it('GIVEN passwd text with comments, junk and a duplicate WHEN parsed THEN the first valid entry per name wins', () => {
    const text = '# comment\nroot:x:0:0:root:/root:/bin/bash\nbroken\nbin:x:2:2::/:/bin/false\nroot:x:99:99::/:/bin/false\nodd:x:abc:1::/:/x\n';
    expect(parseIdFile(text)).toEqual(
      new Map([
        ['root', 0],
        ['bin', 2],
      ]),
    );
  });
});

describe('resolveOwnerIds', () => {
  it('GIVEN owners named root WHEN resolved THEN the local databases give 0', async () => {
    const ids = await resolveOwnerIds([link({ user: 'root', group: 'root' })]);
    expect(ids.users.get('root')).toBe(0);
    expect(ids.groups.get('root')).toBe(0);
  });

  it('GIVEN only numeric owners WHEN resolved THEN nothing needs looking up', async () => {
    const ids = await resolveOwnerIds([link({ user: 12345, group: 54321 })]);
    expect(ids.users.size + ids.groups.size).toBe(0);
  });

  it('GIVEN an owner name no database knows WHEN resolved THEN a backend error names it', async () => {
    await expect(resolveOwnerIds([link({ user: 'no-such-user-tunform' })])).rejects.toMatchObject({
      kind: 'backend',
      message: expect.stringContaining("user 'no-such-user-tunform'"),
    });
  });
});
