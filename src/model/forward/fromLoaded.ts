// model: a ForwardModel from an opened model folder (LoadedModel): reads every tensor the forward pass uses, mapping bare GPT-2 names to the `transformer.` ones.
import { classifyTensor } from '../architectures';
import type { LoadedModel } from '../load';
import { ModelLoadError } from '../types';
import type { ForwardModel } from './weights';

/** Options of {@link forwardModelFromLoaded}. */
export interface FromLoadedOptions {
  readonly signal?: AbortSignal;
  /** Called after each tensor is read, with the tensors read and the total. */
  readonly onTensor?: (done: number, total: number) => void;
}

/** The name the forward pass uses for a stored tensor: bare HF GPT-2 names get GPT2LMHeadModel's `transformer.` prefix. */
export function forwardName(config: { readonly family: string }, naming: 'hf' | 'gguf', name: string): string {
  const bareGpt2 = config.family === 'gpt2' && naming === 'hf';
  return bareGpt2 && !name.startsWith('transformer.') && !name.startsWith('lm_head.') ? `transformer.${name}` : name;
}

/**
 * Reads the model's weights (every tensor with a known role: embeddings, projections, norms,
 * biases, head; not attention-mask buffers or rotary caches) into memory as f32 and returns them as
 * a ForwardModel. Hugging Face GPT2Model checkpoints store names without GPT2LMHeadModel's
 * `transformer.` prefix (`h.0.attn.c_attn.weight`); they are stored under the prefixed names that
 * tensorName gives. Throws ModelLoadError('unsupported') when the architecture is not one the
 * forward pass runs, and ModelLoadError('not-found') from weight() for a tensor the folder lacks.
 */
export async function forwardModelFromLoaded(loaded: LoadedModel, options: FromLoadedOptions = {}): Promise<ForwardModel> {
  const { summary } = loaded;
  const config = summary.config;
  if (!config) throw new ModelLoadError('unsupported', `${summary.name} cannot be run: ${summary.description}`);
  const naming = summary.format === 'gguf' ? 'gguf' : 'hf';
  const wanted = summary.tensors.filter((t) => classifyTensor(t.name).role !== 'other');
  const weights = new Map<string, Float32Array>();
  for (const [i, t] of wanted.entries()) {
    options.signal?.throwIfAborted();
    const key = forwardName(config, naming, t.name);
    weights.set(key, await loaded.readTensor(t.name, options.signal));
    options.onTensor?.(i + 1, wanted.length);
  }
  return {
    config, naming,
    weight(name) {
      const w = weights.get(name);
      if (!w) throw new ModelLoadError('not-found', `${summary.name} has no tensor ${name}, which a ${config.modelType} model needs. The checkpoint is incomplete or of another architecture.`);
      return w;
    },
  };
}

