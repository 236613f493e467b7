import { describe, expect, test } from 'vitest';
import { parseYamlWithPositions } from '../../../src/spec/yaml-positions.js';

const text = [
  '# leading comment',
  'netns: lab',
  'devices:',
  '  - name: tun0   # trailing comment',
  '    mtu:',
  '    addresses: [172.31.0.1/24, "fd00::1/64"]',
  '  - {name: b, mode: tap}',
  '  -',
  '    name: z',
].join('\n');
const { positions } = parseYamlWithPositions(text);

describe('YAML positions', () => {
  test.each([
    [['netns'], 'key', 2, 1],
    [['netns'], 'value', 2, 8],
    [['devices', 0, 'name'], 'key', 4, 5],
    [['devices', 0, 'name'], 'value', 4, 11],
    [['devices', 0, 'mtu'], 'value', 5, 5],
    [['devices', 0, 'addresses', 1], 'value', 6, 32],
    [['devices', 1, 'mode'], 'value', 7, 21],
    [['devices', 2, 'name'], 'value', 9, 11],
    [['devices', 0, 'mode'], 'value', 4, 5],
    [['devices', 7], 'value', 4, 3],
  ] as const)('GIVEN path %j WHEN its %s is located THEN it is at %i:%i', (path, want, line, column) => {
    const at = want === 'key' ? positions.keyAt(path) : positions.valueAt(path);
    expect(at).toEqual({ line, column });
  });
});
