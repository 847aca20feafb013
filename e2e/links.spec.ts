// e2e (webgpu project): links and exports: a copied link reopens the same numbers and checksum in a fresh browser and in `lowbit run`; unreadable and local-file links explain themselves; results, charts and "Export as" download.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, type Page, test } from '@playwright/test';
import { DEFAULT_SPEC, EMBEDDED_MODEL_NAME } from '../src/spec/defaults';
import { encodeLink } from '../src/spec/link';
import type { ExperimentSpec } from '../src/spec/schema';
import { buildCli, runBin } from '../tests/support/cliBuild';
import { Playground } from './playground';

const MODEL_DIR = path.join('public/models', EMBEDDED_MODEL_NAME);
/** docs/CLI.md: metrics from error sums agree within 1e-5 relative across backends; the others exactly. */
const SUM_TOLERANCE = 1e-5;

/** What two people compare: the headline data-values and the checksum beside them. */
async function numbers(app: Playground) {
  return { ...(await app.metrics()), checksum: (await app.page.getByTestId('result-checksum').innerText()).trim() };
}

async function downloaded(page: Page, click: () => Promise<void>) {
  const [download] = await Promise.all([page.waitForEvent('download'), click()]);
  return { name: download.suggestedFilename(), text: readFileSync(await download.path(), 'utf8') };
}

test.beforeAll(buildCli);

test('a copied link opens the same experiment, numbers and checksum in a fresh browser and in lowbit run', async ({ browser, page }, testInfo) => {
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: 'http://127.0.0.1:4173' });
  const app = new Playground(page);
  await app.open('/');
  await app.useSynthetic();
  await app.setBits(3);
  await app.waitForResult();
  await app.setIntMode('Asymmetric (GPTQ)');
  await app.waitForResult();
  await app.setGranularity('row');
  await app.waitForResult();
  const here = await numbers(app);
  expect(here.checksum).toMatch(/^[0-9a-f]{8}$/);

  await page.getByTestId('copy-link').click();
  await expect(page.getByTestId('link-copied')).toHaveText('Copied ✓');
  const link = await page.evaluate(() => navigator.clipboard.readText());
  expect(link).toMatch(/^http:\/\/127\.0\.0\.1:4173\/#s=1\.[A-Za-z0-9_-]+$/);
  await expect.poll(() => page.url(), { message: 'the address follows the spec' }).toBe(link);
  await app.screenshot('links-copied.png', testInfo);

  const fresh = await browser.newContext();
  const other = new Playground(await fresh.newPage());
  await other.open(link.slice('http://127.0.0.1:4173'.length));
  await other.waitForResult();
  expect(await numbers(other)).toEqual(here);
  await expect(other.page.getByTestId('control-bits')).toHaveValue('3');
  await expect(other.page.getByTestId('control-granularity')).toHaveValue('row');
  await expect(other.page.getByTestId('link-message')).toHaveCount(0);
  await other.screenshot('links-reopened.png', testInfo);
  await fresh.close();

  for (const backend of ['cpu', 'webgpu']) {
    const r = runBin(['run', link, '--json', '--backend', backend]);
    expect(r.code, r.stderr).toBe(0);
    const cli = JSON.parse(r.stdout) as { backend: string; checksum: string; metrics: Record<string, number> };
    expect(cli.backend).toBe(backend);
    expect(cli.checksum, `lowbit run --backend ${backend}`).toBe(here.checksum);
    expect(cli.metrics.maxAbsErr).toBe(here.maxAbsErr);
    expect(cli.metrics.bitsPerWeight).toBe(here.bitsPerWeight);
    for (const [k, v] of [['mse', here.mse], ['sqnrDb', here.sqnrDb]] as const) {
      expect(Math.abs(cli.metrics[k] - v), `${k} on ${backend}`).toBeLessThanOrEqual(SUM_TOLERANCE * Math.abs(v));
    }
  }
  expect(app.externalRequests).toEqual([]);
});

test('an unreadable link opens the default view with a message; text in a link is shown as text, never run', async ({ page }, testInfo) => {
  const app = new Playground(page);
  await app.open('/#s=1.bm90IGEgbGluaw');
  await app.waitForResult();
  const message = page.getByTestId('link-message');
  await expect(message).toHaveAttribute('role', 'alert');
  await expect(message).toContainText('This link could not be read: its data is damaged');
  await expect(message).toContainText('The default experiment is shown instead.');
  await expect(page.getByTestId('control-tensor')).toHaveValue((DEFAULT_SPEC.source as { tensor: string }).tensor);
  await app.screenshot('links-unreadable.png', testInfo);
  await message.getByRole('button', { name: 'Dismiss this message' }).click();
  await expect(message).toHaveCount(0);

  const payload = '<img src=x onerror="window.__lowbitPwned=1">';
  const hostile: ExperimentSpec = { ...DEFAULT_SPEC, source: { kind: 'model', model: { kind: 'embedded', name: EMBEDDED_MODEL_NAME }, tensor: payload } };
  const page2 = await page.context().newPage();
  const app2 = new Playground(page2);
  await app2.open(`/#${await encodeLink(hostile)}`);
  const error = await app2.waitForError();
  expect(error).toContain(`no tensor named "${payload}"`); // shown as the characters it is
  expect(await page2.evaluate(() => (window as unknown as { __lowbitPwned?: number }).__lowbitPwned)).toBeUndefined();
  await expect(page2.locator('img[src="x"]')).toHaveCount(0);
});

