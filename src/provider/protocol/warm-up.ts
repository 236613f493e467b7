/**
 * One plugin session in this process, served and called over its socket
 * without TLS: what `scripts/bundle-cli.mjs` runs to fill the provider
 * bundle's V8 code cache with the functions a real start compiles.
 */
import type { ProviderFactory } from '../contract.js';
import type { LoadingProviderFactory } from './serve.js';
import { connectPlugin } from './client.js';
import { MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE } from './handshake.js';
import { serveProvider } from './serve.js';

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
  await client.call('GetProviderSchema');
  await client.health('plugin');
  await client.shutdown();
  client.close();
  await exited;
}
