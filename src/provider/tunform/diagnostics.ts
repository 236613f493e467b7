/**
 * The spec validator's problems as Terraform diagnostics. The rule and its
 * sentence stay in src/spec; here the problem's key path becomes an
 * attribute path (a set element is addressed by its value), and the keys
 * quoted in the sentence become the attribute names the user wrote in HCL.
 */
import type { AttributePath, Diagnostic } from '../contract.js';
import type { Problem } from '../../errors.js';
import { DEVICE_ATTRIBUTES, attributeOf } from './names.js';
import type { SpecInput } from './values.js';

const RENAMED = DEVICE_ATTRIBUTES.filter((a) => a.key !== a.attribute);
const QUOTED_KEY = new RegExp(`'(${RENAMED.map((a) => a.key).join('|')})(: ([^']*))?'`, 'g');

/** `'multiQueue'` -> `'multi_queue'`, `'multiQueue: true'` -> `'multi_queue = true'`. */
export function inTerraformTerms(message: string): string {
  if (RENAMED.length === 0) return message;
  return message.replace(QUOTED_KEY, (_m, key: string, setting: string | undefined, value: string | undefined) =>
    setting === undefined ? `'${attributeOf(key)}'` : `'${attributeOf(key)} = ${value}'`,
  );
}

/** The spec key a problem is about (`addresses[1]` -> addresses). */
export function problemKey(p: Problem): string | undefined {
  return p.path === undefined ? undefined : /^([A-Za-z]+)/.exec(p.path)?.[1];
}

/** `mtu` -> ['mtu']; `addresses[1]` -> ['addresses', {element: <the configured element>}]. */
export function attributePathOf(p: Problem, input: SpecInput): AttributePath | undefined {
  if (p.path === undefined) return undefined;
  const m = /^([A-Za-z]+)(?:\[(\d+)\])?$/.exec(p.path);
  if (!m) return undefined;
  const attribute = attributeOf(m[1]!);
  if (m[2] === undefined) return [attribute];
  const element = m[1] === 'addresses' ? input.addressElements[Number(m[2])] : undefined;
  return element === undefined ? [attribute] : [attribute, { element }];
}

export function toDiagnostic(p: Problem, severity: Diagnostic['severity'], input: SpecInput): Diagnostic {
  const attribute = attributePathOf(p, input);
  return { severity, summary: inTerraformTerms(p.message), ...(attribute ? { attribute } : {}) };
}

export const errorDiagnostic = (summary: string, detail?: string, attribute?: AttributePath): Diagnostic => ({
  severity: 'error',
  summary,
  ...(detail !== undefined && detail !== '' ? { detail } : {}),
  ...(attribute ? { attribute } : {}),
});

export const hasErrors = (diagnostics: readonly Diagnostic[]): boolean => diagnostics.some((d) => d.severity === 'error');
