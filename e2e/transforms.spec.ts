// e2e (webgpu project): the transform step: a Hadamard rotation on a heavy-tailed synthetic tensor cuts the error, equals the CPU reference computed here with src/quant/transforms, and the Outliers view shows its anatomy and the before/after.
import { expect, type Page, test } from '@playwright/test';
import { syntheticMatrix } from '../src/model/synthetic';
import { errorMetrics, errorSums } from '../src/quant/metrics';
import { outlierAnatomy } from '../src/quant/transforms/anatomy';
import { baseQuantizer } from '../src/quant/transforms/base';
import { applyTransform } from '../src/quant/transforms/registry';
import { SYNTHETIC_SPEC } from '../src/spec/defaults';
import { formatChoice } from '../src/spec/formatChoice';
import type { RecipeTransform } from '../src/spec/transformSchema';
import { Playground } from './playground';
import { expectMatchesReference, referenceMetrics, type ReferenceMetrics, type SyntheticSpec } from './reference';

// Tolerances: see expectMatchesReference (sums relative 1e-5, max |error| and bits/weight exact).

/** The synthetic default (1024 × 1024, 4 outlier channels ×10, INT4 sym block 64) with Student-t weights. */
const STUDENT_T: SyntheticSpec = { ...SYNTHETIC_SPEC, source: { ...SYNTHETIC_SPEC.source, distribution: 'student-t' } };

/** The reference metrics of the spec's recipe with a transform step first: applyTransform from src/quant/transforms, measured against x. */
function transformReference(spec: SyntheticSpec, transform: RecipeTransform): ReferenceMetrics {
  const { rows, cols } = spec.source;
  const x = syntheticMatrix(spec.source);
  const { kind, blockSize } = spec.recipe.granularity;
  const quantize = baseQuantizer(formatChoice(spec.recipe), kind, blockSize);
  const r = applyTransform(transform, x, rows, cols, quantize);
  const sums = errorSums(x, r.xhat);
  const gap = Math.sqrt(sums.sumSqSignal) - Math.sqrt(sums.sumSqDequant);
  return {
    ...errorMetrics(sums), bitsPerWeight: r.bitsPerWeight, groupCount: quantize.layout(rows, cols).groupCount, n: x.length,
    normGapShare: sums.sumSqErr > 0 ? (gap * gap) / sums.sumSqErr : 0,
  };
}

/**
 * The app fills the window and scrolls inside its view panel, so a full-page screenshot shows only
 * the window: make the window tall enough for the whole Outliers view, then restore it.
 */
async function screenshotWhole(page: Page, shoot: () => Promise<unknown>): Promise<void> {
  const size = page.viewportSize();
  await page.setViewportSize({ width: size?.width ?? 1280, height: 2700 });
  await expect(page.locator('[data-testid^="chart-"]').first()).toHaveAttribute('data-state', 'ready');
  await shoot();
  if (size) await page.setViewportSize(size);
}

