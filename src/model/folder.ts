// model: a model folder wherever it lives (Hugging Face Hub repo, a URL such as our embedded model, files the user dropped).
import { resolveSafetensorsFiles, type HubClient } from './hub';
import { blobSource, httpSource } from './byteSource';
import { ModelLoadError, type ByteProgressFn, type ByteSource } from './types';

/** The files of one model, read lazily. */
export interface ModelFolder {
  /** Shown to people: "HuggingFaceTB/SmolLM2-135M@main", "lowbit-tiny-llama", "model.gguf". */
  readonly name: string;
  /** File names when the folder can list them (dropped files); null for remote folders, which are probed. */
  readonly files: readonly string[] | null;
  /** Random access to one file (Range requests for remote folders). */
  open(file: string, signal?: AbortSignal, onProgress?: ByteProgressFn): Promise<ByteSource>;
  /** A small text file, or null when the folder has no such file. */
  text(file: string, signal?: AbortSignal): Promise<string | null>;
  /** The safetensors weight files (shards in order); absent means the single `model.safetensors`. */
  weightFiles?(signal?: AbortSignal): Promise<string[]>;
}

/** A Hugging Face repo at a revision, through the hub client (which holds the host and the token). */
export function hubFolder(client: HubClient, repo: string, revision: string): ModelFolder {
  return {
    name: `${repo}@${revision}`,
    files: null,
    open: (file, signal, onProgress) => client.open(repo, revision, file, signal, onProgress),
    weightFiles: async (signal) => (await resolveSafetensorsFiles(client, repo, revision, signal)).files,
    text: async (file, signal) => {
      try {
        return await client.fetchText(repo, revision, file, signal);
      } catch (e) {
        if (e instanceof ModelLoadError && e.code === 'not-found') return null;
        throw e;
      }
    },
  };
}

/** A folder served over HTTP at `baseUrl` (ends with '/') with one `model.safetensors` (or a GGUF), e.g. the embedded model under public/models/. */
export function urlFolder(name: string, baseUrl: string, fetchFn: typeof fetch = fetch): ModelFolder {
  return {
    name,
    files: null,
    open: (file, signal, onProgress) => httpSource(baseUrl + file, { name: file, fetchFn, signal, onProgress }),
    text: async (file, signal) => {
      let res: Response;
      try {
        res = await fetchFn(baseUrl + file, { signal });
      } catch (e) {
        if (signal?.aborted) throw e;
        throw new ModelLoadError('network', `Could not read ${file} of ${name}: ${e instanceof Error ? e.message : String(e)}. Reload the page.`);
      }
      // A single-page-app server answers a missing file with its index.html.
      if (res.status === 404 || res.headers.get('content-type')?.includes('text/html')) return null;
      if (!res.ok) throw new ModelLoadError('http', `Reading ${file} of ${name} failed with HTTP ${res.status}. Reload the page.`);
      return res.text();
    },
  };
}

/** Files the user dropped or picked; names are their base names (a folder's structure is flattened). */
export function filesFolder(name: string, files: readonly File[]): ModelFolder {
  const byName = new Map(files.map((f) => [f.name, f]));
  const get = (file: string) => byName.get(file) ?? null;
  return {
    name,
    files: [...byName.keys()].sort(),
    open: async (file) => {
      const f = get(file);
      if (!f) throw new ModelLoadError('not-found', `${file} is not among the files you dropped. Drop it together with the others.`);
      return blobSource(f, file);
    },
    text: async (file) => get(file)?.text() ?? null,
    weightFiles: async () => {
      const found = [...byName.keys()].filter((f) => f.endsWith('.safetensors')).sort();
      if (found.length === 0) throw new ModelLoadError('not-found', 'None of the files you dropped is a .safetensors or .gguf file. Drop the model\'s weights (and its config.json and tokenizer.json).');
      return found;
    },
  };
}
