// model: the weights of a model resolved by name into typed blocks for the CPU reference forward pass, with shape checks.
import { type ModelConfig, type TensorNaming, type TensorSlot, tensorName } from '../architectures';
import { ModelLoadError } from '../types';
import { checkExecution, executeLinear, type LinearExecution } from './linearTransforms';
import { matVec, vecMat } from './ops';

/**
 * A model for the CPU forward pass: its architecture, the naming scheme of its tensors, and the
 * weights already decoded to f32 (row-major, PyTorch shape order). `weight(name)` gets names from
 * `tensorName` (HF GPT-2 names with the `transformer.` prefix) and throws when the tensor is absent.
 */
export interface ForwardModel {
  readonly config: ModelConfig;
  readonly naming: TensorNaming;
  weight(name: string): Float32Array;
  /**
   * What runs around the product with linear weight `name` when the recipe's transform changes the
   * computation (an input rotation, fp16 columns, a low-rank branch, ...); absent or null: y = W x.
   */
  linearExecution?(name: string): LinearExecution | null;
}

/** A projection y = W x + b, stored [outDim, inDim] (linear) or [inDim, outDim] (GPT-2 Conv1D). */
export interface Linear {
  readonly w: Float32Array;
  readonly bias: Float32Array | null;
  readonly inDim: number;
  readonly outDim: number;
  readonly conv1d: boolean;
  /** The transform's execution around the product (linearTransforms.ts), or null. */
  readonly execution: LinearExecution | null;
}

/** Applies a projection to one vector: Float32Array [inDim] -> [outDim]. */
export function applyLinear(l: Linear, x: Float32Array): Float32Array {
  if (!l.execution) return l.conv1d ? vecMat(x, l.w, l.inDim, l.outDim, l.bias) : matVec(l.w, x, l.outDim, l.inDim, l.bias);
  const product = (v: Float32Array) => (l.conv1d ? vecMat(v, l.w, l.inDim, l.outDim) : matVec(l.w, v, l.outDim, l.inDim));
  const y = executeLinear(l.execution, x, product);
  if (l.bias) for (let i = 0; i < y.length; i++) y[i] += l.bias[i];
  return y;
}

/** RMSNorm (bias null) or LayerNorm parameters. */
export interface NormWeights { readonly weight: Float32Array; readonly bias: Float32Array | null }

/**
 * Attention input projections: separate q/k/v, or one fused matrix whose output is [q | k | v]
 * ('concat': GPT-2, GGUF attn_qkv) or per head [q_h | k_h | v_h] ('per-head': GPT-NeoX).
 */
export type QkvWeights =
  | { readonly kind: 'separate'; readonly q: Linear; readonly k: Linear; readonly v: Linear }
  | { readonly kind: 'concat' | 'per-head'; readonly qkv: Linear };

export interface BlockWeights {
  readonly attnNorm: NormWeights;
  readonly ffnNorm: NormWeights;
  readonly qkv: QkvWeights;
  readonly o: Linear;
  /** SwiGLU gate (Llama family); null for GPT-2 / GPT-NeoX. */
  readonly gate: Linear | null;
  readonly up: Linear;
  readonly down: Linear;
}

export interface ResolvedWeights {
  /** [vocab, hidden]. */
  readonly embedding: Float32Array;
  /** Learned positions [maxPositions, hidden]; null with RoPE. */
  readonly position: Float32Array | null;
  readonly blocks: readonly BlockWeights[];
  readonly finalNorm: NormWeights;
  /** The output head [vocab, hidden] (the embedding itself when tied). */
  readonly head: Linear;
}

/** Looks up tensors of one model and checks their sizes, naming the tensor in every error. */
class Resolver {
  constructor(private readonly model: ForwardModel) {}

  tensor(slot: TensorSlot, layer: number, length: number): Float32Array {
    const { config, naming } = this.model;
    const name = tensorName(config.family, naming, slot, layer);
    const data = this.model.weight(name);
    if (data.length !== length) {
      throw new ModelLoadError('corrupt',
        `Tensor ${name} has ${data.length} values but a ${config.modelType} model with this configuration needs ${length}. ` +
        'The weights do not match the configuration; check that both come from the same model.');
    }
    return data;
  }

  linear(slot: TensorSlot, biasSlot: TensorSlot | null, layer: number, inDim: number, outDim: number): Linear {
    const { config, naming } = this.model;
    const name = tensorName(config.family, naming, slot, layer);
    const execution = this.model.linearExecution?.(name) ?? null;
    if (execution) checkExecution(execution, outDim, inDim, name);
    return {
      w: this.tensor(slot, layer, inDim * outDim),
      bias: biasSlot ? this.tensor(biasSlot, layer, outDim) : null,
      inDim, outDim,
      conv1d: config.family === 'gpt2' && naming === 'hf',
      execution,
    };
  }

  norm(slot: TensorSlot, biasSlot: TensorSlot, layer: number): NormWeights {
    const { hidden, norm } = this.model.config;
    return { weight: this.tensor(slot, layer, hidden), bias: norm === 'layer' ? this.tensor(biasSlot, layer, hidden) : null };
  }
}

function resolveBlock(r: Resolver, c: ModelConfig, naming: TensorNaming, layer: number): BlockWeights {
  const qDim = c.heads * c.headDim;
  const kvDim = c.kvHeads * c.headDim;
  const biased = c.family !== 'llama';
  const bias = (slot: TensorSlot) => (biased ? slot : null);
  const qkv: QkvWeights = c.family === 'llama'
    ? {
      kind: 'separate',
      q: r.linear('q', c.qkvBias ? 'qBias' : null, layer, c.hidden, qDim),
      k: r.linear('k', c.qkvBias ? 'kBias' : null, layer, c.hidden, kvDim),
      v: r.linear('v', c.qkvBias ? 'vBias' : null, layer, c.hidden, kvDim),
    }
    : { kind: c.family === 'gpt-neox' && naming === 'hf' ? 'per-head' : 'concat', qkv: r.linear('qkv', 'qkvBias', layer, c.hidden, qDim + 2 * kvDim) };
  return {
    attnNorm: r.norm('attnNorm', 'attnNormBias', layer),
    ffnNorm: r.norm('ffnNorm', 'ffnNormBias', layer),
    qkv,
    o: r.linear('o', bias('oBias'), layer, qDim, c.hidden),
    gate: c.family === 'llama' ? r.linear('gate', null, layer, c.hidden, c.ffn) : null,
    up: r.linear('up', bias('upBias'), layer, c.hidden, c.ffn),
    down: r.linear('down', bias('downBias'), layer, c.ffn, c.hidden),
  };
}

/** Every weight the forward pass reads, fetched once and size-checked against the config. */
export function resolveWeights(model: ForwardModel): ResolvedWeights {
  const c = model.config;
  const r = new Resolver(model);
  const embedding = r.tensor('embedding', 0, c.vocabSize * c.hidden);
  const head: Linear = c.tiedHead
    ? { w: embedding, bias: null, inDim: c.hidden, outDim: c.vocabSize, conv1d: false, execution: null }
    : { ...r.linear('head', null, 0, c.hidden, c.vocabSize), conv1d: false };
  return {
    embedding,
    position: c.positions === 'learned' ? r.tensor('position', 0, c.maxPositions * c.hidden) : null,
    blocks: Array.from({ length: c.layers }, (_, layer) => resolveBlock(r, c, model.naming, layer)),
    finalNorm: r.norm('finalNorm', 'finalNormBias', 0),
    head,
  };
}
