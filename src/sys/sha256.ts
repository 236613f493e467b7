/**
 * SHA-256 as hex, with node:crypto loaded on first use. Loading it compiles
 * a dozen of Node's own modules: 5-10 ms of every CLI start, paid by
 * `tunform drift` for nothing; only --host's control socket name and
 * synthesized stacks' generations hash.
 */
import { createRequire } from 'node:module';

type Crypto = typeof import('node:crypto');
let crypto: Crypto | undefined;

export function sha256Hex(text: string): string {
  crypto ??= createRequire(import.meta.url)('node:crypto') as Crypto;
  return crypto.createHash('sha256').update(text, 'utf8').digest('hex');
}
