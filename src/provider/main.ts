/**
 * Entry point of terraform-provider-tunform (bin/terraform-provider-tunform.cjs):
 * the protocol layer serving tunform's resources. The resources (and the
 * spec validator, reader and apply engine under them) are imported
 * dynamically, so the bundle evaluates them after the handshake line.
 */
import { serveProvider } from './protocol/serve.js';
import { warmUpPlugin } from './protocol/warm-up.js';

const createTunformProvider = async () => (await import('./tunform/index.js')).createTunformProvider();

export const main = (): Promise<void> => serveProvider(createTunformProvider);

/** Build time only: one served and called session, for the code cache. */
export const warmUp = (): Promise<void> => warmUpPlugin(createTunformProvider);
