/**
 * The attribute tables of docs/terraform.md, rendered from the schemas, so
 * the documentation and the schema Terraform shows share one text.
 * scripts/terraform-docs.ts writes them; a unit test fails when they differ.
 */
import type { AttributeSchema, CtyType } from '../contract.js';
import { dataSourceSchema, deviceAttributes, LIVE_FIELD_KEYS, LIVE_FIELDS, providerSchema, resourceSchema } from './schema.js';
import { toSnakeCase } from './names.js';

export const DOCS_BEGIN = '<!-- BEGIN generated from src/provider/tunform/schema.ts by scripts/terraform-docs.ts -->';
export const DOCS_END = '<!-- END generated -->';

function typeName(t: CtyType): string {
  if (typeof t === 'string') return t;
  if ('set' in t) return `set of ${typeName(t.set)}`;
  if ('list' in t) return `list of ${typeName(t.list)}`;
  if ('map' in t) return `map of ${typeName(t.map)}`;
  return 'object';
}

function usage(a: AttributeSchema): string {
  if (a.required) return 'required';
  if (a.optional && a.computed) return 'optional';
  return a.optional ? 'optional' : 'computed';
}

const cell = (s: string) => s.replace(/\|/g, '\\|');

export function renderAttributeDocs(): string {
  const byAttribute = new Map(deviceAttributes().map((a) => [a.attribute, a]));
  const out: string[] = [DOCS_BEGIN, '', '### Provider arguments', '', '| argument | type | | description |', '| --- | --- | --- | --- |'];
  for (const a of providerSchema().attributes) out.push(`| \`${a.name}\` | ${typeName(a.type)} | ${usage(a)} | ${cell(a.description)} |`);
  out.push('', '### Resource `tunform_netdev`', '', '| attribute | spec key | type | | default | replaces | description |', '| --- | --- | --- | --- | --- | --- | --- |');
  for (const a of resourceSchema().attributes) {
    const d = byAttribute.get(a.name);
    const def = d?.default === undefined ? '' : `\`${String(d.default)}\``;
    out.push(`| \`${a.name}\` | ${d ? `\`${d.key}\`` : ''} | ${typeName(a.type)} | ${usage(a)} | ${def} | ${d?.forcesReplacement ? 'yes' : ''} | ${cell(a.description)} |`);
  }
  out.push('', '### Data source `tunform_netdevs`', '', '| attribute | type | description |', '| --- | --- | --- |');
  for (const a of dataSourceSchema().attributes) out.push(`| \`${a.name}\` | ${typeName(a.type)} | ${cell(a.description)} |`);
  out.push('', 'Each element of `devices`:', '', '| attribute | LiveDevice field | type | description |', '| --- | --- | --- | --- |');
  for (const k of LIVE_FIELD_KEYS) out.push(`| \`${toSnakeCase(k)}\` | \`${k}\` | ${typeName(LIVE_FIELDS[k].type)} | ${cell(LIVE_FIELDS[k].description)} |`);
  out.push('', DOCS_END);
  return out.join('\n');
}

/** The document with its generated section replaced. */
export function withGeneratedSection(doc: string): string {
  const begin = doc.indexOf(DOCS_BEGIN);
  const end = doc.indexOf(DOCS_END);
  if (begin === -1 || end === -1) throw new Error(`docs/terraform.md lacks the markers ${DOCS_BEGIN} ... ${DOCS_END}`);
  return doc.slice(0, begin) + renderAttributeDocs() + doc.slice(end + DOCS_END.length);
}
