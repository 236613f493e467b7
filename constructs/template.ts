/**
 * Terraform evaluates `${...}` and `%{...}` in every string of a .tf.json
 * file. Props are user data: literal strings are escaped on the way out
 * (src/synth/format.ts escapeTemplate); tokens are Terraform expressions on
 * purpose and pass as they are.
 */
import { Token } from './cdk.js';
import { escapeTemplate } from '../src/synth/format.js';

export function hasTokens(v: unknown): boolean {
  if (Token.isUnresolved(v)) return true;
  if (Array.isArray(v)) return v.some(hasTokens);
  if (v !== null && typeof v === 'object') return Object.values(v).some(hasTokens);
  return false;
}

export function escapeDeep(v: unknown): unknown {
  if (typeof v === 'string') return Token.isUnresolved(v) ? v : escapeTemplate(v);
  if (Array.isArray(v)) return v.map(escapeDeep);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, escapeDeep(x)]));
  return v;
}
