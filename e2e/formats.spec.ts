// e2e (webgpu project): the format picker: registry formats compute the CPU reference's numbers, and the integer settings come back.
import { expect, test } from '@playwright/test';
import { SYNTHETIC_SPEC } from '../src/spec/defaults';
import { Playground } from './playground';
import { expectMatchesReference, referenceMetrics, withRecipe } from './reference';

// Tolerances: see expectMatchesReference (sums relative 1e-5, max |error| and bits/weight exact).

test('MXFP4, NF4 + double quant and presets follow the reference; INT settings survive the detour', async ({ page }, testInfo) => {
  const app = new Playground(page);
  await app.open('/');
  await app.useSynthetic();
  await app.setBits(6);
  await app.waitForResult();

  await test.step('MXFP4: fixed blocks of 32, 4.25 bits per weight', async () => {
    await page.getByTestId('control-format').selectOption('mxfp4');
    await app.waitForResult();
    const got = await app.metrics();
    expectMatchesReference(got, referenceMetrics(withRecipe(SYNTHETIC_SPEC, { format: { kind: 'format', id: 'mxfp4' } })), 'MXFP4');
    expect(got.bitsPerWeight).toBe(4.25);
    await expect(page.getByTestId('control-granularity')).toBeDisabled();
    await expect(page.getByTestId('control-bits')).toHaveCount(0);
    await expect(page.getByText('This format fixes its block: 32 weights')).toBeVisible();
    await app.expectChartDrawn('dequantized');
    await app.screenshot('mxfp4-webgpu.png', testInfo);
  });

  await test.step('NF4 + double quant follows the per-block granularity (64)', async () => {
    await page.getByTestId('control-format').selectOption('nf4-dq');
    await app.waitForResult();
    const got = await app.metrics();
    expectMatchesReference(got, referenceMetrics(withRecipe(SYNTHETIC_SPEC, { format: { kind: 'format', id: 'nf4-dq' } })), 'NF4 + DQ');
    expect(got.bitsPerWeight).toBeLessThan(4.2); // 4 + 8/64 + small: double quant saves ~0.37 bits over 4.5
  });

  await test.step('the MXFP4 preset is recognised, and choosing a preset sets the whole recipe', async () => {
    await page.getByTestId('control-format').selectOption('mxfp4');
    await app.waitForResult();
    await expect(page.getByTestId('control-preset')).toHaveValue('mxfp4');
    await page.getByTestId('control-preset').selectOption('int8-per-row');
    await app.waitForResult();
    await expect(page.getByTestId('control-format')).toHaveValue('int');
    await expect(page.getByTestId('control-granularity')).toHaveValue('row');
    expectMatchesReference(await app.metrics(), referenceMetrics(withRecipe(SYNTHETIC_SPEC, { format: { bits: 8 }, granularity: { kind: 'row' } })), 'INT8 per-row');
    await page.getByTestId('control-format').selectOption('nf4');
    await app.waitForResult();
  });

  await test.step('back to Integer: the last integer settings (the preset\'s 8 bits per row) are restored', async () => {
    await page.getByTestId('control-format').selectOption('int');
    await app.waitForResult();
    await expect(page.getByTestId('control-bits')).toBeVisible();
    expectMatchesReference(await app.metrics(), referenceMetrics(withRecipe(SYNTHETIC_SPEC, { format: { bits: 8 }, granularity: { kind: 'row' } })), 'INT8 per-row again');
  });
});

test('a typed codebook computes the reference numbers; a broken one is refused with a message and nothing changes', async ({ page }, testInfo) => {
  const app = new Playground(page);
  await app.open('/');
  await app.useSynthetic();
  await page.getByTestId('control-format').selectOption('codebook');
  await app.waitForResult();
  const box = page.getByTestId('control-codebook');
  await box.fill('-1, -0.4, -0.1, 0, 0.1, 0.4, 1');
  await app.waitForResult();
  const levels = [-1, -0.4, -0.1, 0, 0.1, 0.4, 1];
  const expected = referenceMetrics(withRecipe(SYNTHETIC_SPEC, { format: { kind: 'codebook', levels, scaling: 'absmax' } }));
  expectMatchesReference(await app.metrics(), expected, 'typed codebook');
  const before = await app.metrics();
  await box.fill('-1, zero, 1');
  await expect(page.getByTestId('codebook-error')).toBeVisible();
  await expect(page.getByTestId('codebook-error')).toContainText('still in use');
  expect(await app.metrics()).toEqual(before);
  await app.screenshot('typed-codebook-error.png', testInfo);
});
