// engine: the open models of a session (one load per model, shared by every run) and the tensor a run needs, as a matrix.
import type { RangeCache } from '../model/cache';
import { localFilesFor } from './localFiles';
import { hubFolder, filesFolder, urlFolder, type ModelFolder } from '../model/folder';
import { createHubClient } from '../model/hub';
import { defaultTensor, loadModel, type LoadedModel, type ModelSummary, type TensorInfo } from '../model/load';
import { ModelLoadError, type ByteProgressFn } from '../model/types';
import type { ModelRef, ModelSource } from '../spec/schema';

/** Largest tensor the tensor view quantizes at once (elements); bigger ones get a clear message. */
export const MAX_TENSOR_ELEMENTS = 64 * 1024 * 1024;

/** Where models come from: hub settings (the token lives only here, in memory), the embedded models' URL, dropped files. */
export interface ModelEnvironment {
  hubHost: string;
  hubToken: string | null;
  /** URL of public/models/ ("/models/" in the app), ending with '/'. */
  readonly embeddedBase: string;
  /** Dropped file sets by their local model name. */
  readonly localFiles: Map<string, readonly File[]>;
  readonly fetchFn?: typeof fetch;
  /** Browser cache of hub range reads (null in Node or when the Cache API is unavailable). */
  readonly cache?: RangeCache | null;
}

/** A model's tensor as the 2-D matrix a recipe quantizes: stored row-major shape [rows, cols]. */
export interface ModelMatrix {
  readonly x: Float32Array;
  readonly rows: number;
  readonly cols: number;
  readonly tensor: TensorInfo;
  readonly summary: ModelSummary;
}

/** A stable key for a model reference (the cache key of its load). */
export function modelKey(ref: ModelRef): string {
  switch (ref.kind) {
    case 'embedded': return `embedded:${ref.name}`;
    case 'hub': return `hub:${ref.repo}@${ref.revision}${ref.file ? `/${ref.file}` : ''}`;
    case 'local': return `local:${ref.name}`;
  }
}

/**
 * Opens models once and keeps the most recent ones (directories only; tensor data is read when a
 * run needs it, and only the last tensor is kept). Loads are shared by runs: a newer run for the
 * same model waits for the load already under way instead of starting again; `cancelLoads` aborts them.
 */
export function createModelCache(env: ModelEnvironment, keep = 3) {
  const models = new Map<string, { controller: AbortController; promise: Promise<LoadedModel>; loaded: boolean }>();
  let lastTensor: { key: string; x: Float32Array } | null = null;

  const folderOf = (ref: ModelRef): ModelFolder => {
    switch (ref.kind) {
      case 'embedded': return urlFolder(ref.name, `${env.embeddedBase}${ref.name}/`, env.fetchFn);
      case 'hub': {
        const client = createHubClient({
          host: env.hubHost, token: env.hubToken ?? undefined, fetchFn: env.fetchFn, cache: env.cache ?? undefined,
        });
        return hubFolder(client, ref.repo, ref.revision);
      }
      case 'local': return filesFolder(ref.name, localFilesFor(ref, env.localFiles));
    }
  };

  function model(ref: ModelRef, onProgress?: ByteProgressFn): Promise<LoadedModel> {
    const key = modelKey(ref);
    const open = models.get(key);
    if (open) { models.delete(key); models.set(key, open); return open.promise; }
    const controller = new AbortController();
    const promise = Promise.resolve().then(() => loadModel(folderOf(ref), {
      gguf: ref.kind === 'hub' ? ref.file : undefined, signal: controller.signal, onProgress,
    }));
    const entry = { controller, promise, loaded: false };
    models.set(key, entry);
    promise.then(() => { entry.loaded = true; }, () => { if (models.get(key) === entry) models.delete(key); });
    while (models.size > keep) models.delete(models.keys().next().value as string);
    return promise;
  }

  return {
    model,
    /** Reads the source's tensor (the model's default when it names none) as a matrix; 1-D tensors are one row. */
    async matrix(source: ModelSource, onProgress?: ByteProgressFn, signal?: AbortSignal): Promise<ModelMatrix> {
      const loaded = await model(source.model, onProgress);
      const { summary } = loaded;
      const tensor = source.tensor === null ? defaultTensor(summary) : summary.tensors.find((t) => t.name === source.tensor);
      if (!tensor) {
        throw new ModelLoadError('not-found', source.tensor === null
          ? `${summary.name} has no weight matrix to quantize.`
          : `${summary.name} has no tensor named "${source.tensor}". Pick one in the model inspector.`);
      }
      if (tensor.params > MAX_TENSOR_ELEMENTS) {
        throw new ModelLoadError('too-large', `${tensor.name} has ${tensor.params.toLocaleString('en-US')} elements; the tensor view handles up to ${MAX_TENSOR_ELEMENTS.toLocaleString('en-US')}. Pick a smaller tensor.`);
      }
      const key = `${modelKey(source.model)}#${tensor.name}`;
      if (lastTensor?.key !== key) {
        lastTensor = null; // drop the old tensor before reading the next one
        lastTensor = { key, x: await loaded.readTensor(tensor.name, signal) };
      }
      const cols = tensor.shape.at(-1) ?? 1;
      return { x: lastTensor.x, rows: tensor.params / cols, cols, tensor, summary };
    },
    /** Aborts the loads under way (Cancel, or a newer run for another model) except `keep`'s; finished loads stay open. */
    cancelLoads(keep?: ModelRef): void {
      const kept = keep ? modelKey(keep) : null;
      for (const [key, m] of models) {
        if (m.loaded || key === kept) continue;
        m.controller.abort();
        models.delete(key);
      }
    },
  };
}

export type ModelCache = ReturnType<typeof createModelCache>;
