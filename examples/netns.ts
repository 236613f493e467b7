/**
 * Where the examples deploy: env TUNFORM_NETNS, else the cdktf context value
 * `netns` (set in cdktf.json "context"), else the
 * machine's own namespace.
 */
import type { App } from 'cdktf';

export function exampleNetns(app: App): string | undefined {
  const fromEnv = process.env.TUNFORM_NETNS;
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  const fromContext: unknown = app.node.tryGetContext('netns');
  return typeof fromContext === 'string' && fromContext !== '' ? fromContext : undefined;
}
