// tests (model layer): the Hugging Face Hub client against a local hub server: URLs, repo ids, Range-only reads, errors, gating, abort, shards, caches.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserRangeCache, memoryRangeCache, type RangeCache } from '../../src/model/cache';
import { readTensor } from '../../src/model/dtypes';
import { createHubClient, resolveSafetensorsFiles } from '../../src/model/hub';
import { encodeSafetensors, readSafetensorsDirectory } from '../../src/model/safetensors';
import { ModelLoadError, type ByteProgress } from '../../src/model/types';
import { startHubServer, type HubServer } from '../support/hubServer';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const fixtures = path.resolve(repoRoot, '../shared/fixtures');
const gpt2Dir = path.join(fixtures, 'fake-gpt2-random');
const haveFixtures = existsSync(fixtures);
if (!haveFixtures) console.warn(`model-hub: skipping the hub tests, ${fixtures} is absent`);

const REPO = 'lowbit-test/fake-gpt2-random';
const GATED = 'lowbit-test/gated-gpt2';
const TOKEN = 'hf_test_secret_token';
const f32 = (...xs: number[]) => new Uint8Array(new Float32Array(xs).buffer);

async function failure(p: Promise<unknown>): Promise<ModelLoadError> {
  try {
    await p;
  } catch (e) {
    return e as ModelLoadError;
  }
  throw new Error('expected a rejection');
}

describe('fileUrl and repo ids (no server)', () => {
  const neverFetch = (() => { throw new Error('no request may be made'); }) as typeof fetch;
  const client = createHubClient({ fetchFn: neverFetch });

  it('builds resolve URLs on huggingface.co, the revision as one encoded segment', () => {
    expect(client.host).toBe('https://huggingface.co');
    expect(client.fileUrl('openai-community/gpt2', 'main', 'config.json')).toBe('https://huggingface.co/openai-community/gpt2/resolve/main/config.json');
    expect(client.fileUrl('gpt2', 'refs/pr/1', 'onnx/model q.onnx')).toBe('https://huggingface.co/gpt2/resolve/refs%2Fpr%2F1/onnx/model%20q.onnx');
    expect(createHubClient({ host: 'http://localhost:9/' }).fileUrl('a/b', 'v1.0', 'x')).toBe('http://localhost:9/a/b/resolve/v1.0/x');
  });
  it.each(['a/b/c', '-a/b', 'a-/b', 'a--b/c', 'a/b..c', '', 'a b/c', 'a/', '/a', 'x'.repeat(97), 'a/b?c', 'a/b#c'])(
    'refuses the repo id %j before any request', async (repo) => {
      const e = await failure(client.fetchJson(repo, 'main', 'config.json'));
      expect(e).toBeInstanceOf(ModelLoadError);
      expect(e.code).toBe('not-found');
      expect(e.message).toBe(`"${repo}" is not a Hugging Face repo id. Write it as owner/name, like "openai-community/gpt2": letters, digits, "-", "_" and "." only, at most 96 characters.`);
    });
  it('accepts owner/name and legacy single-name ids', () => {
    for (const repo of ['gpt2', 'openai-community/gpt2', 'A.b_c/d-e.f', 'x/y_']) expect(() => client.fileUrl(repo, 'main', 'f')).not.toThrow();
  });
  it('refuses file paths that would leave the repo, and empty revisions', () => {
    expect(() => client.fileUrl('a/b', 'main', '../c/x')).toThrow('"../c/x" is not a file path inside a repo (empty, "." or ".." parts are not allowed).');
    expect(() => client.fileUrl('a/b', '', 'x')).toThrow('"" is not a revision: give a branch, tag or commit hash such as "main".');
  });
  it('caches files at a commit hash even when the server names no version, and nothing at a branch', async () => {
    const keys: string[] = [];
    const cache: RangeCache = { get: async () => null, put: async (k) => void keys.push(k) };
    const noVersion = (async () => new Response(new Uint8Array([0x7b]), { status: 206, headers: { 'Content-Range': 'bytes 0-0/1' } })) as typeof fetch;
    const client = createHubClient({ fetchFn: noVersion, cache });
    const commit = '0123456789abcdef0123456789abcdef01234567';
    await client.fetchBytes('a/b', 'main', 'x.json');
    expect(keys).toEqual([]);
    await client.fetchBytes('a/b', commit, 'x.json');
    expect(keys).toEqual([`https://huggingface.co/a/b/resolve/${commit}/x.json immutable 0-1`]);
  });
  it('explains an unreachable hub', async () => {
    const offline = createHubClient({ fetchFn: (async () => { throw new TypeError('Failed to fetch'); }) as typeof fetch });
    const e = await failure(offline.fetchJson(REPO, 'main', 'config.json'));
    expect(e.code).toBe('network');
    expect(e.message).toBe(`Could not reach huggingface.co to download config.json from ${REPO} (Failed to fetch). Check your internet connection; the Hugging Face Hub may also be blocked on this network.`);
  });
});

