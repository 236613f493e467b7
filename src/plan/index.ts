export * from './types.js';
export { plan, isInSync, driftedDevices } from './plan.js';
export * from './render.js';
