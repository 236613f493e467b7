/** CDK for Terraform constructs for tunform: `TunNetdev` devices sharing a `TunformHost`. */
export { TunNetdev, type TunNetdevProps } from './tun-netdev.js';
export { TunformHost, tunformPackageRoot, type TunformHostProps, type TunformHostSettings, type TunformBackend } from './host.js';
export { CREATE_COMMAND, DESTROY_COMMAND, PRUNE_COMMAND, ENV as TUNFORM_ENV, FORMAT_TAG, INVENTORY_TAG } from '../src/synth/format.js';
