// engine: the Web Worker entry — owns the backend and the open models, runs specs off the main thread, reports progress.
import { GpuDeviceLostError, GpuValidationError } from '../gpu/errors';
import { browserRangeCache } from '../model/cache';
import { DEFAULT_HUB_HOST } from '../model/hub';
import { ModelLoadError, type ModelLoadErrorCode } from '../model/types';
import { EMBEDDED_MODEL_NAME } from '../spec/defaults';
import { experimentSpecSchema, type ExperimentSpec } from '../spec/schema';
import { evaluateRecipe, generatePair, sensitivitySweep } from './evaluate';
import type { QuantBackend } from './backend';
import { CancelledError, createSourceCache, runExperiment } from './experiment';
import { attachLocalFiles } from './localFiles';
import { createModelCache, type ModelEnvironment } from './models';
import type { EngineErrorCode, EngineRequest, EngineResponse, EvalRequestSettings } from './protocol';
import { selectBackend } from './select';

const post = (msg: EngineResponse) => (self as unknown as Worker).postMessage(msg);
const env: ModelEnvironment = {
  hubHost: DEFAULT_HUB_HOST,
  hubToken: null,
  embeddedBase: new URL(`${import.meta.env.BASE_URL}models/`, self.location.origin).href,
  localFiles: new Map(),
  cache: browserRangeCache('lowbit-hub', (message) => post({ kind: 'notice', message })),
};
const sources = { synthetic: createSourceCache(), models: createModelCache(env) };
let backend: Promise<QuantBackend> | null = null;
let forceCpu = false;
let latestRun = -1;
const cancelled = new Set<number>();
let queue: Promise<void> = Promise.resolve();

function connect(): Promise<QuantBackend> {
  backend = selectBackend(self.navigator.gpu, forceCpu);
  void backend.then((b) => post({ kind: 'device', device: b.device }));
  return backend;
}

function classify(e: unknown): { code: EngineErrorCode; message: string; loadError?: ModelLoadErrorCode } {
  if (e instanceof GpuDeviceLostError) return { code: 'gpu-lost', message: `${e.message} The next change reconnects to the GPU.` };
  if (e instanceof GpuValidationError) return { code: 'gpu-error', message: `GPU error: ${e.message}` };
  if (e instanceof ModelLoadError) return { code: 'model', message: e.message, loadError: e.code };
  return { code: 'internal', message: e instanceof Error ? e.message : String(e) };
}

const isAbort = (e: unknown) => e instanceof DOMException && e.name === 'AbortError';

async function run(id: number, spec: unknown): Promise<void> {
  const isCancelled = () => id !== latestRun || cancelled.has(id);
  if (isCancelled()) return post({ kind: 'cancelled', id });
  const parsed = experimentSpecSchema.safeParse(spec);
  if (!parsed.success) return post({ kind: 'error', id, code: 'invalid-spec', message: parsed.error.issues[0]?.message ?? 'invalid spec' });
  try {
    const b = await (backend ?? connect());
    const result = await runExperiment(parsed.data, b, sources, (fraction, stage) => post({ kind: 'progress', id, fraction, stage }), isCancelled);
    post({ kind: 'result', id, result });
  } catch (e) {
    if (e instanceof CancelledError || (isAbort(e) && isCancelled())) return post({ kind: 'cancelled', id });
    if (e instanceof GpuDeviceLostError) backend = null;
    post({ kind: 'error', id, ...classify(e) });
  } finally {
    cancelled.delete(id);
  }
}

/** The model a spec names, opened (or already open); synthetic sources have no model to evaluate. */
async function modelOf(spec: ExperimentSpec) {
  if (spec.source.kind !== 'model') throw new ModelLoadError('unsupported', 'The source is a synthetic tensor: choose Model in the Source step to evaluate a model.');
  return sources.models.model(spec.source.model);
}

