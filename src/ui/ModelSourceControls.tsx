// ui: the model source: which model is open, its tensor picker, and the picker for another model.
import { useId, useState } from 'react';
import type { TensorInfo } from '../model/load';
import type { ModelSource } from '../spec/schema';
import { useAppStore } from '../state/store';
import { modelDisplayName, openModelSummary, openModelTensor } from './describe';
import { Field, hintProps } from './Field';
import { HINTS } from './hints';
import { ModelPicker } from './ModelPicker';

/** Tensors grouped for the select: embeddings/head/final norm first, then one group per block. */
function groupByLayer(tensors: readonly TensorInfo[]): [string, TensorInfo[]][] {
  const groups = new Map<string, TensorInfo[]>();
  for (const t of tensors) {
    const key = t.layer === null ? 'Embeddings, norms, head' : `Block ${t.layer}`;
    groups.set(key, [...(groups.get(key) ?? []), t]);
  }
  return [...groups];
}

export function ModelSourceControls({ source }: { readonly source: ModelSource }) {
  const id = useId();
  const [picking, setPicking] = useState(false);
  // A newly opened model (from the picker, or dropped files once hashed) closes the picker.
  const [shownModel, setShownModel] = useState(source.model);
  if (shownModel !== source.model) {
    setShownModel(source.model);
    setPicking(false);
  }
  const summary = useAppStore((s) => openModelSummary(s.run.result, source.model));
  const resolved = useAppStore((s) => openModelTensor(s.run.result, source.model)?.name ?? null);
  const setTensor = useAppStore((s) => s.setTensor);
  const notice = useAppStore((s) => s.sources.notice);
  const value = source.tensor ?? (summary ? resolved ?? '' : '');
  return (
    <>
      <div className="model-current" data-testid="model-current">
        <span className="model-name">{modelDisplayName(source.model)}</span>
        <span className="model-about">{summary ? summary.description : 'Opening…'}</span>
      </div>
      {notice && <p className="hint-static" role="status">{notice}</p>}
      <Field id={id} label="Tensor" hint={HINTS.tensor}>
        <select
          {...hintProps(id, HINTS.tensor)} data-testid="control-tensor" value={value} disabled={!summary}
          onChange={(e) => setTensor(e.currentTarget.value)}
        >
          {!summary && <option value="">{source.tensor ?? 'default tensor'}</option>}
          {summary && groupByLayer(summary.tensors).map(([group, tensors]) => (
            <optgroup key={group} label={group}>
              {tensors.map((t) => <option key={t.name} value={t.name}>{t.name} [{t.shape.join('×')}]</option>)}
            </optgroup>
          ))}
        </select>
      </Field>
      <button
        type="button" className="button" aria-expanded={picking} aria-controls={`${id}-picker`}
        data-testid="open-model-picker" onClick={() => setPicking(!picking)}
      >
        {picking ? 'Close the model list' : 'Open another model…'}
      </button>
      {picking && <ModelPicker id={`${id}-picker`} onOpened={() => setPicking(false)} />}
    </>
  );
}
