// tests (ui layer): the source chip, the view's explanation sentence and the status sentence.
import { describe, expect, it } from 'vitest';
import type { TensorResult } from '../../src/engine/types';
import { SYNTHETIC_SPEC as DEFAULT_SPEC, intFormat } from '../../src/spec/defaults';
import type { ExperimentSpec } from '../../src/spec/schema';
import { INITIAL_RUN } from '../../src/state/runSlice';
import { explainSpec, sourceLabel } from '../../src/ui/describe';
import { statusText } from '../../src/ui/status';

const withGranularity = (kind: ExperimentSpec['recipe']['granularity']['kind'], blockSize = 64): ExperimentSpec => ({
  ...DEFAULT_SPEC, recipe: { ...DEFAULT_SPEC.recipe, granularity: { kind, blockSize } },
});

describe('sourceLabel', () => {
  it('describes the default source', () => {
    expect(sourceLabel(DEFAULT_SPEC.source)).toBe('Synthetic 1024×1024 · Gaussian · 4 outlier ch.');
  });
  it('says when there are no outliers', () => {
    expect(sourceLabel({ ...DEFAULT_SPEC.source, outlierChannels: 0 })).toContain('no outliers');
  });
});

describe('explainSpec', () => {
  it('explains the default view and suggests per-tensor', () => {
    const s = explainSpec(DEFAULT_SPEC);
    expect(s).toMatch(/^A 1024×1024 synthetic Gaussian weight matrix with 4 outlier input channels/);
    expect(s).toContain('4-bit integers in blocks of 64');
    expect(s).toContain('Try per-tensor');
  });
  it('covers every granularity, and blocks wider than a row', () => {
    expect(explainSpec(withGranularity('tensor'))).toContain('one scale for the whole tensor');
    expect(explainSpec(withGranularity('row'))).toContain('one scale per row');
    expect(explainSpec(withGranularity('column'))).toContain('one scale per input column');
    expect(explainSpec(withGranularity('block', 4096))).toContain('acts as per-row');
  });
  it('names asymmetric formats', () => {
    const spec = { ...DEFAULT_SPEC, recipe: { ...DEFAULT_SPEC.recipe, format: intFormat(3, 'asym') } };
    expect(explainSpec(spec)).toContain('3-bit asymmetric integers');
  });
});

describe('statusText', () => {
  const result = { backend: 'webgpu', quantizedOn: 'webgpu', elapsedMs: 42.2 } as TensorResult;
  it('says where and how fast a result was computed', () => {
    expect(statusText({ ...INITIAL_RUN, status: 'done', result }, null)).toBe('Computed on WebGPU in 42 ms');
  });
  it('says so when a format was quantized on the CPU for lack of a kernel', () => {
    const cpuQuant = { ...result, quantizedOn: 'cpu' } as TensorResult;
    expect(statusText({ ...INITIAL_RUN, status: 'done', result: cpuQuant }, null)).toMatch(/^Quantized on the CPU reference .*no WebGPU kernel.*42 ms$/);
  });
  it('explains a registry format with its block', () => {
    const spec = { ...DEFAULT_SPEC, recipe: { ...DEFAULT_SPEC.recipe, format: { kind: 'format' as const, id: 'nvfp4' as const } } };
    expect(explainSpec(spec)).toContain('quantized to NVFP4');
    expect(explainSpec(spec)).toContain('fixed blocks of 16');
  });
  it('shows the stage while running', () => {
    const run = { ...INITIAL_RUN, status: 'running' as const, progress: { fraction: 0.3, stage: 'quantizing on the GPU' } };
    expect(statusText(run, null)).toBe('Quantizing on the GPU…');
  });
  it('shows the error message', () => {
    expect(statusText({ ...INITIAL_RUN, status: 'error', error: 'Boom. Reload.' }, null)).toBe('Boom. Reload.');
  });
});

describe('model sources in words', () => {
  const model = { kind: 'hub', repo: 'openai-community/gpt2', revision: 'main' } as const;
  const tensor = { name: 'transformer.h.3.mlp.c_fc.weight', dtype: 'F32', shape: [768, 3072], params: 768 * 3072, bytes: 4 * 768 * 3072, role: 'mlp-up', layer: 3, quantizable: true, inputAxis: 0 } as const;
  const result = { subject: { kind: 'model', tensor, model: { name: 'openai-community/gpt2@main' } } } as unknown as TensorResult;
  const spec: ExperimentSpec = { ...DEFAULT_SPEC, source: { kind: 'model', model, tensor: null } };
  it('names the model and the resolved tensor in the chip', () => {
    expect(sourceLabel(spec.source)).toBe('openai-community/gpt2@main · default tensor');
    expect(sourceLabel(spec.source, result)).toBe('openai-community/gpt2@main · transformer.h.3.mlp.c_fc.weight');
  });
  it('says what the tensor is, and that GPT-2 Conv1D rows are input channels', () => {
    expect(explainSpec(spec)).toBe('Opening the default tensor of openai-community/gpt2@main…');
    const otherModel: ExperimentSpec = { ...spec, source: { kind: 'model', model: { kind: 'embedded', name: 'x' }, tensor: null } };
    expect(explainSpec(otherModel, result)).toBe('Opening the default tensor of x…'); // the old model's result says nothing about x
    expect(sourceLabel(otherModel.source, result)).toBe('x · default tensor');
    const s = explainSpec(spec, result);
    expect(s).toMatch(/^The MLP up projection of block 3 of openai-community\/gpt2@main \(transformer\.h\.3\.mlp\.c_fc\.weight, 768×3072, stored as F32\)/);
    expect(s).toContain('rows are input channels');
    expect(s).toContain('blocks of 64');
  });
});

describe('transform steps in words', () => {
  const withStep = (transform: ExperimentSpec['recipe']['transform']): ExperimentSpec => ({ ...DEFAULT_SPEC, recipe: { ...DEFAULT_SPEC.recipe, transform } });
  it('says the rotation comes before the format, and that VQ replaces the format', () => {
    expect(explainSpec(withStep({ method: 'hadamard', params: { seed: 0 } }))).toMatch(/outlier input channels \(×10\), rotated by a randomized Hadamard matrix first \(QuaRot; .*\), quantized to 4-bit integers in blocks of 64/);
    const vq = explainSpec(withStep({ method: 'vq', params: { dim: 4, bits: 8 } }));
    expect(vq).toContain('replaced by vector quantization: every 4 consecutive weights of a row stored as one of 2^8 codewords');
    expect(vq).not.toContain('4-bit integers');
  });
  it('names the transform and where it ran in the status line', () => {
    const r = { backend: 'webgpu', quantizedOn: 'cpu', elapsedMs: 1200, transform: { label: 'Hadamard rotation', gpuSteps: ['Hadamard rotation', 'error statistics'] } } as unknown as TensorResult;
    expect(statusText({ ...INITIAL_RUN, status: 'done', result: r }, null)).toBe('Computed with hadamard rotation in 1.2 s (the rest on the CPU reference; on WebGPU: Hadamard rotation, error statistics)');
  });
});
