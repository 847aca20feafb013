// tests (spec + state layers): the Evaluate settings and the open view live in the spec, so a link carries them.
import { describe, expect, it } from 'vitest';
import { DEFAULT_EVALUATION, DEFAULT_SPEC } from '../../src/spec/defaults';
import { decodeLink, encodeLink } from '../../src/spec/link';
import { experimentSpecSchema, MAX_EVAL_TEXT } from '../../src/spec/schema';
import { createAppStore } from '../../src/state/store';

describe('evaluation settings and the open view in the spec', () => {
  it('accepts the defaults, user text up to the limit, and refuses what cannot be run', () => {
    const ok = (evaluation: unknown, view: unknown = DEFAULT_SPEC.view) => experimentSpecSchema.safeParse({ ...DEFAULT_SPEC, view, evaluation }).success;
    expect(ok(undefined)).toBe(true); // old links have no evaluation
    expect(ok(DEFAULT_EVALUATION)).toBe(true);
    expect(ok({ ...DEFAULT_EVALUATION, text: { kind: 'user', text: 'x'.repeat(MAX_EVAL_TEXT) } })).toBe(true);
    expect(ok({ ...DEFAULT_EVALUATION, text: { kind: 'user', text: 'x'.repeat(MAX_EVAL_TEXT + 1) } })).toBe(false);
    expect(ok({ ...DEFAULT_EVALUATION, context: 4 })).toBe(false);
    expect(ok({ ...DEFAULT_EVALUATION, keepLayers: [-1] })).toBe(false);
    expect(ok(undefined, { logScale: true, tab: 'evaluate' })).toBe(true);
    expect(ok(undefined, { logScale: true, tab: 'settings' })).toBe(false);
  });

  it('setters keep the rest of the view and the evaluation, and validate', () => {
    const store = createAppStore();
    const s = () => store.getState();
    s().setViewTab('evaluate');
    s().setLogScale(false);
    expect(s().spec.view).toEqual({ logScale: false, tab: 'evaluate' });
    s().setEvaluation({ maxTokens: 64, keepLayers: [2] });
    expect(s().spec.evaluation).toEqual({ ...DEFAULT_EVALUATION, maxTokens: 64, keepLayers: [2] });
    expect(() => s().setEvaluation({ stride: 0 })).toThrow();
    expect(s().spec.evaluation?.stride).toBe(DEFAULT_EVALUATION.stride);
  });

  it('round-trips through a link with the user\'s text and the open view', async () => {
    const spec = { ...DEFAULT_SPEC, view: { logScale: true, tab: 'evaluate' as const }, evaluation: { ...DEFAULT_EVALUATION, text: { kind: 'user' as const, text: 'Four score and seven years ago' } } };
    const decoded = await decodeLink(await encodeLink(spec));
    expect(decoded).toMatchObject({ spec });
  });
});
