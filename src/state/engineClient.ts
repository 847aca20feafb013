// state: the engine client, owns the Worker, sends a run on every spec change and routes answers into the store.
import type { GenerateSettings, SensitivityResult } from '../engine/evaluate';
import type { EngineRequest, EngineResponse, EvalRequestSettings } from '../engine/protocol';
import type { ExperimentSpec } from '../spec/schema';
import { describeEngineError, describeWorkerFailure } from './engineErrors';
import { jobSpecKey, type JobKind } from './evalSlice';
import type { AppState, AppStore } from './store';

/**
 * A spec change runs at once (in the next task, so changes made together merge); later changes
 * within this window of a run being sent merge into one run at its end (a dragged slider fires many).
 */
export const RUN_DEBOUNCE_MS = 60;
/** Runs longer than this show a progress bar; shorter ones only dim the old results. */
export const SLOW_RUN_MS = 300;

/** The part of a Worker the client uses, so tests can pass a fake. */
export interface WorkerLike {
  postMessage(message: EngineRequest): void;
  addEventListener(type: 'message', listener: (e: MessageEvent<EngineResponse>) => void): void;
  addEventListener(type: 'error' | 'messageerror', listener: (e: Event) => void): void;
  terminate(): void;
}

export interface EngineClientOptions {
  /** Ask the worker for the CPU reference even when WebGPU exists (`?backend=cpu`). */
  readonly forceCpu?: boolean;
  readonly createWorker?: () => WorkerLike;
}

export interface EngineClient {
  /** Cancels the current run (and a download under way); the old result stays. */
  cancel(): void;
  /** Runs the current spec again (after a failed download, or once a token is set). */
  retry(): void;
  /** Hub host and token for the next loads; the token goes to the worker only, never into the store. */
  setHub(host: string, token: string | null): void;
  /** Registers dropped files with the engine and opens the model they form. */
  attachLocal(files: readonly File[]): void;
  /** Scores the current model with and without the recipe (perplexity, KL); a newer call replaces an older one. */
  evaluate(settings: EvalRequestSettings): void;
  /** Continues a prompt with both models. */
  generate(settings: GenerateSettings): void;
  /** Quantizes one block (or projection type) at a time and measures each. */
  sweep(settings: EvalRequestSettings, by: SensitivityResult['by']): void;
  /** Cancels the evaluation or generation under way. */
  cancelJob(kind: JobKind): void;
  dispose(): void;
}

function defaultWorker(): WorkerLike {
  return new Worker(new URL('../engine/worker.ts', import.meta.url), { type: 'module' });
}

/** Which parts of a spec the engine computes from (the view does not need a run). */
function computed(spec: ExperimentSpec): unknown[] {
  return [spec.source, spec.recipe];
}

/**
 * Starts the engine for `store`: creates the worker, sends `init`, then a run for the current spec
 * once the device is known and after every change of source or recipe (the first at once, then at most one per RUN_DEBOUNCE_MS). A worker that
 * fails is dropped and recreated on the next change, so the page stays usable.
 */