test('Hadamard rotation on Student-t weights with outlier channels: less error, the CPU reference\'s numbers, and the Outliers view', async ({ page }, testInfo) => {
  const app = new Playground(page);
  await app.open('/');
  await app.useSynthetic();
  await page.getByTestId('control-distribution').selectOption('student-t');
  await app.waitForResult();
  const alone = await app.metrics();
  expectMatchesReference(alone, referenceMetrics(STUDENT_T), 'INT4 block 64 alone');

  await test.step('the method select explains each method and its paper on focus', async () => {
    const select = page.getByTestId('control-transform');
    await select.focus();
    await expect(select).toHaveValue('none');
    await select.selectOption('hadamard');
    await expect(page.locator(`#${await select.getAttribute('aria-describedby')}`)).toContainText('QuaRot');
    await expect(page.locator(`#${await select.getAttribute('aria-describedby')}`)).toBeVisible();
  });

  const hadamard: RecipeTransform = { method: 'hadamard', params: { seed: 0 } };
  let rotated = alone;
  await test.step('Hadamard: the error drops and equals applyTransform computed here', async () => {
    await app.waitForResult();
    await expect(page.locator('.chip-recipe')).toHaveText('Hadamard · INT4 sym · block 64');
    const got = await app.metrics();
    rotated = got;
    expectMatchesReference(got, transformReference(STUDENT_T, hadamard), 'Hadamard + INT4 block 64');
    expect(got.sqnrDb).toBeGreaterThan(alone.sqnrDb + 3); // the 10× channels no longer stretch their blocks
    expect(got.bitsPerWeight).toBeCloseTo(alone.bitsPerWeight + 32 / (1024 * 1024), 12); // the seed
    await expect(page.getByTestId('transform-gain-panel')).toContainText('for the format alone (+');
    await app.expectChartDrawn('error');
    await app.screenshot('transforms-hadamard-tensor.png', testInfo);
  });

  await test.step('the Outliers view: anatomy of the input, error with and without the rotation, before/after', async () => {
    await page.getByRole('tab', { name: 'Outliers' }).click();
    await expect(page.getByTestId('outliers-view')).toBeVisible();
    const anatomy = outlierAnatomy(syntheticMatrix(STUDENT_T.source), 1024, 1024);
    const value = async (id: string) => Number(await page.getByTestId(id).getAttribute('data-value'));
    expect(await value('outliers-kurtosis')).toBe(anatomy.kurtosis); // the same f64 code in both places
    expect(await value('outliers-int8-columns')).toBe(anatomy.int8.columns);
    await expect(page.getByTestId('outliers-superweights').locator('tbody tr')).toHaveCount(16);
    expect(await value('transform-sqnr-with')).toBe(rotated.sqnrDb);
    expect(await value('transform-sqnr-without')).toBe(alone.sqnrDb);
    await expect(page.getByTestId('rotation-seeds').locator('tbody tr')).toHaveCount(4);
    for (const chart of ['chart-col-absmax', 'chart-row-absmax', 'chart-col-kurtosis', 'chart-row-kurtosis', 'chart-rotation-histogram']) {
      await expect(page.getByTestId(chart)).toHaveAttribute('data-state', 'ready');
    }
    // two lines (original, rotated) and the dashed threshold on the column profile
    await expect(page.getByTestId('chart-col-absmax').locator('.main-svg .scatterlayer .trace')).toHaveCount(3);
    await screenshotWhole(page, () => app.screenshot('transforms-outliers-hadamard.png', testInfo));
  });

  await test.step('back to no transform: the anatomy alone, and the Tensor view shows the format alone again', async () => {
    await page.getByTestId('control-transform').selectOption('none');
    await app.waitForResult();
    await expect(page.getByTestId('transform-outcome')).toHaveCount(0);
    await expect(page.getByTestId('chart-col-absmax').locator('.main-svg .scatterlayer .trace')).toHaveCount(2); // original + threshold
    await screenshotWhole(page, () => app.screenshot('transforms-outliers-none.png', testInfo));
    await page.getByRole('tab', { name: 'Tensor' }).click();
    expectMatchesReference(await app.metrics(), referenceMetrics(STUDENT_T), 'INT4 block 64 alone again');
  });

  await test.step('low-rank: the rank slider moves by keyboard and the numbers follow the reference', async () => {
    await page.getByTestId('control-transform').selectOption('lowrank');
    await app.waitForResult();
    await page.getByTestId('control-transform-rank').focus();
    await page.keyboard.press('ArrowRight'); // the registry's rank 8 -> 9
    await app.waitForResult();
    await expect(page.locator('.chip-recipe')).toHaveText('low-rank r9 · INT4 sym · block 64');
    const lowRank: RecipeTransform = { method: 'lowrank', params: { rank: 9, order: 'split', factorType: 'fp16', oversample: 8, powerIterations: 2, seed: 0 } };
    const got = await app.metrics();
    expectMatchesReference(got, transformReference(STUDENT_T, lowRank), 'low-rank r9 + INT4');
    expect(got.bitsPerWeight).toBeCloseTo(4.5 + (9 * 2048 * 16) / (1024 * 1024), 12); // the fp16 factors
  });

  await test.step('vector quantization replaces the format: 2-d sub-vectors, 8-bit codes', async () => {
    await page.getByTestId('control-transform').selectOption('vq');
    await app.waitForResult();
    await expect(page.getByText('Vector quantization is its own format')).toBeVisible();
    await expect(page.locator('.chip-recipe')).toHaveText('VQ 2-d · 8-bit codes');
    const got = await app.metrics();
    expectMatchesReference(got, transformReference(STUDENT_T, { method: 'vq', params: { dim: 2, bits: 8, iterations: 10, seed: 0 } }), 'VQ 2-d 8-bit');
    expect(got.bitsPerWeight).toBeCloseTo(4 + (256 * 2 * 16) / (1024 * 1024), 12); // indices + the fp16 codebook
    await app.screenshot('transforms-vq-tensor.png', testInfo);
  });
});
