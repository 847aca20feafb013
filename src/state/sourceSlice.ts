// state: the model-source slice: hub host, whether a token is set (the token itself stays out of the store), dropped-file status, notices.
import type { StateCreator } from 'zustand/vanilla';

/** Where the hub is when the address does not say (?hub=<url> points at a mirror or a test server). */
export const DEFAULT_HUB_HOST = 'https://huggingface.co';

export interface SourceState {
  readonly hubHost: string;
  /** A token was given for gated or private repos (it is kept in the worker's memory only). */
  readonly hubTokenSet: boolean;
  /** Dropped files being hashed and registered, or why they could not be. */
  readonly attach: { readonly status: 'idle' | 'working' | 'error'; readonly message: string | null };
  /** Something the user should know that is not an error (e.g. the download cache is full). */
  readonly notice: string | null;
}

export interface SourceSlice {
  readonly sources: SourceState;
  setHubSettings(host: string, tokenSet: boolean): void;
  setAttach(status: SourceState['attach']['status'], message?: string | null): void;
  setNotice(notice: string | null): void;
}

export const createSourceSlice: StateCreator<SourceSlice> = (set) => ({
  sources: { hubHost: DEFAULT_HUB_HOST, hubTokenSet: false, attach: { status: 'idle', message: null }, notice: null },
  setHubSettings: (hubHost, hubTokenSet) => set(({ sources }) => ({ sources: { ...sources, hubHost, hubTokenSet } })),
  setAttach: (status, message = null) => set(({ sources }) => ({ sources: { ...sources, attach: { status, message } } })),
  setNotice: (notice) => set(({ sources }) => ({ sources: { ...sources, notice } })),
});
