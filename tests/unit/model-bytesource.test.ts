// tests (model layer): ByteSources over memory, Blobs and HTTP (Range, progress, abort, servers without Range) and the range caches.
import { afterEach, describe, expect, it } from 'vitest';
import { blobSource, bytesSource, httpSource } from '../../src/model/byteSource';
import { browserRangeCache, memoryRangeCache, type RangeCache } from '../../src/model/cache';
import { ModelLoadError, type ByteProgress } from '../../src/model/types';
import { startHubServer, type HubServer } from '../support/hubServer';

/** 100 000 bytes, byte i = i mod 251 (a prime, so ranges at different offsets differ). */
const FILE = Uint8Array.from({ length: 100_000 }, (_, i) => i % 251);
const slice = (a: number, b: number) => FILE.slice(a, b);

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a rejection');
}

describe('bytesSource and blobSource', () => {
  it('read ranges, empty ranges included', async () => {
    for (const source of [bytesSource('f.bin', FILE), blobSource(new Blob([FILE]), 'f.bin')]) {
      expect(source.size).toBe(100_000);
      expect(await source.read(5, 17)).toEqual(slice(5, 17));
      expect(await source.read(99_990, 100_000)).toEqual(slice(99_990, 100_000));
      expect((await source.read(7, 7)).length).toBe(0);
    }
  });
  it('blobSource takes its name from a File', () => {
    expect(blobSource(new File([FILE], 'model.safetensors')).name).toBe('model.safetensors');
    expect(blobSource(new Blob([FILE])).name).toBe('file');
  });
  it('reject reads outside the file with a corrupt-file error that gives the numbers', async () => {
    for (const source of [bytesSource('f.bin', FILE), blobSource(new Blob([FILE]), 'f.bin')]) {
      const e = await rejection(source.read(99_999, 100_001));
      expect(e).toBeInstanceOf(ModelLoadError);
      expect((e as ModelLoadError).code).toBe('corrupt');
      expect(e.message).toBe('Cannot read bytes 99999 to 100001 of f.bin: the file has 100000 bytes. The file is damaged or truncated; try downloading it again.');
      expect((await rejection(source.read(5, 4))).message).toMatch(/^Cannot read bytes 5 to 4 of f\.bin/);
    }
  });
  it('reject with an AbortError once the signal has aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    for (const source of [bytesSource('f.bin', FILE), blobSource(new Blob([FILE]), 'f.bin')]) {
      const e = await rejection(source.read(0, 10, controller.signal));
      expect(e).toBeInstanceOf(DOMException);
      expect(e.name).toBe('AbortError');
    }
  });
});

