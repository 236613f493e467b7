import { describe, expect, it } from 'vitest';
import { mergeLive, type MergeInput } from '../../../src/live/merge.js';
import { parseAddrs } from '../../../src/live/parse-addrs.js';
import { parseLinks } from '../../../src/live/parse-links.js';
import type { Attachment } from '../../../src/live/types.js';
import { fixture } from './fixtures.js';

const ownerIds = { users: new Map([['root', 0]]), groups: new Map([['root', 0]]) };

function merge(attachments: Record<string, Attachment> = {}, jsonLinks = fixture('links.json')) {
  const input: MergeInput = {
    links: parseLinks(jsonLinks),
    addresses: parseAddrs(fixture('addrs.json')),
    attachments: new Map(Object.entries(attachments)),
    ownerIds,
  };
  return new Map(mergeLive(input).map((d) => [d.name, d]));
}

describe('mergeLive', () => {
  it('GIVEN the captured dumps WHEN merged THEN devices come sorted by name', () => {
    const input: MergeInput = { links: parseLinks(fixture('links.json')), addresses: new Map(), attachments: new Map(), ownerIds };
    expect(mergeLive(input).map((d) => d.name)).toEqual(['mq0', 'mq1', 'tap0', 'tun0']);
  });

  it('GIVEN owners printed as names WHEN merged THEN they become numeric ids', () => {
    const tap = merge().get('tap0');
    expect(tap?.user).toBe(0);
    expect(tap?.group).toBe(0);
  });

  it('GIVEN addresses keyed by ifindex WHEN merged THEN each device gets its own', () => {
    const devices = merge();
    expect(devices.get('tap0')?.addresses).toEqual(['10.0.0.9/8', '172.31.0.1/24', 'fd00::1/64']);
    expect(devices.get('mq0')?.addresses).toEqual(['2001:db8::5/128']);
    expect(devices.get('tun0')?.addresses).toEqual([]);
  });

  it('GIVEN marker aliases WHEN merged THEN managed and generation follow the marker', () => {
    const devices = merge();
    expect(devices.get('tun0')).toMatchObject({ managed: true, alias: 'tunform' });
    expect(devices.get('tun0')).not.toHaveProperty('generation');
    expect(devices.get('mq0')).toMatchObject({ managed: true, generation: 'g42' });
    expect(devices.get('tap0')).toMatchObject({ managed: false, alias: 'not ours' });
    expect(devices.get('mq1')).toMatchObject({ managed: false });
    expect(devices.get('mq1')).not.toHaveProperty('alias');
  });

  it('GIVEN no attached processes WHEN merged THEN pid lists are empty and keepCarrier is false', () => {
    expect(merge().get('mq0')).toMatchObject({ attachedPids: [], holderPids: [], keepCarrier: false });
  });

  it('GIVEN a holder on a multi-queue device with a detached queue WHEN merged THEN keepCarrier is true', () => {
    const mq0 = merge({ mq0: { attachedPids: [10, 20], holderPids: [20] } }).get('mq0');
    expect(mq0).toMatchObject({ attachedPids: [10, 20], holderPids: [20], keepCarrier: true, numDisabled: 1 });
  });

  it('GIVEN a holder on a multi-queue device with no detached queue WHEN merged THEN keepCarrier is false', () => {
    const mq1 = merge({ mq1: { attachedPids: [20], holderPids: [20] } }).get('mq1');
    expect(mq1?.numDisabled).toBe(0);
    expect(mq1?.keepCarrier).toBe(false);
  });

  it('GIVEN a holder on a single-queue device WHEN merged THEN keepCarrier is true without a queue count', () => {
    const tun0 = merge({ tun0: { attachedPids: [20], holderPids: [20] } }).get('tun0');
    expect(tun0?.keepCarrier).toBe(true);
    expect(tun0).not.toHaveProperty('numDisabled');
  });

  it('GIVEN only a non-holder process attached WHEN merged THEN keepCarrier is false', () => {
    expect(merge({ mq0: { attachedPids: [10], holderPids: [] } }).get('mq0')?.keepCarrier).toBe(false);
  });

  it('GIVEN an owner name nobody resolved WHEN merged THEN it is reported as a bug, not silently dropped', () => {
    const input: MergeInput = {
      links: parseLinks(fixture('links.json')),
      addresses: new Map(),
      attachments: new Map(),
      ownerIds: { users: new Map(), groups: new Map() },
    };
    expect(() => mergeLive(input)).toThrow(/owner 'root' of device 'tap0'/);
  });
});
