// One import point for the pure renderers; each lives in its own file.
export { renderPlanHuman, deviceAttributes, deviceFlags, type HumanRenderOptions } from './render-human.js';
export { renderPlanJson, renderDriftJson } from './render-json.js';
export { renderDriftHuman } from './render-drift.js';
