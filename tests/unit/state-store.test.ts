// tests (state layer): spec setters keep the spec valid; the run slice ignores stale responses.
import type { IntFormat, SyntheticSource } from '../../src/spec/schema';
import { describe, expect, it } from 'vitest';
import type { TensorResult } from '../../src/engine/types';
import { experimentSpecSchema } from '../../src/spec/schema';
import { createAppStore } from '../../src/state/store';
import { intFormat } from '../../src/spec/defaults';

const result = { elapsedMs: 1 } as TensorResult;

describe('spec slice', () => {
  it('clamps and rounds values into the schema ranges', () => {
    const store = createAppStore();
    const s = store.getState();
    s.setBits(12);
    s.setOutlierChannels(-3);
    s.setSeed(2.6);
    s.setOutlierScale(5000);
    s.setBlockSize(0);
    const { spec } = store.getState();
    expect((spec.recipe.format as IntFormat).bits).toBe(8);
    expect((spec.source as SyntheticSource).outlierChannels).toBe(0);
    expect((spec.source as SyntheticSource).seed).toBe(3);
    expect((spec.source as SyntheticSource).outlierScale).toBe(1000);
    expect(spec.recipe.granularity.blockSize).toBe(1);
    expect(() => experimentSpecSchema.parse(spec)).not.toThrow();
  });
  it('turns NaN (an emptied input) into the minimum', () => {
    const store = createAppStore();
    store.getState().setBits(Number.NaN);
    expect((store.getState().spec.recipe.format as IntFormat).bits).toBe(2);
  });
  it('keeps untouched parts of the spec by reference (the engine re-runs only on source/recipe changes)', () => {
    const store = createAppStore();
    const before = store.getState().spec;
    store.getState().setLogScale(false);
    const after = store.getState().spec;
    expect(after.view.logScale).toBe(false);
    expect(after.source).toBe(before.source);
    expect(after.recipe).toBe(before.recipe);
  });
  it('new seed gives a valid seed and rejects invalid whole specs', () => {
    const store = createAppStore();
    store.getState().newSeed();
    expect(() => experimentSpecSchema.parse(store.getState().spec)).not.toThrow();
    expect(() => store.getState().setSpec({ ...store.getState().spec, version: 7 } as never)).toThrow();
  });
});

describe('run slice', () => {
  it('follows a run from start to result', () => {
    const store = createAppStore();
    const s = store.getState();
    s.runStarted(1);
    s.runProgress(1, 0.5, 'quantizing on the GPU');
    s.runSlow(1);
    expect(store.getState().run).toMatchObject({ status: 'running', slow: true, progress: { fraction: 0.5 } });
    s.runSucceeded(1, result);
    expect(store.getState().run).toMatchObject({ status: 'done', result, slow: false, progress: null });
  });
  it('ignores answers for superseded runs', () => {
    const store = createAppStore();
    const s = store.getState();
    s.runStarted(1);
    s.runStarted(2);
    s.runSucceeded(1, result);
    s.runCancelled(1);
    s.runFailed(1, 'old');
    expect(store.getState().run).toMatchObject({ status: 'running', id: 2, result: null, error: null });
  });
  it('keeps the last result through errors and cancels', () => {
    const store = createAppStore();
    const s = store.getState();
    s.runStarted(1);
    s.runSucceeded(1, result);
    s.runStarted(2);
    s.runFailed(2, 'The GPU reported an error.');
    expect(store.getState().run).toMatchObject({ status: 'error', result, error: 'The GPU reported an error.' });
    s.runStarted(3);
    s.runCancelled(3);
    expect(store.getState().run).toMatchObject({ status: 'cancelled', result });
    s.runFailed(null, 'The compute engine stopped.');
    expect(store.getState().run.status).toBe('error');
  });
});

describe('format selection', () => {
  it('switches to a registry format and back to the integer settings the user had', () => {
    const store = createAppStore();
    const s = store.getState();
    s.setBits(6);
    s.setIntMode('asym');
    s.setFormat('mxfp4');
    expect(store.getState().spec.recipe.format).toEqual({ kind: 'format', id: 'mxfp4' });
    store.getState().setBits(3); // ignored: MXFP4 has no bits control
    expect(store.getState().spec.recipe.format).toEqual({ kind: 'format', id: 'mxfp4' });
    store.getState().setFormat('int');
    expect(store.getState().spec.recipe.format).toEqual({ ...intFormat(6, 'asym') });
    expect(() => experimentSpecSchema.parse(store.getState().spec)).not.toThrow();
  });
});

describe('presets', () => {
  it('setRecipe applies a preset and keeps its integer settings for later', () => {
    const store = createAppStore();
    store.getState().setRecipe({ format: intFormat(8, 'sym'), granularity: { kind: 'row', blockSize: 64 } });
    store.getState().setFormat('nvfp4');
    store.getState().setFormat('int');
    expect(store.getState().spec.recipe.format).toEqual(intFormat(8, 'sym'));
    expect(() => store.getState().setRecipe({ format: intFormat(12, 'sym'), granularity: { kind: 'row', blockSize: 64 } })).toThrow();
  });
});

describe('integer settings', () => {
  it('adjusts combinations the quantizer refuses instead of producing an invalid spec', () => {
    const store = createAppStore();
    const s = store.getState();
    s.setIntMode('asym');
    s.setBits(1);
    s.setIntMode('sym'); // 1-bit symmetric does not exist: bits rise to 2
    expect((store.getState().spec.recipe.format as IntFormat).bits).toBe(2);
    s.setIntMode('asym-float');
    s.setScaleEncoding('e8m0'); // a float zero point cannot be stored in E8M0: fp32 instead
    expect((store.getState().spec.recipe.format as IntFormat).scale).toBe('fp32');
    s.setClip({ kind: 'percentile', p: 120 });
    expect((store.getState().spec.recipe.format as IntFormat).clip).toEqual({ kind: 'percentile', p: 100 });
    expect(() => experimentSpecSchema.parse(store.getState().spec)).not.toThrow();
  });
});

describe('typed codebook', () => {
  it('is kept across format switches and validated', () => {
    const store = createAppStore();
    store.getState().setFormat('codebook');
    expect(store.getState().spec.recipe.format.kind).toBe('codebook');
    store.getState().setCodebook([-2, 0, 1], 'raw');
    store.getState().setFormat('nf4');
    store.getState().setFormat('codebook');
    expect(store.getState().spec.recipe.format).toEqual({ kind: 'codebook', levels: [-2, 0, 1], scaling: 'raw' });
    expect(() => store.getState().setCodebook([1, 1], 'absmax')).toThrow();
    expect(() => experimentSpecSchema.parse(store.getState().spec)).not.toThrow();
  });
});
