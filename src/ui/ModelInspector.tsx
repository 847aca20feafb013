// ui: the Model view: the open model's tensors with shape, dtype, parameters and bytes; picking one opens it in the Tensor view.
import type { ModelSummary, TensorInfo } from '../model/load';
import { useAppStore } from '../state/store';
import { modelDisplayName, openModelSummary, ROLE_LABELS } from './describe';
import { formatBytes } from './format';

interface InspectorProps {
  /** Called after a tensor was picked (the Tensor view takes over). */
  readonly onPicked: () => void;
}

export function ModelInspector({ onPicked }: InspectorProps) {
  const source = useAppStore((s) => s.spec.source);
  const summary = useAppStore((s) => (s.spec.source.kind === 'model' ? openModelSummary(s.run.result, s.spec.source.model) : null));
  const current = useAppStore((s) => (s.run.result?.subject.kind === 'model' ? s.run.result.subject.tensor.name : null));
  const setTensor = useAppStore((s) => s.setTensor);
  if (source.kind !== 'model') {
    return <p className="results-empty">The source is a synthetic tensor. Choose “Model” in the Source step to inspect a model.</p>;
  }
  if (!summary) return <p className="results-empty">Opening {modelDisplayName(source.model)}… the status line shows the progress.</p>;
  const pick = (t: TensorInfo) => { setTensor(t.name); onPicked(); };
  return (
    <div className="inspector" data-testid="model-inspector">
      <ModelTotals summary={summary} />
      <table className="tensor-table">
        <caption className="sr-only">Tensors of {summary.name}; choose one to quantize it</caption>
        <thead>
          <tr><th scope="col">Tensor</th><th scope="col">Kind</th><th scope="col">Shape</th><th scope="col">Stored as</th><th scope="col" className="num">Parameters</th><th scope="col" className="num">Bytes</th></tr>
        </thead>
        <tbody>
          {summary.tensors.map((t) => (
            <tr key={t.name} className={t.name === current ? 'current' : undefined} aria-current={t.name === current ? 'true' : undefined}>
              <td>
                <button type="button" className="link-button" onClick={() => pick(t)} title={`Quantize ${t.name} with the current recipe`}>{t.name}</button>
              </td>
              <td>{ROLE_LABELS[t.role]}{t.layer === null ? '' : ` · block ${t.layer}`}</td>
              <td>{t.shape.join(' × ')}</td>
              <td>{t.dtype}</td>
              <td className="num">{t.params.toLocaleString('en-US')}</td>
              <td className="num">{formatBytes(t.bytes)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function ModelTotals({ summary }: { readonly summary: ModelSummary }) {
  const matrices = summary.tensors.filter((t) => t.quantizable);
  return (
    <div className="inspector-head">
      <h2>{summary.name}</h2>
      <p>{summary.description}</p>
      <p data-testid="model-totals" data-params={summary.totalParams} data-tensors={summary.tensors.length}>
        {summary.tensors.length} tensors ({matrices.length} weight matrices a recipe applies to) ·{' '}
        {summary.totalParams.toLocaleString('en-US')} parameters · {formatBytes(summary.totalBytes)} as stored ({summary.format})
      </p>
    </div>
  );
}
