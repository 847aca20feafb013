// state: the experiment link in the address: read at startup (with notices or the reason it cannot be read), rewritten as the spec changes, and local-file links that wait for the same file.
import { useStore } from 'zustand';
import { createStore, type StoreApi } from 'zustand/vanilla';
import { decodeLink, encodeLink, linkValue, sameLocalFile } from '../spec/link';
import type { ExperimentSpec, ModelRef } from '../spec/schema';
import type { AppStore } from './store';

/** Spec changes within this window give one address update (a dragged slider fires many). */
export const LINK_DEBOUNCE_MS = 250;

type LocalRef = Extract<ModelRef, { kind: 'local' }>;

/** What the page says about the link it was opened with. */
export interface LinkState {
  /** Notices (values clamped, settings ignored), a verified file, or why the link could not be read. */
  readonly message: { readonly kind: 'info' | 'error'; readonly text: string } | null;
  /** The local file the link was made with, until the same file is dropped (or another source is chosen). */
  readonly awaitingFile: LocalRef | null;
}

export type LinkStore = StoreApi<LinkState>;

/** A fresh link store (tests make their own; the app uses `appLinkStore`). */
export function createLinkStore(): LinkStore {
  return createStore<LinkState>()(() => ({ message: null, awaitingFile: null }));
}

/** The app's link store. */
export const appLinkStore = createLinkStore();

/** Selects from the app's link store in a component. */
export function useLinkStore<T>(selector: (state: LinkState) => T): T {
  return useStore(appLinkStore, selector);
}

/** The parts of `window` the link sync uses, so tests can pass a fake. */
export interface LinkWindow {
  readonly location: { readonly href: string };
  readonly history: { replaceState(data: unknown, unused: string, url: string): void };
}

/** The full address of `spec` on the page at `href` (its path and query kept, its hash replaced). */
export async function linkFor(spec: ExperimentSpec, href: string): Promise<string> {
  return `${href.split('#')[0]}#${await encodeLink(spec)}`;
}

/**
 * The address to give someone else: `href` without `?backend=cpu`, which only says this reader
 * chose the CPU reference (the numbers are the same either way); `?hub=` stays, since the
 * experiment's repo may live on that mirror.
 */
export function shareableAddress(href: string): string {
  const url = new URL(href);
  url.searchParams.delete('backend');
  return url.href;
}

const short = (sha: string) => `${sha.slice(0, 12)}…`;
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

/** "drop <name> (sha256 …) to continue", with how the file is checked. */
function dropRequest(ref: LocalRef): string {
  const check = ref.sha256 ? `sha256 ${short(ref.sha256)}, ${mb(ref.bytes)}` : `${mb(ref.bytes)}; too large to hash, so only its size is checked`;
  return `This link uses your local file ${ref.name} (${check}). Drop ${ref.name} in the model picker (Source → Open another model…) to continue.`;
}

/**
 * Opens the link in `win`'s address (if any) into `store`, then keeps the address's hash equal to
 * the spec's link (history.replaceState, debounced, path and query kept). An unreadable link
 * leaves the default spec and says why; a link to a local file asks for that file and checks the
 * sha256 of what is dropped, putting the link's spec back on a mismatch. Returns a stop function.
 */
export function startLinkSync(store: AppStore, win: LinkWindow, links: LinkStore = appLinkStore): () => void {
  let linked: ExperimentSpec | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  let unsubscribe = () => {};

  const writeAddress = () => {
    const spec = store.getState().spec;
    void linkFor(spec, win.location.href).then((url) => {
      if (!stopped && store.getState().spec === spec) win.history.replaceState(null, '', url);
    });
  };

  /**
   * While the link waits for its file: a dropped model (the source changing right after an attach)
   * is checked; choosing any other source stops the wait.
   */
  const onSourceChange = (spec: ExperimentSpec, dropped: boolean) => {
    const expected = links.getState().awaitingFile;
    if (!expected || linked?.source.kind !== 'model') return;
    const model = spec.source.kind === 'model' ? spec.source.model : null;
    if (!dropped || model?.kind !== 'local') {
      if (JSON.stringify(model) !== JSON.stringify(expected)) links.setState({ awaitingFile: null, message: null });
      return;
    }
    if (sameLocalFile(expected, model)) {
      links.setState({ awaitingFile: null, message: { kind: 'info', text: `${model.name} is the file this link was made with (${model.sha256 ? `sha256 ${short(model.sha256)}` : 'same size'}).` } });
      if (linked.source.tensor !== null) store.getState().setTensor(linked.source.tensor);
      return;
    }
    const what = model.sha256 && expected.sha256 ? `its sha256 is ${short(model.sha256)}, the link's file has ${short(expected.sha256)}` : `it is ${mb(model.bytes)}, the link's file ${mb(expected.bytes)}`;
    const text = `${model.name} is not the file this link was made with (${what}), so its numbers would not match. Drop ${expected.name} to continue.`;
    links.setState({ message: { kind: 'error', text } });
    store.getState().setAttach('error', text);
    store.getState().setSpec({ ...spec, source: linked.source });
  };

  const follow = () => {
    // Dropped files are hashed by the engine ('working'), then open as the source: that change is a drop.
    let attaching = false;
    unsubscribe = store.subscribe((state, prev) => {
      const attach = state.sources.attach.status;
      if (attach === 'working') attaching = true;
      else if (attach === 'error' && prev.sources.attach.status === 'working') attaching = false;
      if (state.spec === prev.spec) return;
      if (state.spec.source !== prev.spec.source) {
        const dropped = attaching;
        attaching = false;
        onSourceChange(state.spec, dropped);
      }
      clearTimeout(timer);
      timer = setTimeout(writeAddress, LINK_DEBOUNCE_MS);
    });
  };

  const value = linkValue(win.location.href);
  if (value === null) {
    follow();
  } else {
    void decodeLink(value).then((outcome) => {
      if (stopped) return;
      if (!outcome.ok) {
        links.setState({ message: { kind: 'error', text: `${outcome.message} The default experiment is shown instead.` } });
      } else {
        linked = outcome.spec;
        store.getState().setSpec(outcome.spec);
        const src = outcome.spec.source;
        const awaiting = src.kind === 'model' && src.model.kind === 'local' ? src.model : null;
        const notices = outcome.notices.length ? `This link was adjusted: ${outcome.notices.join('; ')}.` : null;
        const text = [awaiting && dropRequest(awaiting), notices].filter(Boolean).join(' ');
        links.setState({ awaitingFile: awaiting, message: text ? { kind: 'info', text } : null });
      }
      follow();
    });
  }
  return () => {
    stopped = true;
    clearTimeout(timer);
    unsubscribe();
  };
}
