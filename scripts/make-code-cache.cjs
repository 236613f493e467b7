// Writes dist/tunform.cjs.cache: V8's compiled code for the bundle, taken
// after a warm-up run so lazily compiled functions are in it too. Read-only:
// it validates an example spec and compares it with this namespace's live
// state; nothing is changed. A failed warm-up still leaves a useful cache.
const { loadBundle, BUNDLE } = require('../bin/load-bundle.cjs');
const { writeFileSync, renameSync } = require('node:fs');
const { join } = require('node:path');

const sink = { out() {}, err() {}, color: false };
const spec = join(__dirname, '..', 'examples', 'yaml', 'vpn-keepcarrier.yaml');

(async () => {
  const { main, script } = loadBundle({ useCache: false });
  for (const argv of [['validate', '-f', spec], ['plan', '-f', spec, '--no-prune'], ['drift', '-f', spec, '--no-prune', '--json']]) {
    try {
      await main(argv, sink);
    } catch {
      /* the warm-up only needs the code to run */
    }
  }
  const tmp = `${BUNDLE}.cache.${process.pid}`;
  writeFileSync(tmp, script.createCachedData());
  renameSync(tmp, `${BUNDLE}.cache`);
})();
