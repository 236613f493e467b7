import { describe, expect, it } from 'vitest';
import { parseAddrs } from '../../../src/live/parse-addrs.js';
import { fixture } from './fixtures.js';

describe('parseAddrs', () => {
  const byIndex = parseAddrs(fixture('addrs.json'));

  it('GIVEN a tap with IPv4 and IPv6 addresses WHEN parsed THEN they are canonical and sorted', () => {
    expect(byIndex.get(3)).toEqual(['10.0.0.9/8', '172.31.0.1/24', 'fd00::1/64']);
  });

  it('GIVEN an up link with a kernel-made fe80 address WHEN parsed THEN the link-local address is left out', () => {
    expect(byIndex.get(4)).toEqual(['2001:db8::5/128']);
  });

  it('GIVEN a link without addresses WHEN parsed THEN its list is empty', () => {
    expect(byIndex.get(2)).toEqual([]);
  });

  it('GIVEN a global-scope address inside fe80::/10 WHEN parsed THEN it is kept, only scope-link ones are the kernel\'s', () => {
    const json = JSON.stringify([
      { ifindex: 9, ifname: 'x', addr_info: [{ family: 'inet6', local: 'fe80::1', prefixlen: 64, scope: 'global' }] },
    ]);
    expect(parseAddrs(json).get(9)).toEqual(['fe80::1/64']);
  });

  it('GIVEN point-to-point addresses (ip prints the peer as address) WHEN parsed THEN each reads LOCAL peer PEER/PREFIX, sorted with the others', () => {
    const json = JSON.stringify([
      {
        ifindex: 7,
        ifname: 'tun-ovpn',
        addr_info: [
          { family: 'inet6', local: 'FD00::1', address: 'fd00::2', prefixlen: 128, scope: 'global' },
          { family: 'inet', local: '10.200.0.1', address: '10.200.0.2', prefixlen: 32, scope: 'global' },
          { family: 'inet', local: '10.200.0.1', prefixlen: 24, scope: 'global' },
          { family: 'inet', local: '10.9.0.1', address: '10.9.0.1', prefixlen: 24, scope: 'global' },
        ],
      },
    ]);
    expect(parseAddrs(json).get(7)).toEqual(['10.9.0.1/24', '10.200.0.1/24', '10.200.0.1 peer 10.200.0.2/32', 'fd00::1 peer fd00::2/128']);
  });

  it('GIVEN output that is not JSON WHEN parsed THEN a backend error names the command', () => {
    expect(() => parseAddrs('{')).toThrow(/'ip -j addr show'/);
  });
});
