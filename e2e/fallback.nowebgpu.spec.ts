// e2e (no-webgpu project): without a WebGPU adapter the page explains itself and computes the same numbers on the CPU reference.
import { expect, test } from '@playwright/test';
import path from 'node:path';
import { DEFAULT_SPEC, EMBEDDED_MODEL_NAME } from '../src/spec/defaults';
import { f32TensorByHand } from '../tests/support/safetensorsByHand';
import { Playground } from './playground';
import { expectMatchesReference, referenceMetricsOf } from './reference';

test('no WebGPU adapter: CPU fallback with a notice, same numbers as the reference', async ({ page }, testInfo) => {
  const app = new Playground(page);
  await app.open('/');
  await app.waitForResult();

  await expect(app.deviceBadge()).toContainText('CPU');
  await expect(app.deviceBadge()).not.toContainText('WebGPU');
  await expect(app.cpuNotice()).toBeVisible();
  // one sentence that says why (no WebGPU) and what to do about it
  await expect(app.cpuNotice()).toContainText('WebGPU');
  await expect(app.cpuNotice()).toContainText(/CPU reference/);

  // tolerances in expectMatchesReference; the fallback runs the reference code itself (same f64
  // sums in the same order), so MSE must be exactly equal, not just close
  const name = (DEFAULT_SPEC.source as { tensor: string }).tensor;
  const t = f32TensorByHand(path.join('public/models', EMBEDDED_MODEL_NAME, 'model.safetensors'), name);
  const ref = referenceMetricsOf(t.values, t.shape[0], t.shape[1], DEFAULT_SPEC.recipe);
  const got = await app.metrics();
  expectMatchesReference(got, ref, 'default spec on the CPU fallback');
  expect(got.mse).toBe(ref.mse);
  for (const chart of ['original', 'dequantized', 'error'] as const) await app.expectChartDrawn(chart);

  expect(app.externalRequests, 'requests outside the preview server').toEqual([]);
  await app.screenshot('default-cpu-fallback.png', testInfo);
  await app.expectMetricsReadable(); // after the screenshot, so a failure leaves the picture of it
});
