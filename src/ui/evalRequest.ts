// ui: the engine request an Evaluate form describes (shared by the evaluation and the sensitivity panels).
import type { EvalRequestSettings } from '../engine/protocol';
import type { EvalForm } from '../state/evalSlice';

/** The engine request of the form: the model's context length bounds the window, the stride stays below it. */
export function evalRequest(form: EvalForm, maxPositions: number): EvalRequestSettings {
  const context = Math.min(form.context, maxPositions);
  return {
    text: form.textKind === 'user' ? { kind: 'user', text: form.userText } : { kind: 'bundled' },
    maxTokens: form.maxTokens, context, stride: Math.min(form.stride, context - 1), keepLayers: form.keepLayers,
  };
}

