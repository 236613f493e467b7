/** Validation problems as the constructs report them, and the props Terraform resolves later. */
import { Token } from './cdk.js';
import type { Problem } from '../src/errors.js';

/** Problems about a key whose value is a token are not problems yet: the value is checked once Terraform resolves it. */
export function tokenPaths(raw: Record<string, unknown>, prefix: string): string[] {
  const paths: string[] = [];
  for (const [key, value] of Object.entries(raw)) {
    if (Token.isUnresolved(value)) {
      paths.push(`${prefix}.${key}`);
    } else if (Array.isArray(value)) {
      value.forEach((item, i) => {
        if (Token.isUnresolved(item)) paths.push(`${prefix}.${key}[${i}]`);
      });
    }
  }
  return paths;
}

export function withoutTokenProblems(problems: readonly Problem[], skipped: readonly string[]): Problem[] {
  return problems.filter((p) => !skipped.some((s) => p.path === s || p.path?.startsWith(`${s}[`) === true || p.path?.startsWith(`${s}.`) === true));
}

export const render = (p: Problem): string => (p.path === undefined ? p.message : `${p.path}: ${p.message}`);
