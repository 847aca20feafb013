// model (gpu): encoders of the forward-pass kernels (shaders/forward_*.wgsl): embedding gather, norms, q/k/v split with RoPE, attention, pointwise steps, logit statistics.
import { grid2d, MAX_GROUPS_PER_DIM } from '../../gpu/dispatch';
import { encodePass, type GpuRuntime, uploadUniform } from '../../gpu/runtime';
import { f32Bits } from '../../lib/f32';

const WG = 256;

/**
 * Where an encoder leaves the uniform buffers it creates: pooled buffers the caller releases with
 * `rt.pool.releaseAfterSubmit(scratch)` once the command buffer is submitted.
 */
export type Scratch = GPUBuffer[];

/** The context every encoder needs: runtime, the open command encoder and the scratch list. */
export interface Encoding {
  readonly rt: GpuRuntime;
  readonly encoder: GPUCommandEncoder;
  readonly scratch: Scratch;
}

function pass(
  e: Encoding, shader: string, entry: string, constants: Record<string, number>, fields: number[],
  bindings: Record<number, GPUBuffer>, groups: [number, number],
): void {
  if (groups[0] > MAX_GROUPS_PER_DIM || groups[1] > MAX_GROUPS_PER_DIM) {
    throw new Error(`${shader}.${entry}: ${groups.join(' × ')} workgroups exceed the ${MAX_GROUPS_PER_DIM} per dimension WebGPU allows; use fewer tokens per chunk.`);
  }
  const uniform = uploadUniform(e.rt, fields, `${shader}.${entry}.params`);
  e.scratch.push(uniform);
  encodePass(e.rt, e.encoder, e.rt.pipelines.get(shader, entry, constants), { 0: uniform, ...bindings }, groups);
}

/**
 * x[t, :] = emb row tokens[t] (rows `embStride` f32 apart) + pos row pos0 + t when `pos` is given:
 * tokens u32[rows], x f32[rows · hidden]. Twin of the embedding lookup in Session.step.
 */
export function encodeEmbed(
  e: Encoding, tokens: GPUBuffer, emb: GPUBuffer, embStride: number, pos: GPUBuffer | null, dummy: GPUBuffer,
  x: GPUBuffer, rows: number, hidden: number, pos0: number,
): void {
  pass(e, 'forward_embed', 'gather', { LEARNED: pos ? 1 : 0 }, [rows, hidden, embStride, pos0],
    { 1: tokens, 2: emb, 3: pos ?? dummy, 4: x }, [Math.ceil(hidden / WG), rows]);
}

/** y = RMSNorm(x) · weight, or LayerNorm when `bias` is given; x, y f32[rows · n]. Twin of rmsNorm / layerNorm. */
export function encodeNorm(
  e: Encoding, x: GPUBuffer, weight: GPUBuffer, bias: GPUBuffer | null, dummy: GPUBuffer, y: GPUBuffer, rows: number, n: number, eps: number,
): void {
  pass(e, 'forward_norm', 'norm', { LAYER: bias ? 1 : 0 }, [rows, n, f32Bits(eps), 0],
    { 1: x, 2: weight, 3: bias ?? dummy, 4: y }, [rows, 1]);
}

/** Where one of q, k, v sits in a projection's output rows (see shaders/forward_rope.wgsl). */
export interface HeadSlice {
  readonly src: GPUBuffer;
  /** f32 per row of `src`. */
  readonly stride: number;
  /** Column of head 0, dim 0. */
  readonly offset: number;
  /** Columns from one head to the next. */
  readonly headStride: number;
  /** The projection's bias (same columns as `src`), or null. */
  readonly bias: GPUBuffer | null;
}

/** RoPE settings of a model; rotaryDim 0 (or a null table) turns it off. */
export interface RopeTable {
  readonly table: GPUBuffer | null;
  readonly rotaryDim: number;
  readonly interleaved: boolean;
}

/**
 * dst row dstRow0 + t = RoPE(slice of row t + bias) at position pos0 + t, for `heads` heads of
 * `headDim`: dst f32[.., heads · headDim]. Twin of projectQkv + applyRope.
 */
export function encodeSplitRope(
  e: Encoding, s: HeadSlice, rope: RopeTable, dummy: GPUBuffer, dst: GPUBuffer, dstRow0: number,
  rows: number, heads: number, headDim: number, pos0: number,
): void {
  const rotary = rope.table ? rope.rotaryDim : 0;
  pass(e, 'forward_rope', 'split_rope', { BIAS: s.bias ? 1 : 0 },
    [rows, heads, headDim, s.stride, s.offset, s.headStride, dstRow0, pos0, rotary, rope.interleaved ? 1 : 0, 0, 0],
    { 1: s.src, 2: s.bias ?? dummy, 3: rope.table ?? dummy, 4: dst }, [Math.ceil(heads * headDim / WG), rows]);
}

