// model: text generation with the CPU reference forward pass: greedy and seeded temperature / top-p sampling.
import { createRng } from '../../lib/rng';
import { argmax, softmax } from './ops';
import { type Session, createSession } from './session';
import type { ForwardModel } from './weights';

/** Settings of seeded sampling. */
export interface SampleOptions {
  /** Divides the logits; 0 means greedy. */
  readonly temperature: number;
  /** Nucleus sampling (Holtzman et al. 2019): keep the most likely tokens until their mass exceeds topP; 1 or absent keeps all. */
  readonly topP?: number;
  /** Seed of the project's sfc32 generator (src/lib/rng.ts): the same seed gives the same text. */
  readonly seed: number;
  /** Token ids that end generation; the stop token itself is not returned. */
  readonly stopAt?: readonly number[];
}

/** Feeds the prompt (at least one token) and returns the logits after its last token. */
function prefill(session: Session, prompt: readonly number[]): Float32Array {
  if (prompt.length === 0) throw new RangeError('Generation needs at least one prompt token (usually BOS).');
  let logits: Float32Array = new Float32Array(0);
  for (const token of prompt) logits = session.step(token);
  return logits;
}

/** Runs up to `steps` decoding steps with `choose` picking each next token from the logits. */
function decode(
  model: ForwardModel, prompt: readonly number[], steps: number, stopAt: readonly number[], choose: (logits: Float32Array) => number,
): number[] {
  const session = createSession(model);
  let logits = prefill(session, prompt);
  const out: number[] = [];
  for (let i = 0; i < steps; i++) {
    const next = choose(logits);
    if (stopAt.includes(next)) break;
    out.push(next);
    if (i + 1 < steps) logits = session.step(next);
  }
  return out;
}

/**
 * Greedy decoding: after the prompt, `steps` times take the most likely token (the first on ties,
 * as llama2.c). Returns the new token ids (not the prompt), fewer when a token of `stopAt` comes
 * up (it is not returned). llama2.c's `run -n N` with a prompt of p tokens after BOS prints the
 * prompt plus N - p new tokens.
 */
export function greedyGenerate(model: ForwardModel, promptTokens: readonly number[], steps: number, stopAt: readonly number[] = []): number[] {
  return decode(model, promptTokens, steps, stopAt, argmax);
}

/**
 * The token drawn by inverse CDF with uniform `u` in [0, 1) from softmax(logits / temperature),
 * restricted to the nucleus of mass topP (most likely first, ties by lower id; the token that
 * crosses topP is kept, as Holtzman et al. and HF `TopPLogitsWarper`).
 */
export function sampleToken(logits: Float32Array, temperature: number, topP: number, u: number): number {
  if (temperature === 0) return argmax(logits);
  const scaled = new Float64Array(logits.length);
  for (let i = 0; i < logits.length; i++) scaled[i] = logits[i] / temperature;
  const p = softmax(scaled);
  let order = Array.from(p.keys());
  let mass = 1;
  if (topP < 1) {
    order.sort((a, b) => p[b] - p[a] || a - b);
    let kept = 0, cumulative = 0;
    while (kept < order.length && cumulative <= topP) cumulative += p[order[kept++]];
    order = order.slice(0, kept);
    mass = cumulative;
  }
  let cdf = 0;
  const target = u * mass;
  for (const id of order) {
    cdf += p[id];
    if (target < cdf) return id;
  }
  return order[order.length - 1]; // u * mass rounded up to the total
}

/**
 * Seeded sampling: after the prompt, `steps` times draw the next token with `sampleToken` from one
 * sfc32 stream seeded by `options.seed` (one uniform per token). Returns the new token ids.
 */
export function sampleGenerate(model: ForwardModel, promptTokens: readonly number[], steps: number, options: SampleOptions): number[] {
  const { temperature, topP = 1, seed, stopAt = [] } = options;
  if (!(temperature >= 0) || !Number.isFinite(temperature)) throw new RangeError(`Temperature must be a finite number >= 0, got ${temperature}.`);
  if (!(topP > 0 && topP <= 1)) throw new RangeError(`top-p must be in (0, 1], got ${topP}.`);
  const rand = createRng(seed);
  return decode(model, promptTokens, steps, stopAt, (logits) => sampleToken(logits, temperature, topP, rand()));
}