test('a link to a local file asks for it, refuses another file and opens the same one', async ({ page }, testInfo) => {
  const files = readdirSync(MODEL_DIR).filter((f) => f !== 'README.md' && f !== 'eval.txt').map((f) => path.join(MODEL_DIR, f));
  const weights = readFileSync(path.join(MODEL_DIR, 'model.safetensors'));
  const sha256 = createHash('sha256').update(weights).digest('hex');
  const tensor = 'model.layers.2.mlp.down_proj.weight';
  const local = (sha: string): ExperimentSpec => ({ ...DEFAULT_SPEC, source: { kind: 'model', model: { kind: 'local', name: 'model.safetensors', bytes: weights.length, sha256: sha }, tensor } });

  const app = new Playground(page);
  await app.open(`/#${await encodeLink(local('ab'.repeat(32)))}`);
  const message = page.getByTestId('link-message');
  await expect(message).toContainText('This link uses your local file model.safetensors (sha256 abababababab…, 5.3 MB). Drop model.safetensors');
  await app.chooseFiles(files);
  await expect(message).toContainText(`model.safetensors is not the file this link was made with (its sha256 is ${sha256.slice(0, 12)}…, the link's file has abababababab…)`);
  await app.screenshot('links-local-mismatch.png', testInfo);

  const page2 = await page.context().newPage();
  const app2 = new Playground(page2);
  await app2.open(`/#${await encodeLink(local(sha256))}`);
  await expect(page2.getByTestId('link-message')).toContainText(`sha256 ${sha256.slice(0, 12)}…`);
  expect(await app2.waitForError()).toContain('This experiment uses your local file model.safetensors, which this page does not have');
  await app2.chooseFiles(files);
  await expect(page2.getByTestId('link-message')).toContainText('model.safetensors is the file this link was made with');
  await expect(app2.status).toHaveAttribute('data-state', 'done', { timeout: 60_000 });
  await expect(page2.getByTestId('control-tensor')).toHaveValue(tensor);
  await expect(page2.locator('.explain')).toContainText('block 2');
  await app2.screenshot('links-local-verified.png', testInfo);
});

test('exports: results as JSON and CSV with the checksum, charts as PNG and SVG, the recipe as other tools\' configs', async ({ page }, testInfo) => {
  const app = new Playground(page);
  await app.open('/');
  await app.waitForResult();
  const here = await numbers(app);
  await page.getByTestId('export-menu').locator('summary').click();

  const json = await downloaded(page, () => page.getByTestId('export-json').click());
  expect(json.name).toBe(`lowbit-${here.checksum}.json`);
  const doc = JSON.parse(json.text);
  expect(doc).toMatchObject({ format: 'lowbit-results', checksum: here.checksum, spec: DEFAULT_SPEC, backend: 'webgpu' });
  expect(doc.metrics).toMatchObject({ mse: here.mse, sqnrDb: here.sqnrDb, maxAbsErr: here.maxAbsErr, bitsPerWeight: here.bitsPerWeight });
  expect(doc.link).toMatch(/#s=1\./);

  const csv = await downloaded(page, () => page.getByTestId('export-csv').click());
  expect(csv.text.split('\r\n')).toEqual(expect.arrayContaining(['name,value', `checksum,${here.checksum}`, `mse,${here.mse}`]));

  for (const format of ['png', 'svg'] as const) {
    const names: string[] = [];
    const seen = new Promise<void>((resolve) => page.on('download', (d) => { names.push(d.suggestedFilename()); if (names.length === 3) resolve(); }));
    await page.getByTestId(`export-${format}`).click();
    await seen;
    page.removeAllListeners('download');
    expect(names.sort()).toEqual(['dequantized', 'error', 'original'].map((c) => `lowbit-${here.checksum}-${c}.${format}`));
  }

  await page.getByTestId('export-as-target').selectOption('gptqmodel');
  await expect(page.getByTestId('export-as-code')).toContainText('QuantizeConfig(bits=4, group_size=64, sym=True, desc_act=False)');
  await expect(page.getByTestId('export-as-warnings')).toContainText('"sym-full"');
  await page.getByTestId('export-as-target').selectOption('llama.cpp');
  await expect(page.getByTestId('export-as-none')).toContainText('no block type equal');
  await app.screenshot('links-export-menu.png', testInfo);
});