/** Shape of the attention heads. */
export interface HeadShape {
  readonly heads: number;
  readonly kvHeads: number;
  readonly headDim: number;
}

/** Largest head size the attention kernel handles (one thread per dimension of a 256-thread workgroup). */
export const MAX_HEAD_DIM = WG;

/**
 * out[t] = causal attention of q row t (position pos0 + t) over cache rows 0 ..= pos0 + t:
 * q, out f32[rows · heads · headDim]; keys, values f32[capacity · kvHeads · headDim]. Twin of `attend`.
 */
export function encodeAttention(
  e: Encoding, q: GPUBuffer, keys: GPUBuffer, values: GPUBuffer, out: GPUBuffer, rows: number, shape: HeadShape, pos0: number,
): void {
  const { heads, kvHeads, headDim } = shape;
  pass(e, 'forward_attention', 'attend', {}, [rows, heads, kvHeads, headDim, pos0, f32Bits(1 / Math.sqrt(headDim)), 0, 0],
    { 1: q, 2: keys, 3: values, 4: out }, [heads, rows]);
}

/** Activation of `encodeBiasAct`: none, GELU tanh (gelu_new), exact GELU. */
export type Activation = 'none' | 'gelu-tanh' | 'gelu';
const ACT_INDEX: Readonly<Record<Activation, number>> = { none: 0, 'gelu-tanh': 1, gelu: 2 };

function elementwise(
  e: Encoding, entry: string, constants: Record<string, number>, count: number, n: number, bindings: Record<number, GPUBuffer>,
): void {
  const groups = grid2d(Math.ceil(count / WG));
  pass(e, 'forward_elementwise', entry, constants, [count, n, groups[0], 0], bindings, groups);
}

/** y[i] = act(y[i] + bias[i % n]) in place, y f32[count]. Twin of a biased linear's output through geluTanh / geluErf. */
export function encodeBiasAct(e: Encoding, y: GPUBuffer, bias: GPUBuffer | null, dummy: GPUBuffer, act: Activation, count: number, n: number): void {
  elementwise(e, 'bias_act', { ACT: ACT_INDEX[act], BIAS: bias ? 1 : 0 }, count, n, { 1: y, 2: bias ?? dummy });
}

/** gate[i] = silu(gate[i]) · up[i] in place, f32[count]. Twin of the SwiGLU step of `mlp`. */
export function encodeSwiglu(e: Encoding, gate: GPUBuffer, up: GPUBuffer, count: number): void {
  elementwise(e, 'swiglu', {}, count, 1, { 1: gate, 3: up });
}

/** x[i] += branch[i] + bias[i % n], f32[count]. Twin of `addInto` after a biased linear. */
export function encodeResidual(e: Encoding, x: GPUBuffer, branch: GPUBuffer, bias: GPUBuffer | null, dummy: GPUBuffer, count: number, n: number): void {
  elementwise(e, 'residual', { BIAS: bias ? 1 : 0 }, count, n, { 1: x, 2: bias ?? dummy, 3: branch });
}

/** u32 words per row written by {@link encodeRowStats}: argmax, lse bits, nll bits. */
export const ROW_STATS_WORDS = 3;
/** u32 words per row written by {@link encodeKlRows}: argmax a, argmax b, lse a, lse b, nll a, nll b, KL, 0. */
export const KL_ROW_WORDS = 8;

/**
 * Per-row log-softmax statistics of logits f32[rows · vocab] into out rows row0 .. row0 + rows − 1
 * ({@link ROW_STATS_WORDS} u32 each); targets i32[≥ row0 + rows], −1 for none. Twin of logSoftmax / argmax.
 */
export function encodeRowStats(
  e: Encoding, logits: GPUBuffer, targets: GPUBuffer, out: GPUBuffer, rows: number, vocab: number, row0: number,
): void {
  pass(e, 'forward_logits', 'row_stats', {}, [rows, vocab, row0, 0], { 1: logits, 3: targets, 4: out }, [rows, 1]);
}

/**
 * Per-row comparison of reference logits `a` with logits `b` (both f32[rows · vocab]) into out rows
 * row0 .. ({@link KL_ROW_WORDS} u32 each). Twin of the per-position terms of compareDistributions.
 */
export function encodeKlRows(
  e: Encoding, a: GPUBuffer, b: GPUBuffer, targets: GPUBuffer, out: GPUBuffer, rows: number, vocab: number, row0: number,
): void {
  pass(e, 'forward_logits', 'kl_rows', {}, [rows, vocab, row0, 0], { 1: a, 2: b, 3: targets, 4: out }, [rows, 1]);
}
