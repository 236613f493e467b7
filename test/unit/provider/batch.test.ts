import { describe, expect, test } from 'vitest';
import type { DesiredState, DeviceSpec, LiveDevice, LiveState } from '../../../src/model.js';
import type { ApplyOptions, ApplyResult } from '../../../src/apply/apply.js';
import { backendError, invalidInput } from '../../../src/errors.js';
import { runChanges, type DeviceChange, type EngineDeps } from '../../../src/provider/tunform/batch.js';
import { liveDevice } from '../support/live-device.js';
import { deviceSpec } from '../support/device-spec.js';

const state = (...devices: LiveDevice[]): LiveState => ({ devices, processesComplete: true });
const upsert = (d: DeviceSpec): DeviceChange => ({ kind: 'upsert', device: d, adopt: false });

/** A fake engine: records each run, answers from the script, and reports `after` as its verification read. */
function engine(script: ((desired: DesiredState, opts: ApplyOptions) => void)[], after: LiveState) {
  const runs: { devices: readonly string[]; destroy: boolean }[] = [];
  const lockedFor: (readonly string[] | undefined)[] = [];
  let reads = 0;
  const deps: EngineDeps = {
    lockAndRead: async (_netns, names) => (lockedFor.push(names), { live: state() }),
    applyDesired: async (desired, opts) => {
      runs.push({ devices: opts.devices ?? [], destroy: opts.destroy === true });
      script[runs.length - 1]?.(desired, opts);
      return { live: after } as ApplyResult;
    },
    adoptDevices: async () => {
      throw new Error('not used');
    },
    readFresh: async () => {
      reads += 1;
      return after;
    },
  };
  return { deps, runs, lockedFor, reads: () => reads };
}

describe('one batch of applies', () => {
  test('GIVEN three upserts WHEN the engine succeeds THEN one run, every device succeeds, no extra read', async () => {
    const after = state(liveDevice('a'), liveDevice('b'), liveDevice('c'));
    const e = engine([], after);
    const out = await runChanges(['a', 'b', 'c'].map((n) => upsert(deviceSpec(n))), e.deps, { force: false });
    expect(e.runs).toEqual([{ devices: ['a', 'b', 'c'], destroy: false }]);
    expect(e.lockedFor).toEqual([['a', 'b', 'c']]);
    expect(out.map((o) => o.failure)).toEqual([undefined, undefined, undefined]);
    expect(e.reads()).toBe(0);
  });

  test('GIVEN a delete that failed and an upsert that succeeded WHEN judged THEN the delete is judged from a whole read, not from the upsert run read scoped to its own device', async () => {
    const scoped = state(liveDevice('new'));
    const whole = state(liveDevice('new'), liveDevice('old'));
    let reads = 0;
    const deps: EngineDeps = {
      lockAndRead: async () => ({ live: state() }),
      applyDesired: async (_desired, opts) => {
        if (opts.destroy) throw backendError('destroy failed; the devices are partly changed', { details: ['failed: unlink old: Device or resource busy'] });
        return { live: scoped } as ApplyResult;
      },
      adoptDevices: async () => {
        throw new Error('not used');
      },
      readFresh: async () => (reads++, whole),
    };
    const out = await runChanges([upsert(deviceSpec('new')), { kind: 'delete', device: deviceSpec('old'), adopt: false }], deps, { force: false });
    expect(reads).toBe(1);
    expect(out[0]!.failure).toBeUndefined();
    expect(out[1]!.failure?.summary).toBe("tunform_netdev 'old': delete failed: destroy failed; the devices are partly changed");
    expect(out[1]!.failure?.detail).toContain('- delete old (it still exists)');
  });

  test('GIVEN the engine refuses one device WHEN run THEN that device fails by name with nothing changed, the run repeats for the others', async () => {
    const after = state(liveDevice('a'), liveDevice('b', { attachedPids: [42] }));
    const e = engine(
      [
        () => {
          throw invalidInput('refusing', [{ path: 'b', message: "'b' would be replaced but processes are attached: pid 42" }]);
        },
      ],
      after,
    );
    const out = await runChanges([upsert(deviceSpec('a')), upsert(deviceSpec('b', { multiQueue: true }))], e.deps, { force: false });
    expect(e.runs.map((r) => r.devices)).toEqual([['a', 'b'], ['a']]);
    expect(out[0]!.failure).toBeUndefined();
    expect(out[1]!.failure?.summary).toBe("tunform_netdev 'b': apply refused; nothing was changed for it");
    expect(out[1]!.failure?.detail).toContain('pid 42');
    expect(out[1]!.failure?.detail).toContain('force = true');
  });

  test('GIVEN a run that fails midway WHEN judged from the kernel THEN the device in its planned state succeeds and the other fails saying what is left', async () => {
    const after = state(liveDevice('a', { addresses: ['10.0.0.1/24'] }), liveDevice('b'));
    const e = engine(
      [
        () => {
          throw backendError('apply failed; the devices are partly changed', { details: ['failed: address-add b 10.0.1.1/24: File exists'] });
        },
      ],
      after,
    );
    const out = await runChanges(
      [upsert(deviceSpec('a', { addresses: ['10.0.0.1/24'] })), upsert(deviceSpec('b', { addresses: ['10.0.1.1/24'] }))],
      e.deps,
      { force: false },
    );
    expect(e.reads()).toBe(1);
    expect(out[0]!.failure).toBeUndefined();
    expect(out[1]!.failure?.summary).toBe("tunform_netdev 'b': apply failed: apply failed; the devices are partly changed");
    expect(out[1]!.failure?.detail).toContain("not done for 'b':");
    expect(out[1]!.failure?.detail).toContain('10.0.1.1/24');
    expect(out[1]!.failure?.detail).toContain('failed: address-add b 10.0.1.1/24: File exists');
  });

  test('GIVEN a delete and an upsert WHEN run THEN deletes run first, each kind in one run', async () => {
    const e = engine([], state(liveDevice('new')));
    await runChanges([upsert(deviceSpec('new')), { kind: 'delete', device: deviceSpec('old'), adopt: false }], e.deps, { force: false });
    expect(e.runs).toEqual([
      { devices: ['old'], destroy: true },
      { devices: ['new'], destroy: false },
    ]);
  });

  test('GIVEN two resources with one name WHEN run THEN both fail before any run', async () => {
    const e = engine([], state());
    const out = await runChanges([upsert(deviceSpec('x')), upsert(deviceSpec('x', { mode: 'tap' }))], e.deps, { force: false });
    expect(e.runs).toEqual([]);
    expect(out.map((o) => o.failure?.summary)).toEqual([
      "tunform_netdev 'x': two resources declare this device; nothing was changed for it",
      "tunform_netdev 'x': two resources declare this device; nothing was changed for it",
    ]);
  });
});
