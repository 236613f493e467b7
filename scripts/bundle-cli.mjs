// Bundles the compiled CLI into one ESM file. `tunform drift` runs in CI on
// every change and its budget is about twice two `ip` dumps; resolving and
// compiling a few hundred module files on every start costs more than the
// dumps themselves, one bundled file does not.
import { build } from 'esbuild';

await build({
  entryPoints: ['dist/src/cli/main.js'],
  outfile: 'dist/tunform.mjs',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  logLevel: 'warning',
  // Bundled CommonJS dependencies call require(); give them one.
  banner: { js: "import { createRequire as __tunformRequire } from 'node:module'; const require = __tunformRequire(import.meta.url);" },
});
