// model (gpu): a ForwardModel's weights on the GPU: every linear layer as a packed weight (fp32 or quantized), norms, biases, embedding and position tables, the RoPE table.
import { destroyPacked, type PackedGpuWeights, uploadPacked } from '../../gpu/kernels/matmulPacked';
import { type GpuRuntime, storageUsage } from '../../gpu/runtime';
import { chunksPerRow, dequantizePacked, packDense, PACKED_CHUNK, type PackedWeights } from '../../quant/packed/weights';
import { type ModelConfig, type TensorSlot, tensorName } from '../architectures';
import { checkExecution, type LinearExecution } from '../forward/linearTransforms';
import { type ForwardModel, type Linear, type NormWeights, resolveWeights } from '../forward/weights';
import { destroyExecution, type GpuExecution, uploadExecution } from './linearTransforms';
import { transpose } from '../../lib/matrix';

/** A packed weight and, when the recipe's transform changes the computation, what runs around its product (block projections only). */
export interface PackedLinear extends PackedWeights {
  readonly execution?: LinearExecution | null;
}

/**
 * Turns one linear layer's weight into packed form: `w` is f32[n · k] row-major, [n outputs, k
 * inputs] (GPT-2's Conv1D [in, out] weights arrive already transposed), `name` the tensor's name in
 * the checkpoint (classifyTensor tells its role). Return packDense(w, n, k) for fp32, or
 * packWeights(...) for a quantized recipe, with an `execution` when a transform runs around it.
 */
export type LinearPacker = (name: string, w: Float32Array, n: number, k: number) => PackedLinear;

/** The fp32 model: every linear layer packed as plain f32. */
export const denseLinear: LinearPacker = (_name, w, n, k) => packDense(w, n, k);

/** A linear layer on the GPU: packed weight [outDim, inDim], optional bias f32[outDim], and the transform's execution around the product (or null). */
export interface GpuLinear {
  readonly w: PackedGpuWeights;
  readonly bias: GPUBuffer | null;
  readonly execution: GpuExecution | null;
}

export interface GpuNorm {
  readonly weight: GPUBuffer;
  /** LayerNorm bias; null for RMSNorm. */
  readonly bias: GPUBuffer | null;
}

/** q, k, v projections: separate, or one fused matrix with [q | k | v] ('concat') or per-head ('per-head') columns. */
export type GpuQkv =
  | { readonly kind: 'separate'; readonly q: GpuLinear; readonly k: GpuLinear; readonly v: GpuLinear }
  | { readonly kind: 'concat' | 'per-head'; readonly qkv: GpuLinear };

export interface GpuBlock {
  readonly attnNorm: GpuNorm;
  readonly ffnNorm: GpuNorm;
  readonly qkv: GpuQkv;
  readonly o: GpuLinear;
  readonly gate: GpuLinear | null;
  readonly up: GpuLinear;
  readonly down: GpuLinear;
}

export interface GpuWeights {
  /** The gather table: row v at v · embeddingStride f32. */
  readonly embedding: GPUBuffer;
  readonly embeddingStride: number;
  /** Learned positions f32[maxPositions · hidden], or null. */
  readonly position: GPUBuffer | null;
  /** (cos, sin) f32 pairs [maxPositions, rotaryDim / 2, 2], or null without RoPE. */
  readonly rope: GPUBuffer | null;
  readonly blocks: readonly GpuBlock[];
  readonly finalNorm: GpuNorm;
  /** Output head [vocab, hidden]. */
  readonly head: PackedGpuWeights;
  /** A 16-byte storage buffer bound where a kernel's optional input is absent. */
  readonly dummy: GPUBuffer;
  /** Frees every buffer above. */
  destroy(): void;
}


/**
 * cos and sin of every RoPE angle pos · theta^(−2j / rotaryDim) (pos < maxPositions, j < rotaryDim / 2),
 * computed in f64 as applyRope does and rounded to f32: Float32Array [maxPositions · rotaryDim / 2 · 2].
 */
export function ropeTable(c: ModelConfig): Float32Array {
  const half = c.rotaryDim / 2;
  const out = new Float32Array(c.maxPositions * half * 2);
  for (let j = 0; j < half; j++) {
    const freq = c.ropeTheta ** (-2 * j / c.rotaryDim);
    for (let pos = 0; pos < c.maxPositions; pos++) {
      const angle = pos * freq;
      out[(pos * half + j) * 2] = Math.cos(angle);
      out[(pos * half + j) * 2 + 1] = Math.sin(angle);
    }
  }
  return out;
}

/**
 * Uploads every weight the forward pass reads. Linear layers (and the token embedding, which is
 * also the head when tied) go through `linear`; a block projection runs the execution the packer
 * returns with it, else the one `model` declares (ForwardModel.linearExecution). The gather reads
 * the embedding's dequantized values (bit-identical to dequantizePacked), straight from the packed
 * buffer when it is f32. Throws (ModelLoadError 'corrupt') when a tensor's size does not fit the
 * config, as resolveWeights does.
 */
