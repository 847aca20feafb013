// e2e (webgpu project): changing a recipe control recomputes on WebGPU: numbers follow the CPU reference and the charts redraw.
import { expect, test } from '@playwright/test';
import { SYNTHETIC_SPEC } from '../src/spec/defaults';
import { Playground } from './playground';
import { expectMatchesReference, referenceMetrics, withRecipe } from './reference';

// Tolerances of every reference comparison: see expectMatchesReference (sums relative 1e-5, max |error| and bits/weight exact).

test('granularity, bits and symmetry recompute numbers and charts', async ({ page }, testInfo) => {
  const app = new Playground(page);
  await app.open('/');
  await app.useSynthetic();
  await app.expectChartDrawn('error');
  const blockSqnr = (await app.metric('sqnr')).value;
  const blockSummary = await app.chartSummary('error');
  const blockBars = await app.chartBars('error');

  const perTensor = withRecipe(SYNTHETIC_SPEC, { granularity: { kind: 'tensor' } });
  await test.step('per-tensor: one scale for all weights, the outlier channels set it, SQNR drops', async () => {
    await app.setGranularity('tensor');
    await app.waitForResult();
    const got = await app.metrics();
    expectMatchesReference(got, referenceMetrics(perTensor), 'INT4 sym per-tensor');
    expect(got.sqnrDb).toBeLessThan(blockSqnr - 3); // ~15 dB -> ~1.5 dB: not a rounding wobble
    expect((await app.metric('groups')).value).toBe(1);
    await expect(page.getByTestId('control-blocksize')).toHaveCount(0); // only offered for per-block
    // the charts follow: the error histogram's range and bars are those of the new result
    await expect.poll(() => app.chartSummary('error')).not.toBe(blockSummary);
    await app.expectChartDrawn('error');
    await expect.poll(() => app.chartBars('error')).not.toEqual(blockBars);
    await app.screenshot('per-tensor-webgpu.png', testInfo);
    await app.expectMetricsReadable(); // after the screenshot, so a failure leaves the picture of it
  });

  await test.step('8 bits: SQNR rises above the 4-bit value', async () => {
    const fourBitSqnr = (await app.metric('sqnr')).value;
    const fourBitBars = await app.chartBars('dequantized');
    await app.setBits(8);
    await app.waitForResult();
    const got = await app.metrics();
    expectMatchesReference(got, referenceMetrics(withRecipe(perTensor, { format: { bits: 8 } })), 'INT8 sym per-tensor');
    expect(got.sqnrDb).toBeGreaterThan(fourBitSqnr + 20); // ~6 dB per bit
    // 255 levels instead of 15: the dequantized histogram fills many more bins
    await expect.poll(() => app.chartBars('dequantized')).not.toEqual(fourBitBars);
  });

  await test.step('asymmetric: a zero point per group costs bits', async () => {
    await app.setGranularity('block'); // back to blocks of 64, where the zero point's cost is visible
    await app.waitForResult();
    await app.setIntMode('Asymmetric (GPTQ)');
    await app.waitForResult();
    const ref = referenceMetrics(withRecipe(SYNTHETIC_SPEC, { format: { bits: 8, mode: 'asym' } }));
    const got = await app.metrics();
    expectMatchesReference(got, ref, 'INT8 asym block 64');
    expect(got.bitsPerWeight).toBe(8 + (32 + 8) / 64); // 8-bit codes + f32 scale + 8-bit zero point per 64
    expect((await app.metric('bpw')).text).toBe('8.625');
  });
});

test('keyboard: ArrowRight on the focused bits slider recomputes', async ({ page }) => {
  const app = new Playground(page);
  await app.open('/');
  await app.useSynthetic();
  await app.expectChartDrawn('original');
  const before = await app.chartSummary('original');

  const bits = page.getByTestId('control-bits');
  await bits.focus();
  await expect(bits).toBeFocused();
  await page.keyboard.press('ArrowRight');
  await expect(bits).toHaveValue('5');
  await expect(bits).toHaveAttribute('aria-valuetext', '5-bit');
  await app.waitForResult();

  const ref = referenceMetrics(withRecipe(SYNTHETIC_SPEC, { format: { bits: 5 } }));
  expectMatchesReference(await app.metrics(), ref, 'INT5 sym block 64 (keyboard)');
  expect((await app.metric('bpw')).text).toBe('5.500');
  // the level lines and their summary follow: 31 levels for 5-bit symmetric instead of 15
  await expect.poll(() => app.chartSummary('original')).not.toBe(before);
  expect(await app.chartSummary('original')).toContain('31 quantization levels');
});
