// model (gpu): the transformer forward pass encoded on the GPU: chunks of tokens through every block into a KV cache, then the output head; nothing is submitted here.
//
// Same computation as the CPU reference (src/model/forward/session.ts), block by block:
//   h = norm1(x); q, k, v = proj(h) (+ bias); RoPE on q, k; k, v -> cache rows pos0 ..
//   a = o(attention(q, cache)) (+ bias)
//   sequential: x += a; x += mlp(norm2(x))        parallel (GPT-NeoX): x += a + mlp(norm2(x_in))
//   mlp = down(silu(gate h) · up h) or down(gelu(up h + b)) (+ bias)
// A chunk of T tokens runs every linear layer as one [T, k] × [k, n] packed matmul, so a prefill or a
// perplexity window costs a few dispatches per layer, not per token.
import { encodeMatmulPacked } from '../../gpu/kernels/matmulPacked';
import { type GpuRuntime, storageUsage, uploadStorage } from '../../gpu/runtime';
import type { ModelConfig } from '../architectures';
import {
  type Activation, type Encoding, encodeAttention, encodeBiasAct, encodeEmbed, encodeNorm, encodeResidual, encodeSplitRope, encodeSwiglu,
  type HeadSlice, MAX_HEAD_DIM, type RopeTable,
} from './kernels';
import { encodeLinear } from './linearTransforms';
import type { GpuBlock, GpuLinear, GpuNorm, GpuWeights } from './weights';

/** Keys and values of every layer for positions 0 .. capacity − 1: f32[capacity · kvHeads · headDim] per layer. */
export class KvCache {
  readonly keys: GPUBuffer[];
  readonly values: GPUBuffer[];

  constructor(rt: GpuRuntime, config: ModelConfig, readonly capacity: number, label: string) {
    const bytes = capacity * config.kvHeads * config.headDim * 4;
    const limit = rt.device.limits.maxStorageBufferBindingSize;
    if (bytes > limit) {
      throw new RangeError(`A KV cache of ${capacity} positions needs ${bytes} bytes per layer, more than this GPU binds (${limit}); use a shorter context.`);
    }
    const make = (kind: string, layer: number) => rt.device.createBuffer({ label: `${label}.${kind}.${layer}`, size: bytes, usage: storageUsage() });
    this.keys = Array.from({ length: config.layers }, (_, l) => make('keys', l));
    this.values = Array.from({ length: config.layers }, (_, l) => make('values', l));
  }

  /** Frees the buffers once the work already submitted is done. */
  destroyAfter(queue: GPUQueue): void {
    void queue.onSubmittedWorkDone().then(() => { for (const b of [...this.keys, ...this.values]) b.destroy(); });
  }
}

/** Per-chunk activation buffers, f32[chunk rows · width] each. */
interface Activations {
  readonly x: GPUBuffer;
  readonly h: GPUBuffer;
  /** Separate projections: q, k, v outputs; fused: `qkv` holds all three. */
  readonly q: GPUBuffer;
  readonly k: GPUBuffer;
  readonly v: GPUBuffer;
  /** q after bias and RoPE. */
  readonly qr: GPUBuffer;
  readonly att: GPUBuffer;
  readonly o: GPUBuffer;
  readonly gate: GPUBuffer;
  readonly up: GPUBuffer;
  readonly down: GPUBuffer;
  /** The last row of h, the head's input when only the next token's logits are wanted. */
  readonly last: GPUBuffer;
}

/** Tokens per chunk unless the vocabulary forces fewer (the logits of a chunk must fit one binding). */
export const DEFAULT_CHUNK = 128;
/** Most bytes of logits one chunk produces (a quarter of the 256 MiB default buffer limit). */
const LOGITS_BYTES = 64 * 2 ** 20;

/** The forward pass of one model on one device: weights, activation buffers, and encoders. */
export class ForwardEncoder {
  /** Rows per chunk. */
  readonly chunk: number;
  private readonly act: Activations;
  private readonly rope: RopeTable;
  private readonly activation: Activation;

