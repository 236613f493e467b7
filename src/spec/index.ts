/** The desired-state spec: YAML file or plain objects -> validated DeviceSpec / DesiredState. */
export { loadSpecFile, readSpecFile, parseSpecText, type LoadOptions, type LoadedSpec } from './load.js';
export { validateDevice, type DeviceValidation } from './device.js';
export { validateDevices, type DeviceSetValidation } from './device-set.js';
export type { SystemLookup } from './lookup.js';
export {
  specJsonSchema,
  deviceSchema,
  specSchema,
  DEVICE_KEYS,
  TOP_LEVEL_KEYS,
  MTU_MIN,
  MTU_MAX,
  ID_MAX,
  DEVICE_NAME_MAX_BYTES,
  type DeviceInput,
  type SpecInput,
} from './schema.js';
export { parseCidr, type Cidr, type CidrResult } from './address.js';
