// Bundles the compiled CLI, and the Terraform provider plugin, each into one
// CommonJS file plus a V8 code cache.
// `tunform drift` runs in CI on every change and its budget is about twice
// two `ip` dumps; Terraform starts the plugin 3 to 5 times per command.
// Resolving and compiling a few hundred module files on every start costs
// more than the real work; one file compiled from a code cache made at build
// time costs a fraction of that. bin/load-bundle.cjs loads them.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';

// The plugin's protocol definitions, parsed now rather than on every start.
const { protoDescriptors } = await import('../dist/src/provider/protocol/grpc-services.js');
const protoDefine = { __TUNFORM_PROTO_DESCRIPTORS__: JSON.stringify(protoDescriptors()) };

// The version travels inside each bundle: the plugin runs from a copy outside
// the package (Terraform's mirror), where no package.json is found.
import { readFileSync } from 'node:fs';
const versionDefine = { __TUNFORM_PACKAGE_VERSION__: JSON.stringify(JSON.parse(readFileSync('package.json', 'utf8')).version) };

const bundle = (entry, outfile, extra = {}) =>
  build({
    ...extra.options,
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    logLevel: 'warning',
    // ESM code asks import.meta.url where it lives; in the bundle that is the bundle.
    define: { 'import.meta.url': '__tunformBundleUrl', ...versionDefine, ...extra.define },
    banner: { js: "const __tunformBundleUrl = require('node:url').pathToFileURL(__filename).href;" },
  });

// A third less to read and hash on each start (`tunform drift` at 1,000 devices: about 20 ms less, paired runs on
// a loaded machine); names are kept for stack traces.
const compact = { minifyWhitespace: true, minifySyntax: true };

await Promise.all([
  bundle('dist/src/cli/main.js', 'dist/tunform.cjs', { options: compact }),
  bundle('dist/src/provider/main.js', 'dist/tunform-provider.cjs', { define: protoDefine, options: compact }),
]);

// The cache holds the functions a typical run compiles: warm them up with a
// read-only run (the CLI: validate and drift of an example spec, in this
// namespace; the plugin: one served session over its socket).
execFileSync(process.execPath, ['scripts/make-code-cache.cjs'], { stdio: 'inherit' });
