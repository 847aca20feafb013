// tests (state layer): the link in the address: opened at startup with notices or a message, rewritten as the spec changes, hub tokens never in it, local-file links checked by sha256.
import { inflateRawSync } from 'node:zlib';
import { describe, expect, it, vi } from 'vitest';
import type { EngineRequest } from '../../src/engine/protocol';
import { DEFAULT_SPEC, SYNTHETIC_SPEC } from '../../src/spec/defaults';
import { encodeLink } from '../../src/spec/link';
import type { ExperimentSpec, ModelRef } from '../../src/spec/schema';
import { startEngineClient, type WorkerLike } from '../../src/state/engineClient';
import { createLinkStore, LINK_DEBOUNCE_MS, linkFor, shareableAddress, startLinkSync } from '../../src/state/linkSync';
import { createAppStore } from '../../src/state/store';

const PAGE = 'http://127.0.0.1:4173/lowbit/?backend=cpu';

/** A window with an address and a history that records replaceState calls. */
function fakeWindow(href: string) {
  const win = {
    location: { href },
    urls: [] as string[],
    history: { replaceState: (_data: unknown, _unused: string, url: string) => { win.urls.push(url); win.location.href = url; } },
  };
  return win;
}

/** Starts the sync on a fresh store and waits for the link (if any) to be read. */
async function open(href: string) {
  const store = createAppStore();
  const links = createLinkStore();
  const win = fakeWindow(href);
  const stop = startLinkSync(store, win, links);
  await new Promise((r) => setTimeout(r, 20));
  return { store, links, win, stop };
}

const specInAddress = (url: string): unknown =>
  JSON.parse(inflateRawSync(Buffer.from(url.split('#s=1.')[1], 'base64url')).toString('utf8'));

const localRef: Extract<ModelRef, { kind: 'local' }> = { kind: 'local', name: 'tiny.gguf', bytes: 2_500_000, sha256: 'a1'.repeat(32) };
const localSpec: ExperimentSpec = { ...DEFAULT_SPEC, source: { kind: 'model', model: localRef, tensor: 'blk.0.ffn_down.weight' } };

describe('startLinkSync at startup', () => {
  it('leaves the default spec and says nothing for an address without a link', async () => {
    const { store, links, win } = await open(PAGE);
    expect(store.getState().spec).toBe(DEFAULT_SPEC);
    expect(links.getState()).toEqual({ message: null, awaitingFile: null });
    expect(win.urls).toEqual([]);
  });

  it('opens a link into the store, without a message', async () => {
    const { store, links } = await open(`${PAGE}#${await encodeLink(SYNTHETIC_SPEC)}`);
    expect(store.getState().spec).toEqual(SYNTHETIC_SPEC);
    expect(links.getState().message).toBeNull();
  });

  it('shows what was adjusted when a link had values out of range', async () => {
    const wild = { ...SYNTHETIC_SPEC, source: { ...SYNTHETIC_SPEC.source, rows: 50_000 } };
    const packed = (await import('node:zlib')).deflateRawSync(Buffer.from(JSON.stringify(wild))).toString('base64url');
    const { store, links } = await open(`${PAGE}#s=1.${packed}`);
    expect(store.getState().spec.source).toMatchObject({ kind: 'synthetic', rows: 8192 });
    expect(links.getState().message).toEqual({ kind: 'info', text: 'This link was adjusted: source.rows was 50000, above the largest allowed (8192): set to 8192.' });
  });

  it('opens the default view with a clear message for a link it cannot read', async () => {
    const { store, links } = await open(`${PAGE}#s=1.bm90IGEgbGluaw`);
    expect(store.getState().spec).toBe(DEFAULT_SPEC);
    expect(links.getState().message).toEqual({
      kind: 'error',
      text: 'This link could not be read: its data is damaged (it does not decompress); check that it was copied whole. The default experiment is shown instead.',
    });
  });
});

