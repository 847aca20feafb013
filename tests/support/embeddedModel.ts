// tests (support, Node only): the embedded default model opened through our loaders, and its torch reference fixtures.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { filesFolder } from '../../src/model/folder';
import { loadModel, type LoadedModel } from '../../src/model/load';
import { EMBEDDED_MODEL_NAME } from '../../src/spec/defaults';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const MODEL_DIR = path.join(ROOT, 'public/models', EMBEDDED_MODEL_NAME);
const FIXTURE_DIR = path.join(ROOT, 'tests/fixtures', EMBEDDED_MODEL_NAME);

/** public/models/<name>/ as dropped files, opened by loadModel. */
export function loadEmbeddedModel(): Promise<LoadedModel> {
  const files = readdirSync(MODEL_DIR).map((name) => new File([readFileSync(path.join(MODEL_DIR, name))], name));
  return loadModel(filesFolder(EMBEDDED_MODEL_NAME, files));
}

/** The held-out text the app evaluates the embedded model on. */
export const embeddedEvalText = (): string => readFileSync(path.join(MODEL_DIR, 'eval.txt'), 'utf8');

/** What scripts/train-default-model.py computed with torch (tests/fixtures/<name>/reference.json + reference.f32). */
export interface TorchReference {
  readonly vocab_size: number;
  readonly prompts: readonly { readonly text: string; readonly ids: number[]; readonly shape: [number, number]; readonly byte_offset: number }[];
  readonly perplexity: { readonly ids: number[]; readonly context: number; readonly stride: number; readonly mean_nll: number; readonly token_count: number };
}

export function torchReference(): { ref: TorchReference; logits: (prompt: number) => Float32Array } {
  const ref = JSON.parse(readFileSync(path.join(FIXTURE_DIR, 'reference.json'), 'utf8')) as TorchReference;
  const bytes = readFileSync(path.join(FIXTURE_DIR, 'reference.f32'));
  return {
    ref,
    logits: (i) => {
      const p = ref.prompts[i];
      const n = p.shape[0] * p.shape[1];
      return new Float32Array(bytes.buffer.slice(bytes.byteOffset + p.byte_offset, bytes.byteOffset + p.byte_offset + 4 * n));
    },
  };
}
