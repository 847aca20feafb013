// tests (model layer): forwardModelFromLoaded turns an opened model folder into a ForwardModel: bare GPT-2 names mapped, buffers skipped, GGUF read whole.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRng, normal } from '../../src/lib/rng';
import { configFromHf, tensorName, type TensorSlot } from '../../src/model/architectures';
import { filesFolder } from '../../src/model/folder';
import { forwardModelFromLoaded } from '../../src/model/forward/fromLoaded';
import { forwardLogits } from '../../src/model/forward/session';
import { loadModel } from '../../src/model/load';
import { encodeSafetensors } from '../../src/model/safetensors';
import { ModelLoadError } from '../../src/model/types';
import { loadGgufModel, mapModel, sharedFixtures } from './forward-models';

const GPT2_CONFIG = { model_type: 'gpt2', vocab_size: 20, n_embd: 8, n_layer: 1, n_head: 2, n_positions: 16 };

/** Seeded GPT-2 tensors under their `transformer.` names, with PyTorch shapes. */
function gpt2Tensors(): Map<string, { shape: number[]; data: Float32Array }> {
  const c = configFromHf(GPT2_CONFIG), rand = createRng(4);
  const h = c.hidden, out = new Map<string, { shape: number[]; data: Float32Array }>();
  const shapes: [TensorSlot, number[]][] = [
    ['embedding', [c.vocabSize, h]], ['position', [c.maxPositions, h]], ['finalNorm', [h]], ['finalNormBias', [h]],
    ['attnNorm', [h]], ['attnNormBias', [h]], ['ffnNorm', [h]], ['ffnNormBias', [h]], ['qkv', [h, 3 * h]], ['qkvBias', [3 * h]],
    ['o', [h, h]], ['oBias', [h]], ['up', [h, c.ffn]], ['upBias', [c.ffn]], ['down', [c.ffn, h]], ['downBias', [h]],
  ];
  for (const [slot, shape] of shapes) {
    out.set(tensorName('gpt2', 'hf', slot, 0), { shape, data: Float32Array.from({ length: shape.reduce((a, b) => a * b) }, () => 0.5 * normal(rand)) });
  }
  return out;
}

function folderOf(tensors: Map<string, { shape: number[]; data: Float32Array }>, config: object) {
  const bytes = encodeSafetensors([...tensors].map(([name, t]) => ({ name, dtype: 'F32' as const, shape: t.shape, data: new Uint8Array(t.data.buffer) })));
  return filesFolder('tiny-gpt2', [new File([bytes], 'model.safetensors'), new File([JSON.stringify(config)], 'config.json')]);
}

describe('forwardModelFromLoaded', () => {
  it('a bare GPT2Model checkpoint (no `transformer.` prefix, an attention-mask buffer) runs like the prefixed one', async () => {
    const tensors = gpt2Tensors();
    const bare = new Map([...tensors].map(([name, t]) => [name.replace(/^transformer\./, ''), t]));
    bare.set('h.0.attn.bias', { shape: [1, 1, 16, 16], data: new Float32Array(256).fill(1) }); // causal mask buffer: not read
    const loaded = await loadModel(folderOf(bare, GPT2_CONFIG));
    const progress: [number, number][] = [];
    const model = await forwardModelFromLoaded(loaded, { onTensor: (done, total) => progress.push([done, total]) });
    expect(progress).toHaveLength(tensors.size);
    expect(progress.at(-1)).toEqual([tensors.size, tensors.size]);
    const reference = mapModel(configFromHf(GPT2_CONFIG), 'hf', new Map([...tensors].map(([name, t]) => [name, t.data])));
    const ids = [1, 7, 19, 0, 3];
    expect(forwardLogits(model, ids)).toEqual(forwardLogits(reference, ids));
    expect(() => model.weight('lm_head.weight')).toThrow(/has no tensor lm_head.weight/);
  });

  it('refuses a model whose architecture the forward pass does not run, saying why', async () => {
    const loaded = await loadModel(folderOf(gpt2Tensors(), { ...GPT2_CONFIG, model_type: 'bert' }));
    const error = await forwardModelFromLoaded(loaded).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelLoadError);
    expect((error as ModelLoadError).code).toBe('unsupported');
    expect((error as Error).message).toMatch(/model type 'bert' is not supported/);
  });

  it('stops at an aborted signal', async () => {
    const loaded = await loadModel(folderOf(gpt2Tensors(), GPT2_CONFIG));
    const controller = new AbortController();
    controller.abort();
    await expect(forwardModelFromLoaded(loaded, { signal: controller.signal })).rejects.toThrow(/abort/i);
  });

  const gguf = path.join(sharedFixtures, 'stories260K/stories260K.gguf');
  if (!existsSync(gguf)) console.warn(`skipping the GGUF forwardModelFromLoaded check: ${gguf} is absent (a clone without ../shared)`);
  it.skipIf(!existsSync(gguf))('stories260K GGUF (dropped file) gives the same logits as the test loader', async () => {
    const loaded = await loadModel(filesFolder('stories260K', [new File([readFileSync(gguf)], 'stories260K.gguf')]));
    const model = await forwardModelFromLoaded(loaded);
    expect(model.naming).toBe('gguf');
    const { model: reference } = await loadGgufModel(gguf);
    expect(forwardLogits(model, [1, 403, 407])).toEqual(forwardLogits(reference, [1, 403, 407]));
  });
});