describe('httpSource against a local server', () => {
  let server: HubServer | null = null;
  afterEach(async () => {
    await server?.close();
    server = null;
  });
  const start = async (opts: Partial<Parameters<typeof startHubServer>[0]> = {}) => {
    server = await startHubServer({ repos: {}, memory: { 'o/r': { 'f.bin': FILE, 'empty.bin': new Uint8Array(0) } }, ...opts });
    return { server, url: `${server.url}/o/r/resolve/main/f.bin` };
  };

  it('learns the size from a one-byte Range probe, then asks for exactly each range', async () => {
    const { server, url } = await start();
    const source = await httpSource(url, { name: 'f.bin' });
    expect(source.size).toBe(100_000);
    expect(await source.read(1000, 1010)).toEqual(slice(1000, 1010));
    expect(await source.read(99_000, 100_000)).toEqual(slice(99_000, 100_000));
    expect(server.requests.map((r) => r.range)).toEqual(['bytes=0-0', 'bytes=1000-1009', 'bytes=99000-99999']);
  });
  it('opens an empty file (the server answers the probe 416 with bytes */0)', async () => {
    const { server } = await start();
    const source = await httpSource(`${server.url}/o/r/resolve/main/empty.bin`, { name: 'empty.bin' });
    expect(source.size).toBe(0);
    expect((await source.read(0, 0)).length).toBe(0);
  });
  it('reports progress while a throttled body streams: increasing, ending at the range length', async () => {
    const { url } = await start({ bytesPerSecond: 200_000 });
    const events: ByteProgress[] = [];
    const source = await httpSource(url, { name: 'f.bin', onProgress: (p) => events.push(p) });
    events.length = 0;
    expect(await source.read(0, 60_000)).toEqual(slice(0, 60_000));
    expect(events.length).toBeGreaterThan(3); // 10 000-byte slices every 50 ms arrive as separate chunks
    expect(events.every((e) => e.total === 60_000 && e.label === 'f.bin')).toBe(true);
    for (let i = 1; i < events.length; i++) expect(events[i].loaded).toBeGreaterThan(events[i - 1].loaded);
    expect(events[events.length - 1].loaded).toBe(60_000);
  });
  it('rejects a slow read with an AbortError soon after the abort', async () => {
    const { url } = await start({ bytesPerSecond: 2000 }); // the 100 000-byte read would take 50 s
    const source = await httpSource(url, { name: 'f.bin' });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 150);
    const t0 = performance.now();
    const e = await rejection(source.read(0, 100_000, controller.signal));
    expect(e.name).toBe('AbortError');
    expect(performance.now() - t0).toBeLessThan(2000);
  });
  it('rejects opening with an AbortError when the open signal aborts during a slow answer', async () => {
    const { url } = await start({ delayMs: 10_000 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const t0 = performance.now();
    const e = await rejection(httpSource(url, { name: 'f.bin', signal: controller.signal }));
    expect(e.name).toBe('AbortError');
    expect(performance.now() - t0).toBeLessThan(2000);
  });
  it('works with a server that ignores Range: downloads the file once, then slices it', async () => {
    const { server, url } = await start({ ignoreRange: true });
    const events: ByteProgress[] = [];
    const source = await httpSource(url, { name: 'f.bin', onProgress: (p) => events.push(p) });
    expect(events[events.length - 1]).toEqual({ loaded: 100_000, total: 100_000, label: 'f.bin' });
    expect(source.size).toBe(100_000);
    expect(await source.read(50, 60)).toEqual(slice(50, 60));
    expect(await source.read(90_000, 90_004)).toEqual(slice(90_000, 90_004));
    expect(server.requests).toHaveLength(1);
  });
  it('refuses to download a file whole over wholeFileLimit when the server ignores Range', async () => {
    const { url } = await start({ ignoreRange: true });
    const e = await rejection(httpSource(url, { name: 'f.bin', wholeFileLimit: 50_000 }));
    expect((e as ModelLoadError).code).toBe('unsupported');
    expect(e.message).toBe(`${new URL(url).host} does not support HTTP range requests, so f.bin would have to be downloaded whole, and it is over the 50000-byte limit for that. Download the file and open it from disk instead.`);
  });
  it('maps a missing file to not-found and an unreachable host to network', async () => {
    const origin = (await start()).server.url;
    const missing = await rejection(httpSource(`${origin}/o/r/resolve/main/nope.bin`, { name: 'nope.bin' }));
    expect((missing as ModelLoadError).code).toBe('not-found');
    expect(missing.message).toBe(`nope.bin was not found at ${origin}/o/r/resolve/main/nope.bin. Check the address.`);
    const failingFetch = (async () => { throw new TypeError('Failed to fetch'); }) as typeof fetch;
    const offline = await rejection(httpSource('https://example.org/x.bin', { name: 'x.bin', fetchFn: failingFetch }));
    expect((offline as ModelLoadError).code).toBe('network');
    expect(offline.message).toBe('Could not reach example.org to download x.bin (Failed to fetch). Check your internet connection, and that the server lets this page read the file (CORS).');
    await server?.close();
    server = null;
    expect(((await rejection(httpSource(`${origin}/o/r/resolve/main/f.bin`, { name: 'f.bin' }))) as ModelLoadError).code).toBe('network');
  });
  it('rejects an answer for a different range, and a file that changed size between reads', async () => {
    let total = 100;
    const fakeFetch = (async (_url: string, init?: RequestInit) => {
      const range = new Headers(init?.headers).get('range') ?? '';
      const [a] = range.replace('bytes=', '').split('-').map(Number);
      const shifted = a === 0 ? 0 : a + 1; // answers one byte off for every range but the probe
      return new Response(new Uint8Array(1), { status: 206, headers: { 'Content-Range': `bytes ${shifted}-${shifted}/${total}`, ETag: '"v1"' } });
    }) as typeof fetch;
    const source = await httpSource('https://example.org/x.bin', { name: 'x.bin', fetchFn: fakeFetch });
    expect((await rejection(source.read(10, 11))).message).toBe('example.org answered a different byte range than the one asked for from x.bin (asked 10-10, got "bytes 11-11/100"). Try again.');
    total = 200;
    expect((await rejection(source.read(10, 11))).message).toBe('x.bin changed on example.org while it was being read (it was 100 bytes, now 200). Load the model again.');
  });
  it('falls back to a HEAD Content-Length when CORS hides Content-Range, and checks ranges by length', async () => {
    const seen: string[] = [];
    const hidden = (async (_u: string, init?: RequestInit) => {
      const range = new Headers(init?.headers).get('range');
      seen.push(init?.method === 'HEAD' ? 'HEAD' : `GET ${range}`);
      if (init?.method === 'HEAD') return new Response(null, { status: 200, headers: { 'Content-Length': '100000' } });
      const [a, b] = (range ?? '').replace('bytes=', '').split('-').map(Number);
      return new Response(slice(a, b + 1), { status: 206 }); // no Content-Range visible
    }) as typeof fetch;
    const source = await httpSource('https://example.org/x.bin', { name: 'x.bin', fetchFn: hidden });
    expect(source.size).toBe(100_000);
    expect(await source.read(300, 310)).toEqual(slice(300, 310));
    expect(seen).toEqual(['GET bytes=0-0', 'HEAD', 'GET bytes=300-309']);
  });
  it('caches ranges of an immutable URL even without ETag or Last-Modified', async () => {
    const keys: string[] = [];
    const spy: RangeCache = { get: async () => null, put: async (k) => void keys.push(k) };
    const noVersion = (async () => new Response(new Uint8Array(1), { status: 206, headers: { 'Content-Range': 'bytes 0-0/10' } })) as typeof fetch;
    const source = await httpSource('https://example.org/x.bin', { name: 'x.bin', fetchFn: noVersion, cache: spy, immutable: true });
    await source.read(0, 1);
    expect(keys).toEqual(['https://example.org/x.bin immutable 0-1']);
  });
  it('reports a body cut short as a network error', async () => {
    // Every answer claims the asked range but carries 3 bytes.
    const cut = (async (_u: string, init?: RequestInit) => {
      const [a, b] = (new Headers(init?.headers).get('range') ?? '').replace('bytes=', '').split('-').map(Number);
      return new Response(new Uint8Array(3), { status: 206, headers: { 'Content-Range': `bytes ${a}-${b}/100` } });
    }) as typeof fetch;
    const source = await httpSource('https://example.org/x.bin', { name: 'x.bin', fetchFn: cut });
    expect(source.size).toBe(100);
    const e = await rejection(source.read(0, 10));
    expect((e as ModelLoadError).code).toBe('network');
    expect(e.message).toBe('The download of x.bin from example.org stopped after 3 of 10 bytes. Check your connection and try again.');
  });

  it('serves a cached range without asking the server again; caches nothing for files without a version', async () => {
    const { server, url } = await start();
    const cache = memoryRangeCache();
    const first = await httpSource(url, { name: 'f.bin', cache });
    expect(await first.read(100, 200)).toEqual(slice(100, 200));
    const second = await httpSource(url, { name: 'f.bin', cache });
    expect(await second.read(100, 200)).toEqual(slice(100, 200));
    expect(server.requests.map((r) => r.range)).toEqual(['bytes=0-0', 'bytes=100-199', 'bytes=0-0']);

    const keys: string[] = [];
    const spy: RangeCache = { get: async () => null, put: async (k) => void keys.push(k) };
    const noVersion = (async () => new Response(new Uint8Array(1), { status: 206, headers: { 'Content-Range': 'bytes 0-0/10' } })) as typeof fetch;
    const unversioned = await httpSource('https://example.org/x.bin', { name: 'x.bin', fetchFn: noVersion, cache: spy });
    expect(await unversioned.read(0, 1)).toEqual(new Uint8Array(1));
    expect(keys).toEqual([]);
  });
});

/** A Map-backed stand-in for the browser's CacheStorage; `failPut` makes every put reject with it. */
function fakeCacheStorage(failPut?: () => Error) {
  const stored = new Map<string, Uint8Array>();
  let puts = 0;
  const cache = {
    match: async (req: string) => (stored.has(req) ? new Response(stored.get(req)!.slice()) : undefined),
    put: async (req: string, res: Response) => {
      puts++;
      if (failPut) throw failPut();
      stored.set(req, new Uint8Array(await res.arrayBuffer()));
    },
  };
  return { storage: { open: async () => cache } as unknown as CacheStorage, stored, puts: () => puts };
}

describe('browserRangeCache', () => {
  it('is null where there is no Cache API (Node)', () => {
    expect(globalThis.caches).toBeUndefined();
    expect(browserRangeCache()).toBeNull();
  });
  it('stores each range as a 200 response under a made-up URL holding the key', async () => {
    const fake = fakeCacheStorage();
    const cache = browserRangeCache('t', undefined, fake.storage)!;
    await cache.put('https://h/x "v1" 0-8', new Uint8Array([1, 2, 3]));
    expect([...fake.stored.keys()]).toEqual([`https://lowbit.invalid/range?key=${encodeURIComponent('https://h/x "v1" 0-8')}`]);
    expect(await cache.get('https://h/x "v1" 0-8')).toEqual(new Uint8Array([1, 2, 3]));
    expect(await cache.get('https://h/x "v2" 0-8')).toBeNull();
  });
  it('reports a full quota once, stops writing and lets loading go on', async () => {
    const fake = fakeCacheStorage(() => new DOMException('quota', 'QuotaExceededError'));
    const messages: string[] = [];
    const cache = browserRangeCache('t', (m) => messages.push(m), fake.storage)!;
    await cache.put('a', new Uint8Array(1));
    await cache.put('b', new Uint8Array(1));
    expect(fake.puts()).toBe(1);
    expect(messages).toEqual(['The browser has no room left to cache downloaded model files, so lowbit goes on without caching (the next visit downloads them again). Free space by clearing this site\'s data in the browser settings.']);
    expect(await cache.get('a')).toBeNull();
  });
  it('reports other write failures once with their reason', async () => {
    const messages: string[] = [];
    const cache = browserRangeCache('t', (m) => messages.push(m), fakeCacheStorage(() => new Error('disk on fire')).storage)!;
    await cache.put('a', new Uint8Array(1));
    await cache.put('a', new Uint8Array(1));
    expect(messages).toEqual(['The browser refused to cache downloaded model files (disk on fire), so lowbit goes on without caching; the next visit downloads them again.']);
  });
});
