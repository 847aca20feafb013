#!/usr/bin/env node
// bin: the `lowbit` command's launcher (package.json "bin"): runs the bundle `npm run build` makes in dist-cli/.
import { existsSync } from 'node:fs';
import process from 'node:process';

const bundle = new URL('../dist-cli/lowbit.mjs', import.meta.url);
if (!existsSync(bundle)) {
  process.stderr.write('lowbit: the command is not built yet. Run `npm run build` (or `npm run build:cli`) in the lowbit folder, then try again.\n');
  process.exit(1);
}
await import(bundle.href);
