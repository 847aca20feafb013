// e2e (webgpu project): ?backend=cpu forces the CPU reference in a WebGPU-capable browser; it agrees with the WebGPU page.
import { expect, test } from '@playwright/test';
import { Playground } from './playground';

test('?backend=cpu gives the WebGPU page\'s max |error| and bits/weight', async ({ page }) => {
  const gpu = new Playground(page);
  await gpu.open('/');
  await gpu.waitForResult();
  await expect(gpu.deviceBadge()).toContainText('WebGPU');
  const onGpu = await gpu.metrics();

  const cpuPage = await page.context().newPage();
  const cpu = new Playground(cpuPage);
  await cpu.open('/?backend=cpu');
  await cpu.waitForResult();
  await expect(cpu.deviceBadge()).toContainText('CPU');
  await expect(cpu.cpuNotice()).toContainText('backend=cpu');
  const onCpu = await cpu.metrics();

  // exact: the codes are bit-exact and a max / a closed-form count have no summation order
  expect(onGpu.maxAbsErr).toBe(onCpu.maxAbsErr);
  expect(onGpu.bitsPerWeight).toBe(onCpu.bitsPerWeight);
  // relative 1e-5: f32 reduction trees (GPU) vs f64 sums (CPU)
  expect(Math.abs(onGpu.mse - onCpu.mse) / onCpu.mse).toBeLessThanOrEqual(1e-5);
  // both pages draw the same histograms: identical counts give identical summaries
  expect(await cpu.chartSummary('error')).toBe(await gpu.chartSummary('error'));
});
