// scripts/build-cli.mjs: bundles the `lowbit` command (src/cli/bin.ts) for Node into dist-cli/lowbit.mjs with Vite (WGSL inlined, packages left to node_modules).
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OUT = 'dist-cli';

await build({
  root: ROOT,
  configFile: false,
  logLevel: 'warn',
  publicDir: false, // the embedded models are read from public/models/ of the checkout
  build: {
    ssr: 'src/cli/bin.ts', // a Node build: node: built-ins and packages stay imports
    outDir: OUT,
    emptyOutDir: true,
    target: 'node20',
    minify: false,
    rollupOptions: { output: { entryFileNames: 'lowbit.mjs', format: 'es' } },
  },
});
console.log(`built ${OUT}/lowbit.mjs`);
