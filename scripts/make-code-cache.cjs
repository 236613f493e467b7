// Writes dist/tunform.cjs.cache and dist/tunform-provider.cjs.cache: V8's
// compiled code for each bundle, taken after a warm-up run so lazily compiled
// functions are in it too. Read-only: the CLI validates an example spec and
// compares it with this namespace's live state; the plugin serves one session
// (schema, health, shutdown) on a private socket. Nothing is changed. A failed
// warm-up still leaves a useful cache.
const { loadBundle, BUNDLE } = require('../bin/load-bundle.cjs');
const { writeFileSync, renameSync } = require('node:fs');
const { join } = require('node:path');

const sink = { out() {}, err() {}, color: false };
const spec = join(__dirname, '..', 'examples', 'yaml', 'vpn-keepcarrier.yaml');
const PROVIDER_BUNDLE = join(__dirname, '..', 'dist', 'tunform-provider.cjs');

function writeCache(bundle, script) {
  const tmp = `${bundle}.cache.${process.pid}`;
  writeFileSync(tmp, script.createCachedData());
  renameSync(tmp, `${bundle}.cache`);
}

(async () => {
  const cli = loadBundle({ useCache: false });
  for (const argv of [['validate', '-f', spec], ['plan', '-f', spec, '--no-prune'], ['drift', '-f', spec, '--no-prune', '--json']]) {
    try {
      await cli.main(argv, sink);
    } catch {
      /* the warm-up only needs the code to run */
    }
  }
  writeCache(BUNDLE, cli.script);

  const plugin = loadBundle({ useCache: false, bundle: PROVIDER_BUNDLE });
  try {
    await plugin.warmUp();
  } catch (e) {
    process.stderr.write(`provider warm-up failed (the cache is still written): ${e.message}\n`);
  }
  writeCache(PROVIDER_BUNDLE, plugin.script);
})();
