// model: sliding-window perplexity with the CPU reference forward pass (the Hugging Face "perplexity of fixed-length models" protocol).
import { logSoftmax } from './ops';
import { forwardLogits } from './session';
import type { ForwardModel } from './weights';
import { perplexityWindows, windowRows } from './windows';

export interface PerplexityOptions {
  /** Positions per window, BOS included when `bos` is set; from 2 to the model's maxPositions. */
  readonly context: number;
  /** How far each window starts after the previous one, 1 <= stride <= window's text tokens. */
  readonly stride: number;
  /** Token id put in front of every window (so the first text token is scored too), or null for none. */
  readonly bos: number | null;
}

export interface PerplexityResult {
  /** Mean negative log-likelihood of the scored tokens, nats per token. */
  readonly nll: number;
  /** How many tokens were scored. */
  readonly tokens: number;
  /** exp(nll). */
  readonly ppl: number;
  /** NLL of tokens[i] in nats, Float32Array [tokens.length]; NaN for tokens no window could score. */
  readonly perTokenNll: Float32Array;
}

/**
 * Perplexity of `tokens` (text tokens, no BOS unless it is part of the text) by the sliding-window
 * protocol of Hugging Face's guide "Perplexity of fixed-length models": window w holds text tokens
 * [w * stride, w * stride + room) where room = context - (bos ? 1 : 0), optionally after BOS, and
 * scores only the tokens that no earlier window scored, each predicted from everything before it in
 * its window. So every token is scored exactly once, with at least room - stride tokens of context
 * after the first window. Without BOS the first token of the text is never scored (nothing predicts
 * it), nor is a window's first token when stride = room (as in the guide). context >= text length
 * gives one pass over the whole text. The windows stop at the first one that reaches the end.
 */
export function perplexity(model: ForwardModel, tokens: readonly number[], options: PerplexityOptions): PerplexityResult {
  const vocab = model.config.vocabSize;
  const lead = options.bos === null ? 0 : 1;
  const perTokenNll = new Float32Array(tokens.length).fill(NaN);
  let sum = 0, count = 0;
  for (const w of perplexityWindows(tokens.length, options, model.config.maxPositions)) {
    const logits = forwardLogits(model, windowRows(tokens, w, options.bos).input);
    // Token i sits at window row i - begin + lead and is predicted by the row before it.
    for (let i = w.scoreFrom; i < w.end; i++) {
      const row = i - w.begin + lead - 1;
      const nll = -logSoftmax(logits, row * vocab, vocab)[tokens[i]];
      perTokenNll[i] = nll;
      sum += nll;
      count++;
    }
  }
  const nll = count ? sum / count : NaN;
  return { nll, tokens: count, ppl: Math.exp(nll), perTokenNll };
}
