/** The provider block: `netns`, `helper_path`, `force`. */
import { existsSync } from 'node:fs';
import { isUnknown, type CtyObject, type Diagnostic } from '../contract.js';
import { netnsNameSchema } from '../../spec/schema.js';
import { netnsMissingMessage } from '../../spec/show.js';
import type { ProviderContext } from './context.js';
import { errorDiagnostic } from './diagnostics.js';

const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

export function validateProviderConfig(config: CtyObject): Diagnostic[] {
  const netns = config.netns;
  if (typeof netns !== 'string') return [];
  const parsed = netnsNameSchema.safeParse(netns);
  return parsed.success ? [] : parsed.error.issues.map((i) => errorDiagnostic(i.message, undefined, ['netns']));
}

export function configureProvider(config: CtyObject, ctx: ProviderContext): Diagnostic[] {
  const diagnostics = validateProviderConfig(config);
  const netns = text(config.netns);
  if (netns !== undefined && diagnostics.length === 0 && !ctx.lookup.netnsExists(netns)) {
    diagnostics.push(errorDiagnostic(netnsMissingMessage(netns), undefined, ['netns']));
  }
  const helper = text(config.helper_path);
  if (helper !== undefined) {
    if (!existsSync(helper)) diagnostics.push(errorDiagnostic(`'helper_path' (${JSON.stringify(helper)}) does not exist; build it with 'make -C helper' or leave helper_path out`, undefined, ['helper_path']));
    // The engine finds its helper through this variable; one plugin process serves one provider configuration.
    else process.env.TUNFORM_HELPER = helper;
  }
  // Unknown during validate and plan (a value from another resource): reads wait for the real value.
  if (isUnknown(config.netns)) return diagnostics;
  ctx.configure({ ...(netns !== undefined ? { netns } : {}), force: config.force === true });
  return diagnostics;
}
