// tests (engine layer): opening models through the model cache: hub (Range reads, shared loads, cancel, 404), dropped files (hash), embedded URL folders.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attachLocalFiles } from '../../src/engine/localFiles';
import { createModelCache, modelKey, type ModelEnvironment } from '../../src/engine/models';
import { ModelLoadError } from '../../src/model/types';
import type { ModelSource } from '../../src/spec/schema';
import { startHubServer, type HubServer } from '../support/hubServer';
import { f32TensorByHand } from '../support/safetensorsByHand';

const FIXTURES = path.resolve(__dirname, '../../../shared/fixtures');
const GPT2 = path.join(FIXTURES, 'fake-gpt2-random');
const STORIES = path.join(FIXTURES, 'stories260K');
const haveFixtures = (() => { try { readFileSync(path.join(GPT2, 'config.json')); return true; } catch { return false; } })();
if (!haveFixtures) console.warn(`engine-models: skipped, ${FIXTURES} is absent (a clone without ../shared)`);

const hubSource = (tensor: string | null, repo = 'lowbit-test/fake-gpt2-random'): ModelSource =>
  ({ kind: 'model', model: { kind: 'hub', repo, revision: 'main' }, tensor });

describe.skipIf(!haveFixtures)('model cache', () => {
  let hub: HubServer;
  let slow: HubServer;
  const env = (host: string): ModelEnvironment => ({ hubHost: host, hubToken: null, embeddedBase: `${host}/embedded/`, localFiles: new Map() });
  beforeAll(async () => {
    hub = await startHubServer({ repos: { 'lowbit-test/fake-gpt2-random': GPT2, 'lowbit-test/stories260K': STORIES } });
    slow = await startHubServer({ repos: { 'lowbit-test/fake-gpt2-random': GPT2 }, delayMs: 400, bytesPerSecond: 2000 });
  });
  afterAll(async () => { await hub.close(); await slow.close(); });

  it('opens a hub model from its headers, reads one tensor by range, and picks the first block\'s MLP down projection', async () => {
    hub.requests.length = 0;
    const cache = createModelCache(env(hub.url));
    const m = await cache.matrix(hubSource(null));
    expect(m.tensor.name).toBe('transformer.h.0.mlp.c_proj.weight');
    expect(m.tensor.role).toBe('mlp-down');
    const byHand = f32TensorByHand(path.join(GPT2, 'model.safetensors'), m.tensor.name);
    expect([m.rows, m.cols]).toEqual(byHand.shape);
    expect(m.x).toEqual(byHand.values);
    expect(m.summary.tensors).toHaveLength(16);
    expect(m.summary.config?.family).toBe('gpt2');
    expect(m.summary.totalParams).toBe(m.summary.tensors.reduce((a, t) => a + t.shape.reduce((p, d) => p * d, 1), 0));
    // Only ranges of the weights file were read: never the whole 412 kB.
    const weightReads = hub.requests.filter((r) => r.method === 'GET' && r.path.endsWith('model.safetensors'));
    expect(weightReads.length).toBeGreaterThan(0);
    expect(weightReads.every((r) => r.range !== null)).toBe(true);
  });

  it('shares one load between runs of the same model, and reads a named tensor', async () => {
    const configReads = () => hub.requests.filter((r) => r.path.endsWith('config.json')).length;
    hub.requests.length = 0;
    await createModelCache(env(hub.url)).matrix(hubSource(null));
    const oneLoad = configReads();
    hub.requests.length = 0;
    const cache = createModelCache(env(hub.url));
    const [a, b] = await Promise.all([cache.matrix(hubSource(null)), cache.matrix(hubSource('transformer.wte.weight'))]);
    expect(a.summary).toBe(b.summary);
    expect(configReads()).toBe(oneLoad);
    expect([b.rows, b.cols]).toEqual([50257, 2]);
  });

  it('names a missing repo and a missing tensor in the error', async () => {
    const cache = createModelCache(env(hub.url));
    await expect(cache.matrix(hubSource(null, 'lowbit-test/nope'))).rejects.toThrow(/not found/i);
    await expect(cache.matrix(hubSource('no.such.tensor'))).rejects.toThrow('has no tensor named "no.such.tensor"');
  });

  it('cancels a slow load, and a later run loads again', async () => {
    const cache = createModelCache(env(slow.url));
    const pending = cache.matrix(hubSource(null));
    setTimeout(() => cache.cancelLoads(), 100);
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    const again = createModelCache(env(hub.url));
    await expect(again.matrix(hubSource(null))).resolves.toMatchObject({ cols: 2 });
  });

  it('opens a GGUF named in a hub reference', async () => {
    const cache = createModelCache(env(hub.url));
    const m = await cache.matrix({ kind: 'model', model: { kind: 'hub', repo: 'lowbit-test/stories260K', revision: 'main', file: 'stories260K.gguf' }, tensor: null });
    expect(m.summary.format).toBe('gguf');
    expect(m.tensor.name).toBe('blk.0.ffn_down.weight');
    expect([m.rows, m.cols]).toEqual([64, 172]);
  });

  it('hashes dropped files and opens them; a reference to files this page lacks says to drop them', async () => {
    const bytes = readFileSync(path.join(STORIES, 'stories260K.gguf'));
    const registry = new Map<string, readonly File[]>();
    const ref = await attachLocalFiles([new File([new Uint8Array(bytes)], 'stories260K.gguf')], registry);
    // sha256 published in ../shared/fixtures/stories260K/SOURCE.md
    expect(ref).toEqual({ kind: 'local', name: 'stories260K.gguf', bytes: 1185376, sha256: '270cba1bd5109f42d03350f60406024560464db173c0e387d91f0426d3bd256d' });
    const cache = createModelCache({ ...env(hub.url), localFiles: registry });
    const m = await cache.matrix({ kind: 'model', model: ref, tensor: 'token_embd.weight' });
    expect([m.rows, m.cols]).toEqual([512, 64]);
    const empty = createModelCache(env(hub.url));
    await expect(empty.matrix({ kind: 'model', model: ref, tensor: null })).rejects.toThrow(/Drop the same file/);
    await expect(attachLocalFiles([new File(['{}'], 'config.json')], registry)).rejects.toBeInstanceOf(ModelLoadError);
    // another file dropped under the same name is not read for a reference with the original's hash
    await attachLocalFiles([new File([new Uint8Array(bytes.length)], 'stories260K.gguf')], registry);
    const fresh = createModelCache({ ...env(hub.url), localFiles: registry });
    await expect(fresh.matrix({ kind: 'model', model: ref, tensor: null })).rejects.toThrow(/not the file this experiment was made with/);
  });

  it('keys models by what identifies them', () => {
    expect(modelKey({ kind: 'hub', repo: 'a/b', revision: 'main' })).not.toBe(modelKey({ kind: 'hub', repo: 'a/b', revision: 'v2' }));
    expect(modelKey({ kind: 'hub', repo: 'a/b', revision: 'main', file: 'x.gguf' })).not.toBe(modelKey({ kind: 'hub', repo: 'a/b', revision: 'main' }));
    expect(modelKey({ kind: 'embedded', name: 'x' })).not.toBe(modelKey({ kind: 'local', name: 'x', bytes: 0 }));
  });
});
