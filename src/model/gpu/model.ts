// model (gpu): a model ready to run on the GPU: logits of a sequence, per-token scores computed on the GPU, and generation sessions with a KV cache; one submit per call.
import { withErrorScopes } from '../../gpu/device';
import { readBuffers } from '../../gpu/readback';
import { type GpuRuntime, storageUsage, uploadStorage } from '../../gpu/runtime';
import type { ModelConfig } from '../architectures';
import type { ForwardModel } from '../forward/weights';
import { DEFAULT_CHUNK, ForwardEncoder, KvCache } from './forward';
import { type Encoding, encodeRowStats, ROW_STATS_WORDS } from './kernels';
import { denseLinear, type LinearPacker, uploadWeights } from './weights';

/** Per-position results of {@link GpuModel.score}, computed on the GPU from the logits. */
export interface RowScores {
  /** −log p(target) in nats, Float32Array [tokens]; NaN where the target was −1. */
  readonly nll: Float32Array;
  /** Most likely next token of each position (the first on ties), Int32Array [tokens]. */
  readonly top1: Int32Array;
}

/** Incremental decoding on the GPU: a KV cache of `capacity` positions, fed one or more tokens per call. */
export interface GpuSession {
  /** Tokens fed so far (the position the next one takes). */
  readonly position: number;
  /** Positions the KV cache holds. */
  readonly capacity: number;
  /** Feeds tokens (one submit) and returns the next-token logits after the last one, Float32Array [vocab]. */
  feed(tokens: readonly number[]): Promise<Float32Array>;
  /** feed([token]). */
  step(token: number): Promise<Float32Array>;
  /** Back to position 0 (the cache is overwritten as tokens come). */
  reset(): void;
  /** Frees the KV cache. */
  destroy(): void;
}

/** Options of {@link createGpuModel}. */
export interface GpuModelOptions {
  /** Most tokens per chunk of the forward pass (activation memory grows with it); default 128. */
  readonly maxChunk?: number;
  /** Label prefix of GPU objects (e.g. 'fp32', 'q4'), so validation errors name the model. */
  readonly label?: string;
}

/** A model on the GPU. Every call encodes its whole work into one command buffer and submits it once. */
export interface GpuModel {
  readonly config: ModelConfig;
  /** The device and helpers it runs on. */
  readonly rt: GpuRuntime;
  /**
   * Next-token logits after every prefix of `tokens` (positions 0 .. T − 1, a fresh context):
   * Float32Array [T, vocab], row t for the token after tokens[t]. Reads back T · vocab floats.
   */
  forward(tokens: readonly number[]): Promise<Float32Array>;
  /**
   * Runs `tokens` from position 0 and scores row t against targets[t] (a token id, or −1 for none)
   * on the GPU: only the NLL and the top token of each row come back.
   */
  score(tokens: readonly number[], targets: ArrayLike<number>): Promise<RowScores>;
  /** A generation session with its own KV cache (default capacity: min(maxPositions, 2048)). */
  createSession(capacity?: number): GpuSession;
  /** Frees the weights and buffers (sessions must be destroyed separately). */
  destroy(): void;
}

/** The implementation behind {@link GpuModel}; its encoders serve multi-model jobs such as compareGpu. */
export class GpuForwardModel implements GpuModel {
  readonly config: ModelConfig;
  /** @internal */
  readonly forwardEncoder: ForwardEncoder;
  private readonly label: string;
  /** The context cache of forward() and score(), grown on demand. */
  private cache: KvCache | null = null;

  constructor(readonly rt: GpuRuntime, model: ForwardModel, linear: LinearPacker = denseLinear, options: GpuModelOptions = {}) {
    this.config = model.config;
    this.label = options.label ?? 'model';
    const weights = uploadWeights(rt, model, linear);
    try {
      this.forwardEncoder = new ForwardEncoder(rt, model.config, weights, options.maxChunk ?? DEFAULT_CHUNK);
    } catch (e) {
      weights.destroy();
      throw e;
    }
  }

  /** @internal A KV cache of at least `positions` rows for a context starting at 0. */
  contextCache(positions: number): KvCache {
    if (!this.cache || this.cache.capacity < positions) {
      this.cache?.destroyAfter(this.rt.device.queue);
      const capacity = Math.min(this.config.maxPositions, Math.max(positions, 2 * (this.cache?.capacity ?? 0), 64));
      this.cache = new KvCache(this.rt, this.config, capacity, `${this.label}.context`);
    }
    return this.cache;
  }

  /**
   * @internal Encodes `tokens` at pos0 .. chunk by chunk (checked first); `onChunk` gets each
   * chunk's final hidden rows (valid until the next chunk) with its first row's index in `tokens`.
   * Returns the last chunk's hidden rows and their count.
   */
  encodeChunks(
    e: Encoding, cache: KvCache, tokens: readonly number[], pos0: number, onChunk: (hidden: GPUBuffer, rows: number, row0: number) => void = () => {},
  ): { hidden: GPUBuffer; rows: number } {
    const f = this.forwardEncoder;
    f.check(tokens, pos0, cache);
    let last = { hidden: f.weights.dummy, rows: 0 };
    for (let row0 = 0; row0 < tokens.length; row0 += f.chunk) {
      const part = tokens.slice(row0, row0 + f.chunk);
      last = { hidden: f.encodeTrunk(e, cache, part, pos0 + row0), rows: part.length };
      onChunk(last.hidden, last.rows, row0);
    }
    return last;
  }

