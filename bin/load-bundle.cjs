// Loads dist/tunform.cjs (the whole CLI in one file, see
// scripts/bundle-cli.mjs) with its V8 code cache when one matches.
const { readFileSync } = require('node:fs');
const { dirname, join } = require('node:path');
const Module = require('node:module');
const vm = require('node:vm');

const BUNDLE = join(__dirname, '..', 'dist', 'tunform.cjs');

function loadBundle({ useCache = true } = {}) {
  const source = readFileSync(BUNDLE, 'utf8');
  let cachedData;
  if (useCache) {
    try {
      cachedData = readFileSync(`${BUNDLE}.cache`);
    } catch {
      cachedData = undefined; // no cache: compile from source
    }
  }
  // V8 checks the cache against this source and this V8; a mismatch is ignored, not trusted.
  const script = new vm.Script(Module.wrap(source), { filename: BUNDLE, ...(cachedData ? { cachedData } : {}) });
  const module = { exports: {} };
  const localRequire = Module.createRequire(BUNDLE);
  script.runInThisContext().call(module.exports, module.exports, localRequire, module, BUNDLE, dirname(BUNDLE));
  return { main: module.exports.main, script };
}

module.exports = { loadBundle, BUNDLE };
