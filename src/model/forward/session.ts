// model: the CPU reference transformer forward pass (Llama family, GPT-2, GPT-NeoX), one token at a time with a KV cache.
//
// This is the oracle the GPU kernels are checked against: plain loops, f32 storage, f64 sums.
// A block computes (pre-norm, as all three families do):
//   h = norm1(x); q, k, v = proj(h); RoPE on q, k (or learned positions added to the embedding);
//   a = o(softmax(q k^T / sqrt(headDim), causal) v)
//   sequential: x = x + a; x = x + mlp(norm2(x))      parallel (GPT-NeoX): x = x + a + mlp(norm2(x_in))
//   mlp = down(silu(gate h) * up h) (SwiGLU) or down(gelu(up h)).
import type { ModelConfig } from '../architectures';
import { applyRope, geluErf, geluTanh, layerNorm, rmsNorm, silu, softmax } from './ops';
import { type BlockWeights, type ForwardModel, type NormWeights, type ResolvedWeights, applyLinear, resolveWeights } from './weights';

/** Incremental decoding state: feed tokens one at a time, get the next-token logits after each. */
export interface Session {
  /** How many tokens have been fed (the position the next token takes). */
  readonly position: number;
  /** Feeds one token id and returns the logits for the next token, Float32Array [vocab]. */
  step(token: number): Float32Array;
}

