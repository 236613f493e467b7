import { describe, expect, test } from 'vitest';
import { serveProvider } from '../../../src/provider/protocol/serve.js';
import { connectPlugin } from '../../../src/provider/protocol/client.js';
import { MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE } from '../../../src/provider/protocol/handshake.js';
import type { ProviderDefinition } from '../../../src/provider/contract.js';

const tick = () => new Promise((r) => setImmediate(r));

describe('serving the plugin', () => {
  test('GIVEN a served plugin WHEN its handshake line is out THEN the provider is built before any call, once', async () => {
    let built = 0;
    const def: ProviderDefinition = { schema: { version: 0, description: '', attributes: [] }, validateConfig: () => [], configure: async () => [], resources: {}, dataSources: {} };
    let line = '';
    let exited!: () => void;
    const exit = new Promise<void>((r) => (exited = r));
    await serveProvider(
      async () => {
        built += 1;
        return def;
      },
      { env: { [MAGIC_COOKIE_KEY]: MAGIC_COOKIE_VALUE, PLUGIN_PROTOCOL_VERSIONS: '6' }, writeHandshake: (l) => (line = l), onExit: () => exited() },
    );
    expect(built).toBe(0);
    await tick();
    await tick();
    expect(built).toBe(1);
    const client = connectPlugin(line.split('|')[3]!);
    try {
      await client.call('GetMetadata');
      expect(built).toBe(1);
      await client.shutdown();
    } finally {
      client.close();
    }
    await exit;
  });
});
