#!/usr/bin/env node
// The Terraform provider plugin (Terraform starts it; run by hand it says so).
// Installed by `tunform install-provider`, this file sits beside the bundle;
// in the package the bundle is in dist/.
const { existsSync } = require('node:fs');
const { join } = require('node:path');
const { loadBundle } = require('./load-bundle.cjs');

const NAME = 'tunform-provider.cjs';
const beside = join(__dirname, NAME);
loadBundle({ bundle: existsSync(beside) ? beside : join(__dirname, '..', 'dist', NAME) }).main();
