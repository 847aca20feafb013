// scripts/bench/run.mjs: `npm run bench`: bundles bench/node/main.ts for Node with Vite (WGSL inlined, packages left to node_modules) and runs it with Dawn's environment; arguments pass through (--quick, --full, --only).
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const OUT = join(ROOT, 'node_modules/.cache/lowbit-bench/node'); // git and eslint skip node_modules

await build({
  root: ROOT,
  configFile: false,
  logLevel: 'warn',
  publicDir: false,
  build: {
    ssr: 'bench/node/main.ts',
    outDir: OUT,
    emptyOutDir: true,
    target: 'node20',
    minify: false,
    rollupOptions: { output: { entryFileNames: 'bench.mjs', format: 'es' } },
  },
});
const child = spawn(process.execPath, [join(OUT, 'bench.mjs'), ...process.argv.slice(2)], {
  cwd: ROOT,
  stdio: 'inherit',
  env: { ...process.env, EGL_PLATFORM: process.env.EGL_PLATFORM || 'surfaceless' },
});
child.on('close', (code) => { process.exitCode = code ?? 1; });
