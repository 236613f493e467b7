/** CDK for Terraform / CDK Terrain constructs for tunform: `TunNetdev` devices sharing a `TunformHost`. */
export { TunNetdev, type TunNetdevProps } from './tun-netdev.js';
export { TunformHost, DEFAULT_BACKEND, sshUrl, type TunformSshProps, type TunformHostProps, type TunformHostSettings, type TunformBackend, type RecordBackend } from './host.js';
export { TunformProvider, TunformNetdevResource, type TunformProviderConfig, type TunformNetdevConfig } from './provider.js';
export { NullResource } from './applier.js';
export { tunformPackageRoot, tunformVersion } from './package.js';
export { PROVIDER_SOURCE, RESOURCE_TYPE } from '../src/provider/address.js';
export {
  APPLY_COMMAND,
  APPLY_NO_PRUNE_COMMAND,
  DESTROY_COMMAND,
  ENV as TUNFORM_ENV,
  FORMAT_TAG,
  APPLIER_TAG,
} from '../src/synth/format.js';
