import { describe, expect, it } from 'vitest';
import { canonicalCidr, compareCidr, isIpv6LinkLocal } from '../../../src/live/cidr.js';
import { TunformError } from '../../../src/errors.js';

describe('canonicalCidr', () => {
  it('GIVEN an IPv4 address WHEN canonicalised THEN it keeps host bits and the prefix', () => {
    expect(canonicalCidr('172.31.0.1', 24)).toBe('172.31.0.1/24');
  });

  it('GIVEN uppercase IPv6 with explicit zero groups WHEN canonicalised THEN it is compressed lowercase', () => {
    expect(canonicalCidr('FD00:0:0:0:0:0:0:1', 64)).toBe('fd00::1/64');
    expect(canonicalCidr('2001:0db8:0000:0000:0001:0000:0000:0001', 48)).toBe('2001:db8::1:0:0:1/48');
  });

  it('GIVEN a single zero group WHEN canonicalised THEN it is not compressed (RFC 5952)', () => {
    expect(canonicalCidr('2001:db8:0:1:1:1:1:1', 64)).toBe('2001:db8:0:1:1:1:1:1/64');
  });

  it('GIVEN two equal zero runs WHEN canonicalised THEN the first is compressed', () => {
    expect(canonicalCidr('1:0:0:2:0:0:3:4', 64)).toBe('1::2:0:0:3:4/64');
  });

  it('GIVEN the unspecified and loopback addresses WHEN canonicalised THEN they match inet_ntop', () => {
    expect(canonicalCidr('0:0:0:0:0:0:0:0', 0)).toBe('::/0');
    expect(canonicalCidr('0::1', 128)).toBe('::1/128');
  });

  it('GIVEN IPv4-mapped IPv6 in hex WHEN canonicalised THEN it prints dotted as ip does', () => {
    expect(canonicalCidr('::FFFF:0102:0304', 128)).toBe('::ffff:1.2.3.4/128');
    expect(canonicalCidr('::ffff:1.2.3.4', 128)).toBe('::ffff:1.2.3.4/128');
  });

  it('GIVEN malformed addresses or prefixes from ip WHEN canonicalised THEN a backend error names the unreadable value', () => {
    for (const [addr, prefix] of [
      ['300.1.1.1', 24],
      ['1.2.3', 24],
      ['fd00::1::2', 64],
      ['fd00:12345::1', 64],
      ['1:2:3:4:5:6:7:8:9', 64],
      ['10.0.0.1', 33],
      ['fd00::1', 129],
      ['fd00::1', 1.5],
    ] as const) {
      let thrown: unknown;
      try {
        canonicalCidr(addr, prefix);
      } catch (e) {
        thrown = e;
      }
      expect(thrown, `${addr}/${prefix}`).toBeInstanceOf(TunformError);
      expect((thrown as TunformError).kind).toBe('backend');
    }
  });

});

describe('compareCidr', () => {
  it('GIVEN mixed families WHEN sorted THEN IPv4 comes first and order is numeric, not textual', () => {
    const sorted = ['fd00::1/64', '10.0.0.9/8', '2001:db8::5/128', '9.0.0.1/8'].sort(compareCidr);
    expect(sorted).toEqual(['9.0.0.1/8', '10.0.0.9/8', '2001:db8::5/128', 'fd00::1/64']);
  });
});

describe('isIpv6LinkLocal', () => {
  it('GIVEN addresses inside and outside fe80::/10 WHEN checked THEN only the inside ones are link-local', () => {
    expect(isIpv6LinkLocal('fe80::6bba:d054:2067:a3d4')).toBe(true);
    expect(isIpv6LinkLocal('febf::1')).toBe(true);
    expect(isIpv6LinkLocal('fec0::1')).toBe(false);
    expect(isIpv6LinkLocal('fd00::1')).toBe(false);
    expect(isIpv6LinkLocal('169.254.0.1')).toBe(false);
  });
});