/** Keys or values of one layer for every position so far, [position, kvHeads * headDim], grown by doubling. */
class GrowingRows {
  private data: Float32Array;
  constructor(private readonly width: number) {
    this.data = new Float32Array(width * 16);
  }
  set(row: number, values: Float32Array): void {
    if ((row + 1) * this.width > this.data.length) {
      const bigger = new Float32Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data.set(values, row * this.width);
  }
  get rows(): Float32Array {
    return this.data;
  }
}

function normalize(x: Float32Array, n: NormWeights, c: ModelConfig): Float32Array {
  return n.bias ? layerNorm(x, n.weight, n.bias, c.normEps) : rmsNorm(x, n.weight, c.normEps);
}

/** q [heads*headDim], k and v [kvHeads*headDim] of one token. */
function projectQkv(b: BlockWeights, h: Float32Array, c: ModelConfig): { q: Float32Array; k: Float32Array; v: Float32Array } {
  const qkv = b.qkv;
  if (qkv.kind === 'separate') return { q: applyLinear(qkv.q, h), k: applyLinear(qkv.k, h), v: applyLinear(qkv.v, h) };
  const y = applyLinear(qkv.qkv, h);
  const qDim = c.heads * c.headDim, kvDim = c.kvHeads * c.headDim;
  if (qkv.kind === 'concat') return { q: y.slice(0, qDim), k: y.slice(qDim, qDim + kvDim), v: y.slice(qDim + kvDim) };
  // GPT-NeoX views the fused output as [heads, 3, headDim].
  const q = new Float32Array(qDim), k = new Float32Array(qDim), v = new Float32Array(qDim);
  const d = c.headDim;
  for (let head = 0; head < c.heads; head++) {
    const src = head * 3 * d;
    q.set(y.subarray(src, src + d), head * d);
    k.set(y.subarray(src + d, src + 2 * d), head * d);
    v.set(y.subarray(src + 2 * d, src + 3 * d), head * d);
  }
  return { q, k, v };
}

/**
 * Causal attention of one query position over `length` cached positions. Query head h reads kv
 * head floor(h / (heads / kvHeads)) (grouped-query attention, as HF `repeat_kv` and llama2.c).
 */
function attend(q: Float32Array, keys: Float32Array, values: Float32Array, length: number, c: ModelConfig): Float32Array {
  const d = c.headDim, kvDim = c.kvHeads * d, group = c.heads / c.kvHeads;
  const scale = 1 / Math.sqrt(d);
  const out = new Float32Array(c.heads * d);
  const scores = new Float64Array(length);
  const acc = new Float64Array(d);
  for (let h = 0; h < c.heads; h++) {
    const qBase = h * d, kvBase = Math.floor(h / group) * d;
    for (let t = 0; t < length; t++) {
      const kBase = t * kvDim + kvBase;
      let dot = 0;
      for (let i = 0; i < d; i++) dot += q[qBase + i] * keys[kBase + i];
      scores[t] = dot * scale;
    }
    const p = softmax(scores);
    acc.fill(0);
    for (let t = 0; t < length; t++) {
      const vBase = t * kvDim + kvBase, pt = p[t];
      for (let i = 0; i < d; i++) acc[i] += pt * values[vBase + i];
    }
    for (let i = 0; i < d; i++) out[qBase + i] = acc[i];
  }
  return out;
}

function mlp(b: BlockWeights, h: Float32Array, c: ModelConfig): Float32Array {
  const up = applyLinear(b.up, h);
  if (b.gate) {
    const gate = applyLinear(b.gate, h);
    for (let i = 0; i < up.length; i++) up[i] = silu(gate[i]) * up[i];
  } else {
    const act = c.activation === 'gelu' ? geluErf : geluTanh;
    for (let i = 0; i < up.length; i++) up[i] = act(up[i]);
  }
  return applyLinear(b.down, up);
}

function addInto(x: Float32Array, y: Float32Array): void {
  for (let i = 0; i < x.length; i++) x[i] += y[i];
}

function checkToken(token: number, position: number, c: ModelConfig): void {
  if (!Number.isInteger(token) || token < 0 || token >= c.vocabSize) {
    throw new RangeError(`Token id ${token} is outside this model's vocabulary of ${c.vocabSize} tokens; encode the text with the model's own tokenizer.`);
  }
  if (position >= c.maxPositions) {
    throw new RangeError(`This model accepts at most ${c.maxPositions} positions; shorten the text or use a sliding window (perplexity's context).`);
  }
}

function sessionFrom(w: ResolvedWeights, c: ModelConfig): Session {
  const kvDim = c.kvHeads * c.headDim;
  const keys = w.blocks.map(() => new GrowingRows(kvDim));
  const values = w.blocks.map(() => new GrowingRows(kvDim));
  let position = 0;
  return {
    get position() { return position; },
    step(token: number): Float32Array {
      checkToken(token, position, c);
      const x = w.embedding.slice(token * c.hidden, (token + 1) * c.hidden);
      if (w.position) addInto(x, w.position.subarray(position * c.hidden, (position + 1) * c.hidden));
      w.blocks.forEach((b, layer) => {
        const { q, k, v } = projectQkv(b, normalize(x, b.attnNorm, c), c);
        if (c.positions === 'rope') {
          applyRope(q, c.heads, c.headDim, c.rotaryDim, position, c.ropeTheta, c.ropeStyle);
          applyRope(k, c.kvHeads, c.headDim, c.rotaryDim, position, c.ropeTheta, c.ropeStyle);
        }
        keys[layer].set(position, k);
        values[layer].set(position, v);
        const a = applyLinear(b.o, attend(q, keys[layer].rows, values[layer].rows, position + 1, c));
        if (c.parallelResidual) {
          const m = mlp(b, normalize(x, b.ffnNorm, c), c);
          addInto(x, a);
          addInto(x, m);
        } else {
          addInto(x, a);
          addInto(x, mlp(b, normalize(x, b.ffnNorm, c), c));
        }
      });
      position++;
      return applyLinear(w.head, normalize(x, w.finalNorm, c));
    },
  };
}

/** A fresh decoding session at position 0. Resolves (and size-checks) the weights once. */
export function createSession(model: ForwardModel): Session {
  return sessionFrom(resolveWeights(model), model.config);
}

/**
 * Next-token logits after every prefix of `tokens`: row t holds the logits for token t + 1 given
 * tokens[0..t]. Returns Float32Array [tokens.length, vocab], row-major.
 */
export function forwardLogits(model: ForwardModel, tokens: readonly number[]): Float32Array {
  const session = createSession(model);
  const vocab = model.config.vocabSize;
  const out = new Float32Array(tokens.length * vocab);
  tokens.forEach((token, t) => out.set(session.step(token), t * vocab));
  return out;
}
