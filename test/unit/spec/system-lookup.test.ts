import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { createSystemLookup } from '../../../src/live/system-lookup.js';

const dir = mkdtempSync(join(tmpdir(), 'tunform-lookup-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
writeFileSync(join(dir, 'passwd'), 'root:x:0:0:root:/root:/bin/bash\nalice:x:1000:1000::/home/alice:/bin/sh\n');
writeFileSync(join(dir, 'group'), 'root:x:0:\nnetdev:x:108:alice\n');
mkdirSync(join(dir, 'netns'));
writeFileSync(join(dir, 'netns', 'lab'), '');
const lookup = createSystemLookup({ passwd: join(dir, 'passwd'), group: join(dir, 'group'), netnsDir: join(dir, 'netns') });

describe('system lookup from files', () => {
  test('GIVEN passwd and group files WHEN names are resolved THEN ids come back and unknown names do not', () => {
    expect([lookup.resolveUser('alice'), lookup.resolveUser('bob'), lookup.resolveGroup('netdev'), lookup.resolveGroup('wheel')]).toEqual([
      1000,
      undefined,
      108,
      undefined,
    ]);
  });

  test('GIVEN numeric ids WHEN resolved THEN they are taken as ids within 0..4294967294', () => {
    expect([lookup.resolveUser(4242), lookup.resolveUser('4242'), lookup.resolveGroup(4294967295), lookup.resolveUser(-1)]).toEqual([
      4242,
      4242,
      undefined,
      undefined,
    ]);
  });

  test('GIVEN a netns directory WHEN names are checked THEN only existing, well-formed ones exist', () => {
    expect([lookup.netnsExists('lab'), lookup.netnsExists('nope'), lookup.netnsExists('../netns/lab')]).toEqual([true, false, false]);
  });

  test('GIVEN missing database files WHEN a name is resolved THEN it is unknown rather than an exception', () => {
    const empty = createSystemLookup({ passwd: join(dir, 'none'), group: join(dir, 'none') });
    expect(empty.resolveUser('root')).toBeUndefined();
  });

  test('GIVEN this machine WHEN root is resolved THEN it is uid 0', () => {
    expect(createSystemLookup().resolveUser('root')).toBe(0);
  });
});
