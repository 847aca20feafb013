// tests (spec + state layers): model sources in the spec (hub, embedded, local references) and switching between model and synthetic.
import { describe, expect, it } from 'vitest';
import { DEFAULT_SYNTHETIC_SOURCE, EMBEDDED_MODEL_SOURCE, SYNTHETIC_SPEC } from '../../src/spec/defaults';
import { experimentSpecSchema, type ModelRef } from '../../src/spec/schema';
import { createAppStore } from '../../src/state/store';

const withModel = (model: unknown, tensor: string | null = null) =>
  experimentSpecSchema.safeParse({ ...SYNTHETIC_SPEC, source: { kind: 'model', model, tensor } });

describe('model sources in the spec', () => {
  it('accepts hub, GGUF-in-hub, embedded and local references', () => {
    const ok: ModelRef[] = [
      { kind: 'hub', repo: 'HuggingFaceTB/SmolLM2-135M', revision: 'main' },
      { kind: 'hub', repo: 'ggml-org/models', revision: 'a1b2c3d', file: 'tinyllamas/stories260K.gguf' },
      { kind: 'embedded', name: 'lowbit-tiny-llama' },
      { kind: 'local', name: 'model.gguf', bytes: 10, sha256: 'ab'.repeat(32) },
      { kind: 'local', name: 'huge.safetensors', bytes: 2 ** 33 },
    ];
    for (const m of ok) expect(withModel(m, 'model.layers.0.mlp.down_proj.weight').success).toBe(true);
  });
  it('rejects repo ids, revisions and files that are not what they claim', () => {
    const bad: unknown[] = [
      { kind: 'hub', repo: 'no-slash', revision: 'main' },
      { kind: 'hub', repo: 'a/b/c', revision: 'main' },
      { kind: 'hub', repo: '../etc/passwd', revision: 'main' },
      { kind: 'hub', repo: 'a/b', revision: 'main?x=1' },
      { kind: 'hub', repo: 'a/b', revision: 'main', file: 'model.safetensors' },
      { kind: 'embedded', name: 'Has Spaces' },
      { kind: 'local', name: 'x.gguf', bytes: -1 },
      { kind: 'local', name: 'x.gguf', bytes: 1, sha256: 'XYZ' },
    ];
    for (const m of bad) expect(withModel(m).success, JSON.stringify(m)).toBe(false);
    expect(withModel({ kind: 'embedded', name: 'x' }, '').success).toBe(false);
  });
});

describe('source switching in the store', () => {
  it('keeps the synthetic settings and the model across switches, and setTensor only applies to models', () => {
    const store = createAppStore();
    const s = () => store.getState();
    s().setSourceKind('synthetic');
    s().setSeed(42);
    s().setSourceKind('model');
    expect(s().spec.source).toEqual(EMBEDDED_MODEL_SOURCE);
    s().setTensor('model.layers.1.self_attn.q_proj.weight');
    expect(s().spec.source).toMatchObject({ kind: 'model', tensor: 'model.layers.1.self_attn.q_proj.weight' });
    s().setSourceKind('synthetic');
    expect(s().spec.source).toEqual({ ...DEFAULT_SYNTHETIC_SOURCE, seed: 42 });
    s().setTensor('ignored');
    expect(s().spec.source.kind).toBe('synthetic');
    s().setSourceKind('model');
    expect(s().spec.source).toMatchObject({ tensor: 'model.layers.1.self_attn.q_proj.weight' });
  });
  it('opens a new model at its default tensor, and a synthetic setter switches back to the synthetic tensor', () => {
    const store = createAppStore();
    const s = () => store.getState();
    s().setModel({ kind: 'hub', repo: 'a/b', revision: 'main' });
    expect(s().spec.source).toEqual({ kind: 'model', model: { kind: 'hub', repo: 'a/b', revision: 'main' }, tensor: null });
    expect(() => s().setModel({ kind: 'hub', repo: 'nope', revision: 'main' })).toThrow();
    s().setOutlierChannels(7);
    expect(s().spec.source).toMatchObject({ kind: 'synthetic', outlierChannels: 7 });
  });
});
