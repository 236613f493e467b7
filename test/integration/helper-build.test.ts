/**
 * The helper's hardening survives a build that passes its own CFLAGS and
 * LDFLAGS (a sanitizer or distribution build): helper/Makefile appends the
 * required flags instead of letting the command line replace them. Built for
 * real into a temp directory and read back with readelf.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/sys/paths.js';

const HELPER_DIR = join(packageRoot(), 'helper');
const dir = mkdtempSync(join(tmpdir(), 'tunform-helper-build-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const REQUIRED_CFLAGS = ['-D_FORTIFY_SOURCE=2', '-fstack-protector-strong', '-fPIE'];
const REQUIRED_LDFLAGS = ['-pie', '-Wl,-z,relro,-z,now'];

describe('helper build flags', () => {
  it('GIVEN CFLAGS and LDFLAGS on the make command line WHEN the helper is built THEN every compile and link keeps the hardening flags beside the given ones, and the binary is PIE, full RELRO, stack-protected and fortified', () => {
    const make = (...extra: string[]) =>
      execFileSync('make', ['-C', HELPER_DIR, `BUILD=${join(dir, 'build')}`, 'CFLAGS=-O1 -DTEST_CFLAG', 'LDFLAGS=-Wl,-O1', ...extra], { encoding: 'utf8' });
    const commands = make('-n', '-B')
      .split('\n')
      .filter((l) => /(^|\s)-o\s/.test(l) && l.includes('-DTEST_CFLAG'));
    const compiles = commands.filter((l) => / -c /.test(l));
    const links = commands.filter((l) => !/ -c /.test(l));
    expect(compiles.length).toBeGreaterThan(5);
    expect(links).toHaveLength(1);
    for (const line of compiles) for (const flag of [...REQUIRED_CFLAGS, '-O1']) expect(line.split(/\s+/), line).toContain(flag);
    for (const flag of [...REQUIRED_LDFLAGS, '-Wl,-O1']) expect(links[0]!.split(/\s+/)).toContain(flag);

    make('-s');
    const elf = execFileSync('readelf', ['-h', '-d', '-l', '--dyn-syms', '-W', join(dir, 'build', 'tunform-helper')], { encoding: 'utf8' });
    expect(elf).toMatch(/Type:\s+DYN/); // PIE
    expect(elf).toMatch(/GNU_RELRO/);
    expect(elf).toMatch(/\(FLAGS\)\s+BIND_NOW/); // full RELRO: -z now
    expect(elf).toMatch(/__stack_chk_fail/);
    expect(elf).toMatch(/__\w+_chk@/); // _FORTIFY_SOURCE replaced calls with checked ones
  }, 120_000);
});
