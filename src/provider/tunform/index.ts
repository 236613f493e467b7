/**
 * tunform's Terraform provider, as the protocol layer (src/provider/protocol)
 * serves it: `createTunformProvider` builds one ProviderDefinition per plugin
 * process over the real system; `createProvider` takes the seams (live reader,
 * apply engine, adoption, account lookup) so tests can observe them.
 */
import type { ProviderDefinition, ProviderFactory } from '../contract.js';
import { applyDesired, lockAndRead } from '../../apply/apply.js';
import { adoptDevices } from '../../apply/adopt.js';
import { EngineSessions } from '../../apply/sessions.js';
import { createSystemLookup } from '../../live/system-lookup.js';
import { ProviderContext, type TunformDeps } from './context.js';
import { providerSchema } from './schema.js';
import { configureProvider, validateProviderConfig } from './provider.js';
import { configureHost, validateHostConfig } from './remote-host.js';
import { netdevResource } from './resource.js';
import { netdevsDataSource } from './data-source.js';
import { DATA_SOURCE_TYPE, RESOURCE_TYPE } from '../address.js';

export { RESOURCE_TYPE, DATA_SOURCE_TYPE };

export function createProvider(deps: TunformDeps): ProviderDefinition {
  const ctx = new ProviderContext(deps);
  return {
    schema: providerSchema(),
    validateConfig: (config) => [...validateProviderConfig(config), ...validateHostConfig(config)],
    // A remote host first: its lookup then checks the netns on that host.
    configure: async (config) => {
      const remote = await configureHost(config, ctx);
      if (remote.length > 0) return remote;
      return configureProvider(config.host === null || config.host === undefined ? config : { ...config, helper_path: null }, ctx);
    },
    resources: { [RESOURCE_TYPE]: netdevResource(ctx) },
    dataSources: { [DATA_SOURCE_TYPE]: netdevsDataSource(ctx) },
    stop: async () => {
      await ctx.batcher.idle();
      await deps.close?.();
    },
  };
}

/** The local engine; its lock helper and `ip` readers live as long as the plugin (EngineSessions). */
export function realDeps(): TunformDeps {
  const io = new EngineSessions();
  return {
    lookup: createSystemLookup(),
    readLive: io.read,
    applyDesired: (desired, opts) => applyDesired(desired, { ...opts, io }),
    lockAndRead: (netns, names) => lockAndRead(netns, undefined, io, names),
    adoptDevices,
    close: () => io.close(),
  };
}

export const createTunformProvider: ProviderFactory = () => createProvider(realDeps());

export type { TunformDeps } from './context.js';
