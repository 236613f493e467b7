import { describe, expect, test } from 'vitest';
import { compareCidr } from '../../../src/live/cidr.js';
import { compareCidrs } from '../../../src/spec/address.js';
import { parseCidr } from '../../../src/spec/index.js';

const canonical = (text: string) => {
  const r = parseCidr(text);
  return r.ok ? r.value.cidr : `error: ${r.reason}`;
};

describe('address canonicalisation', () => {
  test.each([
    ['FD00:0::1/64', 'fd00::1/64'],
    ['fd00:0000:0000:0000:0000:0000:0000:0001/64', 'fd00::1/64'],
    ['2001:db8:0:0:1:0:0:1/48', '2001:db8::1:0:0:1/48'],
    ['2001:0:0:1:0:0:0:1/64', '2001:0:0:1::1/64'],
    ['::2/0', '::2/0'],
    ['::FFFF:1.2.3.4/96', '::ffff:1.2.3.4/96'],
    ['172.31.0.1/24', '172.31.0.1/24'],
    ['10.0.0.1/032', '10.0.0.1/32'],
  ])('GIVEN %s WHEN canonicalised THEN it reads %s', (input, expected) => {
    expect(canonical(input)).toBe(expected);
  });

  test('GIVEN a leading-zero IPv4 octet WHEN parsed THEN it is rejected rather than read as octal or decimal', () => {
    expect(canonical('010.0.0.1/8')).toMatch(/^error: is not an IPv4 or IPv6 address/);
  });
});

describe('addresses the kernel refuses or ignores', () => {
  test.each([
    ['0.0.0.0/0', 'error: is the unspecified address 0.0.0.0; the kernel accepts it and adds nothing, so declare a host address'],
    ['0.0.0.0/8', 'error: is the unspecified address 0.0.0.0; the kernel accepts it and adds nothing, so declare a host address'],
    ['::/0', 'error: is the unspecified IPv6 address (::); the kernel refuses it, so declare a host address'],
    ['::/128', 'error: is the unspecified IPv6 address (::); the kernel refuses it, so declare a host address'],
    ['::1/128', 'error: is the IPv6 loopback address (::1); the kernel refuses it on any device but lo'],
    ['ff02::1/64', 'error: is an IPv6 multicast address (ff00::/8); the kernel refuses those as interface addresses'],
    ['0.0.0.1/32', '0.0.0.1/32'],
    ['224.0.0.5/24', '224.0.0.5/24'],
  ])('GIVEN %s WHEN validated THEN the answer is exact: %s', (input, expected) => {
    expect(canonical(input)).toBe(expected);
  });
});

describe('address order', () => {
  test('GIVEN mixed addresses WHEN sorted by the spec THEN the order equals the live reader order', async () => {
    const { compareCidr } = await import('../../../src/live/cidr.js');
    const { compareCidrs } = await import('../../../src/spec/address.js');
    const texts = ['fd00::1/64', '10.0.0.1/8', '10.0.0.1/24', '::ffff:1.2.3.4/96', '2001:db8::1/48', '9.255.255.255/32', '::1.2.3.4/128', 'fd00::/64'];
    const cidrs = texts.map((t) => {
      const r = parseCidr(t);
      if (!r.ok) throw new Error(r.reason);
      return r.value;
    });
    const bySpec = [...cidrs].sort(compareCidrs).map((c) => c.cidr);
    const byLive = cidrs.map((c) => c.cidr).sort(compareCidr);
    expect(bySpec).toEqual(byLive);
    expect(bySpec[0]).toBe('9.255.255.255/32');
  });
});

describe('point-to-point addresses (LOCAL peer PEER/PREFIX)', () => {
  test.each([
    ['10.200.0.1 peer 10.200.0.2/32', '10.200.0.1 peer 10.200.0.2/32'],
    ['  10.200.0.1   peer  10.200.0.2/32 ', '10.200.0.1 peer 10.200.0.2/32'],
    ['FD00::1 peer FD00:0::2/128', 'fd00::1 peer fd00::2/128'],
    ['10.200.0.1 peer 10.200.0.0/24', '10.200.0.1 peer 10.200.0.0/24'],
  ])('GIVEN %s WHEN canonicalised THEN it reads %s', (input, expected) => {
    expect(canonical(input)).toBe(expected);
  });

  test.each([
    ['10.200.0.1/32 peer 10.200.0.2/32', "error: gives the local address a prefix length; in 'LOCAL peer PEER/PREFIX' the prefix belongs to the peer, e.g. 10.200.0.1 peer 10.200.0.2/32"],
    ['10.200.0.1 peer 10.200.0.2', "error: has peer '10.200.0.2', which has no prefix length; write ADDRESS/PREFIX, e.g. 172.31.0.1/24 or fd00::1/64"],
    ['10.200.0.1 peer fd00::2/128', 'error: mixes IPv4 and IPv6; the local address and its peer must be of one family'],
    ['0.0.0.0 peer 10.200.0.2/32', 'error: is the unspecified address 0.0.0.0; the kernel accepts it and adds nothing, so declare a host address'],
    ['10.200.0.1 peer 10.200.0.2/33', "error: has peer '10.200.0.2/33', which has prefix length '33'; IPv4 prefix lengths must be 0 to 32"],
  ])('GIVEN %s WHEN validated THEN the answer is exact: %s', (input, expected) => {
    expect(canonical(input)).toBe(expected);
  });

  test('GIVEN a peer address and plain addresses WHEN sorted THEN the order is the live reader\'s', () => {
    const texts = ['fd00::1 peer fd00::2/128', '10.200.0.1 peer 10.200.0.2/32', '10.200.0.1/24', '10.9.0.1/24'];
    const sorted = texts.map((t) => parseCidr(t)).flatMap((r) => (r.ok ? [r.value] : [])).sort(compareCidrs).map((c) => c.cidr);
    expect(sorted).toEqual([...texts].sort(compareCidr));
    expect(sorted).toEqual(['10.9.0.1/24', '10.200.0.1/24', '10.200.0.1 peer 10.200.0.2/32', 'fd00::1 peer fd00::2/128']);
  });
});
