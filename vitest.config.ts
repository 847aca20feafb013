// vitest.config.ts: two test projects on top of vite.config.ts: `unit` (CPU, parallel) and `gpu` (Dawn on Mesa llvmpipe, one file at a time).
import { defineConfig, mergeConfig } from 'vitest/config';
import viteConfig from './vite.config.ts';

export default mergeConfig(
  viteConfig,
  defineConfig({
    test: {
      projects: [
        {
          extends: true,
          test: { name: 'unit', include: ['tests/unit/**/*.test.ts', 'tests/*.test.ts'], environment: 'node' },
        },
        {
          extends: true,
          test: {
            name: 'gpu',
            include: ['tests/gpu/**/*.test.ts'],
            environment: 'node',
            pool: 'forks', // Dawn is a native addon: a process per file, never shared
            isolate: true,
            fileParallelism: false, // llvmpipe already uses every core
            testTimeout: 120_000,
            hookTimeout: 120_000,
            env: { EGL_PLATFORM: process.env.EGL_PLATFORM ?? 'surfaceless' }, // Dawn's GL backend, no display
          },
        },
      ],
    },
  }),
);
