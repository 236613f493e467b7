// Rewrites the generated attribute tables of docs/terraform.md from the provider's schemas:
//   npx tsx scripts/terraform-docs.ts
import { readFileSync, writeFileSync } from 'node:fs';
import { withGeneratedSection } from '../src/provider/tunform/docs.js';

const path = new URL('../docs/terraform.md', import.meta.url);
writeFileSync(path, withGeneratedSection(readFileSync(path, 'utf8')));
