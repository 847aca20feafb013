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
  if (first.size > MAX_HASHED_BYTES) {
    registry.set(name, files);
    return { kind: 'local', name, bytes };
  }
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', await first.arrayBuffer()));
  const sha256 = [...digest].map((b) => b.toString(16).padStart(2, '0')).join('');
  LOCAL_HASHES.set(files, sha256);
  registry.set(name, files);
  return { kind: 'local', name, bytes, sha256 };
}

/** The sha256 of each registered file set's weights, so opening a reference can check it is the same file. */
const LOCAL_HASHES = new WeakMap<readonly File[], string>();

/** The registered files for `ref`, refusing files whose hash is not the reference's (a different file with the same name). */
export function localFilesFor(ref: Extract<ModelRef, { kind: 'local' }>, registry: ReadonlyMap<string, readonly File[]>): readonly File[] {
  const files = registry.get(ref.name);
  if (!files) throw new ModelLoadError('not-found', `This experiment uses your local file ${ref.name}, which this page does not have. Drop the same file (it is checked by its sha256) to continue.`);
  const sha256 = LOCAL_HASHES.get(files);
  if (ref.sha256 && sha256 !== ref.sha256) {
    throw new ModelLoadError('not-found', `The ${ref.name} you dropped is not the file this experiment was made with (sha256 ${sha256 ?? 'not computed'}, expected ${ref.sha256}). Drop the original file.`);
  }
  return files;
}