  /** @internal Runs `encode` in one command encoder, submits it, and reads back `outputs`. */
  async submit(what: string, encode: (e: Encoding) => GPUBuffer[]): Promise<ArrayBuffer[]> {
    return withErrorScopes(this.rt.device, `${this.label}: ${what}`, async () => {
      const e: Encoding = { rt: this.rt, encoder: this.rt.device.createCommandEncoder({ label: `${this.label}.${what}` }), scratch: [] };
      try {
        return await readBuffers(this.rt.device, e.encoder, encode(e));
      } finally {
        void this.rt.pool.releaseAfterSubmit(e.scratch);
      }
    });
  }

  async forward(tokens: readonly number[]): Promise<Float32Array> {
    const vocab = this.config.vocabSize;
    requireTokens(tokens);
    const limit = this.rt.device.limits.maxBufferSize;
    if (tokens.length * vocab * 4 > limit) {
      throw new RangeError(`The logits of ${tokens.length} tokens (${tokens.length * vocab * 4} bytes) exceed this GPU's largest buffer (${limit} bytes); `
        + 'use score() for per-token statistics, or fewer tokens per call.');
    }
    const cache = this.contextCache(tokens.length);
    const [bytes] = await this.submit('forward', (e) => {
      const out = this.rt.pool.acquire(tokens.length * vocab * 4, storageUsage(), 'forward.all_logits');
      e.scratch.push(out);
      this.encodeChunks(e, cache, tokens, 0, (hidden, rows, row0) => {
        const logits = this.forwardEncoder.encodeHead(e, hidden, rows);
        e.encoder.copyBufferToBuffer(logits, 0, out, row0 * vocab * 4, rows * vocab * 4);
      });
      return [out];
    });
    return new Float32Array(bytes, 0, tokens.length * vocab);
  }

  async score(tokens: readonly number[], targets: ArrayLike<number>): Promise<RowScores> {
    const vocab = this.config.vocabSize;
    const targetIds = checkTargets(tokens, targets, vocab);
    const cache = this.contextCache(tokens.length);
    const [bytes] = await this.submit('score', (e) => {
      const targetBuffer = uploadStorage(this.rt, new Uint32Array(targetIds.buffer, 0, targetIds.length), 'forward.targets');
      const out = this.rt.pool.acquire(tokens.length * ROW_STATS_WORDS * 4, storageUsage(), 'forward.row_stats');
      e.scratch.push(targetBuffer, out);
      this.encodeChunks(e, cache, tokens, 0, (hidden, rows, row0) => {
        encodeRowStats(e, this.forwardEncoder.encodeHead(e, hidden, rows), targetBuffer, out, rows, vocab, row0);
      });
      return [out];
    });
    const words = new Uint32Array(bytes, 0, tokens.length * ROW_STATS_WORDS);
    const floats = new Float32Array(words.buffer, 0, words.length);
    const nll = new Float32Array(tokens.length), top1 = new Int32Array(tokens.length);
    for (let t = 0; t < tokens.length; t++) {
      top1[t] = words[t * ROW_STATS_WORDS];
      nll[t] = floats[t * ROW_STATS_WORDS + 2];
    }
    return { nll, top1 };
  }

  createSession(capacity = Math.min(this.config.maxPositions, 2048)): GpuSession {
    if (!Number.isInteger(capacity) || capacity < 1 || capacity > this.config.maxPositions) {
      throw new RangeError(`A session holds 1 to ${this.config.maxPositions} positions (the model's limit), got ${capacity}.`);
    }
    const cache = new KvCache(this.rt, this.config, capacity, `${this.label}.session`);
    let position = 0;
    const feed = async (tokens: readonly number[]): Promise<Float32Array> => {
      requireTokens(tokens);
      const pos0 = position;
      this.forwardEncoder.check(tokens, pos0, cache);
      // Encoding happens now, before the first await: calls made back to back stay in order.
      const pending = this.submit('step', (e) => {
        const { hidden, rows } = this.encodeChunks(e, cache, tokens, pos0);
        return [this.forwardEncoder.encodeHead(e, this.forwardEncoder.encodeLastRow(e, hidden, rows), 1)];
      });
      position = pos0 + tokens.length;
      const [bytes] = await pending;
      return new Float32Array(bytes, 0, this.config.vocabSize);
    };
    return {
      get position() { return position; },
      capacity,
      feed,
      step: (token) => feed([token]),
      reset() { position = 0; },
      destroy: () => cache.destroyAfter(this.rt.device.queue),
    };
  }

  destroy(): void {
    this.cache?.destroyAfter(this.rt.device.queue);
    this.cache = null;
    const { forwardEncoder } = this;
    void this.rt.device.queue.onSubmittedWorkDone().then(() => {
      forwardEncoder.destroy();
      forwardEncoder.weights.destroy();
    });
  }
}

function requireTokens(tokens: readonly number[]): void {
  if (tokens.length === 0) throw new RangeError('The forward pass needs at least one token (usually BOS).');
}

/** targets as i32 ids checked against the vocabulary (−1: no target). */
function checkTargets(tokens: readonly number[], targets: ArrayLike<number>, vocab: number): Int32Array {
  requireTokens(tokens);
  if (targets.length !== tokens.length) throw new RangeError(`Need one target per token (−1 for none): ${targets.length} targets for ${tokens.length} tokens.`);
  const ids = Int32Array.from(targets);
  ids.forEach((id, t) => {
    if (id !== targets[t] || id < -1 || id >= vocab) throw new RangeError(`Target ${targets[t]} at position ${t} is not a token id of this ${vocab}-token vocabulary (or −1 for none).`);
  });
  return ids;
}

/**
 * Uploads `model` with each linear layer packed by `linear` (fp32 by default, or any recipe of
 * src/quant/packed, chosen per tensor name) and returns it ready to run on `rt`'s device.
 */
export function createGpuModel(rt: GpuRuntime, model: ForwardModel, linear: LinearPacker = denseLinear, options: GpuModelOptions = {}): GpuModel {
  return new GpuForwardModel(rt, model, linear, options);
}
