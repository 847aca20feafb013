// bench (node): what users feel, measured on the production build in headless Chromium: time to the first rendered view, control change to redrawn charts on the 1M-element synthetic tensor, and the initial JavaScript (gzip).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Page } from '@playwright/test';
import { build, preview } from 'vite';
import { median } from '../stats';
import type { BenchRecord } from '../types';
import { launchChromium } from './browser';

/** Targets of the issue for these figures. */
export const APP_TARGETS = { firstViewMs: 1500, controlToChartsMs: 100, initialJsGzipBytes: 350 * 1024 } as const;

/**
 * Installed before the app's scripts: counts transitions of the status line to "done" and stamps
 * performance.now() at the first frame after the view is complete (status done, every chart card
 * ready with its bars drawn).
 */
function installProbe(): void {
  const w = window as unknown as { __benchDone: number; __benchFirstView: number | null };
  w.__benchDone = 0;
  w.__benchFirstView = null;
  let last: string | null = null;
  const complete = () => {
    const charts = [...document.querySelectorAll('[data-testid^="chart-"]')];
    return document.querySelector('[data-testid="status-line"]')?.getAttribute('data-state') === 'done' && charts.length >= 3
      && charts.every((c) => c.getAttribute('data-state') === 'ready' && c.querySelector('.main-svg .trace.bars .point path'));
  };
  new MutationObserver(() => {
    const state = document.querySelector('[data-testid="status-line"]')?.getAttribute('data-state') ?? null;
    if (state === 'done' && last !== 'done') w.__benchDone++;
    last = state;
    if (w.__benchFirstView === null && complete()) requestAnimationFrame(() => { w.__benchFirstView ??= performance.now(); });
  }).observe(document, { subtree: true, childList: true, attributes: true });
}

/**
 * In the page: sets the bits slider to `bits` as a person dragging it would (input event), then
 * resolves with the ms until the first frame after the run finished and the dequantized and error
 * charts show new bars, and the bits/weight metric then shown.
 */
function changeBits(bits: number): Promise<{ ms: number; bpw: number }> {
  const w = window as unknown as { __benchDone: number };
  const bars = (name: string) => [...document.querySelectorAll(`[data-testid="chart-${name}"] .main-svg .trace.bars .point path`)].map((p) => p.getAttribute('d')).join('|');
  const before = { done: w.__benchDone, dequantized: bars('dequantized'), error: bars('error') };
  const input = document.querySelector('[data-testid="control-bits"]') as HTMLInputElement;
  const setValue = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')?.set;
  const t0 = performance.now();
  setValue?.call(input, String(bits));
  input.dispatchEvent(new Event('input', { bubbles: true }));
  return new Promise((resolve, reject) => {
    const poll = () => {
      const ready = [...document.querySelectorAll('[data-testid^="chart-"]')].every((c) => c.getAttribute('data-state') === 'ready');
      if (w.__benchDone > before.done && ready && bars('dequantized') !== before.dequantized && bars('error') !== before.error) {
        const bpw = Number(document.querySelector('[data-testid="metric-bpw"]')?.getAttribute('data-value'));
        resolve({ ms: performance.now() - t0, bpw });
      } else if (performance.now() - t0 > 60_000) reject(new Error('the charts did not redraw within 60 s'));
      else requestAnimationFrame(poll);
    };
    requestAnimationFrame(poll);
  });
}

