// ui: the engine request the spec's Evaluate settings describe (shared by the evaluation and the sensitivity panels).
import type { EvalRequestSettings } from '../engine/protocol';
import type { Evaluation } from '../spec/schema';

/** The engine request of the form: the model's context length bounds the window, the stride stays below it. */
export function evalRequest(e: Evaluation, maxPositions: number): EvalRequestSettings {
  const context = Math.min(e.context, maxPositions);
  return { text: e.text, maxTokens: e.maxTokens, context, stride: Math.min(e.stride, context - 1), keepLayers: e.keepLayers };
}

