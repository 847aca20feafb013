// e2e (webgpu project): the Evaluate view on the embedded model: perplexity and KL computed on WebGPU equal the CPU reference pass run in the test process; side-by-side generation; cancel.
import { expect, test } from '@playwright/test';
import { modelPair } from '../src/engine/modelPair';
import { compareCpu } from '../src/model/forward/compareModels';
import { DEFAULT_SPEC } from '../src/spec/defaults';
import { embeddedEvalText, loadEmbeddedModel } from '../tests/support/embeddedModel';
import { Playground } from './playground';

const SETTINGS = { maxTokens: 128, context: 64, stride: 32 };

/** The CPU reference of what the view computes for the default recipe on the bundled text. */
async function reference() {
  const loaded = await loadEmbeddedModel();
  const tokenizer = await loaded.tokenizer();
  if (!tokenizer) throw new Error('the embedded model has a tokenizer');
  const tokens = tokenizer.encode(embeddedEvalText(), { addBos: false }).slice(0, SETTINGS.maxTokens);
  const pair = await modelPair(loaded, DEFAULT_SPEC.recipe);
  return compareCpu(pair.full, pair.quantized, tokens, { context: SETTINGS.context, stride: SETTINGS.stride, bos: pair.full.config.bosId });
}

test('perplexity, KL and generation of the embedded model with its recipe; numbers equal the CPU reference', async ({ page }, testInfo) => {
  test.setTimeout(240_000); // three model passes on the software GPU (about 20 s each here)
  const app = new Playground(page);
  await app.open('/');
  await app.waitForResult();
  await page.getByRole('tab', { name: 'Evaluate' }).click();
  await page.getByTestId('eval-tokens').fill(String(SETTINGS.maxTokens));
  await page.getByTestId('eval-context').fill(String(SETTINGS.context));
  await page.getByTestId('eval-stride').fill(String(SETTINGS.stride));
  await page.getByTestId('eval-run').click();
  await expect(page.getByTestId('evaluation-status')).toHaveAttribute('data-state', 'done', { timeout: 90_000 });

  const ref = await reference();
  const value = async (id: string) => Number(await page.getByTestId(`eval-${id}`).getAttribute('data-value'));
  // WebGPU f32 passes vs the CPU reference: 1e-4 relative on perplexity (the bar); KL within 1e-5 nats (f32 sums on the GPU)
  expect(Math.abs(await value('ppl-full') / ref.reference.ppl - 1)).toBeLessThan(1e-4);
  expect(Math.abs(await value('ppl-quantized') / ref.test.ppl - 1)).toBeLessThan(1e-4);
  expect(Math.abs(await value('kl-mean') - ref.comparison.klMean)).toBeLessThan(1e-5);
  expect(await value('top1')).toBe(ref.comparison.top1Agreement);
  await expect(page.getByTestId('eval-protocol')).toContainText(`${SETTINGS.maxTokens} tokens of held-out State of the Union text`);
  await expect(page.getByTestId('eval-protocol')).toContainText(`windows of ${SETTINGS.context} tokens (BOS first), stride ${SETTINGS.stride}`);
  await expect(page.getByTestId('eval-protocol')).toContainText('on WebGPU');
  await expect(page.getByTestId('token-loss').locator('.token-text span')).toHaveCount(SETTINGS.maxTokens);

  await page.getByTestId('gen-steps').fill('8');
  await page.getByTestId('gen-run').click();
  await expect(page.getByTestId('generation-status')).toHaveAttribute('data-state', 'done', { timeout: 90_000 });
  await expect(page.getByTestId('gen-full')).not.toBeEmpty();
  await expect(page.getByTestId('gen-quantized')).not.toBeEmpty();
  await app.screenshot('evaluate-view.png', testInfo);

  // a changed recipe marks the numbers stale until evaluated again
  await page.getByRole('tab', { name: 'Tensor' }).click();
  await app.setBits(2);
  await app.waitForResult();
  await page.getByRole('tab', { name: 'Evaluate' }).click();
  await expect(page.getByRole('note')).toContainText('earlier source or recipe');
  await page.getByTestId('eval-run').click();
  await expect(page.getByTestId('evaluation-status')).toHaveAttribute('data-state', 'done', { timeout: 90_000 });
  expect(await value('ppl-quantized')).toBeGreaterThan(ref.test.ppl); // 2-bit is worse than 4-bit
  await expect(page.getByRole('note')).toHaveCount(0);
});

test('sensitivity sweep: one bar per block; keeping the most sensitive block in full precision shows in the protocol and lowers the KL', async ({ page }, testInfo) => {
  test.setTimeout(240_000);
  const app = new Playground(page);
  await app.open('/');
  await app.waitForResult();
  await app.setBits(2);
  await app.waitForResult();
  await page.getByRole('tab', { name: 'Evaluate' }).click();
  await page.getByTestId('eval-tokens').fill('48');
  await page.getByTestId('eval-context').fill('48');
  await page.getByTestId('eval-stride').fill('24');
  await page.getByTestId('eval-run').click();
  await expect(page.getByTestId('evaluation-status')).toHaveAttribute('data-state', 'done', { timeout: 90_000 });
  const klAll = Number(await page.getByTestId('eval-kl-mean').getAttribute('data-value'));

  await page.getByTestId('sweep-run').click();
  await expect(page.getByTestId('sensitivity-status')).toHaveAttribute('data-state', 'done', { timeout: 180_000 });
  const bars = page.getByTestId('sensitivity-bars').locator('li');
  await expect(bars).toHaveCount(4);
  const kls = await bars.evaluateAll((li) => li.map((l) => Number(l.getAttribute('data-kl'))));
  const worst = kls.indexOf(Math.max(...kls));
  await expect(page.getByTestId('sensitivity-bars').locator('li.kept')).toContainText(`block ${worst}`);

  await page.getByTestId('keep-evaluate').click();
  await expect(page.getByTestId('evaluation-status')).toHaveAttribute('data-state', 'done', { timeout: 90_000 });
  await expect(page.getByTestId('eval-protocol')).toContainText(`blocks ${worst} kept in full precision`);
  expect(Number(await page.getByTestId('eval-kl-mean').getAttribute('data-value'))).toBeLessThan(klAll);
  await app.screenshot('evaluate-sensitivity.png', testInfo);
});
