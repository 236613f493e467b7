import { afterEach, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listConfigSources } from '../../../src/boot/config-dir.js';
import { renderUnit } from '../../../src/boot/units.js';

let dir = '';
afterEach(() => dir && rmSync(dir, { recursive: true, force: true }));

describe('boot configuration directory', () => {
  it('GIVEN specs, stacks and other files WHEN listed THEN YAML files come first by name, then stack directories, and the rest is ignored', async () => {
    dir = mkdtempSync(join(tmpdir(), 'tunform-conf-'));
    for (const f of ['20-b.yml', '10-a.yaml', 'helper.acl', '.hidden.yaml', 'notes.txt']) writeFileSync(join(dir, f), '');
    mkdirSync(join(dir, 'stacks', 'zeta'), { recursive: true });
    mkdirSync(join(dir, 'stacks', 'alpha'), { recursive: true });
    writeFileSync(join(dir, 'stacks', 'file.json'), '');
    expect(await listConfigSources(dir)).toEqual([
      { kind: 'file', path: join(dir, '10-a.yaml') },
      { kind: 'file', path: join(dir, '20-b.yml') },
      { kind: 'stack', path: join(dir, 'stacks', 'alpha') },
      { kind: 'stack', path: join(dir, 'stacks', 'zeta') },
    ]);
  });

  it('GIVEN a directory that does not exist WHEN listed THEN the answer is undefined, not an error', async () => {
    expect(await listConfigSources('/nonexistent/tunform-conf')).toBeUndefined();
  });
});

describe('unit templates', () => {
  it('GIVEN the placeholders WHEN rendered THEN each is filled, and an unknown one is refused', () => {
    const v = { node: '/n', cli: '/c.js', helper: '/h' };
    expect(renderUnit('ExecStart=@NODE@ @CLI@ apply-all\nEnvironment=X=@CONFIG_DIR@\nExecStart=@HELPER@\n', v)).toBe(
      'ExecStart=/n /c.js apply-all\nEnvironment=X=/etc/tunform\nExecStart=/h\n',
    );
    expect(() => renderUnit('X=@PREFIX@', v)).toThrow('unit template has an unknown placeholder @PREFIX@');
  });
});
