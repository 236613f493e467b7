import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { PROVIDER_SOURCE } from '../../../src/provider/address.js';
import { launcherScript, pluginExecutableName, pluginFolder, requiredProvidersBlock, terraformPlatform } from '../../../src/provider/install.js';
import { runInstallProvider } from '../../../src/cli/commands/install-provider.js';

describe('provider install layout', () => {
  test('GIVEN a mirror dir and version WHEN the folder is named THEN it is HOST/NAMESPACE/TYPE/VERSION/linux_ARCH from the source address', () => {
    expect(PROVIDER_SOURCE).toBe('terraform.local/tunform/tunform');
    expect(pluginFolder('/m', '1.2.3', 'linux_amd64')).toBe('/m/terraform.local/tunform/tunform/1.2.3/linux_amd64');
    expect(pluginExecutableName('1.2.3')).toBe('terraform-provider-tunform_v1.2.3');
    expect(requiredProvidersBlock('1.2.3')).toContain('source  = "terraform.local/tunform/tunform"\n      version = "1.2.3"');
  });

  test("GIVEN Node's architectures WHEN mapped THEN they are Terraform's names, and an unknown one is refused with the list", () => {
    expect(['x64', 'arm64', 'ia32', 'arm'].map((a) => terraformPlatform(a))).toEqual(['linux_amd64', 'linux_arm64', 'linux_386', 'linux_arm']);
    expect(() => terraformPlatform('mips')).toThrow('Terraform has no build for this CPU architecture (mips); supported: x64, arm64, ia32, arm');
  });

  test('GIVEN a node path with a quote WHEN the launcher is written THEN sh runs that exact node with the entry beside the launcher', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tunform-launcher-'));
    try {
      const fakeNode = join(dir, "no'de");
      writeFileSync(fakeNode, '#!/bin/sh\necho "$@"\n', { mode: 0o755 });
      const launcher = join(dir, 'terraform-provider-tunform_v0');
      writeFileSync(launcher, launcherScript(fakeNode), { mode: 0o755 });
      expect(execFileSync(launcher, ['a b'], { encoding: 'utf8' })).toBe(`${dir}/start-plugin.cjs a b\n`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("GIVEN --dir '' WHEN install-provider runs THEN it is refused with the exact message", async () => {
    await expect(runInstallProvider({ dir: '' }, { out() {}, err() {}, color: false })).rejects.toThrow("--dir must name a directory, got ''");
  });

  test('GIVEN a built package WHEN installed into a temp mirror THEN only the launcher is named terraform-provider-* and executable besides the helper', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tunform-mirror-'));
    try {
      let out = '';
      await runInstallProvider({ dir }, { out: (s) => void (out += s), err() {}, color: false });
      const folder = out.match(/at (\S+)\n/)![1]!;
      const files = readdirSync(folder).sort();
      expect(files.filter((f) => f.startsWith('terraform-provider-'))).toHaveLength(1);
      const executable = files.filter((f) => (statSync(join(folder, f)).mode & 0o111) !== 0);
      expect(executable).toEqual([files.find((f) => f.startsWith('terraform-provider-')), 'tunform-helper'].sort());
      expect(out).toContain(`filesystem_mirror {\n    path    = ${JSON.stringify(dir)}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
