// e2e (webgpu project): the first view: opens offline on SYNTHETIC_SPEC, computes on WebGPU, and its numbers equal the CPU reference.
import { expect, test } from '@playwright/test';
import { SYNTHETIC_SPEC } from '../src/spec/defaults';
import { Playground } from './playground';
import { expectExtraMetricsMatchReference, expectMatchesReference, referenceMetrics } from './reference';

test('default view: WebGPU result equals the CPU reference, charts drawn', async ({ page }, testInfo) => {
  const app = new Playground(page);
  await app.open('/');
  await app.waitForResult();

  await expect(app.deviceBadge()).toContainText('WebGPU');
  await expect(app.cpuNotice()).toHaveCount(0);

  // tolerances: see expectMatchesReference (sums relative 1e-5, max |error| and bits/weight exact)
  const ref = referenceMetrics(SYNTHETIC_SPEC);
  expectMatchesReference(await app.metrics(), ref, 'default spec on WebGPU');
  expect((await app.metric('groups')).value).toBe(ref.groupCount);
  // what a person reads: INT4 + one f32 scale per 64 weights = 4.500 bits
  expect((await app.metric('bpw')).text).toBe('4.500');
  expect((await app.metric('sqnr')).text).toBe(`${ref.sqnrDb.toFixed(1)} dB`);
  // RMSE, p99 / p99.9 |error|, cosine, rel. Frobenius, kurtosis: tolerances in expectExtraMetricsMatchReference
  await expectExtraMetricsMatchReference(page, ref, 'default spec on WebGPU');
  await expect(page.getByTestId('metric-cosine')).toHaveText(ref.cosine.toFixed(6));
  await expect(page.getByTestId('metric-kurtosis')).toHaveText(ref.kurtosis.toFixed(2));

  for (const chart of ['original', 'dequantized', 'error'] as const) await app.expectChartDrawn(chart);
  // every weight is counted once in each histogram
  expect(await app.chartSummary('error')).toContain('1,048,576 errors in 128 bins');

  expect(app.externalRequests, 'requests outside the preview server').toEqual([]);
  await app.screenshot('default-webgpu.png', testInfo);
  await app.expectMetricsReadable(); // after the screenshot, so a failure leaves the picture of it
});
