// model: ByteSources (random access to a file's bytes) over memory, a browser Blob/File, or HTTP Range requests with progress, abort and a range cache.
import type { RangeCache } from './cache';
import { ModelLoadError, type ByteProgressFn, type ByteSource } from './types';

/** Rejects a read outside [0, size] with a message naming the file. */
function checkRange(name: string, size: number, start: number, end: number): void {
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || start > end || end > size) {
    throw new ModelLoadError('corrupt',
      `Cannot read bytes ${start} to ${end} of ${name}: the file has ${size} bytes. The file is damaged or truncated; try downloading it again.`);
  }
}

/** `p`, or the abort reason (an AbortError DOMException) as soon as `signal` aborts. */
function abortable<T>(p: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return p;
  signal.throwIfAborted();
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** A ByteSource over bytes in memory. Reads return views into `bytes` (no copy): do not modify them. */
export function bytesSource(name: string, bytes: Uint8Array): ByteSource {
  return {
    name,
    size: bytes.length,
    async read(start, end, signal) {
      signal?.throwIfAborted();
      checkRange(name, bytes.length, start, end);
      return bytes.subarray(start, end);
    },
  };
}

/** A ByteSource over a Blob or a browser File (named after the File unless `name` is given). */
export function blobSource(blob: Blob, name: string = (blob as Partial<File>).name || 'file'): ByteSource {
  return {
    name,
    size: blob.size,
    async read(start, end, signal) {
      checkRange(name, blob.size, start, end);
      return new Uint8Array(await abortable(blob.slice(start, end).arrayBuffer(), signal));
    },
  };
}

/** Why an HTTP request failed: an answer with an error status, or no answer at all (fetch threw). */
export type HttpFailure = { readonly kind: 'status'; readonly response: Response } | { readonly kind: 'network'; readonly cause: unknown };

/** Turns an HTTP failure into a ModelLoadError whose message says what to do. */
export type HttpFailureExplainer = (failure: HttpFailure) => ModelLoadError;

export interface HttpSourceOptions {
  /** File name used in messages and progress labels. */
  readonly name: string;
  /** Extra request headers (e.g. Authorization); never part of cache keys. */
  readonly headers?: Record<string, string>;
  readonly fetchFn?: typeof fetch;
  /** Aborts opening and every later read. */
  readonly signal?: AbortSignal;
  /** Called as each response body streams in: bytes loaded / total of that read. */
  readonly onProgress?: ByteProgressFn;
  /** Where ranges are kept between reads and visits (only for files whose version is known: see `immutable`). */
  readonly cache?: RangeCache;
  /**
   * The URL's content never changes (a Hub URL pinned to a commit hash), so ranges may be cached
   * even when the server's ETag / Last-Modified is missing or hidden by CORS.
   */
  readonly immutable?: boolean;
  /** Messages for failures (the hub client names repo and revision); default: generic ones naming host and file. */
  readonly explain?: HttpFailureExplainer;
  /**
   * Largest file (bytes) downloaded whole when the server ignores Range requests (answers 200);
   * above it opening fails with ModelLoadError('unsupported'). Default {@link WHOLE_FILE_LIMIT}.
   */
  readonly wholeFileLimit?: number;
}

/** Default of {@link HttpSourceOptions.wholeFileLimit}: 256 MiB. */
export const WHOLE_FILE_LIMIT = 256 * 2 ** 20;

/** Messages naming only the host and file, for plain URLs. */
function genericExplainer(name: string, url: string): HttpFailureExplainer {
  const host = new URL(url).host;
  return (failure) => {
    if (failure.kind === 'network') {
      const why = failure.cause instanceof Error ? failure.cause.message : String(failure.cause);
      return new ModelLoadError('network',
        `Could not reach ${host} to download ${name} (${why}). Check your internet connection, and that the server lets this page read the file (CORS).`);
    }
    const { status } = failure.response;
    if (status === 404 || status === 410) return new ModelLoadError('not-found', `${name} was not found at ${url}. Check the address.`);
    if (status === 401 || status === 403) {
      return new ModelLoadError('unauthorized', `${host} refused access to ${name} (HTTP ${status}): the file needs credentials. Check that you may download it.`);
    }
    return new ModelLoadError('http', `${host} answered HTTP ${status} when asked for ${name}. Try again in a moment.`);
  };
}

/** "bytes 0-0/411960" -> numbers; "bytes * /411960" (416 answers) -> start/end null. */
function parseContentRange(header: string | null): { start: number | null; end: number | null; total: number } | null {
  const m = header?.trim().match(/^bytes\s+(?:(\d+)-(\d+)|\*)\/(\d+)$/i);
  if (!m) return null;
  return { start: m[1] === undefined ? null : Number(m[1]), end: m[2] === undefined ? null : Number(m[2]), total: Number(m[3]) };
}

/**
 * Streams a response body into one array, calling `onLoaded` after each chunk. `expected` bytes
 * exactly when known; otherwise (whole files of unknown length) at most `limit`.
 */
async function readBody(
  response: Response, expected: number | null, limit: number, fail: (loaded: number, tooMany: boolean) => ModelLoadError,
  onLoaded: (loaded: number) => void, signal?: AbortSignal,
): Promise<Uint8Array> {
  const cap = expected ?? limit;
  let buf = new Uint8Array(expected ?? Math.min(limit, 1 << 16));
  let loaded = 0;
  const reader = response.body?.getReader();
  for (;;) {
    let chunk: ReadableStreamReadResult<Uint8Array> | undefined;
    try {
      chunk = await reader?.read();
    } catch (e) {
      signal?.throwIfAborted();
      throw e instanceof DOMException && e.name === 'AbortError' ? e : fail(loaded, false);
    }
    if (!chunk || chunk.done) break;
    const bytes = chunk.value;
    if (loaded + bytes.length > cap) {
      await reader?.cancel();
      throw fail(loaded + bytes.length, true);
    }
    if (loaded + bytes.length > buf.length) {
      const grown = new Uint8Array(Math.min(cap, Math.max(2 * buf.length, loaded + bytes.length)));
      grown.set(buf.subarray(0, loaded));
      buf = grown;
    }
    buf.set(bytes, loaded);
    loaded += bytes.length;
    onLoaded(loaded);
  }
  if (expected !== null && loaded !== expected) throw fail(loaded, false);
  return expected === null ? buf.slice(0, loaded) : buf;
}

/**
 * A ByteSource over a URL. Opening asks for byte 0 (`Range: bytes=0-0`) and learns the size
 * from the `Content-Range` of the 206 answer (or of a 416 for an empty file); each read then
 * asks for exactly its range and streams the body, reporting progress. A server that ignores
 * Range (answers 200) is handled by downloading the file whole once, up to `wholeFileLimit`,
 * and slicing it. Failures reject with ModelLoadError (messages from `explain`), aborts with
 * the signal's AbortError. Where CORS hides Content-Range the size comes from a HEAD request's
 * Content-Length and each range is checked by its length. Ranges are cached in `cache` under URL
 * + version (ETag, Last-Modified, or the URL itself when `immutable`) + range; without a version
 * nothing is cached, since stale bytes of an older file would mix with new ones.
 */
export async function httpSource(url: string, opts: HttpSourceOptions): Promise<ByteSource> {
  const { name, onProgress, cache } = opts;
  const fetchFn = opts.fetchFn ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init));
  const explain = opts.explain ?? genericExplainer(name, url);
  const wholeFileLimit = opts.wholeFileLimit ?? WHOLE_FILE_LIMIT;
  const host = new URL(url).host;
  const signalFor = (signal?: AbortSignal) =>
    signal && opts.signal ? AbortSignal.any([signal, opts.signal]) : signal ?? opts.signal;

  const send = async (range: string | null, signal?: AbortSignal): Promise<Response> => {
    signal?.throwIfAborted();
    try {
      return await fetchFn(url, range === null
        ? { method: 'HEAD', headers: opts.headers, signal }
        : { headers: { ...opts.headers, Range: range }, signal });
    } catch (e) {
      signal?.throwIfAborted();
      throw e instanceof DOMException && e.name === 'AbortError' ? e : explain({ kind: 'network', cause: e });
    }
  };
  const bodyFailure = (expected: number | null) => (loaded: number, tooMany: boolean) => tooMany
    ? new ModelLoadError(expected === null ? 'unsupported' : 'http', expected === null
      ? `${host} does not support HTTP range requests, so ${name} would have to be downloaded whole, and it is over the ${wholeFileLimit}-byte limit for that. Download the file and open it from disk instead.`
      : `${host} sent more than the ${expected} bytes asked for from ${name}. Try again; if it keeps happening the server is misbehaving.`)
    : new ModelLoadError('network',
      `The download of ${name} from ${host} stopped after ${loaded}${expected === null ? '' : ` of ${expected}`} bytes. Check your connection and try again.`);
  const progress = (total: number) => (loaded: number) => onProgress?.({ loaded, total, label: name });

  /** The whole file from a 200 answer (server without Range support). */
  const readWhole = async (response: Response, signal?: AbortSignal): Promise<Uint8Array> => {
    const length = response.headers.get('content-length');
    // A content-encoded body's Content-Length counts compressed bytes, not the file's.
    const expected = length !== null && !response.headers.get('content-encoding') ? Number(length) : null;
    if (expected !== null && expected > wholeFileLimit) {
      await response.body?.cancel();
      throw bodyFailure(null)(expected, true);
    }
    return readBody(response, expected, wholeFileLimit, bodyFailure(expected), progress(expected ?? 0), signal);
  };

  const openSignal = opts.signal;
  const probe = await send('bytes=0-0', openSignal);
  const version = probe.headers.get('etag') ?? probe.headers.get('last-modified') ?? (opts.immutable ? 'immutable' : null);
  /** The file's size, and the file itself when the server ignored Range. */
  const learnSize = async (): Promise<{ size: number; whole: Uint8Array | null }> => {
    if (probe.status === 200) {
      const file = await readWhole(probe, openSignal);
      return { size: file.length, whole: file };
    }
    await probe.body?.cancel();
    const range = parseContentRange(probe.headers.get('content-range'));
    if ((probe.status === 206 || probe.status === 416) && range) return { size: range.total, whole: null };
    if (probe.status === 206) {
      // CORS hides Content-Range from this page; the Content-Length of a HEAD is always readable.
      const head = await send(null, openSignal);
      const length = head.ok ? head.headers.get('content-length') : null;
      if (length !== null) return { size: Number(length), whole: null };
    }
    throw probe.ok
      ? new ModelLoadError('http', `${host} answered HTTP ${probe.status} without a usable Content-Range or Content-Length when asked for the size of ${name}. Try again; if it keeps happening, download the file and open it from disk.`)
      : explain({ kind: 'status', response: probe });
  };
  const opened = await learnSize();
  const size = opened.size;
  let whole = opened.whole;

  return {
    name,
    size,
    async read(start, end, readSignal) {
      const signal = signalFor(readSignal);
      signal?.throwIfAborted();
      checkRange(name, size, start, end);
      const length = end - start;
      if (whole) {
        progress(length)(length);
        return whole.subarray(start, end);
      }
      if (length === 0) return new Uint8Array(0);
      const key = version ? `${url} ${version} ${start}-${end}` : null;
      const hit = cache && key ? await cache.get(key) : null;
      if (hit && hit.length === length) {
        progress(length)(length);
        return hit;
      }
      const response = await send(`bytes=${start}-${end - 1}`, signal);
      let bytes: Uint8Array;
      if (response.status === 206) {
        // A null `got` means CORS hides Content-Range: the exact body length is then the only check.
        const got = parseContentRange(response.headers.get('content-range'));
        if (got && (got.start !== start || got.end !== end - 1 || got.total !== size)) {
          await response.body?.cancel();
          throw new ModelLoadError('http', got.total !== size
            ? `${name} changed on ${host} while it was being read (it was ${size} bytes, now ${got.total}). Load the model again.`
            : `${host} answered a different byte range than the one asked for from ${name} (asked ${start}-${end - 1}, got "${response.headers.get('content-range')}"). Try again.`);
        }
        bytes = await readBody(response, length, length, bodyFailure(length), progress(length), signal);
      } else if (response.status === 200) {
        whole = await readWhole(response, signal);
        checkRange(name, whole.length, start, end);
        bytes = whole.subarray(start, end);
      } else {
        await response.body?.cancel();
        throw explain({ kind: 'status', response });
      }
      if (cache && key) {
        try {
          await cache.put(key, bytes);
        } catch {
          // RangeCache.put must not reject; if one does anyway, loading goes on uncached.
        }
      }
      return bytes;
    },
  };
}
