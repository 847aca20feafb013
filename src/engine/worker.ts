// engine: the Web Worker entry — owns the backend and the open models, runs specs off the main thread, reports progress.
import { GpuDeviceLostError, GpuValidationError } from '../gpu/errors';
import { browserRangeCache } from '../model/cache';
import { DEFAULT_HUB_HOST } from '../model/hub';
import { ModelLoadError, type ModelLoadErrorCode } from '../model/types';
import { experimentSpecSchema } from '../spec/schema';
import type { QuantBackend } from './backend';
import { CancelledError, createSourceCache, runExperiment } from './experiment';
import { attachLocalFiles } from './localFiles';
import { createModelCache, type ModelEnvironment } from './models';
import type { EngineErrorCode, EngineRequest, EngineResponse } from './protocol';
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
