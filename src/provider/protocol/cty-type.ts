/**
 * cty type constraints as Terraform writes them on the wire: the compact JSON
 * form in Schema.Attribute.type and in the first element of a dynamic value
 * ("string", ["list","string"], ["object",{"a":"number"}]).
 */
import { invalidInput } from '../../errors.js';
import type { CtyType } from '../contract.js';

type TypeJson = string | [string, unknown];

/** The JSON type constraint for a contract CtyType. */
export function typeToJson(type: CtyType): TypeJson {
  if (typeof type === 'string') return type;
  if ('set' in type) return ['set', typeToJson(type.set)];
  if ('list' in type) return ['list', typeToJson(type.list)];
  if ('map' in type) return ['map', typeToJson(type.map)];
  return ['object', Object.fromEntries(Object.entries(type.object).map(([k, t]) => [k, typeToJson(t)]))];
}

const PRIMITIVES: ReadonlySet<string> = new Set(['string', 'number', 'bool', 'dynamic']);

/** The contract CtyType for a JSON type constraint; tuples and unknown kinds are refused. */
export function typeFromJson(json: unknown): CtyType {
  if (typeof json === 'string' && PRIMITIVES.has(json)) return json as CtyType;
  if (Array.isArray(json) && json.length === 2) {
    const [kind, arg] = json as [unknown, unknown];
    if (kind === 'set') return { set: typeFromJson(arg) };
    if (kind === 'list') return { list: typeFromJson(arg) };
    if (kind === 'map') return { map: typeFromJson(arg) };
    if (kind === 'object' && arg !== null && typeof arg === 'object' && !Array.isArray(arg)) {
      return { object: Object.fromEntries(Object.entries(arg).map(([k, t]) => [k, typeFromJson(t)])) };
    }
  }
  throw invalidInput(
    `unsupported cty type ${JSON.stringify(json)}: allowed are string, number, bool, dynamic, set, list, map and object`,
  );
}

/** The object type of a block's attributes: what a resource's state, config and plan are encoded against. */
export const blockType = (attributes: readonly { readonly name: string; readonly type: CtyType }[]): CtyType => ({
  object: Object.fromEntries(attributes.map((a) => [a.name, a.type])),
});