describe.skipIf(!haveFixtures)('the hub client against a local hub server', () => {
  let server: HubServer;
  let slow: HubServer;
  let shardDir: string;
  const shardA = encodeSafetensors([{ name: 'a.weight', dtype: 'F32', shape: [2, 2], data: f32(1, 2, 3, 4) }], { format: 'pt' });
  const shardB = encodeSafetensors([
    { name: 'b.weight', dtype: 'F32', shape: [3], data: f32(5, 6, 7) },
    { name: 'b.bias', dtype: 'F16', shape: [1], data: new Uint8Array([0x00, 0x3c]) },
  ], { format: 'pt' });
  const weightMap = { 'a.weight': 'model-00001-of-00002.safetensors', 'b.weight': 'model-00002-of-00002.safetensors', 'b.bias': 'model-00002-of-00002.safetensors' };

  beforeAll(async () => {
    shardDir = mkdtempSync(path.join(tmpdir(), 'lowbit-shards-'));
    writeFileSync(path.join(shardDir, 'model.safetensors.index.json'), JSON.stringify({ metadata: { total_size: 44 }, weight_map: weightMap }));
    writeFileSync(path.join(shardDir, 'model-00001-of-00002.safetensors'), shardA);
    writeFileSync(path.join(shardDir, 'model-00002-of-00002.safetensors'), shardB);
    server = await startHubServer({
      repos: { [REPO]: gpt2Dir, [GATED]: gpt2Dir, 'lowbit-test/sharded': shardDir },
      memory: {
        'lowbit-test/no-weights': { 'README.md': new TextEncoder().encode('# nothing') },
        'lowbit-test/bad-index': { 'model.safetensors.index.json': new TextEncoder().encode('{"weight_map":{"w":"../../x.safetensors"}}') },
        'lowbit-test/bad-json': { 'config.json': new TextEncoder().encode('{"n_embd": 2,') },
      },
      gated: { [GATED]: TOKEN },
    });
    slow = await startHubServer({ repos: { [REPO]: gpt2Dir }, bytesPerSecond: 5000 });
  });
  afterAll(async () => {
    await server.close();
    await slow.close();
    rmSync(shardDir, { recursive: true, force: true });
  });
  const hub = (opts: Parameters<typeof createHubClient>[0] = {}) => createHubClient({ host: server.url, ...opts });
  const requestsFrom = (n: number) => server.requests.slice(n);

  it('fetchJson reads config.json', async () => {
    const config = await hub().fetchJson<Record<string, unknown>>(REPO, 'main', 'config.json');
    expect(config).toEqual(JSON.parse(readFileSync(path.join(gpt2Dir, 'config.json'), 'utf8')));
    expect(config.n_embd).toBe(2);
  });

  it('reads the safetensors directory and one tensor with Range requests only, far less than the file', async () => {
    const before = server.requests.length;
    const events: ByteProgress[] = [];
    const source = await hub().open(REPO, 'main', 'model.safetensors', undefined, (p) => events.push(p));
    const fileBytes = readFileSync(path.join(gpt2Dir, 'model.safetensors'));
    expect(source.size).toBe(fileBytes.length);
    const { entries } = await readSafetensorsDirectory(source);
    expect(entries).toHaveLength(16);
    const ln = entries.find((e) => e.name === 'transformer.h.0.ln_1.weight')!;
    const values = await readTensor(source, ln);
    const dv = new DataView(fileBytes.buffer, fileBytes.byteOffset);
    expect([...values]).toEqual([dv.getFloat32(ln.byteOffset, true), dv.getFloat32(ln.byteOffset + 4, true)]);

    const seen = requestsFrom(before);
    expect(seen.map((r) => r.range)).toEqual(['bytes=0-0', 'bytes=0-7', `bytes=8-${8 + 1392 - 1}`, `bytes=${ln.byteOffset}-${ln.byteOffset + 7}`]);
    expect(seen.every((r) => r.path === `/${REPO}/resolve/main/model.safetensors`)).toBe(true);
    // Progress: three reads, each ending at its own length (a body may arrive in several chunks).
    expect(events.filter((e) => e.loaded === e.total).map((e) => e.total)).toEqual([8, 1392, 8]);
    expect(events.every((e) => e.label === 'model.safetensors' && e.loaded <= e.total)).toBe(true);
  });

  it('reports progress of a large read up to its total', async () => {
    const events: ByteProgress[] = [];
    const source = await hub().open(REPO, 'main', 'model.safetensors', undefined, (p) => events.push(p));
    const { entries } = await readSafetensorsDirectory(source);
    const wte = entries.find((e) => e.name === 'transformer.wte.weight')!;
    events.length = 0;
    await readTensor(source, wte);
    for (let i = 1; i < events.length; i++) expect(events[i].loaded).toBeGreaterThanOrEqual(events[i - 1].loaded);
    expect(events[events.length - 1]).toEqual({ loaded: wte.byteLength, total: wte.byteLength, label: 'model.safetensors' });
  });

  it('says which file is missing in which repo and revision', async () => {
    const e = await failure(hub().fetchJson('lowbit-test/no-weights', 'v2', 'config.json'));
    expect(e.code).toBe('not-found');
    expect(e.message).toBe('config.json was not found in lowbit-test/no-weights at revision v2. Check the repo id and revision.');
    const unknown = await failure(hub().fetchJson('lowbit-test/nope', 'main', 'config.json'));
    expect(unknown.code).toBe('not-found');
    expect(unknown.message).toBe(`lowbit-test/nope was not found on ${new URL(server.url).host}. Check the repo id; if the repo is private, paste a Hugging Face token with access.`);
  });

  it('says when a JSON file is not JSON', async () => {
    const e = await failure(hub().fetchJson('lowbit-test/bad-json', 'main', 'config.json'));
    expect(e.code).toBe('corrupt');
    expect(e.message).toBe('config.json in lowbit-test/bad-json at revision main is not valid JSON. Check that the repo holds the files of a model.');
  });

  it('asks for a token for a gated repo, works with it, and never puts it in a URL or message', async () => {
    const before = server.requests.length;
    const refused = await failure(hub().fetchJson(GATED, 'main', 'config.json'));
    expect(refused.code).toBe('unauthorized');
    expect(refused.message).toBe(`${GATED} is gated or private (HTTP 401): paste a Hugging Face token with access to it (and accept the repo's terms on huggingface.co if it is gated).`);
    const wrong = await failure(hub({ token: 'hf_wrong' }).fetchJson(GATED, 'main', 'config.json'));
    expect(wrong.code).toBe('unauthorized');
    expect(wrong.message).toBe(`Your Hugging Face token does not give access to ${GATED} (HTTP 401). Check that it has read access and that you accepted the repo's terms on huggingface.co, then paste it again.`);
    expect(wrong.message).not.toContain('hf_wrong');

    const client = hub({ token: TOKEN });
    expect((await client.fetchJson<{ n_embd: number }>(GATED, 'main', 'config.json')).n_embd).toBe(2);
    const source = await client.open(GATED, 'main', 'model.safetensors');
    expect((await readSafetensorsDirectory(source)).entries).toHaveLength(16);
    const seen = requestsFrom(before);
    expect(seen.filter((r) => r.auth)).toHaveLength(seen.length - 1); // all but the first, token-less request
    expect(seen.some((r) => r.path.includes(TOKEN) || decodeURIComponent(r.path).includes(TOKEN))).toBe(false);
  });

  it('rejects promptly with an AbortError when a slow download is aborted', async () => {
    const client = createHubClient({ host: slow.url });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 150);
    const t0 = performance.now();
    const e = await failure(client.fetchBytes(REPO, 'main', 'model.safetensors', controller.signal)); // 80 s at 5 kB/s
    expect(e).toBeInstanceOf(DOMException);
    expect(e.name).toBe('AbortError');
    expect(performance.now() - t0).toBeLessThan(2000);
  });

  it('exists() answers with HEAD requests', async () => {
    const before = server.requests.length;
    expect(await hub().exists(REPO, 'main', 'config.json')).toBe(true);
    expect(await hub().exists(REPO, 'main', 'nope.json')).toBe(false);
    expect(requestsFrom(before).map((r) => r.method)).toEqual(['HEAD', 'HEAD']);
    expect((await failure(hub().exists('lowbit-test/nope', 'main', 'config.json'))).code).toBe('not-found');
    expect((await failure(hub().exists(GATED, 'main', 'config.json'))).code).toBe('unauthorized');
  });

  it('resolves model.safetensors, or the shards of model.safetensors.index.json', async () => {
    expect(await resolveSafetensorsFiles(hub(), REPO, 'main')).toEqual({ files: ['model.safetensors'], weightMap: null });
    const sharded = await resolveSafetensorsFiles(hub(), 'lowbit-test/sharded', 'main');
    expect(sharded).toEqual({ files: ['model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors'], weightMap });
    const source = await hub().open('lowbit-test/sharded', 'main', sharded.files[1]);
    const { entries } = await readSafetensorsDirectory(source);
    expect(entries.map((e) => [e.name, e.file])).toEqual([['b.weight', sharded.files[1]], ['b.bias', sharded.files[1]]]);
    expect([...(await readTensor(source, entries[0]))]).toEqual([5, 6, 7]);
    expect([...(await readTensor(source, entries[1]))]).toEqual([1]);
  });

  it('says when a repo has no safetensors weights or a malformed index', async () => {
    const none = await failure(resolveSafetensorsFiles(hub(), 'lowbit-test/no-weights', 'main'));
    expect(none.code).toBe('not-found');
    expect(none.message).toBe('lowbit-test/no-weights at revision main has no safetensors weights (neither model.safetensors nor model.safetensors.index.json). It may hold only PyTorch .bin or GGUF files; pick a repo with safetensors weights, or open a GGUF file.');
    const bad = await failure(resolveSafetensorsFiles(hub(), 'lowbit-test/bad-index', 'main'));
    expect(bad.code).toBe('corrupt');
    expect(bad.message).toBe('model.safetensors.index.json in lowbit-test/bad-index is malformed: tensor "w" maps to "../../x.safetensors", not a .safetensors file of the repo. The repo\'s weights cannot be located.');
  });

  it('serves repeated reads from a memory cache without asking the server for the range again', async () => {
    const cache = memoryRangeCache();
    const read = async () => {
      const source = await hub({ cache }).open(REPO, 'main', 'model.safetensors');
      const { entries } = await readSafetensorsDirectory(source);
      return readTensor(source, entries.find((e) => e.name === 'transformer.wpe.weight')!);
    };
    const before = server.requests.length;
    const first = await read();
    const afterFirst = server.requests.length;
    expect(afterFirst - before).toBe(4); // probe, length, header, tensor
    expect(await read()).toEqual(first);
    expect(requestsFrom(afterFirst).map((r) => r.range)).toEqual(['bytes=0-0']); // only the probe, which learns the file version
  });

  it('keeps the token out of cache keys', async () => {
    const keys: string[] = [];
    const spy: RangeCache = { get: async () => null, put: async (k) => void keys.push(k) };
    await hub({ token: TOKEN, cache: spy }).fetchJson(GATED, 'main', 'config.json');
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatch(new RegExp(`^${server.url}/${GATED}/resolve/main/config\\.json "[0-9a-f]+" 0-\\d+$`));
    expect(keys[0]).not.toContain(TOKEN);
  });

  it('goes on loading when the browser cache is full, and says so once', async () => {
    let puts = 0;
    const full = {
      open: async () => ({
        match: async () => undefined,
        put: async () => { puts++; throw new DOMException('The quota has been exceeded.', 'QuotaExceededError'); },
      }),
    } as unknown as CacheStorage;
    const messages: string[] = [];
    const cache = browserRangeCache('lowbit-hub', (m) => messages.push(m), full)!;
    const client = hub({ cache });
    expect((await client.fetchJson<{ n_embd: number }>(REPO, 'main', 'config.json')).n_embd).toBe(2);
    const source = await client.open(REPO, 'main', 'model.safetensors');
    expect((await readSafetensorsDirectory(source)).entries).toHaveLength(16);
    expect(puts).toBe(1);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(/^The browser has no room left to cache downloaded model files/);
  });
});
