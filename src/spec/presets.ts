// spec: recipe presets named after what people know (libraries and papers), shown at the top of the recipe panel.
import { intFormat } from './defaults';
import { fixedBlockOf } from './formatChoice';
import type { Recipe } from './schema';

export interface Preset {
  readonly id: string;
  readonly label: string;
  /** One line: what it is and where it comes from. */
  readonly description: string;
  readonly recipe: Recipe;
}

const block = (blockSize: number) => ({ kind: 'block' as const, blockSize });

/** The presets, in the order the picker lists them. */
export const PRESETS: readonly Preset[] = Object.freeze([
  { id: 'llama-q4_k', label: 'llama.cpp Q4_K', recipe: { format: { kind: 'format', id: 'q4_k' }, granularity: block(256) },
    description: 'The workhorse of Q4_K_M GGUF files: 256-weight super-blocks with searched 6-bit sub-block scales and mins (4.5 bpw).' },
  { id: 'llama-q4_0', label: 'llama.cpp Q4_0', recipe: { format: { kind: 'format', id: 'q4_0' }, granularity: block(32) },
    description: 'The original 4-bit GGUF block: 32 weights, one fp16 scale (4.5 bpw).' },
  { id: 'llama-q8_0', label: 'llama.cpp Q8_0', recipe: { format: { kind: 'format', id: 'q8_0' }, granularity: block(32) },
    description: '8-bit GGUF blocks of 32 with an fp16 scale (8.5 bpw): near-lossless.' },
  { id: 'bnb-nf4-dq', label: 'bitsandbytes NF4 + double quant', recipe: { format: { kind: 'format', id: 'nf4-dq' }, granularity: block(64) },
    description: 'QLoRA\'s 4-bit NormalFloat in blocks of 64, block scales quantized to 8 bits (load_in_4bit, bnb_4bit_use_double_quant).' },
  { id: 'bnb-nf4', label: 'bitsandbytes NF4', recipe: { format: { kind: 'format', id: 'nf4' }, granularity: block(64) },
    description: 'QLoRA\'s 4-bit NormalFloat, an fp32 absmax per 64 weights.' },
  { id: 'mxfp4', label: 'MXFP4 (OCP)', recipe: { format: { kind: 'format', id: 'mxfp4' }, granularity: block(32) },
    description: 'E2M1 elements with a shared power-of-two scale per 32 (OCP Microscaling v1.0).' },
  { id: 'nvfp4', label: 'NVFP4', recipe: { format: { kind: 'format', id: 'nvfp4' }, granularity: block(16) },
    description: 'E2M1 elements, an E4M3 scale per 16 and an fp32 tensor scale (NVIDIA Blackwell).' },
  { id: 'bitnet-ternary', label: 'BitNet b1.58 ternary', recipe: { format: { kind: 'format', id: 'ternary-bitnet' }, granularity: { kind: 'tensor', blockSize: 64 } },
    description: '{-1, 0, 1} times the tensor\'s mean |W| (Ma et al. 2024, eqs. 1-3), applied here after training.' },
  { id: 'gptq-int4-g128', label: 'GPTQ-style INT4, group 128', recipe: { format: intFormat(4, 'asym'), granularity: block(128) },
    description: 'Round-to-nearest with GPTQ\'s asymmetric integer zero point per 128 weights (without GPTQ\'s error feedback).' },
  { id: 'int8-per-row', label: 'INT8 per output channel', recipe: { format: intFormat(8, 'sym'), granularity: { kind: 'row', blockSize: 64 } },
    description: 'Symmetric absmax INT8 with one scale per row, as in LLM.int8()\'s vector-wise weights.' },
  { id: 'gptq-int4-g128-mse', label: 'INT4 g128 + MSE clip search', recipe: { format: { ...intFormat(4, 'asym'), clip: { kind: 'mse' } }, granularity: block(128) },
    description: 'GPTQ-style INT4 with a per-group search of the clipping ratio (OmniQuant\'s learnable clipping, approximated by a grid).' },
  { id: 'int4-per-tensor', label: 'INT4 per tensor (naive)', recipe: { format: intFormat(4, 'sym'), granularity: { kind: 'tensor', blockSize: 64 } },
    description: 'One scale for the whole tensor: what outliers do to a naive quantizer.' },
] satisfies Preset[]);

/** What decides the numbers: the granularity does not matter to a format that fixes its block. */
function effectiveKey(recipe: Recipe): string {
  return JSON.stringify(fixedBlockOf(recipe) === null ? recipe : recipe.format);
}

/** The preset whose recipe computes the same thing as `recipe`, if any (so the picker shows which one is active). */
export function presetOf(recipe: Recipe): Preset | undefined {
  const key = effectiveKey(recipe);
  return PRESETS.find((p) => effectiveKey(p.recipe) === key);
}
