// engine: a model and its quantized copy for a model pass: the full-precision ForwardModel, the same with the recipe applied to every block projection, and the packer giving the GPU pass the same weights (pure: no GPU imports).
import { classifyTensor } from '../model/architectures';
import { forwardModelFromLoaded } from '../model/forward/fromLoaded';
import type { ForwardModel } from '../model/forward/weights';
import type { LinearPacker } from '../model/gpu/weights';
import type { LoadedModel } from '../model/load';
import { bitsPerWeightOf, type FormatChoice, layoutFor, quantizeWith } from '../quant/apply';
import { packDense, packWeights } from '../quant/packed';
import { formatChoice } from '../spec/formatChoice';
import type { Recipe } from '../spec/schema';

/** Tensor roles the recipe quantizes in a model pass: the projections inside the blocks (embedding and head stay f32). */
const QUANTIZED_ROLES = new Set(['attn-q', 'attn-k', 'attn-v', 'attn-qkv', 'attn-o', 'mlp-up', 'mlp-gate', 'mlp-down']);

/** Whether the recipe applies to tensor `name` in a model pass. */
export function quantizedInModel(name: string): boolean {
  return QUANTIZED_ROLES.has(classifyTensor(name).role);
}

/**
 * Quantizes a linear weight in nn.Linear orientation [n = out, k = in], groups along the input
 * dimension (as GPTQ and llama.cpp do), returning the dequantized weight.
 */
function quantizeLinear(w: Float32Array, n: number, k: number, choice: FormatChoice, recipe: Recipe): Float32Array {
  return quantizeWith(w, layoutFor(choice, n, k, recipe.granularity.kind, recipe.granularity.blockSize), choice).xhat;
}

/** [rows, cols] row-major → [cols, rows]. */
function transpose(x: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(x.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = x[r * cols + c];
  return out;
}

/** Which tensors a model pass quantizes: by default every block projection (quantizedInModel). */
export type TensorFilter = (name: string) => boolean;

/**
 * The same model as `full` with the recipe applied to the tensors `applies` selects (for the CPU
 * pass: dequantized weights, in stored layout; cached per tensor), and the packer that gives the
 * GPU pass the same weights packed (low-bit codes where the format has them, else the dequantized
 * f32). Counts the quantized tensors, their weights and their weighted bits per weight.
 */
export function quantizedVariant(loaded: LoadedModel, full: ForwardModel, recipe: Recipe, applies: TensorFilter = quantizedInModel) {
  const choice = formatChoice(recipe);
  const wanted = (name: string) => quantizedInModel(name) && applies(name);
  const infoOf = (name: string) => loaded.summary.tensors.find((t) => t.name === name || `transformer.${t.name}` === name);
  let params = 0, bits = 0, count = 0;
  for (const t of loaded.summary.tensors) {
    if (!t.quantizable || !wanted(t.name)) continue;
    const [n, k] = t.inputAxis === 0 ? [t.shape[1], t.shape[0]] : [t.shape[0], t.shape[1]];
    const layout = layoutFor(choice, n, k, recipe.granularity.kind, recipe.granularity.blockSize);
    params += t.params;
    bits += bitsPerWeightOf(choice, t.params, layout.groupCount) * t.params;
    count++;
  }
  const cache = new Map<string, Float32Array>();
  const quantized: ForwardModel = {
    config: full.config,
    naming: full.naming,
    weight(name) {
      const w = full.weight(name);
      const info = infoOf(name);
      if (!wanted(name) || !info || info.shape.length !== 2) return w;
      let q = cache.get(name);
      if (!q) {
        const [rows, cols] = info.shape;
        // GPT-2 Conv1D stores [in, out]: quantize it as [out, in] like every other linear layer.
        q = info.inputAxis === 0 ? transpose(quantizeLinear(transpose(w, rows, cols), cols, rows, choice, recipe), cols, rows) : quantizeLinear(w, rows, cols, choice, recipe);
        cache.set(name, q);
      }
      return q;
    },
  };
  const packer: LinearPacker = (name, w, n, k) => {
    if (!wanted(name)) return packDense(w, n, k);
    try {
      return packWeights(w, n, k, choice, recipe.granularity.kind, recipe.granularity.blockSize);
    } catch {
      return packDense(quantizeLinear(w, n, k, choice, recipe), n, k); // formats without a code-and-scale form (NUPES, PTQTP)
    }
  };
  return { quantized, packer, quantizedTensors: count, quantizedParams: params, bitsPerWeight: params > 0 ? bits / params : 0 };
}

/** The full-precision model read from `loaded` and its quantized variant (see quantizedVariant). */
export async function modelPair(
  loaded: LoadedModel, recipe: Recipe, applies: TensorFilter = quantizedInModel, signal?: AbortSignal, onTensor?: (done: number, total: number) => void,
) {
  const full = await forwardModelFromLoaded(loaded, { signal, onTensor });
  return { full, ...quantizedVariant(loaded, full, recipe, applies) };
}
