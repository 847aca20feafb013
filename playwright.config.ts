// playwright.config.ts: e2e specs against the production build (vite preview) in system Chromium, with and without WebGPU.
import { defineConfig } from '@playwright/test';

const executablePath = process.env.CHROME_PATH || '/usr/bin/chromium';
const quiet = ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

export default defineConfig({
  testDir: 'e2e',
  outputDir: 'e2e-artifacts/results',
  timeout: 120_000,
  workers: 1, // two cores and a software GPU: parallel pages only fight each other
  retries: 0,
  reporter: 'list',
  use: { baseURL: 'http://127.0.0.1:4173', headless: true, screenshot: 'on' },
  webServer: {
    command: 'npx vite preview --port 4173 --strictPort --host 127.0.0.1',
    url: 'http://127.0.0.1:4173',
    reuseExistingServer: !process.env.CI,
    timeout: 60_000,
  },
  projects: [
    {
      name: 'webgpu',
      testIgnore: '**/*.nowebgpu.spec.ts',
      use: { launchOptions: { executablePath, args: ['--enable-unsafe-webgpu', ...quiet] } },
    },
    {
      name: 'no-webgpu', // what a browser without WebGPU sees: the app must explain and fall back
      testMatch: '**/*.nowebgpu.spec.ts',
      use: { launchOptions: { executablePath, args: [...quiet, '--disable-features=WebGPU,Vulkan', '--disable-gpu'] } },
    },
  ],
});
