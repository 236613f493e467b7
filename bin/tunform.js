#!/usr/bin/env node
// dist/tunform.mjs is the whole CLI in one file (see scripts/bundle-cli.mjs).
import { main } from '../dist/tunform.mjs';

process.exitCode = await main(process.argv.slice(2));
