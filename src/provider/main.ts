/**
 * Entry point of terraform-provider-tunform (bin/terraform-provider-tunform.cjs):
 * the protocol layer serving tunform's resources.
 */
import { serveProvider } from './protocol/serve.js';
import { warmUpPlugin } from './protocol/warm-up.js';
import { createTunformProvider } from './tunform/index.js';

export const main = (): Promise<void> => serveProvider(createTunformProvider);

/** Build time only: one served and called session, for the code cache. */
export const warmUp = (): Promise<void> => warmUpPlugin(createTunformProvider);
