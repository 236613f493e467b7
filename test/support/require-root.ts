/**
 * Kernel tests need root. Off CI they are skipped without it; under CI=true a
 * missing prerequisite is a failure, never a skip (team rule), so the guard
 * throws instead.
 */
import { isRoot } from './netns.js';

export function skipUnlessRoot(): boolean {
  if (isRoot()) return false;
  if (process.env.CI === 'true') throw new Error('these tests need root, and CI=true forbids skipping them');
  return true;
}
