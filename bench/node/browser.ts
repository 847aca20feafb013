// bench (node): the browser half: builds bench/browser with Vite, serves it with onnxruntime-web's files, opens it in headless Chromium with WebGPU (SwiftShader) and collects its results.
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import { chromium, type Browser } from '@playwright/test';
import { build } from 'vite';
import type { EnvResults } from '../types';

/** Chromium flags: WebGPU on the software adapter, unquantized timestamps, quiet. */
export const CHROMIUM_ARGS = [
  '--enable-unsafe-webgpu', '--enable-webgpu-developer-features', '--no-sandbox', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic',
];

const MIME: Readonly<Record<string, string>> = {
  '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.css': 'text/css', '.wasm': 'application/wasm', '.json': 'application/json',
};

/** System Chromium (CHROME_PATH, as npm test uses, or /usr/bin/chromium). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: process.env.CHROME_PATH || '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
}

/** A static server for `routes` (URL prefix → folder) on a free port of 127.0.0.1. */
export async function serveFolders(routes: Readonly<Record<string, string>>): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const path = decodeURIComponent((req.url ?? '/').split('?')[0]);
    const prefix = Object.keys(routes).sort((a, b) => b.length - a.length).find((p) => path.startsWith(p));
    const rel = prefix === undefined ? null : normalize(path.slice(prefix.length) || 'index.html');
    const file = prefix === undefined || rel === null || rel.startsWith('..') ? null : join(routes[prefix], rel);
    if (!file || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': MIME[extname(file)] ?? 'application/octet-stream' });
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` };
}

/** Builds the bench page into `outDir` (Vite, WGSL inlined like the app). */
async function buildPage(root: string, outDir: string): Promise<void> {
  await build({
    root: join(root, 'bench/browser'), configFile: false, base: './', publicDir: false, logLevel: 'warn',
    build: { outDir, emptyOutDir: true, target: 'es2022', minify: false },
  });
}

/** Runs the browser half and returns its results (problems instead of a throw when Chromium or WebGPU is missing). */
export async function runBrowser(root: string, cacheDir: string, mode: 'quick' | 'full', suites: readonly string[], log: (line: string) => void): Promise<EnvResults> {
  const outDir = join(cacheDir, 'page');
  await buildPage(root, outDir);
  const { server, url } = await serveFolders({ '/ort/': join(root, 'node_modules/onnxruntime-web/dist'), '/': outDir });
  let browser: Browser | null = null;
  try {
    browser = await launchChromium();
    const page = await browser.newPage();
    page.on('console', (m) => { if (m.type() === 'log' || m.type() === 'error') log(`chromium: ${m.text()}`); });
    page.on('pageerror', (e) => log(`chromium page error: ${e.message}`));
    await page.goto(url);
    await page.waitForFunction(() => 'lowbitBench' in window);
    return await page.evaluate(([m, s]) => (window as unknown as { lowbitBench: (mode: string, suites: string[]) => Promise<EnvResults> }).lowbitBench(m, s), [mode, [...suites]] as [string, string[]]);
  } catch (e) {
    return { adapters: {}, records: [], problems: [`chromium: the browser half did not run: ${e instanceof Error ? e.message : String(e)}`] };
  } finally {
    await browser?.close();
    server.close();
  }
}
