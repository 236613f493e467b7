/**
 * The one camelCase <-> snake_case mapping between the spec's vocabulary
 * (model.ts, YAML keys, construct props) and Terraform's attribute names.
 * Mechanical: an upper-case letter becomes `_` plus its lower-case form, so
 * `multiQueue` is `multi_queue` and a key added to the spec gets its
 * attribute name without anyone writing it down.
 */
import { DEVICE_KEYS } from '../../spec/schema.js';

export const toSnakeCase = (key: string): string => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

export const toCamelCase = (attribute: string): string => attribute.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());

/** Every spec device key with its Terraform attribute name, in the spec's order. */
export const DEVICE_ATTRIBUTES: readonly { readonly key: string; readonly attribute: string }[] = DEVICE_KEYS.map((key) => ({
  key,
  attribute: toSnakeCase(key),
}));

const BY_KEY = new Map(DEVICE_ATTRIBUTES.map((a) => [a.key, a.attribute]));

/** The attribute for a spec key; keys outside the spec keep their name. */
export const attributeOf = (key: string): string => BY_KEY.get(key) ?? key;