  constructor(readonly rt: GpuRuntime, readonly config: ModelConfig, readonly weights: GpuWeights, maxChunk = DEFAULT_CHUNK) {
    const c = config;
    if (c.headDim > MAX_HEAD_DIM) throw new Error(`The GPU forward pass handles heads of up to ${MAX_HEAD_DIM} dimensions; this model has ${c.headDim}.`);
    const limit = Math.min(rt.device.limits.maxStorageBufferBindingSize, LOGITS_BYTES);
    this.chunk = Math.max(1, Math.min(maxChunk, Math.floor(limit / (c.vocabSize * 4))));
    const qDim = c.heads * c.headDim, kvDim = c.kvHeads * c.headDim;
    const fused = weights.blocks[0]?.qkv.kind !== 'separate';
    const buffer = (width: number, label: string) => rt.device.createBuffer({
      label: `forward.${label}`, size: Math.max(16, this.chunk * width * 4), usage: storageUsage(),
    });
    this.act = {
      x: buffer(c.hidden, 'x'), h: buffer(c.hidden, 'h'),
      q: buffer(fused ? qDim + 2 * kvDim : qDim, fused ? 'qkv' : 'q'), k: buffer(kvDim, 'k'), v: buffer(kvDim, 'v'),
      qr: buffer(qDim, 'q_rope'), att: buffer(qDim, 'attention'), o: buffer(c.hidden, 'o'),
      gate: buffer(c.ffn, 'gate'), up: buffer(c.ffn, 'up'), down: buffer(c.hidden, 'down'),
      last: rt.device.createBuffer({ label: 'forward.last', size: c.hidden * 4, usage: storageUsage() }),
    };
    this.rope = { table: weights.rope, rotaryDim: c.rotaryDim, interleaved: c.ropeStyle === 'interleaved' };
    this.activation = c.activation === 'gelu' ? 'gelu' : c.activation === 'gelu-tanh' ? 'gelu-tanh' : 'none';
  }

  /** Checks token ids and positions like the CPU session does, before anything is encoded. */
  check(tokens: readonly number[], pos0: number, cache: KvCache): void {
    const c = this.config;
    for (const token of tokens) {
      if (!Number.isInteger(token) || token < 0 || token >= c.vocabSize) {
        throw new RangeError(`Token id ${token} is outside this model's vocabulary of ${c.vocabSize} tokens; encode the text with the model's own tokenizer.`);
      }
    }
    const end = pos0 + tokens.length;
    if (end > c.maxPositions) {
      throw new RangeError(`This model accepts at most ${c.maxPositions} positions; shorten the text or use a sliding window (perplexity's context).`);
    }
    if (end > cache.capacity) {
      throw new RangeError(`This session holds ${cache.capacity} positions and ${end} were asked for; start a session with a larger capacity.`);
    }
  }

  /**
   * Encodes tokens (at most `chunk` of them, already checked) at positions pos0 .. through every
   * block, writing their keys and values into `cache`, and leaves the final-normed hidden rows in
   * the returned buffer (f32[rows · hidden], valid until the next chunk is encoded).
   */
  encodeTrunk(e: Encoding, cache: KvCache, tokens: readonly number[], pos0: number): GPUBuffer {
    const { config: c, weights: w, act } = this;
    const rows = tokens.length;
    const tokenBuffer = uploadStorage(this.rt, Uint32Array.from(tokens), 'forward.tokens');
    e.scratch.push(tokenBuffer);
    encodeEmbed(e, tokenBuffer, w.embedding, w.embeddingStride, w.position, w.dummy, act.x, rows, c.hidden, pos0);
    w.blocks.forEach((b, layer) => this.encodeBlock(e, b, cache, layer, rows, pos0));
    this.norm(e, w.finalNorm, act.x, act.h, rows);
    return act.h;
  }

  /** The last of `rows` hidden rows alone (f32[hidden]), for next-token logits only. */
  encodeLastRow(e: Encoding, hidden: GPUBuffer, rows: number): GPUBuffer {
    const bytes = this.config.hidden * 4;
    e.encoder.copyBufferToBuffer(hidden, (rows - 1) * bytes, this.act.last, 0, bytes);
    return this.act.last;
  }

  /** logits = head(hidden rows): a pooled f32[rows · vocab] buffer, in `e.scratch` (released after submit). */
  encodeHead(e: Encoding, hidden: GPUBuffer, rows: number): GPUBuffer {
    const logits = this.rt.pool.acquire(rows * this.config.vocabSize * 4, storageUsage(), 'forward.logits');
    e.scratch.push(logits);
    this.matmul(e, hidden, this.weights.head, logits, rows);
    return logits;
  }

  destroy(): void {
    for (const b of Object.values(this.act)) b.destroy();
  }

  private matmul(e: Encoding, x: GPUBuffer, w: GpuLinear['w'], y: GPUBuffer, rows: number): void {
    e.scratch.push(encodeMatmulPacked(this.rt, e.encoder, x, w, y, rows));
  }