/** The text an evaluation scores: the user's, or the embedded model's held-out validation text. */
async function evalText(settings: EvalRequestSettings): Promise<{ text: string; label: string }> {
  if (settings.text.kind === 'user') return { text: settings.text.text, label: 'your text' };
  const url = `${env.embeddedBase}${EMBEDDED_MODEL_NAME}/eval.txt`;
  const res = await fetch(url);
  if (!res.ok) throw new ModelLoadError('network', `The bundled evaluation text could not be read (HTTP ${res.status}). Paste your own text instead.`);
  return { text: await res.text(), label: `held-out State of the Union text (${EMBEDDED_MODEL_NAME}/eval.txt)` };
}

/** Runs one evaluation or generation job with its own id: progress, cancel and errors like a run, never superseded by tensor runs. */
async function job(id: number, work: (onProgress: (fraction: number, stage: string) => void, isCancelled: () => boolean) => Promise<EngineResponse>): Promise<void> {
  const isCancelled = () => cancelled.has(id);
  try {
    post(await work((fraction, stage) => post({ kind: 'progress', id, fraction, stage }), isCancelled));
  } catch (e) {
    if (e instanceof CancelledError) return post({ kind: 'cancelled', id });
    post({ kind: 'error', id, ...classify(e) });
  } finally {
    cancelled.delete(id);
  }
}

self.onmessage = (ev: MessageEvent<EngineRequest>) => {
  const msg = ev.data;
  switch (msg.kind) {
    case 'init':
      forceCpu = msg.forceCpu ?? false;
      void connect().catch((e: unknown) => post({ kind: 'error', id: null, ...classify(e) }));
      break;
    case 'run':
      latestRun = msg.id;
      // A download for a model the new run does not need would only delay it.
      sources.models.cancelLoads(msg.spec.source.kind === 'model' ? msg.spec.source.model : undefined);
      queue = queue.then(() => run(msg.id, msg.spec));
      break;
    case 'cancel':
      cancelled.add(msg.id);
      sources.models.cancelLoads();
      break;
    case 'evaluate':
      queue = queue.then(() => job(msg.id, async (onProgress, isCancelled) => {
        const spec = experimentSpecSchema.parse(msg.spec);
        const [loaded, text, b] = await Promise.all([modelOf(spec), evalText(msg.settings), backend ?? connect()]);
        const settings = { ...msg.settings, text: text.text, textLabel: text.label };
        const result = await evaluateRecipe(loaded, spec.recipe, settings, b.runtime ?? null, onProgress, isCancelled);
        return { kind: 'evaluation', id: msg.id, result };
      }));
      break;
    case 'sweep':
      queue = queue.then(() => job(msg.id, async (onProgress, isCancelled) => {
        const spec = experimentSpecSchema.parse(msg.spec);
        const [loaded, text, b] = await Promise.all([modelOf(spec), evalText(msg.settings), backend ?? connect()]);
        const settings = { ...msg.settings, text: text.text, textLabel: text.label };
        const result = await sensitivitySweep(loaded, spec.recipe, settings, msg.by, b.runtime ?? null, onProgress, isCancelled);
        return { kind: 'sensitivity', id: msg.id, result };
      }));
      break;
    case 'generate':
      queue = queue.then(() => job(msg.id, async (onProgress) => {
        const spec = experimentSpecSchema.parse(msg.spec);
        onProgress(0, 'generating');
        const [loaded, b] = await Promise.all([modelOf(spec), backend ?? connect()]);
        return { kind: 'generation', id: msg.id, result: await generatePair(loaded, spec.recipe, msg.settings, b.runtime ?? null) };
      }));
      break;
    case 'hub-settings':
      env.hubHost = msg.host;
      env.hubToken = msg.token;
      break;
    case 'attach-local':
      attachLocalFiles(msg.files, env.localFiles).then(
        (model) => post({ kind: 'local-attached', id: msg.id, model }),
        (e: unknown) => post({ kind: 'attach-failed', id: msg.id, message: e instanceof Error ? e.message : String(e) }),
      );
      break;
  }
};
