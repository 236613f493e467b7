#!/usr/bin/env node
import { createRequire } from 'node:module';

const { loadBundle } = createRequire(import.meta.url)('./load-bundle.cjs');
process.exitCode = await loadBundle().main(process.argv.slice(2));
