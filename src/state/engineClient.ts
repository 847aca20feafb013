// state: the engine client, owns the Worker, sends a run on every spec change and routes answers into the store.
import type { EngineRequest, EngineResponse } from '../engine/protocol';
import type { ExperimentSpec } from '../spec/schema';
import { describeEngineError, describeWorkerFailure } from './engineErrors';
import type { AppStore } from './store';

/** Spec changes within this window are merged into one run (a dragged slider fires many). */
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
 * once the device is known and after every change of source or recipe (debounced). A worker that
 * fails is dropped and recreated on the next change, so the page stays usable.
 */
export function startEngineClient(store: AppStore, options: EngineClientOptions = {}): EngineClient {
  const createWorker = options.createWorker ?? defaultWorker;
  let worker: WorkerLike | null = null;
  let ready = false;
  let nextId = 1;
  let debounce: ReturnType<typeof setTimeout> | undefined;
  let slowTimer: ReturnType<typeof setTimeout> | undefined;
  let hub: { host: string; token: string | null } | null = null;
  let attachId = 0;

  const post = (msg: EngineRequest) => worker?.postMessage(msg);

  const onMessage = (msg: EngineResponse) => {
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

  function sendRun() {
    if (!worker) spawn();
    if (!ready) return;
    const id = nextId++;
    store.getState().runStarted(id);
    post({ kind: 'run', id, spec: store.getState().spec });
    clearTimeout(slowTimer);
    slowTimer = setTimeout(() => store.getState().runSlow(id), SLOW_RUN_MS);
  }

  const unsubscribe = store.subscribe((state, prev) => {
    const [a, b] = [computed(state.spec), computed(prev.spec)];
    if (a.every((part, i) => part === b[i])) return;
    clearTimeout(debounce);
    debounce = setTimeout(sendRun, RUN_DEBOUNCE_MS);
  });

  spawn();

  return {
    cancel() {
      const { run } = store.getState();
      if (run.status === 'running' && run.id !== null) post({ kind: 'cancel', id: run.id });
    },
    retry: sendRun,
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
      clearTimeout(debounce);
      clearTimeout(slowTimer);
      worker?.terminate();
      worker = null;
    },
  };
}
