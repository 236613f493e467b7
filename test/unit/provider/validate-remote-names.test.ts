import { describe, expect, test } from 'vitest';
import { ProviderContext, type TunformDeps } from '../../../src/provider/tunform/context.js';
import { checkConfig } from '../../../src/provider/tunform/validate.js';
import { fakeLookup } from '../spec/fake-lookup.js';
import { lookupFromFacts } from '../../../src/live/system-lookup.js';
import { config } from './values-support.js';

/** Only the lookup matters here; the engine calls are never made. */
const deps = (lookup = fakeLookup()) => ({ lookup }) as unknown as TunformDeps;
const device = config({ name: 'tun0', mode: 'tun', user: 'alice-on-the-host', group: 'netdev' });

describe('user and group names resolve where the device lives', () => {
  test('GIVEN a provider not configured yet (Terraform validates resources that way) WHEN a name unknown here is validated THEN it is not refused: the host is not known yet', () => {
    const ctx = new ProviderContext(deps());
    expect(checkConfig(device, ctx.validationLookup).diagnostics).toEqual([]);
  });

  test('GIVEN an unconfigured provider WHEN an id out of range is validated THEN it is still refused', () => {
    const ctx = new ProviderContext(deps());
    const d = checkConfig(config({ name: 'tun0', mode: 'tun', user: '4294967296' }), ctx.validationLookup).diagnostics;
    expect(d.map((x) => x.attribute)).toEqual([['user']]);
  });

  test('GIVEN the provider configured for a host without that user WHEN validated THEN the name is refused', () => {
    const ctx = new ProviderContext(deps());
    ctx.configure({ force: false });
    const d = checkConfig(device, ctx.validationLookup).diagnostics;
    expect(d.map((x) => x.attribute)).toEqual([['user']]);
  });

  test("GIVEN the provider configured for a remote host's accounts WHEN a name unknown there is planned THEN the message names the host, not 'this system'", () => {
    const ctx = new ProviderContext(deps(lookupFromFacts({ users: { root: 0 }, groups: { netdev: 108 }, netns: [] }, 'root@203.0.113.7')));
    ctx.configure({ force: false });
    const d = checkConfig(device, ctx.validationLookup).diagnostics;
    expect(d.map((x) => x.summary)).toEqual([
      `'user' ("alice-on-the-host") is not a known user on root@203.0.113.7 (/etc/passwd); use an existing name or a numeric uid`,
    ]);
  });
});
