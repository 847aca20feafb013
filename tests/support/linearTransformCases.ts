// tests (support): the transform cases a model pass executes, the simulated pass they must equal (applyTransform's x̂ as the weights), and the logit comparison both the CPU and GPU tests use.
import { quantizedInModel } from '../../src/engine/modelPair';
import type { ForwardModel } from '../../src/model/forward/weights';
import type { LoadedModel } from '../../src/model/load';
import { baseQuantizer } from '../../src/quant/transforms/base';
import { applyTransform, type TransformSpec } from '../../src/quant/transforms/registry';
import { intFormat } from '../../src/spec/defaults';
import { formatChoice } from '../../src/spec/formatChoice';
import type { Recipe } from '../../src/spec/schema';
import type { RecipeTransform } from '../../src/spec/transformSchema';

/**
 * The base format of every case: INT3 with HQQ's float zero point, blocks of 32 along the input. A
 * float zero point leaves 0 off the grid, so the zeroed kept columns do not dequantize to 0 and the
 * executed split of the input (the kept entries zeroed before the low-bit matmul) is put to the test.
 */
export const INT3: Recipe = { format: intFormat(3, 'asym-float'), granularity: { kind: 'block', blockSize: 32 } };
export const quantize = baseQuantizer(formatChoice(INT3), 'block', 32);

/** Every method the forward pass executes, with parameters that exercise its branch. */
export const EXECUTED: [string, RecipeTransform][] = [
  ['Hadamard, whole input, seeded signs', { method: 'hadamard', params: { seed: 7 } }],
  ['Hadamard, blocks of 32, no signs', { method: 'hadamard', params: { seed: null, block: 32 } }],
  ['8 columns kept in fp16', { method: 'retention', params: { axis: 'column', select: { kind: 'top', count: 8 }, score: 'norm' } }],
  ['6 rows kept in fp16', { method: 'retention', params: { axis: 'row', select: { kind: 'top', count: 6 }, score: 'absmax' } }],
  ['reorder by absmax', { method: 'reorder', params: { by: 'absmax' } }],
  ['low-rank r8 split', { method: 'lowrank', params: { rank: 8 } }],
  ['LoRC r4, fp32 factors', { method: 'lowrank', params: { rank: 4, order: 'lorc', factorType: 'fp32' } }],
];

/** [rows, cols] → [cols, rows]. */
function transpose(x: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(x.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = x[r * cols + c];
  return out;
}

/** Largest |a − b| over the range of b. */
export function rangeError(a: Float32Array, b: Float32Array): number {
  let lo = Infinity, hi = -Infinity, worst = 0;
  for (let i = 0; i < b.length; i++) {
    lo = Math.min(lo, b[i]); hi = Math.max(hi, b[i]);
    worst = Math.max(worst, Math.abs(a[i] - b[i]));
  }
  return worst / (hi - lo);
}

/**
 * The model with applyTransform's x̂ in every block projection and nothing executed: the simulated
 * pass. GPT-2 Conv1D weights [in, out] are transformed as [out, in] and stored back.
 */
export function simulated(loaded: LoadedModel, full: ForwardModel, spec: TransformSpec): ForwardModel {
  const cache = new Map<string, Float32Array>();
  return {
    config: full.config, naming: full.naming,
    weight(name) {
      const t = loaded.summary.tensors.find((e) => e.name === name || `transformer.${e.name}` === name);
      if (!t || !quantizedInModel(name)) return full.weight(name);
      if (!cache.has(name)) {
        const [rows, cols] = t.shape, w = full.weight(name);
        cache.set(name, t.inputAxis === 0
          ? transpose(applyTransform(spec, transpose(w, rows, cols), cols, rows, quantize).xhat, cols, rows)
          : applyTransform(spec, w, rows, cols, quantize).xhat);
      }
      return cache.get(name) as Float32Array;
    },
  };
}

// Executed and simulated passes differ by f32 roundings of a few ulps per layer (see the layer
// test; about 1e-7 of the logit range on these models) while the quantization itself moves logits
// by ~1e-1 of the range and a missing step by more: 1e-5 of the range, the bar the GPU pass meets
// against the CPU reference, separates them.
export const LOGIT_RANGE_TOLERANCE = 1e-5;