  /** A block projection without its bias: the packed matmul and the recipe transform's steps around it. */
  private linear(e: Encoding, x: GPUBuffer, l: GpuLinear, y: GPUBuffer, rows: number): void {
    encodeLinear(e, x, l.w, l.execution, y, rows, this.weights.dummy);
  }

  private norm(e: Encoding, n: GpuNorm, x: GPUBuffer, y: GPUBuffer, rows: number): void {
    encodeNorm(e, x, n.weight, n.bias, this.weights.dummy, y, rows, this.config.hidden, this.config.normEps);
  }

  private encodeBlock(e: Encoding, b: GpuBlock, cache: KvCache, layer: number, rows: number, pos0: number): void {
    const { config: c, act } = this;
    const dummy = this.weights.dummy;
    const count = rows * c.hidden;
    this.norm(e, b.attnNorm, act.x, act.h, rows);
    const [q, k, v] = this.projectQkv(e, b, rows);
    encodeSplitRope(e, q, this.rope, dummy, act.qr, 0, rows, c.heads, c.headDim, pos0);
    encodeSplitRope(e, k, this.rope, dummy, cache.keys[layer], pos0, rows, c.kvHeads, c.headDim, pos0);
    encodeSplitRope(e, v, { ...this.rope, table: null }, dummy, cache.values[layer], pos0, rows, c.kvHeads, c.headDim, pos0);
    encodeAttention(e, act.qr, cache.keys[layer], cache.values[layer], act.att, rows, c, pos0);
    this.linear(e, act.att, b.o, act.o, rows);
    if (c.parallelResidual) {
      this.norm(e, b.ffnNorm, act.x, act.h, rows);
      this.mlp(e, b, rows);
      encodeResidual(e, act.x, act.o, b.o.bias, dummy, count, c.hidden);
    } else {
      encodeResidual(e, act.x, act.o, b.o.bias, dummy, count, c.hidden);
      this.norm(e, b.ffnNorm, act.x, act.h, rows);
      this.mlp(e, b, rows);
    }
    encodeResidual(e, act.x, act.down, b.down.bias, dummy, count, c.hidden);
  }

  /** Runs the q/k/v projections of h and says where each of q, k, v sits in their outputs. */
  private projectQkv(e: Encoding, b: GpuBlock, rows: number): [HeadSlice, HeadSlice, HeadSlice] {
    const { config: c, act } = this;
    const d = c.headDim, qDim = c.heads * d, kvDim = c.kvHeads * d;
    const qkv = b.qkv;
    if (qkv.kind === 'separate') {
      this.linear(e, act.h, qkv.q, act.q, rows);
      this.linear(e, act.h, qkv.k, act.k, rows);
      this.linear(e, act.h, qkv.v, act.v, rows);
      const slice = (src: GPUBuffer, l: GpuLinear, stride: number): HeadSlice => ({ src, stride, offset: 0, headStride: d, bias: l.bias });
      return [slice(act.q, qkv.q, qDim), slice(act.k, qkv.k, kvDim), slice(act.v, qkv.v, kvDim)];
    }
    this.linear(e, act.h, qkv.qkv, act.q, rows);
    const stride = qDim + 2 * kvDim;
    const slice = (offset: number, headStride: number): HeadSlice => ({ src: act.q, stride, offset, headStride, bias: qkv.qkv.bias });
    return qkv.kind === 'concat'
      ? [slice(0, d), slice(qDim, d), slice(qDim + kvDim, d)]
      // GPT-NeoX views the fused output as [heads, 3, headDim].
      : [slice(0, 3 * d), slice(d, 3 * d), slice(2 * d, 3 * d)];
  }

  /** mlp(h) into act.down (without the down bias, which the residual adds). */
  private mlp(e: Encoding, b: GpuBlock, rows: number): void {
    const { config: c, act } = this;
    if (b.gate) {
      this.linear(e, act.h, b.gate, act.gate, rows);
      this.linear(e, act.h, b.up, act.up, rows);
      encodeSwiglu(e, act.gate, act.up, rows * c.ffn);
      this.linear(e, act.gate, b.down, act.down, rows);
    } else {
      this.linear(e, act.h, b.up, act.up, rows);
      encodeBiasAct(e, act.up, b.up.bias, this.weights.dummy, this.activation, rows * c.ffn, c.ffn);
      this.linear(e, act.up, b.down, act.down, rows);
    }
  }
}
