// model: a small Hugging Face Hub client: file URLs, JSON/text/bytes downloads, Range-read ByteSources, errors that say what to do, safetensors file lists.
import { httpSource, type HttpFailure } from './byteSource';
import type { RangeCache } from './cache';
import { ModelLoadError, type ByteProgressFn, type ByteSource } from './types';

export const DEFAULT_HUB_HOST = 'https://huggingface.co';

export interface HubClientOptions {
  /** Hub origin, default https://huggingface.co (tests use a local server). */
  readonly host?: string;
  /** Hugging Face access token, sent only as `Authorization: Bearer <token>`. */
  readonly token?: string;
  readonly fetchFn?: typeof fetch;
  readonly cache?: RangeCache;
}

export interface HubClient {
  readonly host: string;
  /** `${host}/${repo}/resolve/${revision}/${file}`, the revision percent-encoded as one path segment ("refs/pr/1" -> "refs%2Fpr%2F1"). */
  fileUrl(repo: string, revision: string, file: string): string;
  /** A JSON file of the repo, parsed (ModelLoadError 'corrupt' when it is not JSON). */
  fetchJson<T>(repo: string, revision: string, file: string, signal?: AbortSignal): Promise<T>;
  /** A text file of the repo, decoded as UTF-8. */
  fetchText(repo: string, revision: string, file: string, signal?: AbortSignal): Promise<string>;
  /** A whole file of the repo. */
  fetchBytes(repo: string, revision: string, file: string, signal?: AbortSignal, onProgress?: ByteProgressFn): Promise<Uint8Array>;
  /** Random access to a file of the repo through Range requests (see httpSource). */
  open(repo: string, revision: string, file: string, signal?: AbortSignal, onProgress?: ByteProgressFn): Promise<ByteSource>;
  /** Whether the file exists (HEAD); rejects on access, network and server errors. */
  exists(repo: string, revision: string, file: string, signal?: AbortSignal): Promise<boolean>;
}

/**
 * Repo ids as huggingface_hub's `validate_repo_id` accepts them: `name` (legacy ids like "gpt2"
 * still resolve on the Hub) or `owner/name`, each part letters, digits, "-", "_", "." not starting
 * or ending with "-" or ".", no "--" or "..", at most 96 characters.
 */
