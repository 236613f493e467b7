#!/usr/bin/env node
// npm's `install` step: compiles the C helper (helper/build/tunform-helper)
// where the package is installed, because a binary built elsewhere may not
// run here. `prepare` does not run for a tarball or registry install, and
// TypeScript is not needed: the compiled JavaScript ships in the package.
//
// Without gcc or make the install fails with a message saying what to do,
// unless an administrator has installed a helper already
// (/usr/local/libexec/tunform or /usr/libexec/tunform), which tunform then
// uses. TUNFORM_SKIP_HELPER_BUILD=1 skips the build on purpose.
'use strict';
const { spawnSync } = require('node:child_process');
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const helperDir = join(root, 'helper');
const INSTALLED = ['/usr/local/libexec/tunform/tunform-helper', '/usr/libexec/tunform/tunform-helper'];

const say = (lines) => process.stderr.write(lines.map((l) => `tunform: ${l}\n`).join(''));
const runs = (cmd) => spawnSync(cmd, ['--version'], { stdio: 'ignore' }).status === 0;

function main() {
  if (process.env.TUNFORM_SKIP_HELPER_BUILD === '1') {
    say(['TUNFORM_SKIP_HELPER_BUILD=1: the helper was not built; apply, destroy and keepCarrier need one']);
    return 0;
  }
  const compiler = process.env.CC || 'gcc';
  const missing = ['make', compiler].filter((cmd) => !runs(cmd));
  if (missing.length > 0) {
    const installed = INSTALLED.find((p) => existsSync(p));
    const lines = [
      `cannot build the helper: ${missing.map((m) => `'${m}'`).join(' and ')} ${missing.length === 1 ? 'is' : 'are'} not installed (it is C, built with gcc and make)`,
    ];
    if (installed) {
      say([...lines, `using the helper installed at ${installed} instead`]);
      return 0;
    }
    say([
      ...lines,
      'install them and run the install again (Debian/Ubuntu: apt-get install gcc make; Fedora: dnf install gcc make),',
      "or, to install without the helper (validate, plan, drift and show work; apply and destroy do not): TUNFORM_SKIP_HELPER_BUILD=1",
    ]);
    return 1;
  }
  const r = spawnSync('make', ['-s', '-C', helperDir], { stdio: 'inherit' });
  if (r.status !== 0) {
    say([`building the helper failed ('make -C ${helperDir}' exited with ${r.status ?? r.signal}); see the compiler's messages above`]);
    return 1;
  }
  return 0;
}

process.exitCode = main();
