// model: caches of downloaded byte ranges (the browser Cache API, or memory for tests), keyed by URL, file version and range.

/**
 * A store of downloaded byte ranges. Keys are opaque strings made by httpSource (URL, file
 * version, range) and never contain credentials. `put` must not reject: a cache is an
 * optimisation, so implementations report their own failures and carry on.
 */
export interface RangeCache {
  get(key: string): Promise<Uint8Array | null>;
  put(key: string, bytes: Uint8Array): Promise<void>;
}

/** A RangeCache in a Map (copies in and out), for tests and short-lived Node runs. */
export function memoryRangeCache(): RangeCache {
  const entries = new Map<string, Uint8Array>();
  return {
    get: async (key) => entries.get(key)?.slice() ?? null,
    put: async (key, bytes) => { entries.set(key, bytes.slice()); },
  };
}

/**
 * The Cache API only stores responses to GET requests of http(s) URLs and refuses 206 partial
 * responses, so each range is stored as a synthetic 200 response under a made-up URL that
 * encodes the key (a query parameter, not a fragment: Cache API matching ignores fragments).
 */
const keyRequest = (key: string): string => `https://lowbit.invalid/range?key=${encodeURIComponent(key)}`;

/**
 * A RangeCache in the browser's Cache API (`caches`, storage `name`), or null where there is none
 * (Node, insecure origins). A failed write (QuotaExceededError when storage is full, or any other
 * error) is reported once through `onQuota` and turns writing off, so loading goes on uncached;
 * failed reads count as misses. `storage` is for tests.
 */
export function browserRangeCache(
  name = 'lowbit-hub',
  onQuota?: (message: string) => void,
  storage: CacheStorage | undefined = globalThis.caches,
): RangeCache | null {
  if (!storage) return null;
  let cache: Promise<Cache> | null = null;
  const open = () => (cache ??= storage.open(name));
  let writable = true;
  return {
    async get(key) {
      try {
        const hit = await (await open()).match(keyRequest(key));
        return hit ? new Uint8Array(await hit.arrayBuffer()) : null;
      } catch {
        return null;
      }
    },
    async put(key, bytes) {
      if (!writable) return;
      try {
        await (await open()).put(keyRequest(key), new Response(bytes.slice(), { status: 200 }));
      } catch (e) {
        writable = false;
        const full = e instanceof DOMException && e.name === 'QuotaExceededError';
        onQuota?.(full
          ? 'The browser has no room left to cache downloaded model files, so lowbit goes on without caching (the next visit downloads them again). Free space by clearing this site\'s data in the browser settings.'
          : `The browser refused to cache downloaded model files (${e instanceof Error ? e.message : String(e)}), so lowbit goes on without caching; the next visit downloads them again.`);
      }
    },
  };
}
