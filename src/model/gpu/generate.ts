// model (gpu): greedy and seeded sampled generation on the GPU through a KV-cache session, token choice on the CPU exactly as the CPU path makes it.
import { createRng } from '../../lib/rng';
import { type SampleOptions, sampleToken } from '../forward/generate';
import { argmax } from '../forward/ops';
import type { GpuModel } from './model';

/** Options of {@link generateGpu}: SampleOptions (temperature 0 or absent: greedy) plus cancellation and streaming. */
export interface GenerateGpuOptions extends Partial<SampleOptions> {
  /** Checked before every step: an aborted signal stops with its AbortError. */
  readonly signal?: AbortSignal;
  /** Called with each new token as soon as it is chosen. */
  readonly onToken?: (token: number, index: number) => void;
}

/**
 * Feeds the prompt (one submit), then up to `steps` times picks the next token from the logits and
 * feeds it (one submit each): greedy (argmax, the first on ties) at temperature 0, else
 * `sampleToken` with one draw per token from the sfc32 stream seeded by `seed` (default 0). The
 * same rules as greedyGenerate / sampleGenerate in src/model/forward/generate.ts, so the same
 * logits give the same tokens. Returns the new token ids; a token of `stopAt` ends generation and is
 * not returned.
 */
export async function generateGpu(model: GpuModel, prompt: readonly number[], steps: number, options: GenerateGpuOptions = {}): Promise<number[]> {
  const { temperature = 0, topP = 1, seed = 0, stopAt = [], signal, onToken } = options;
  if (prompt.length === 0) throw new RangeError('Generation needs at least one prompt token (usually BOS).');
  if (!(temperature >= 0) || !Number.isFinite(temperature)) throw new RangeError(`Temperature must be a finite number >= 0, got ${temperature}.`);
  if (!(topP > 0 && topP <= 1)) throw new RangeError(`top-p must be in (0, 1], got ${topP}.`);
  const rand = createRng(seed);
  const choose = (logits: Float32Array) => (temperature === 0 ? argmax(logits) : sampleToken(logits, temperature, topP, rand()));
  const session = model.createSession(Math.min(model.config.maxPositions, prompt.length + steps));
  try {
    let logits = await session.feed(prompt);
    const out: number[] = [];
    for (let i = 0; i < steps; i++) {
      signal?.throwIfAborted();
      const next = choose(logits);
      if (stopAt.includes(next)) break;
      out.push(next);
      onToken?.(next, i);
      if (i + 1 < steps) logits = await session.step(next);
    }
    return out;
  } finally {
    session.destroy();
  }
}
