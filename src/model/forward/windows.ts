// model: the sliding windows of the perplexity protocol (what each window feeds and scores), for passes that run window by window such as the GPU one.
import type { PerplexityOptions } from './perplexity';

/** One window: text tokens [begin, end) fed after the optional BOS; tokens [scoreFrom, end) are scored. */
export interface PerplexityWindow {
  readonly begin: number;
  readonly end: number;
  readonly scoreFrom: number;
}

/**
 * The windows `perplexity` (src/model/forward/perplexity.ts) walks for `length` text tokens: window
 * w holds [w · stride, w · stride + room) with room = context − (bos ? 1 : 0), scores the tokens no
 * earlier window scored (never its first token without BOS), and the walk stops at the first window
 * that reaches the end. Throws RangeError for a context outside 2 .. maxPositions or a stride that
 * would skip tokens, with the same messages as `perplexity`.
 */
export function perplexityWindows(length: number, options: PerplexityOptions, maxPositions: number): PerplexityWindow[] {
  const { context, stride, bos } = options;
  const lead = bos === null ? 0 : 1;
  const room = context - lead;
  if (!Number.isInteger(context) || context < 2 || context > maxPositions) {
    throw new RangeError(`The context must be an integer from 2 to the model's ${maxPositions} positions, got ${context}.`);
  }
  if (!Number.isInteger(stride) || stride < 1 || stride > room) {
    throw new RangeError(`The stride must be an integer from 1 to ${room} (the window's text tokens), got ${stride}; a larger stride would skip tokens.`);
  }
  const windows: PerplexityWindow[] = [];
  for (let begin = 0, scoredEnd = 0; scoredEnd < length; begin += stride) {
    const end = Math.min(begin + room, length);
    windows.push({ begin, end, scoreFrom: Math.max(scoredEnd, begin + 1 - lead) });
    scoredEnd = end;
  }
  return windows;
}

/**
 * What one window feeds the model and scores: `input` = [BOS,] tokens[begin, end) and, per input
 * row, the id of the token that row predicts when that token is scored, else −1 (Int32Array
 * [input.length]). Row r predicts the token at input row r + 1.
 */
export function windowRows(tokens: readonly number[], w: PerplexityWindow, bos: number | null): { input: number[]; targets: Int32Array } {
  const lead = bos === null ? 0 : 1;
  const text = tokens.slice(w.begin, w.end);
  const input = bos === null ? text : [bos, ...text];
  const targets = new Int32Array(input.length).fill(-1);
  for (let i = w.scoreFrom; i < w.end; i++) targets[i - w.begin + lead - 1] = tokens[i];
  return { input, targets };
}
