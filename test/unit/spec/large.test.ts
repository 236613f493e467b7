import { describe, expect, test } from 'vitest';
import { parseSpecText } from '../../../src/spec/index.js';
import { problemsOf } from './helpers.js';
import { fakeLookup } from './fake-lookup.js';

/** n devices, each with a unique name and two unique addresses. */
export function generatedSpec(n: number): string {
  const lines = ['netns: lab', 'devices:'];
  for (let i = 0; i < n; i++) {
    lines.push(
      `  - name: tun${i}`,
      '    mode: tun',
      '    multiQueue: true',
      '    keepCarrier: true',
      '    user: nobody',
      '    mtu: 1400',
      `    addresses: [10.${i >> 8}.${i & 255}.1/24, "fd00::${i.toString(16)}:1/64"]`,
    );
  }
  return lines.join('\n') + '\n';
}

describe('large specs', () => {
  test('GIVEN 1000 devices WHEN parsed THEN all are loaded in file order', () => {
    const { desired, warnings } = parseSpecText(generatedSpec(1000), 'big.yaml', { lookup: fakeLookup() });
    expect(desired.devices).toHaveLength(1000);
    expect(desired.devices[999]).toMatchObject({ name: 'tun999', user: 65534, addresses: ['10.3.231.1/24', 'fd00::3e7:1/64'] });
    expect(warnings).toEqual([]);
  });

  test('GIVEN 1000 devices with a late duplicate WHEN parsed THEN it is found and located', () => {
    const text = generatedSpec(1000).replace('  - name: tun999\n', '  - name: tun3\n');
    const [p, ...rest] = problemsOf(text);
    expect(rest).toEqual([]);
    expect(p).toMatchObject({ line: 2 + 999 * 7 + 1, path: 'devices[999].name' });
    expect(p?.message).toBe(`'name' ("tun3") is already declared by devices[3] (line ${2 + 3 * 7 + 1}); device names must be unique`);
  });
});
