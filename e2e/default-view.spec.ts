// e2e (webgpu project): the first view: opens offline on the embedded model's default tensor, computes on WebGPU, and its numbers equal the CPU reference; the synthetic tensor too.
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { DEFAULT_SPEC, EMBEDDED_MODEL_NAME, SYNTHETIC_SPEC } from '../src/spec/defaults';
import { f32TensorByHand } from '../tests/support/safetensorsByHand';
import { Playground } from './playground';
import { expectExtraMetricsMatchReference, expectMatchesReference, referenceMetrics, referenceMetricsOf } from './reference';

/** The default tensor, read from the shipped file by hand. */
function defaultTensor() {
  const name = (DEFAULT_SPEC.source as { tensor: string }).tensor;
  const t = f32TensorByHand(path.join('public/models', EMBEDDED_MODEL_NAME, 'model.safetensors'), name);
  return { name, ...t };
}

test('default view: the embedded model opens offline; WebGPU numbers equal the CPU reference; the inspector lists it', async ({ page }, testInfo) => {
  const app = new Playground(page);
  await app.open('/');
  await app.waitForResult();

  await expect(app.deviceBadge()).toContainText('WebGPU');
  await expect(app.cpuNotice()).toHaveCount(0);
  const t = defaultTensor();
  await expect(page.getByTestId('model-current')).toContainText(EMBEDDED_MODEL_NAME);
  await expect(page.getByTestId('control-tensor')).toHaveValue(t.name);
  await expect(page.locator('.explain')).toContainText(`attention key of block 1 of ${EMBEDDED_MODEL_NAME}`);

  // tolerances: see expectMatchesReference (sums relative 1e-5, max |error| and bits/weight exact)
  const ref = referenceMetricsOf(t.values, t.shape[0], t.shape[1], DEFAULT_SPEC.recipe);
  expectMatchesReference(await app.metrics(), ref, 'default view on WebGPU');
  expect((await app.metric('groups')).value).toBe(ref.groupCount);
  expect((await app.metric('bpw')).text).toBe('4.500'); // INT4 + one f32 scale per 64 weights
  await expectExtraMetricsMatchReference(page, ref, 'default view on WebGPU');
  for (const chart of ['original', 'dequantized', 'error'] as const) await app.expectChartDrawn(chart);
  expect(await app.chartSummary('error')).toContain(`${(t.shape[0] * t.shape[1]).toLocaleString('en-US')} errors in 128 bins`);
  await app.screenshot('default-webgpu.png', testInfo);
  await app.expectMetricsReadable();

  const inspector = await app.inspector();
  // 4 blocks x 9 tensors + embedding + final norm (the head is tied)
  await expect(inspector.getByTestId('model-totals')).toHaveAttribute('data-tensors', '38');
  await expect(inspector.locator('tr.current')).toContainText(t.name);
  await app.screenshot('default-model-inspector.png', testInfo);
  expect(app.externalRequests, 'requests outside the preview server').toEqual([]);
});

test('the synthetic tensor: WebGPU result equals the CPU reference, charts drawn', async ({ page }, testInfo) => {
  const app = new Playground(page);
  await app.open('/');
  await app.useSynthetic();
  const ref = referenceMetrics(SYNTHETIC_SPEC);
  expectMatchesReference(await app.metrics(), ref, 'synthetic on WebGPU');
  expect((await app.metric('sqnr')).text).toBe(`${ref.sqnrDb.toFixed(1)} dB`);
  await expectExtraMetricsMatchReference(page, ref, 'synthetic on WebGPU');
  await expect(page.getByTestId('metric-cosine')).toHaveText(ref.cosine.toFixed(6));
  await expect(page.getByTestId('metric-kurtosis')).toHaveText(ref.kurtosis.toFixed(2));
  for (const chart of ['original', 'dequantized', 'error'] as const) await app.expectChartDrawn(chart);
  expect(await app.chartSummary('error')).toContain('1,048,576 errors in 128 bins');
  await app.screenshot('synthetic-webgpu.png', testInfo);
  await app.expectMetricsReadable();
});
