// Bundles the compiled CLI into one CommonJS file plus a V8 code cache.
// `tunform drift` runs in CI on every change and its budget is about twice
// two `ip` dumps. Resolving and compiling a few hundred module files on every
// start costs more than the dumps themselves; one file compiled from a code
// cache made at build time costs a fraction of that. bin/tunform.js loads it.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';

await build({
  entryPoints: ['dist/src/cli/main.js'],
  outfile: 'dist/tunform.cjs',
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  logLevel: 'warning',
  // ESM code asks import.meta.url where it lives; in the bundle that is the bundle.
  define: { 'import.meta.url': '__tunformBundleUrl' },
  banner: { js: "const __tunformBundleUrl = require('node:url').pathToFileURL(__filename).href;" },
});

// The cache holds the functions a typical run compiles: warm them up with a
// read-only run (validate and drift of an example spec, in this namespace).
execFileSync(process.execPath, ['scripts/make-code-cache.cjs'], { stdio: 'inherit' });