export function startEngineClient(store: AppStore, options: EngineClientOptions = {}): EngineClient {
  const createWorker = options.createWorker ?? defaultWorker;
  let worker: WorkerLike | null = null;
  let ready = false;
  let nextId = 1;
  /** Set while a change is scheduled or the window after a sent run is open. */
  let throttle: ReturnType<typeof setTimeout> | undefined;
  let changed = false;
  let slowTimer: ReturnType<typeof setTimeout> | undefined;
  let hub: { host: string; token: string | null } | null = null;
  let attachId = 0;
  /** Ids of evaluation/generation jobs (a separate id space from runs: they start at 1e9). */
  const jobs = new Map<number, JobKind>();
  let nextJobId = 1e9;

  const post = (msg: EngineRequest) => worker?.postMessage(msg);

  /** Routes progress, errors and cancellations of evaluation/generation jobs; false for other messages. */
  const onJobMessage = (msg: EngineResponse): boolean => {
    if (!('id' in msg) || msg.id === null) return false;
    const kind = jobs.get(msg.id);
    if (!kind) return false;
    const s = store.getState();
    switch (msg.kind) {
      case 'progress': s.jobProgress(kind, msg.id, msg.fraction, msg.stage); return true;
      case 'evaluation': s.jobSucceeded('evaluation', msg.id, msg.result); break;
      case 'generation': s.jobSucceeded('generation', msg.id, msg.result); break;
      case 'sensitivity': s.jobSucceeded('sensitivity', msg.id, msg.result); break;
      case 'cancelled': s.jobCancelled(kind, msg.id); break;
      case 'error': s.jobFailed(kind, msg.id, describeEngineError(msg.code, msg.message, msg.loadError)); break;
      default: return true;
    }
    jobs.delete(msg.id);
    return true;
  };

  const onMessage = (msg: EngineResponse) => {
    if (onJobMessage(msg)) return;
    const s = store.getState();
    switch (msg.kind) {
      case 'device': s.setDevice(msg.device); ready = true; sendRun(); break;
      case 'progress': s.runProgress(msg.id, msg.fraction, msg.stage); break;
      case 'result': s.runSucceeded(msg.id, msg.result); break;
      case 'cancelled': s.runCancelled(msg.id); break;
      case 'error': s.runFailed(msg.id, describeEngineError(msg.code, msg.message, msg.loadError)); break;
      case 'notice': s.setNotice(msg.message); break;
      case 'local-attached':
        if (msg.id !== attachId) break;
        s.setAttach('idle');
        s.setModel(msg.model);
        break;
      case 'attach-failed': if (msg.id === attachId) s.setAttach('error', msg.message); break;
    }
  };

  const fail = (detail: string) => {
    worker?.terminate();
    worker = null;
    ready = false;
    clearTimeout(slowTimer);
    store.getState().runFailed(null, describeWorkerFailure(detail));
  };

  const spawn = () => {
    try {
      worker = createWorker();
    } catch (e) {
      fail(e instanceof Error ? e.message : String(e));
      return;
    }
    worker.addEventListener('message', (e) => onMessage(e.data));
    worker.addEventListener('error', (e) => {
      e.preventDefault();
      fail((e as ErrorEvent).message || 'its script could not be loaded');
    });
    worker.addEventListener('messageerror', () => fail('a message from the worker could not be read'));
    post(options.forceCpu ? { kind: 'init', forceCpu: true } : { kind: 'init' });
    if (hub) post({ kind: 'hub-settings', ...hub });
  };

  /** Sends a job for the current spec, cancelling the previous job of the same kind. */
  function startJob(kind: JobKind, request: (id: number, spec: AppState['spec']) => EngineRequest) {
    if (!worker) spawn();
    const { spec, [kind]: previous } = store.getState();
    if (previous.status === 'running' && previous.id !== null) post({ kind: 'cancel', id: previous.id });
    const id = nextJobId++;
    jobs.set(id, kind);
    store.getState().jobStarted(kind, id, jobSpecKey(spec));
    post(request(id, spec));
  }

  function sendRun() {
    if (!worker) spawn();
    if (!ready) return;
    const id = nextId++;
    store.getState().runStarted(id);
    post({ kind: 'run', id, spec: store.getState().spec });
    clearTimeout(slowTimer);
    slowTimer = setTimeout(() => store.getState().runSlow(id), SLOW_RUN_MS);
  }

  /** Sends the changed spec and opens the window; a window that closes without changes ends the throttle. */
  const flush = () => {
    throttle = undefined;
    if (!changed) return;
    changed = false;
    sendRun();
    throttle = setTimeout(flush, RUN_DEBOUNCE_MS);
  };

  const unsubscribe = store.subscribe((state, prev) => {
    const [a, b] = [computed(state.spec), computed(prev.spec)];
    if (a.every((part, i) => part === b[i])) return;
    changed = true;
    throttle ??= setTimeout(flush, 0);
  });

  spawn();

  return {
    cancel() {
      const { run } = store.getState();
      if (run.status === 'running' && run.id !== null) post({ kind: 'cancel', id: run.id });
    },
    retry: sendRun,
    evaluate(settings) {
      startJob('evaluation', (id, spec) => ({ kind: 'evaluate', id, spec, settings }));
    },
    generate(settings) {
      startJob('generation', (id, spec) => ({ kind: 'generate', id, spec, settings }));
    },
    sweep(settings, by) {
      startJob('sensitivity', (id, spec) => ({ kind: 'sweep', id, spec, settings, by }));
    },
    cancelJob(kind) {
      const { id, status } = store.getState()[kind];
      if (status === 'running' && id !== null) post({ kind: 'cancel', id });
    },
    setHub(host, token) {
      hub = { host, token };
      store.getState().setHubSettings(host, token !== null);
      post({ kind: 'hub-settings', host, token });
    },
    attachLocal(files) {
      if (!worker) spawn();
      attachId++;
      store.getState().setAttach('working');
      post({ kind: 'attach-local', id: attachId, files });
    },
    dispose() {
      unsubscribe();
      clearTimeout(throttle);
      clearTimeout(slowTimer);
      worker?.terminate();
      worker = null;
    },
  };
}
