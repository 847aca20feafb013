// e2e: the page object of the playground: opening it, waiting for a finished run, reading metrics and charts, driving controls.
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { expect, type Locator, type Page, type TestInfo } from '@playwright/test';

/** The software WebGPU adapter (SwiftShader) on two cores: a 1024 x 1024 run takes seconds, the first one more. */
export const RUN_TIMEOUT_MS = 60_000;

export type MetricName = 'mse' | 'sqnr' | 'maxerr' | 'bpw' | 'storage' | 'groups';
export type ChartName = 'original' | 'dequantized' | 'error';
export type GranularityKind = 'tensor' | 'row' | 'column' | 'block';

const SCREENSHOT_DIR = 'e2e-artifacts/screenshots';
const ORIGIN = 'http://127.0.0.1:4173';

/**
 * Counts every transition of the status line to data-state="done" (and to "error") (installed before the app's
 * scripts run), so "wait for the next result" cannot be fooled by the previous run's "done"
 * that is still on screen for the 60 ms debounce after a control changes.
 */
function installDoneCounter(): void {
  const w = window as unknown as { __lowbitDone: number; __lowbitErrors: number };
  w.__lowbitDone = 0;
  w.__lowbitErrors = 0;
  let last: string | null = null;
  new MutationObserver(() => {
    const state = document.querySelector('[data-testid="status-line"]')?.getAttribute('data-state') ?? null;
    if (state === 'done' && last !== 'done') w.__lowbitDone++;
    if (state === 'error' && last !== 'error') w.__lowbitErrors++;
    last = state;
  }).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-state'] });
}

export class Playground {
  /** URLs the page tried to load from anywhere but the preview server (aborted). */
  readonly externalRequests: string[] = [];
  private seen = 0;
  private errorsSeen = 0;

  constructor(readonly page: Page) {}

  /**
   * Opens `url` with every request outside the preview server aborted and recorded (the app must
   * work offline); `allow` lists other origins the test serves itself (a local hub server).
   */
  async open(url = '/', allow: readonly string[] = []): Promise<void> {
    const allowed = [ORIGIN, ...allow];
    await this.page.context().route((u) => !allowed.some((o) => u.href.startsWith(o)), (route) => {
      this.externalRequests.push(route.request().url());
      return route.abort('internetdisconnected');
    });
    await this.page.addInitScript(installDoneCounter);
    await this.page.goto(url);
  }

  get status(): Locator { return this.page.getByTestId('status-line'); }

  /** How many runs have finished since the page loaded. */
  async finishedRuns(): Promise<number> {
    return this.page.evaluate(() => (window as unknown as { __lowbitDone: number }).__lowbitDone);
  }

  /**
   * Waits for a run that finished after the last call (or after page load) and for the status
   * line to rest at "done"; fails early with the status text if the run ends in an error.
   */
  async waitForResult(): Promise<void> {
    const after = this.seen;
    await expect.poll(async () => {
      const state = await this.status.getAttribute('data-state');
      if (state === 'error') throw new Error(`run failed: ${await this.status.innerText()}`);
      return this.finishedRuns();
    }, { timeout: RUN_TIMEOUT_MS, message: 'waiting for the next finished run' }).toBeGreaterThan(after);
    await expect(this.status).toHaveAttribute('data-state', 'done', { timeout: RUN_TIMEOUT_MS });
    this.seen = await this.finishedRuns();
  }

  /** The metric's visible text and its unrounded value (data-value). */
  async metric(name: MetricName): Promise<{ text: string; value: number }> {
    const el = this.page.getByTestId(`metric-${name}`);
    const [text, raw] = await Promise.all([el.innerText(), el.getAttribute('data-value')]);
    expect(raw, `metric-${name} has a data-value`).not.toBeNull();
    return { text: text.trim(), value: Number(raw) };
  }

  /** mse, sqnr, maxerr and bpw data-values at once. */
  async metrics(): Promise<{ mse: number; sqnrDb: number; maxAbsErr: number; bitsPerWeight: number }> {
    const [mse, sqnr, maxerr, bpw] = await Promise.all(
      (['mse', 'sqnr', 'maxerr', 'bpw'] as const).map((n) => this.metric(n)),
    );
    return { mse: mse.value, sqnrDb: sqnr.value, maxAbsErr: maxerr.value, bitsPerWeight: bpw.value };
  }

  /**
   * Every metric value is on screen in full: not clipped by an ancestor with overflow hidden/clip
   * (data-value can be read from a zero-height box, a person cannot). Scroll containers are
   * skipped: scrolling to a number is allowed, losing it is not. 1 px slack for subpixel layout.
   */
  async expectMetricsReadable(): Promise<void> {
    const clipped = await this.page.locator('[data-testid^="metric-"]').evaluateAll((els) => els.flatMap((el) => {
      const r = el.getBoundingClientRect();
      if (r.width < 1 || r.height < 1) return [`${el.getAttribute('data-testid')}: empty box`];
      for (let a = el.parentElement; a; a = a.parentElement) {
        const { overflowX, overflowY } = getComputedStyle(a);
        if (![overflowX, overflowY].some((o) => o === 'hidden' || o === 'clip')) continue;
        const c = a.getBoundingClientRect();
        if (r.top < c.top - 1 || r.bottom > c.bottom + 1 || r.left < c.left - 1 || r.right > c.right + 1) {
          return [`${el.getAttribute('data-testid')} (${Math.round(r.height)} px tall) clipped by <${a.tagName.toLowerCase()} class="${a.className}"> `
            + `showing y ${Math.round(c.top)}..${Math.round(c.bottom)} of ${Math.round(r.top)}..${Math.round(r.bottom)}`];
        }
      }
      return [];
    }));
    expect(clipped, 'metric values a person cannot read').toEqual([]);
  }

