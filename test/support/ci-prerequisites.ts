/**
 * Under CI=true a missing prerequisite is a failure, never a skip: a suite
 * that quietly skips its kernel, terraform, sshd or setuid checks would leave
 * CI green while proving nothing. This global setup refuses to start the run
 * when anything the suites need is missing, and says what and how to get it.
 * Off CI it does nothing: suites skip with their own reason.
 */
import { execFileSync } from 'node:child_process';
import { accessSync, constants, readFileSync } from 'node:fs';

interface Prerequisite {
  readonly what: string;
  readonly missing: () => boolean;
  readonly fix: string;
}

const onPath = (cmd: string): boolean => {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return false;
  } catch {
    return true;
  }
};

const notExecutable = (path: string) => (): boolean => {
  try {
    accessSync(path, constants.X_OK);
    return false;
  } catch {
    return true;
  }
};

/** The mount holding the temp dir must allow setuid binaries (the security suites install a setuid copy there). */
const tmpIsNosuid = (): boolean => {
  const mounts = readFileSync('/proc/self/mounts', 'utf8').split('\n').map((l) => l.split(' '));
  const tmp = (process.env.TMPDIR ?? '/tmp').replace(/\/+$/, '') || '/';
  const covering = mounts.filter((m) => m[1] !== undefined && (tmp === m[1] || tmp.startsWith(`${m[1] === '/' ? '' : m[1]}/`)));
  covering.sort((a, b) => (b[1] ?? '').length - (a[1] ?? '').length);
  return (covering[0]?.[3] ?? '').split(',').includes('nosuid');
};

/** qemu-system-x86 for test/integration/qemu-framing.test.ts. */
export const qemuMissing = (): boolean => onPath('qemu-system-x86_64');

const PREREQUISITES: readonly Prerequisite[] = [
  { what: 'root', missing: () => process.getuid?.() !== 0, fix: 'run the tests as root (they create throwaway network namespaces)' },
  { what: 'terraform', missing: () => onPath('terraform'), fix: 'install terraform >= 1.4 on PATH' },
  { what: 'sshd (/usr/sbin/sshd)', missing: notExecutable('/usr/sbin/sshd'), fix: 'run scripts/install-system-packages.sh' },
  { what: 'qemu-system-x86_64', missing: qemuMissing, fix: 'run scripts/install-system-packages.sh' },
  { what: 'gcc and make', missing: () => onPath('gcc') || onPath('make'), fix: 'install gcc and make' },
  { what: 'a setuid-capable temp dir', missing: tmpIsNosuid, fix: 'point TMPDIR at a mount without nosuid' },
];

export default function ciPrerequisites(): void {
  if (process.env.CI !== 'true') return;
  const missing = PREREQUISITES.filter((p) => p.missing());
  if (missing.length === 0) return;
  throw new Error(
    `CI=true and ${missing.length} prerequisite(s) of the test suites are missing, so they would skip their real checks:\n` +
      missing.map((p) => `  - ${p.what}: ${p.fix}`).join('\n'),
  );
}
