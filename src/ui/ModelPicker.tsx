// ui: where another model comes from: our built-in model, a Hugging Face repo (curated or typed, token for gated ones), or dropped files.
import { type FormEvent, useId, useState } from 'react';
import { EMBEDDED_MODEL_NAME } from '../spec/defaults';
import { HUB_REPO_PATTERN, type ModelRef } from '../spec/schema';
import { useAppStore } from '../state/store';
import { CURATED_MODELS, downloadTime } from './curatedModels';
import { filesFromDrop } from './droppedFiles';
import { useEngine } from './engineContext';
import { Field, hintProps } from './Field';
import { HINTS } from './hints';

interface PickerProps {
  readonly id: string;
  /** Called once a model was chosen (the picker closes). */
  readonly onOpened: () => void;
}

export function ModelPicker({ id, onOpened }: PickerProps) {
  const setModel = useAppStore((s) => s.setModel);
  const open = (model: ModelRef) => { setModel(model); onOpened(); };
  return (
    <div className="model-picker" id={id} data-testid="model-picker">
      <h3>Built in</h3>
      <button type="button" className="button model-choice" onClick={() => open({ kind: 'embedded', name: EMBEDDED_MODEL_NAME })}>
        <strong>{EMBEDDED_MODEL_NAME}</strong>
        <span>our small Llama, trained for lowbit; works offline</span>
      </button>
      <h3>Hugging Face Hub</h3>
      <ul className="model-list">
        {CURATED_MODELS.map((m) => (
          <li key={m.repo}>
            <button type="button" className="button model-choice" onClick={() => open({ kind: 'hub', repo: m.repo, revision: 'main' })}>
              <strong>{m.label}</strong>
              <span>{m.about} · ≈{m.weightsMB} MB of weights, read a tensor at a time (the whole model: {downloadTime(m.weightsMB)} at 100 Mbit/s)</span>
            </button>
          </li>
        ))}
      </ul>
      <HubRepoForm onOpen={open} />
      <HubSettings />
      <h3>Your files</h3>
      <LocalFiles />
    </div>
  );
}

function HubRepoForm({ onOpen }: { readonly onOpen: (m: ModelRef) => void }) {
  const repoId = useId(), revId = useId(), fileId = useId();
  const [repo, setRepo] = useState('');
  const [revision, setRevision] = useState('main');
  const [gguf, setGguf] = useState('');
  const [error, setError] = useState<string | null>(null);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const r = repo.trim(), rev = revision.trim() || 'main', f = gguf.trim();
    if (!HUB_REPO_PATTERN.test(r)) return setError(`"${r}" is not a repo id: it looks like owner/name, e.g. HuggingFaceTB/SmolLM2-135M.`);
    if (!/^[\w.-]{1,100}$/.test(rev)) return setError(`"${rev}" is not a branch, tag or commit name.`);
    if (f && !/^[\w./-]{1,200}\.gguf$/.test(f)) return setError(`"${f}" is not a .gguf file name.`);
    setError(null);
    onOpen(f ? { kind: 'hub', repo: r, revision: rev, file: f } : { kind: 'hub', repo: r, revision: rev });
  };
  return (
    <form className="hub-form" onSubmit={submit} aria-label="Open a Hugging Face repo">
      <Field id={repoId} label="Repo id" hint={HINTS.hubRepo}>
        <input {...hintProps(repoId, HINTS.hubRepo)} data-testid="hub-repo" value={repo} placeholder="owner/name" spellCheck={false} onChange={(e) => setRepo(e.currentTarget.value)} />
      </Field>
      <Field id={revId} label="Revision" hint={HINTS.hubRevision}>
        <input {...hintProps(revId, HINTS.hubRevision)} data-testid="hub-revision" value={revision} spellCheck={false} onChange={(e) => setRevision(e.currentTarget.value)} />
      </Field>
      <Field id={fileId} label="GGUF file (optional)" hint={HINTS.hubGguf}>
        <input {...hintProps(fileId, HINTS.hubGguf)} data-testid="hub-gguf" value={gguf} placeholder="model-f16.gguf" spellCheck={false} onChange={(e) => setGguf(e.currentTarget.value)} />
      </Field>
      {error && <p className="form-error" role="alert">{error}</p>}
      <button type="submit" className="button" data-testid="hub-open">Open repo</button>
    </form>
  );
}

function HubSettings() {
  const tokenId = useId(), hostId = useId();
  const engine = useEngine();
  const { hubHost, hubTokenSet } = useAppStore((s) => s.sources);
  const [token, setToken] = useState('');
  const [host, setHost] = useState(hubHost);
  return (
    <details className="hub-settings">
      <summary>Token for gated repos, hub address{hubTokenSet ? ' (token set)' : ''}</summary>
      <Field id={tokenId} label="Access token" hint={HINTS.hubToken}>
        <div className="seed-row">
          <input
            type="password" autoComplete="off" {...hintProps(tokenId, HINTS.hubToken)} data-testid="hub-token"
            value={token} placeholder={hubTokenSet ? 'a token is set' : 'hf_…'} onChange={(e) => setToken(e.currentTarget.value)}
          />
          <button type="button" className="button" disabled={!token.trim()} onClick={() => { engine.setHub(hubHost, token.trim()); setToken(''); engine.retry(); }}>Use</button>
          {hubTokenSet && <button type="button" className="button" onClick={() => engine.setHub(hubHost, null)}>Forget</button>}
        </div>
      </Field>
      <Field id={hostId} label="Hub address" hint={HINTS.hubHost}>
        <div className="seed-row">
          <input {...hintProps(hostId, HINTS.hubHost)} value={host} spellCheck={false} onChange={(e) => setHost(e.currentTarget.value)} />
          <button type="button" className="button" disabled={!/^https?:\/\/\S+$/.test(host.trim())} onClick={() => engine.setHub(host.trim().replace(/\/+$/, ''), null)}>Set</button>
        </div>
      </Field>
    </details>
  );
}

/** Dropped files are hashed in the engine first; the picker closes when their model opens (the source changes). */
function LocalFiles() {
  const inputId = useId();
  const engine = useEngine();
  const attach = useAppStore((s) => s.sources.attach);
  const [over, setOver] = useState(false);
  const send = (files: File[]) => { if (files.length) engine.attachLocal(files); };
  return (
    <div
      className={over ? 'drop-zone over' : 'drop-zone'} data-testid="drop-zone"
      onDragOver={(e) => { e.preventDefault(); setOver(true); }}
      onDragLeave={() => setOver(false)}
      onDrop={(e) => { e.preventDefault(); setOver(false); void filesFromDrop(e.dataTransfer).then(send); }}
    >
      <p>Drop a .gguf file, or a model folder (config.json, *.safetensors, tokenizer.json), here.</p>
      <label htmlFor={inputId} className="button">Choose files…</label>
      <input
        id={inputId} type="file" multiple accept=".gguf,.safetensors,.json" className="sr-only" data-testid="local-files"
        title={HINTS.localFiles} onChange={(e) => send([...(e.currentTarget.files ?? [])])}
      />
      <p className="hint-static">{HINTS.localFiles}</p>
      {attach.status === 'working' && <p role="status">Reading your files…</p>}
      {attach.status === 'error' && <p className="form-error" role="alert">{attach.message}</p>}
    </div>
  );
}
