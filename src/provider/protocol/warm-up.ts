/**
 * One plugin session in this process, served and called over its socket
 * without TLS: what `scripts/bundle-cli.mjs` runs to fill the provider
 * bundle's V8 code cache with the functions a real start compiles.
 */
import { encode } from '@msgpack/msgpack';
import type { ProviderFactory } from '../contract.js';
import type { LoadingProviderFactory } from './serve.js';
import { connectPlugin } from './client.js';
import { MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE } from './handshake.js';
import { serveProvider } from './serve.js';

interface WireSchema {
  readonly block?: { readonly attributes?: readonly { readonly name: string }[] };
}

const allNull = (schema: WireSchema | undefined) => ({
  msgpack: encode(Object.fromEntries((schema?.block?.attributes ?? []).map((a) => [a.name, null]))),
});

export async function warmUpPlugin(factory: ProviderFactory | LoadingProviderFactory): Promise<void> {
  let line = '';
  let exitedNow = () => {};
  const exited = new Promise<void>((resolve) => (exitedNow = resolve));
  // Resolves once the handshake line is out.
  await serveProvider(factory, {
    env: { [MAGIC_COOKIE_KEY]: MAGIC_COOKIE_VALUE, PLUGIN_PROTOCOL_VERSIONS: '6' },
    writeHandshake: (l) => (line = l),
    onExit: () => exitedNow(),
  });
  const client = connectPlugin(line.split('|')[3]!);
  const schema = (await client.call('GetProviderSchema')) as { provider?: WireSchema; resource_schemas?: Record<string, WireSchema> };
  await client.health('plugin');
  // Validation runs in every terraform command: an all-null configuration takes the validators' paths without knowing the resources.
  await client.call('ValidateProviderConfig', { config: allNull(schema.provider) });
  for (const [type_name, s] of Object.entries(schema.resource_schemas ?? {})) {
    await client.call('ValidateResourceConfig', { type_name, config: allNull(s) });
  }
  await client.shutdown();
  client.close();
  await exited;
}
