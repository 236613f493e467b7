// Loads one of tunform's bundles (the whole CLI, or the provider plugin, in
// one CommonJS file, see scripts/bundle-cli.mjs) with its V8 code cache when
// one matches.
const { readFileSync } = require('node:fs');
const { dirname, join } = require('node:path');
const Module = require('node:module');
const vm = require('node:vm');

const BUNDLE = join(__dirname, '..', 'dist', 'tunform.cjs');

function loadBundle({ useCache = true, bundle = BUNDLE } = {}) {
  const source = readFileSync(bundle, 'utf8');
  let cachedData;
  if (useCache) {
    try {
      cachedData = readFileSync(`${bundle}.cache`);
    } catch {
      cachedData = undefined; // no cache: compile from source
    }
  }
  // V8 checks the cache against this source and this V8; a mismatch is ignored, not trusted.
  const script = new vm.Script(Module.wrap(source), { filename: bundle, ...(cachedData ? { cachedData } : {}) });
  const module = { exports: {} };
  const localRequire = Module.createRequire(bundle);
  script.runInThisContext().call(module.exports, module.exports, localRequire, module, bundle, dirname(bundle));
  return { ...module.exports, script };
}

module.exports = { loadBundle, BUNDLE };