/** Script and modulepreload URLs of the built index.html: what the browser loads before the app runs. */
export function entryScripts(html: string): string[] {
  const urls = new Set<string>();
  for (const m of html.matchAll(/<script[^>]*type="module"[^>]*src="([^"]+)"/g)) urls.add(m[1]);
  for (const m of html.matchAll(/<link[^>]*rel="modulepreload"[^>]*href="([^"]+)"/g)) urls.add(m[1]);
  return [...urls].map((u) => u.replace(/^\.\//, ''));
}

const gz = (file: string) => gzipSync(readFileSync(file)).length;

export interface AppOptions {
  readonly root: string;
  readonly cacheDir: string;
  /** Fresh page loads and control changes to time. */
  readonly repeats: number;
  /** fingerprintId of Chromium's adapter (the app picks the same one). */
  readonly adapter: string | null;
  readonly log: (line: string) => void;
}

export async function appSuite(o: AppOptions): Promise<BenchRecord[]> {
  const outDir = join(o.cacheDir, 'app');
  await build({ root: o.root, configFile: join(o.root, 'vite.config.ts'), logLevel: 'warn', build: { outDir, emptyOutDir: true } });
  const records: BenchRecord[] = [];
  const entry = entryScripts(readFileSync(join(outDir, 'index.html'), 'utf8'));
  const entryGzip = entry.reduce((a, f) => a + gz(join(outDir, f)), 0);
  const assets = readdirSync(join(outDir, 'assets')).filter((f) => f.endsWith('.js'));
  const lazy = assets.filter((f) => !entry.includes(`assets/${f}`)).map((f) => `${f} ${(gz(join(outDir, 'assets', f)) / 1024).toFixed(1)} KB`);
  records.push({
    suite: 'app', name: 'initial JavaScript (entry chunks of index.html, gzip)', adapter: null,
    figures: {
      gzipBytes: entryGzip, rawBytes: entry.reduce((a, f) => a + statSync(join(outDir, f)).size, 0), files: entry.join(', '),
      target: APP_TARGETS.initialJsGzipBytes, met: entryGzip < APP_TARGETS.initialJsGzipBytes,
    },
    note: `gzip level 6 (zlib default) of ${entry.join(', ')}. Loaded later: ${lazy.join('; ')}.`,
  });

  const server = await preview({ root: o.root, configFile: join(o.root, 'vite.config.ts'), logLevel: 'warn', build: { outDir }, preview: { port: 0, strictPort: false, host: '127.0.0.1', open: false } });
  const url = server.resolvedUrls?.local[0];
  const browser = await launchChromium();
  try {
    if (!url) throw new Error('vite preview did not say where it listens');
    const firstViews: number[] = [], fetched: number[] = [];
    let badge = '';
    for (let i = 0; i < o.repeats; i++) {
      const context = await browser.newContext();
      const page = await context.newPage();
      const js = new Set<string>();
      page.on('response', (r) => { if (/\.js$/.test(new URL(r.url()).pathname)) js.add(new URL(r.url()).pathname); });
      await page.addInitScript(installProbe);
      await page.goto(url);
      await page.waitForFunction(() => (window as unknown as { __benchFirstView: number | null }).__benchFirstView !== null, null, { timeout: 120_000 });
      firstViews.push(await page.evaluate(() => (window as unknown as { __benchFirstView: number }).__benchFirstView));
      fetched.push([...js].reduce((a, p) => a + gz(join(outDir, p.replace(/^.*?\/assets\//, 'assets/'))), 0));
      badge = (await page.getByTestId('device-badge').innerText()).trim();
      if (i === o.repeats - 1) records.push(...(await controlChange(page, o)));
      await context.close();
    }
    const first = median(firstViews);
    o.log(`app: first view ${first.toFixed(0)} ms (${badge}), initial JS ${(entryGzip / 1024).toFixed(1)} KB gzip`);
    records.push({
      suite: 'app', name: 'time to first rendered view (embedded default, fresh context)', adapter: o.adapter,
      timing: { method: 'wall-clock', ms: first, wallMs: first, samples: firstViews, opsPerSubmit: 1, repeats: o.repeats, warmups: 0 },
      figures: { ms: first, target: APP_TARGETS.firstViewMs, met: first < APP_TARGETS.firstViewMs, jsFetchedBeforeViewGzipBytes: median(fetched), device: badge },
      check: { against: 'the device badge says WebGPU and the status line says done', maxAbsDiff: 0, tolerance: 0, ok: /WebGPU/.test(badge) },
      note: 'performance.now() at the first frame after the status line reads done and all three charts have bars (navigation start = 0).',
    });
  } finally {
    await browser.close();
    await new Promise<void>((resolve) => server.httpServer.close(() => resolve()));
  }
  return records;
}

/** On the synthetic 1024 × 1024 tensor: bits 4 → 8 → 4 .. `repeats` times; the median change-to-charts time, checked by bits/weight. */
async function controlChange(page: Page, o: AppOptions): Promise<BenchRecord[]> {
  const done = () => page.evaluate(() => (window as unknown as { __benchDone: number }).__benchDone);
  const before = await done();
  await page.getByTestId('control-source-kind').getByLabel('Synthetic').check();
  await page.waitForFunction((n) => (window as unknown as { __benchDone: number }).__benchDone > n, before, { timeout: 120_000 });
  const times: number[] = [];
  let worst = 0;
  for (let i = 0; i < Math.max(3, o.repeats) * 2; i++) {
    const bits = i % 2 === 0 ? 8 : 4;
    const r = await page.evaluate(changeBits, bits);
    times.push(r.ms);
    worst = Math.max(worst, Math.abs(r.bpw - (bits + 32 / 64))); // INT sym block 64 with an f32 scale per block
  }
  const ms = median(times);
  o.log(`app: control change to charts ${ms.toFixed(0)} ms (1M elements)`);
  return [{
    suite: 'app', name: 'control change to updated charts (bits slider, synthetic 1024×1024)', adapter: o.adapter,
    timing: { method: 'wall-clock', ms, wallMs: ms, samples: times, opsPerSubmit: 1, repeats: times.length, warmups: 0 },
    figures: { ms, elements: 1024 * 1024, target: APP_TARGETS.controlToChartsMs, met: ms < APP_TARGETS.controlToChartsMs },
    check: { against: 'bits/weight shown after each change = bits + 32/64', maxAbsDiff: worst, tolerance: 0, ok: worst === 0 },
    note: 'From the input event to the first frame after the run finished and the dequantized and error histograms were redrawn (a change starts its run at once; the app merges changes within 60 ms of a sent run).',
  }];
}
