export * from './errors.js';
export * from './model.js';
export * from './marker.js';
export type * from './plan/types.js';