describe('startLinkSync keeps the address equal to the spec', () => {
  it('rewrites the hash once per burst of changes, keeping path and query', async () => {
    const { store, win, stop } = await open(PAGE);
    store.getState().setBits(3);
    store.getState().setBits(5);
    store.getState().setLogScale(false);
    await vi.waitFor(() => expect(win.urls).toHaveLength(1), { timeout: LINK_DEBOUNCE_MS + 2000 });
    expect(win.urls[0].startsWith(`${PAGE}#s=1.`)).toBe(true);
    expect(specInAddress(win.urls[0])).toEqual(store.getState().spec);
    await new Promise((r) => setTimeout(r, LINK_DEBOUNCE_MS + 50));
    expect(win.urls).toHaveLength(1);
    stop();
  });

  it('never puts a hub token into the link or the store (the token lives in the engine worker only)', async () => {
    const { store, win, stop } = await open(PAGE);
    const sent: EngineRequest[] = [];
    const worker: WorkerLike = { postMessage: (m) => sent.push(m), addEventListener: () => {}, terminate: () => {} };
    const engine = startEngineClient(store, { createWorker: () => worker });
    const token = 'hf_SuperSecretToken1234567890';
    engine.setHub('https://huggingface.co', token);
    store.getState().setModel({ kind: 'hub', repo: 'org/gated-model', revision: 'main' });
    await vi.waitFor(() => expect(win.urls).toHaveLength(1), { timeout: LINK_DEBOUNCE_MS + 2000 });
    expect(sent).toContainEqual({ kind: 'hub-settings', host: 'https://huggingface.co', token }); // it did reach the worker
    expect(store.getState().sources.hubTokenSet).toBe(true);
    const copied = await linkFor(store.getState().spec, win.location.href);
    for (const text of [win.urls[0], copied, JSON.stringify(specInAddress(copied)), JSON.stringify(store.getState())]) {
      expect(text).not.toContain(token);
      expect(text).not.toContain('SuperSecret');
    }
    expect(specInAddress(copied)).toMatchObject({ source: { model: { kind: 'hub', repo: 'org/gated-model', revision: 'main' } } });
    engine.dispose();
    stop();
  });
});

describe('shareableAddress', () => {
  it('drops ?backend=cpu (a choice of the reader\'s machine) and keeps ?hub= and the path', () => {
    expect(shareableAddress('http://127.0.0.1:4173/lowbit/?backend=cpu#s=1.abc')).toBe('http://127.0.0.1:4173/lowbit/#s=1.abc');
    expect(shareableAddress('https://x.org/?hub=http%3A%2F%2Fmirror&backend=cpu')).toBe('https://x.org/?hub=http%3A%2F%2Fmirror');
    expect(shareableAddress('https://x.org/')).toBe('https://x.org/');
  });
});

describe('startLinkSync with a local-file link', () => {
  /** What the engine client does when dropped files are hashed and open. */
  const drop = (store: ReturnType<typeof createAppStore>, ref: ModelRef) => {
    store.getState().setAttach('working');
    store.getState().setAttach('idle');
    store.getState().setModel(ref);
  };

  it('asks for the file by name, sha256 and size', async () => {
    const { links } = await open(`${PAGE}#${await encodeLink(localSpec)}`);
    expect(links.getState().awaitingFile).toEqual(localRef);
    expect(links.getState().message?.text).toBe(
      'This link uses your local file tiny.gguf (sha256 a1a1a1a1a1a1…, 2.5 MB). Drop tiny.gguf in the model picker (Source → Open another model…) to continue.',
    );
  });

  it('accepts the same file (even renamed) and restores the link\'s tensor', async () => {
    const { store, links } = await open(`${PAGE}#${await encodeLink(localSpec)}`);
    drop(store, { ...localRef, name: 'renamed.gguf' });
    expect(links.getState().awaitingFile).toBeNull();
    expect(links.getState().message).toEqual({ kind: 'info', text: 'renamed.gguf is the file this link was made with (sha256 a1a1a1a1a1a1…).' });
    expect(store.getState().spec.source).toEqual({ kind: 'model', model: { ...localRef, name: 'renamed.gguf' }, tensor: 'blk.0.ffn_down.weight' });
  });

  it('refuses a file with another sha256, keeps the link\'s spec and says so where the file was dropped', async () => {
    const { store, links } = await open(`${PAGE}#${await encodeLink(localSpec)}`);
    drop(store, { ...localRef, sha256: 'b2'.repeat(32) });
    const text = 'tiny.gguf is not the file this link was made with (its sha256 is b2b2b2b2b2b2…, the link\'s file has a1a1a1a1a1a1…), so its numbers would not match. Drop tiny.gguf to continue.';
    expect(links.getState()).toEqual({ awaitingFile: localRef, message: { kind: 'error', text } });
    expect(store.getState().sources.attach).toEqual({ status: 'error', message: text });
    expect(store.getState().spec.source).toEqual(localSpec.source);
    drop(store, localRef); // then the right one
    expect(links.getState().awaitingFile).toBeNull();
    expect(store.getState().spec.source).toEqual(localSpec.source);
  });

  it('stops waiting when another source is chosen', async () => {
    const { store, links } = await open(`${PAGE}#${await encodeLink(localSpec)}`);
    store.getState().setSourceKind('synthetic');
    expect(links.getState()).toEqual({ awaitingFile: null, message: null });
  });
});