  deviceBadge(): Locator { return this.page.getByTestId('device-badge'); }
  cpuNotice(): Locator { return this.page.getByTestId('cpu-notice'); }
  chart(name: ChartName): Locator { return this.page.getByTestId(`chart-${name}`); }

  /** The chart's screen-reader summary (its key numbers in words; rendered from the same result as the bars). */
  async chartSummary(name: ChartName): Promise<string> {
    return (await this.chart(name).locator('figcaption').textContent())?.trim() ?? '';
  }

  /** The SVG path of every bar plotly drew in the chart, in bin order. */
  async chartBars(name: ChartName): Promise<string[]> {
    return this.chart(name).locator('.main-svg .trace.bars .point path').evaluateAll(
      (paths) => paths.map((p) => p.getAttribute('d') ?? ''),
    );
  }

  /** The chart card is ready and plotly has drawn `bins` bars into it. */
  async expectChartDrawn(name: ChartName, bins = 128): Promise<void> {
    await expect(this.chart(name)).toHaveAttribute('data-state', 'ready', { timeout: RUN_TIMEOUT_MS });
    await expect(this.chart(name).locator('.main-svg').first()).toBeVisible();
    await expect(this.chart(name).locator('.main-svg .trace.bars .point path')).toHaveCount(bins);
  }

  /** Switches the source to the synthetic tensor once the first (model) result is in, and waits for its result. */
  async useSynthetic(): Promise<void> {
    await this.waitForResult();
    await this.page.getByTestId('control-source-kind').getByLabel('Synthetic').check();
    await this.waitForResult();
  }

  /** Opens the model picker (the list of built-in and hub models, the repo form and the drop zone). */
  async openModelPicker(): Promise<Locator> {
    const picker = this.page.getByTestId('model-picker');
    const modelKind = this.page.getByTestId('control-source-kind').getByLabel('Model');
    if (!(await modelKind.isChecked())) await modelKind.check();
    if (!(await picker.isVisible())) await this.page.getByTestId('open-model-picker').click();
    await expect(picker).toBeVisible();
    return picker;
  }

  /** Types a repo id (and optionally a revision or GGUF file name) into the picker and opens it. */
  async openHubRepo(repo: string, options: { revision?: string; gguf?: string } = {}): Promise<void> {
    await this.openModelPicker();
    await this.page.getByTestId('hub-repo').fill(repo);
    if (options.revision) await this.page.getByTestId('hub-revision').fill(options.revision);
    if (options.gguf) await this.page.getByTestId('hub-gguf').fill(options.gguf);
    await this.page.getByTestId('hub-open').click();
  }

  /** Gives files to the picker's file input, as a person choosing them would. */
  async chooseFiles(paths: readonly string[]): Promise<void> {
    await this.openModelPicker();
    await this.page.getByTestId('local-files').setInputFiles([...paths]);
  }

  /** Switches to the Model view and returns the inspector. */
  async inspector(): Promise<Locator> {
    await this.page.getByRole('tab', { name: 'Model' }).click();
    const inspector = this.page.getByTestId('model-inspector');
    await expect(inspector).toBeVisible({ timeout: RUN_TIMEOUT_MS });
    return inspector;
  }

  /** Waits for a run that fails after the last call (or page load) and returns the status line's text. */
  async waitForError(): Promise<string> {
    const errors = () => this.page.evaluate(() => (window as unknown as { __lowbitErrors: number }).__lowbitErrors);
    const after = this.errorsSeen;
    await expect.poll(errors, { timeout: RUN_TIMEOUT_MS, message: 'waiting for the next failed run' }).toBeGreaterThan(after);
    this.errorsSeen = await errors();
    return (await this.status.innerText()).trim();
  }

  // Controls: each only changes the control; call waitForResult() for the run it starts.

  async setBits(bits: number): Promise<void> {
    await this.page.getByTestId('control-bits').fill(String(bits));
  }

  async setGranularity(kind: GranularityKind): Promise<void> {
    await this.page.getByTestId('control-granularity').selectOption(kind);
  }

  /** Picks an integer range by its label, e.g. 'Asymmetric (GPTQ)'. */
  async setIntMode(label: string): Promise<void> {
    await this.page.getByTestId('control-int-mode').getByLabel(label, { exact: true }).check();
  }

  /** Full-page screenshot to e2e-artifacts/screenshots/<name>, attached to the test report. */
  async screenshot(name: string, testInfo: TestInfo): Promise<string> {
    const path = join(SCREENSHOT_DIR, name);
    mkdirSync(dirname(path), { recursive: true });
    await this.page.screenshot({ path, fullPage: true });
    await testInfo.attach(name, { path, contentType: 'image/png' });
    return path;
  }
}
