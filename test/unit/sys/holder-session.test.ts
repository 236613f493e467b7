import { describe, expect, it } from 'vitest';
import { hasReason, TunformError } from '../../../src/errors.js';
import { holderList, holderRequest } from '../../../src/sys/holder-session.js';

// A namespace name nobody made: its run directory, and so its socket, does not exist.
const NOBODY_NS = `tf-unit-none-${process.pid}`;

describe('holder session without a holder', () => {
  it("GIVEN no holder socket WHEN a request is sent THEN it fails as a backend error whose reason is 'no-holder'", async () => {
    const e = await holderRequest(NOBODY_NS, ['ping']).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(TunformError);
    expect((e as TunformError).kind).toBe('backend');
    expect(hasReason(e, 'no-holder')).toBe(true);
    expect(hasReason(e, 'deadline')).toBe(false);
  });

  it('GIVEN no holder socket WHEN its list is asked THEN the answer is an empty list, by the reason and not the message', async () => {
    expect(await holderList(NOBODY_NS)).toEqual([]);
  });
});
