// engine: takes the files a user dropped, names the model they form and hashes its weights so a link can ask for the same file.
import { ModelLoadError } from '../model/types';
import type { ModelRef } from '../spec/schema';

/** Files up to this size are hashed (crypto.subtle needs the whole file in memory). */
export const MAX_HASHED_BYTES = 1 << 30;

const isWeights = (f: File) => f.name.endsWith('.gguf') || f.name.endsWith('.safetensors');

/**
 * Registers `files` in `registry` under a model name (the GGUF's or first weights file's name) and
 * returns the reference a spec uses: name, total weight bytes and the sha256 of the first weights file.
 */
export async function attachLocalFiles(
  files: readonly File[], registry: Map<string, readonly File[]>,
): Promise<Extract<ModelRef, { kind: 'local' }>> {
  const weights = files.filter(isWeights).sort((a, b) => a.name.localeCompare(b.name));
  if (weights.length === 0) {
    const names = files.map((f) => f.name).join(', ') || 'nothing';
    throw new ModelLoadError('not-found', `You dropped ${names}, but a model needs a .gguf file or .safetensors weights (with config.json and tokenizer.json).`);
  }
  const first = weights[0];
  const name = weights.length === 1 ? first.name : `${first.name} (+${weights.length - 1} more)`;
  const bytes = weights.reduce((a, f) => a + f.size, 0);
  registry.set(name, files);
  if (first.size > MAX_HASHED_BYTES) return { kind: 'local', name, bytes };
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', await first.arrayBuffer()));
  return { kind: 'local', name, bytes, sha256: [...digest].map((b) => b.toString(16).padStart(2, '0')).join('') };
}
