/**
 * `tunform install-helper` as root, from copies of the package: root builds
 * a setuid-root binary, so a package tree that anyone but root can write
 * (sources, Makefile, a directory above them that is not sticky) is refused,
 * and a binary already in the package's helper/build/ is never what gets
 * installed. Staged with --destdir, so no running holder is touched.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, requireBuiltCli } from '../support/cli.js';
import { skipUnlessRoot } from '../support/require-root.js';
import { NOBODY_UID, rootOnlyTempDir } from '../support/setuid.js';

const temps: string[] = [];
const temp = (dir: string): string => (temps.push(dir), dir);

/** What install-helper needs of the package: the bundled CLI and the helper's sources. */
function packageCopy(parent: string): string {
  const pkg = join(parent, 'pkg');
  mkdirSync(join(pkg, 'dist'), { recursive: true });
  for (const f of ['package.json', 'bin']) cpSync(join(repoRoot, f), join(pkg, f), { recursive: true });
  for (const f of ['tunform.cjs', 'tunform.cjs.cache']) copyFileSync(join(repoRoot, 'dist', f), join(pkg, 'dist', f));
  for (const f of ['Makefile', 'helper.acl.example', 'src']) cpSync(join(repoRoot, 'helper', f), join(pkg, 'helper', f), { recursive: true });
  spawnSync('chmod', ['-R', 'go-w', parent]);
  chmodSync(parent, 0o755);
  return pkg;
}

function installHelper(pkg: string, destdir: string) {
  const r = spawnSync(process.execPath, [join(pkg, 'bin', 'tunform.js'), 'install-helper', '--destdir', destdir], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const installedIn = (destdir: string): string => join(destdir, 'usr/local/libexec/tunform/tunform-helper');

describe.skipIf(skipUnlessRoot())('tunform install-helper', () => {
  beforeAll(() => requireBuiltCli());
  afterAll(() => {
    for (const d of temps) rmSync(d, { recursive: true, force: true });
  });

  it('GIVEN a package whose helper sources, Makefile or a directory above them others can write WHEN root runs install-helper THEN it refuses (exit 3) naming that path, and installs nothing', () => {
    const pkg = packageCopy(temp(rootOnlyTempDir('tunform-inst-')));
    const dest = temp(mkdtempSync(join(tmpdir(), 'tunform-inst-dest-')));
    const refused = (pattern: RegExp): void => {
      const r = installHelper(pkg, dest);
      expect(r.code, r.stderr).toBe(3);
      expect(r.stderr).toMatch(pattern);
      expect(r.stderr).toMatch(/nothing was installed/);
      expect(existsSync(installedIn(dest))).toBe(false);
    };
    const main = join(pkg, 'helper', 'src', 'main.c');
    chownSync(main, NOBODY_UID, 0);
    refused(new RegExp(`refusing to build the setuid helper from ${pkg}/helper: ${main} is owned by uid ${NOBODY_UID}, not root`));
    chownSync(main, 0, 0);
    chmodSync(join(pkg, 'helper', 'Makefile'), 0o666);
    refused(new RegExp(`${pkg}/helper/Makefile is writable by others \\(mode 0666\\)`));
    chmodSync(join(pkg, 'helper', 'Makefile'), 0o644);
    // Above helper/, a directory others may write is refused unless sticky (then nobody else can rename what is below it).
    chmodSync(pkg, 0o777);
    refused(new RegExp(`${pkg} is writable by others \\(mode 0777\\)`));
    chmodSync(pkg, 0o775);
    refused(new RegExp(`${pkg} is writable by its group \\(mode 0775\\)`));
    chmodSync(pkg, 0o755);
    // Below, not even sticky: the Makefile builds every src/*.c, so a new file there is code root runs setuid.
    chmodSync(join(pkg, 'helper', 'src'), 0o1777);
    refused(new RegExp(`${pkg}/helper/src is writable by others \\(mode 1777\\)`));
    chmodSync(join(pkg, 'helper', 'src'), 0o755);
  });

  it('GIVEN a root-only package under the sticky /tmp with another binary planted in helper/build WHEN root runs install-helper THEN the helper is built from source and installed root 4755, not the planted file', () => {
    const pkg = packageCopy(temp(mkdtempSync(join(tmpdir(), 'tunform-inst-'))));
    const planted = join(pkg, 'helper', 'build', 'tunform-helper');
    mkdirSync(join(pkg, 'helper', 'build'), { mode: 0o755 });
    copyFileSync('/bin/true', planted);
    const dest = temp(mkdtempSync(join(tmpdir(), 'tunform-inst-dest-')));

    const r = installHelper(pkg, dest);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`Built the setuid helper from ${pkg}/helper and installed it at ${installedIn(dest)}`);
    const st = statSync(installedIn(dest));
    expect({ uid: st.uid, mode: (st.mode & 0o7777).toString(8) }).toEqual({ uid: 0, mode: '4755' });
    expect(readFileSync(installedIn(dest)).equals(readFileSync('/bin/true'))).toBe(false);
    // It is the helper: it answers as one.
    const probe = spawnSync(installedIn(dest), ['acl-check', '/nonexistent/helper.acl'], { encoding: 'utf8' });
    expect(probe.stderr).toMatch(/^tunform-helper: cannot read ACL \/nonexistent\/helper\.acl/);
    // The package is left as it was: the build happened elsewhere.
    expect(readFileSync(planted).equals(readFileSync('/bin/true'))).toBe(true);
    expect(existsSync(join(pkg, 'helper', 'build', 'obj'))).toBe(false);
  }, 180_000);
});
