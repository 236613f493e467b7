import { describe, expect, it } from 'vitest';
import { linkDumpOf, parseLinkDump, parseLinks } from '../../../src/live/parse-links.js';
import { addrsOf, parseAddrs } from '../../../src/live/parse-addrs.js';
import { parseIpJson } from '../../../src/live/parse-json.js';
import { fixture } from './fixtures.js';

describe('parseLinks', () => {
  const links = parseLinks(fixture('links.json'));
  const byName = new Map(links.map((l) => [l.name, l]));

  it('GIVEN a dump with loopback and tun/tap links WHEN parsed THEN only the tun/tap links remain', () => {
    expect(links.map((l) => l.name).sort()).toEqual(['mq0', 'mq1', 'tap0', 'tun0']);
  });

  it('GIVEN a plain single-queue tun WHEN parsed THEN flags map and queue counts are absent', () => {
    expect(byName.get('tun0')).toEqual({
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
      alias: 'tunform',
    });
  });

  it('GIVEN a tap with pi, vnet_hdr and owner root WHEN parsed THEN owner stays the name ip printed', () => {
    const tap = byName.get('tap0');
    expect(tap).toMatchObject({ mode: 'tap', packetInfo: true, vnetHeader: true, user: 'root', group: 'root', up: true, carrier: false, alias: 'not ours' });
  });

  it('GIVEN a multi-queue tun with a detached queue WHEN parsed THEN queue counts, numeric owner, mtu and carrier are read', () => {
    expect(byName.get('mq0')).toMatchObject({
      multiQueue: true,
      numQueues: 1,
      numDisabled: 1,
      user: 12345,
      group: 54321,
      mtu: 1400,
      up: true,
      carrier: true,
      alias: 'tunform@g42',
    });
  });

  it('GIVEN an unattached multi-queue tap WHEN parsed THEN zero queue counts are kept, not dropped', () => {
    expect(byName.get('mq1')).toMatchObject({ mode: 'tap', multiQueue: true, numQueues: 0, numDisabled: 0 });
    expect(byName.get('mq1')).not.toHaveProperty('user');
  });

  it('GIVEN empty output WHEN parsed THEN there are no links', () => {
    expect(parseLinks('')).toEqual([]);
  });

  it('GIVEN output that is not JSON WHEN parsed THEN a backend error names the command', () => {
    expect(() => parseLinks('Error: something\n')).toThrow(/cannot read the output of 'ip -d -j link show'/);
  });

  it('GIVEN a tun link with an unknown type WHEN parsed THEN a backend error names the device', () => {
    const json = JSON.stringify([{ ifindex: 7, ifname: 'odd0', flags: [], mtu: 1500, linkinfo: { info_kind: 'tun', info_data: { type: 'weird' } } }]);
    expect(() => parseLinks(json)).toThrow(/device 'odd0'/);
  });
});

describe('linkDumpOf and addrsOf on one `ip -d -j addr show` dump', () => {
  it('GIVEN each link of the link dump with its addresses from the address dump WHEN read as one dump THEN links and addresses are what the two dumps give', () => {
    // GIVEN the combined dump ip prints: the link entry plus its addr_info
    const links = parseIpJson(fixture('links.json'), 'links') as Record<string, unknown>[];
    const addrs = new Map((parseIpJson(fixture('addrs.json'), 'addrs') as Record<string, unknown>[]).map((a) => [a.ifindex, a.addr_info]));
    const combined = links.map((l) => (addrs.has(l.ifindex) ? { ...l, addr_info: addrs.get(l.ifindex) } : l));
    // WHEN read as one
    const command = 'ip -d -j addr show';
    // THEN
    expect(linkDumpOf(combined, command)).toEqual(parseLinkDump(fixture('links.json')));
    const fromTwo = parseAddrs(fixture('addrs.json'));
    const fromOne = addrsOf(combined);
    for (const l of links) expect(fromOne.get(l.ifindex as number)).toEqual(fromTwo.get(l.ifindex as number));
  });

  it('GIVEN a link without a numeric mtu in the combined dump WHEN read THEN the message names the command that ran', () => {
    const entry = { ifname: 'tun9', ifindex: 9, linkinfo: { info_kind: 'tun', info_data: { type: 'tun' } } };
    expect(() => linkDumpOf([entry], 'ip -d -j addr show')).toThrow("cannot read device 'tun9': 'ip -d -j addr show' gives no numeric mtu");
  });
});