const REPO_PART = /^[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?$/;

/** Throws ModelLoadError('not-found') with the rule that `repo` breaks, before any request is made. */
export function checkRepoId(repo: string): void {
  const parts = repo.split('/');
  const ok = repo.length <= 96 && parts.length <= 2 && parts.every((p) => REPO_PART.test(p)) && !repo.includes('--') && !repo.includes('..');
  if (!ok) {
    throw new ModelLoadError('not-found',
      `"${repo}" is not a Hugging Face repo id. Write it as owner/name, like "openai-community/gpt2": letters, digits, "-", "_" and "." only, at most 96 characters.`);
  }
}

/** A full commit hash: a URL at such a revision always serves the same bytes. */
const COMMIT_HASH = /^[0-9a-f]{40}$/;

function checkRevision(revision: string): void {
  if (revision.length === 0 || revision.length > 255) {
    throw new ModelLoadError('not-found', `"${revision}" is not a revision: give a branch, tag or commit hash such as "main".`);
  }
}

/** Files are paths inside the repo; "." and ".." segments would make the URL leave it. */
function filePath(file: string): string {
  const segments = file.split('/');
  if (segments.some((s) => s === '' || s === '.' || s === '..')) {
    throw new ModelLoadError('not-found', `"${file}" is not a file path inside a repo (empty, "." or ".." parts are not allowed).`);
  }
  return segments.map(encodeURIComponent).join('/');
}

/** Messages for a repo file, using the Hub's X-Error-Code where it gives one. */
function hubExplainer(host: string, repo: string, revision: string, file: string, hasToken: boolean) {
  const hostName = new URL(host).host;
  return (failure: HttpFailure): ModelLoadError => {
    if (failure.kind === 'network') {
      const why = failure.cause instanceof Error ? failure.cause.message : String(failure.cause);
      return new ModelLoadError('network',
        `Could not reach ${hostName} to download ${file} from ${repo} (${why}). Check your internet connection; the Hugging Face Hub may also be blocked on this network.`);
    }
    const { status, headers } = failure.response;
    const code = headers.get('x-error-code');
    if (code === 'RepoNotFound') {
      return new ModelLoadError('not-found', hasToken
        ? `${repo} was not found on ${hostName}, or your token does not give access to it. Check the repo id and the token.`
        : `${repo} was not found on ${hostName}. Check the repo id; if the repo is private, paste a Hugging Face token with access.`);
    }
    if (code === 'RevisionNotFound') {
      return new ModelLoadError('not-found', `${repo} has no revision "${revision}". Check the branch, tag or commit.`);
    }
    if (status === 404) {
      return new ModelLoadError('not-found', `${file} was not found in ${repo} at revision ${revision}. Check the repo id and revision.`);
    }
    if (status === 401 || status === 403) {
      return new ModelLoadError('unauthorized', hasToken
        ? `Your Hugging Face token does not give access to ${repo} (HTTP ${status}). Check that it has read access and that you accepted the repo's terms on huggingface.co, then paste it again.`
        : `${repo} is gated or private (HTTP ${status}): paste a Hugging Face token with access to it (and accept the repo's terms on huggingface.co if it is gated).`);
    }
    if (status === 429) {
      return new ModelLoadError('http', `${hostName} is rate-limiting downloads (HTTP 429). Wait a minute and try again; signing in with a token raises the limit.`);
    }
    return new ModelLoadError('http', `${hostName} answered HTTP ${status} for ${file} in ${repo}. Try again in a moment.`);
  };
}

/**
 * A Hub client. The token lives only in this object and goes only into the Authorization header:
 * never into URLs, cache keys, messages or storage.
 */
export function createHubClient(opts: HubClientOptions = {}): HubClient {
  const host = (opts.host ?? DEFAULT_HUB_HOST).replace(/\/+$/, '');
  const fetchFn = opts.fetchFn ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init));
  const headers: Record<string, string> = opts.token ? { Authorization: `Bearer ${opts.token}` } : {};

  const fileUrl = (repo: string, revision: string, file: string): string => {
    checkRepoId(repo);
    checkRevision(revision);
    return `${host}/${repo}/resolve/${encodeURIComponent(revision)}/${filePath(file)}`;
  };
  const explainer = (repo: string, revision: string, file: string) => hubExplainer(host, repo, revision, file, Boolean(opts.token));

  const open = (repo: string, revision: string, file: string, signal?: AbortSignal, onProgress?: ByteProgressFn) =>
    httpSource(fileUrl(repo, revision, file), {
      name: file, headers, fetchFn, signal, onProgress, cache: opts.cache, explain: explainer(repo, revision, file),
      immutable: COMMIT_HASH.test(revision),
    });

  const fetchBytes = async (repo: string, revision: string, file: string, signal?: AbortSignal, onProgress?: ByteProgressFn) => {
    const source = await open(repo, revision, file, signal, onProgress);
    return source.read(0, source.size, signal);
  };

  const fetchText = async (repo: string, revision: string, file: string, signal?: AbortSignal) => {
    const bytes = await fetchBytes(repo, revision, file, signal);
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      throw new ModelLoadError('corrupt', `${file} in ${repo} is not UTF-8 text. Check that the repo holds the files of a model.`);
    }
  };

  return {
    host,
    fileUrl,
    fetchBytes,
    fetchText,
    open,
    async fetchJson<T>(repo: string, revision: string, file: string, signal?: AbortSignal): Promise<T> {
      const text = await fetchText(repo, revision, file, signal);
      try {
        return JSON.parse(text) as T;
      } catch {
        throw new ModelLoadError('corrupt', `${file} in ${repo} at revision ${revision} is not valid JSON. Check that the repo holds the files of a model.`);
      }
    },
    async exists(repo, revision, file, signal) {
      const url = fileUrl(repo, revision, file);
      const explain = explainer(repo, revision, file);
      let response: Response;
      try {
        response = await fetchFn(url, { method: 'HEAD', headers, signal });
      } catch (e) {
        signal?.throwIfAborted();
        throw e instanceof DOMException && e.name === 'AbortError' ? e : explain({ kind: 'network', cause: e });
      }
      if (response.ok) return true;
      if (response.status === 404 && response.headers.get('x-error-code') !== 'RepoNotFound'
        && response.headers.get('x-error-code') !== 'RevisionNotFound') return false;
      throw explain({ kind: 'status', response });
    },
  };
}

/** model.safetensors.index.json of a sharded checkpoint (transformers' `save_pretrained`). */
interface SafetensorsIndex {
  readonly weight_map?: unknown;
}

/**
 * The safetensors files of a model, as transformers looks for them: `model.safetensors` when it
 * exists (weightMap null), else the shards named by `model.safetensors.index.json` (sorted,
 * with its tensor -> file map). Throws ModelLoadError('not-found') when the repo has neither,
 * 'corrupt' when the index is malformed.
 */
export async function resolveSafetensorsFiles(
  client: HubClient, repo: string, revision: string, signal?: AbortSignal,
): Promise<{ files: string[]; weightMap: Record<string, string> | null }> {
  if (await client.exists(repo, revision, 'model.safetensors', signal)) return { files: ['model.safetensors'], weightMap: null };
  const indexFile = 'model.safetensors.index.json';
  if (!(await client.exists(repo, revision, indexFile, signal))) {
    throw new ModelLoadError('not-found',
      `${repo} at revision ${revision} has no safetensors weights (neither model.safetensors nor ${indexFile}). It may hold only PyTorch .bin or GGUF files; pick a repo with safetensors weights, or open a GGUF file.`);
  }
  const index = await client.fetchJson<SafetensorsIndex>(repo, revision, indexFile, signal);
  const map = index?.weight_map;
  const bad = (why: string) => new ModelLoadError('corrupt', `${indexFile} in ${repo} is malformed: ${why}. The repo's weights cannot be located.`);
  if (typeof map !== 'object' || map === null || Array.isArray(map)) throw bad('it has no "weight_map" object');
  for (const [tensor, file] of Object.entries(map)) {
    if (typeof file !== 'string' || !file.endsWith('.safetensors') || file.split('/').some((s) => s === '' || s === '.' || s === '..')) {
      throw bad(`tensor "${tensor}" maps to ${JSON.stringify(file)}, not a .safetensors file of the repo`);
    }
  }
  const weightMap = Object.fromEntries(Object.entries(map)) as Record<string, string>;
  const files = [...new Set(Object.values(weightMap))].sort();
  if (files.length === 0) throw bad('its "weight_map" is empty');
  return { files, weightMap };
}
