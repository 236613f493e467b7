// The constructs for CDK Terrain (cdktn): the compiled cdktf constructs with
// one import specifier changed. Only constructs/cdk.ts imports the CDK
// library, so the copy rewrites that file and checks that no other file
// names 'cdktf' (a second import would bind the copy to the wrong library).
import { cpSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const from = 'dist/constructs';
const to = 'dist/constructs-cdktn';
const SHIM = /^cdk\.(js|d\.ts)$/;
const SPECIFIER = /(from\s+)'cdktf'/g;

rmSync(to, { recursive: true, force: true });
cpSync(from, to, { recursive: true });
for (const name of readdirSync(to)) {
  if (name.endsWith('.map')) continue;
  const file = join(to, name);
  const text = readFileSync(file, 'utf8');
  const uses = text.match(SPECIFIER)?.length ?? 0;
  if (SHIM.test(name)) {
    if (uses !== 1) throw new Error(`${file}: expected exactly one import from 'cdktf', found ${uses}`);
    writeFileSync(file, text.replace(SPECIFIER, "$1'cdktn'"));
  } else if (/['"]cdktf['"]/.test(text)) {
    throw new Error(`${file} imports 'cdktf' itself; only constructs/cdk.ts may import the CDK library`);
  }
}
