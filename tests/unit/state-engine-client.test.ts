// tests (state layer): the engine client with a fake worker: init, throttled runs, stale answers, failures.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { EngineRequest, EngineResponse } from '../../src/engine/protocol';
import type { TensorResult } from '../../src/engine/types';
import { RUN_DEBOUNCE_MS, SLOW_RUN_MS, startEngineClient, type WorkerLike } from '../../src/state/engineClient';
import { createAppStore } from '../../src/state/store';

class FakeWorker implements WorkerLike {
  sent: EngineRequest[] = [];
  terminated = false;
  private listeners: Record<string, ((e: never) => void)[]> = {};
  postMessage(m: EngineRequest) { this.sent.push(m); }
  addEventListener(type: string, listener: (e: never) => void) { (this.listeners[type] ??= []).push(listener); }
  terminate() { this.terminated = true; }
  answer(data: EngineResponse) { for (const l of this.listeners.message ?? []) l({ data } as never); }
  crash(message: string) { for (const l of this.listeners.error ?? []) l({ message, preventDefault() {} } as never); }
  runs() { return this.sent.filter((m) => m.kind === 'run'); }
}

const device = { backend: 'cpu', description: 'CPU reference' } as const;
const result = { elapsedMs: 3 } as TensorResult;

describe('engine client', () => {
  let workers: FakeWorker[];
  const setup = (forceCpu = false) => {
    const store = createAppStore();
    const client = startEngineClient(store, { forceCpu, createWorker: () => { const w = new FakeWorker(); workers.push(w); return w; } });
    return { store, client, worker: workers[0] };
  };
  beforeEach(() => { vi.useFakeTimers(); workers = []; });
  afterEach(() => { vi.useRealTimers(); });

  it('inits, then runs the current spec once the device is known', () => {
    const { store, worker } = setup(true);
    expect(worker.sent).toEqual([{ kind: 'init', forceCpu: true }]);
    worker.answer({ kind: 'device', device });
    expect(store.getState().device).toEqual(device);
    expect(worker.runs()).toEqual([{ kind: 'run', id: 1, spec: store.getState().spec }]);
    worker.answer({ kind: 'result', id: 1, result });
    expect(store.getState().run).toMatchObject({ status: 'done', result });
  });

  it('runs the first change at once, merges changes made together or within the window after a run, ignores view-only changes and stale answers', () => {
    const { store, worker } = setup();
    worker.answer({ kind: 'device', device });
    store.getState().setBits(3);
    store.getState().setBits(5);
    store.getState().setLogScale(false);
    expect(worker.runs()).toHaveLength(1); // sent in the next task, not inside the store update
    vi.advanceTimersByTime(0);
    expect(worker.runs()).toHaveLength(2);
    expect(worker.runs()[1]).toMatchObject({ id: 2, spec: { recipe: { format: { bits: 5 } } } });
    // A dragged slider: changes inside the window merge into one run when it closes.
    store.getState().setBits(6);
    vi.advanceTimersByTime(RUN_DEBOUNCE_MS / 2);
    store.getState().setBits(7);
    vi.advanceTimersByTime(RUN_DEBOUNCE_MS / 2 - 1);
    expect(worker.runs()).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(worker.runs()).toHaveLength(3);
    expect(worker.runs()[2]).toMatchObject({ id: 3, spec: { recipe: { format: { bits: 7 } } } });
    // A window without changes closes the throttle: the next change runs at once again.
    vi.advanceTimersByTime(RUN_DEBOUNCE_MS);
    expect(worker.runs()).toHaveLength(3);
    store.getState().setBits(4);
    vi.advanceTimersByTime(0);
    expect(worker.runs()).toHaveLength(4);
    worker.answer({ kind: 'result', id: 1, result });
    expect(store.getState().run).toMatchObject({ status: 'running', id: 4, result: null });
  });

  it('shows progress only after a slow run has passed the threshold, and cancels', () => {
    const { store, client, worker } = setup();
    worker.answer({ kind: 'device', device });
    vi.advanceTimersByTime(SLOW_RUN_MS - 1);
    expect(store.getState().run.slow).toBe(false);
    vi.advanceTimersByTime(1);
    expect(store.getState().run.slow).toBe(true);
    client.cancel();
    expect(worker.sent.at(-1)).toEqual({ kind: 'cancel', id: 1 });
    worker.answer({ kind: 'cancelled', id: 1 });
    expect(store.getState().run.status).toBe('cancelled');
  });

  it('turns engine errors into readable messages', () => {
    const { store, worker } = setup();
    worker.answer({ kind: 'device', device });
    worker.answer({ kind: 'error', id: 1, code: 'gpu-lost', message: 'device destroyed' });
    expect(store.getState().run.status).toBe('error');
    expect(store.getState().run.error).toMatch(/GPU was lost \(device destroyed\).*backend=cpu/);
    worker.answer({ kind: 'error', id: 1, code: 'model', message: 'a/b is gated or private.', loadError: 'unauthorized' });
    expect(store.getState().run.error).toBe('a/b is gated or private. (Open another model… → Token for gated repos)');
    worker.answer({ kind: 'error', id: 1, code: 'model', message: 'config.json is not valid JSON.', loadError: 'corrupt' });
    expect(store.getState().run.error).toBe('config.json is not valid JSON.');
  });

  it('reports a worker that fails to load and restarts it on the next change', () => {
    const { store, worker } = setup();
    worker.crash('');
    expect(worker.terminated).toBe(true);
    expect(store.getState().run).toMatchObject({ status: 'error' });
    expect(store.getState().run.error).toMatch(/compute engine stopped/);
    store.getState().setBits(6);
    vi.advanceTimersByTime(RUN_DEBOUNCE_MS);
    expect(workers).toHaveLength(2);
    workers[1].answer({ kind: 'device', device });
    expect(workers[1].runs()).toHaveLength(1);
  });

  it('keeps the hub token out of the store, resends hub settings to a restarted worker, and opens dropped files once hashed', () => {
    const { store, client, worker } = setup();
    worker.answer({ kind: 'device', device });
    client.setHub('http://127.0.0.1:9', 'hf_secret');
    expect(worker.sent.at(-1)).toEqual({ kind: 'hub-settings', host: 'http://127.0.0.1:9', token: 'hf_secret' });
    expect(store.getState().sources).toMatchObject({ hubHost: 'http://127.0.0.1:9', hubTokenSet: true });
    expect(JSON.stringify(store.getState())).not.toContain('hf_secret');
    const files = [new File(['x'], 'model.gguf')];
    client.attachLocal(files);
    expect(worker.sent.at(-1)).toEqual({ kind: 'attach-local', id: 1, files });
    expect(store.getState().sources.attach.status).toBe('working');
    const model = { kind: 'local', name: 'model.gguf', bytes: 1, sha256: 'a'.repeat(64) } as const;
    worker.answer({ kind: 'local-attached', id: 1, model });
    expect(store.getState().spec.source).toEqual({ kind: 'model', model, tensor: null });
    client.attachLocal(files);
    worker.answer({ kind: 'attach-failed', id: 2, message: 'not a model' });
    expect(store.getState().sources.attach).toEqual({ status: 'error', message: 'not a model' });
    worker.answer({ kind: 'notice', message: 'cache full' });
    expect(store.getState().sources.notice).toBe('cache full');
    worker.crash('boom');
    store.getState().setBits(6);
    vi.advanceTimersByTime(RUN_DEBOUNCE_MS);
    expect(workers[1].sent).toContainEqual({ kind: 'hub-settings', host: 'http://127.0.0.1:9', token: 'hf_secret' });
  });
});