export function uploadWeights(rt: GpuRuntime, model: ForwardModel, linear: LinearPacker): GpuWeights {
  const c = model.config;
  const resolved = resolveWeights(model);
  const buffers: GPUBuffer[] = [];
  const packed: PackedGpuWeights[] = [];
  const executions: GpuExecution[] = [];
  const f32 = (data: Float32Array, label: string): GPUBuffer => {
    const b = rt.device.createBuffer({ label, size: Math.max(16, data.byteLength), usage: storageUsage() });
    rt.device.queue.writeBuffer(b, 0, data.buffer, data.byteOffset, data.byteLength);
    buffers.push(b);
    return b;
  };
  const name = (slot: TensorSlot, layer = 0) => tensorName(c.family, model.naming, slot, layer);
  const pack = (tensor: string, w: Float32Array, n: number, k: number): [PackedLinear, PackedGpuWeights] => {
    const p = linear(tensor, w, n, k);
    if (p.n !== n || p.k !== k) throw new Error(`The packer returned a ${p.n}×${p.k} weight for ${tensor}, which is ${n}×${k}.`);
    const g = uploadPacked(rt, p, tensor);
    packed.push(g);
    return [p, g];
  };
  const gpuLinear = (l: Linear, slot: TensorSlot, layer: number): GpuLinear => {
    const tensor = name(slot, layer);
    const w = l.conv1d ? transpose(l.w, l.inDim, l.outDim) : l.w;
    const [p, g] = pack(tensor, w, l.outDim, l.inDim);
    const planned = p.execution ?? l.execution;
    let execution: GpuExecution | null = null;
    if (planned) {
      checkExecution(planned, l.outDim, l.inDim, tensor);
      execution = uploadExecution(rt, planned, l.outDim, l.inDim, tensor);
      executions.push(execution);
    }
    return { w: g, bias: l.bias ? f32(l.bias, `${tensor}.bias`) : null, execution };
  };
  /** The embedding and head are gathered and multiplied as stored: a transform there has no execution. */
  const plainPack = (tensor: string, w: Float32Array, n: number, k: number, modelExecution: LinearExecution | null = null): [PackedLinear, PackedGpuWeights] => {
    const result = pack(tensor, w, n, k);
    if (result[0].execution || modelExecution) throw new Error(`The packer returned a transform for ${tensor}: only the projections inside the blocks can carry one; pack the embedding and head as they are.`);
    return result;
  };
  const norm = (n: NormWeights, label: string): GpuNorm => ({
    weight: f32(n.weight, `${label}.weight`), bias: n.bias ? f32(n.bias, `${label}.bias`) : null,
  });

  const [embPacked, embGpu] = plainPack(name('embedding'), resolved.embedding, c.vocabSize, c.hidden);
  const [embedding, embeddingStride] = embPacked.mode === 'f32'
    ? [embGpu.codes, chunksPerRow(c.hidden) * PACKED_CHUNK]
    : [f32(dequantizePacked(embPacked), `${name('embedding')}.dequantized`), c.hidden];
  const head = c.tiedHead ? embGpu : plainPack(name('head'), resolved.head.w, c.vocabSize, c.hidden, resolved.head.execution)[1];

  const blocks = resolved.blocks.map((b, layer): GpuBlock => ({
    attnNorm: norm(b.attnNorm, name('attnNorm', layer)),
    ffnNorm: norm(b.ffnNorm, name('ffnNorm', layer)),
    qkv: b.qkv.kind === 'separate'
      ? { kind: 'separate', q: gpuLinear(b.qkv.q, 'q', layer), k: gpuLinear(b.qkv.k, 'k', layer), v: gpuLinear(b.qkv.v, 'v', layer) }
      : { kind: b.qkv.kind, qkv: gpuLinear(b.qkv.qkv, 'qkv', layer) },
    o: gpuLinear(b.o, 'o', layer),
    gate: b.gate ? gpuLinear(b.gate, 'gate', layer) : null,
    up: gpuLinear(b.up, 'up', layer),
    down: gpuLinear(b.down, 'down', layer),
  }));

  return {
    embedding, embeddingStride,
    position: resolved.position ? f32(resolved.position, name('position')) : null,
    rope: c.positions === 'rope' && c.rotaryDim > 0 ? f32(ropeTable(c), 'forward.rope_table') : null,
    blocks,
    finalNorm: norm(resolved.finalNorm, name('finalNorm')),
    head,
    dummy: f32(new Float32Array(4), 'forward.dummy'),
    destroy() {
      for (const p of packed) destroyPacked(p);
      for (const x of executions) destroyExecution(x);
      for (const b of buffers) b.destroy();
    },
  };
}
