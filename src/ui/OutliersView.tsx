// ui: the Outliers view: where a tensor's outliers are (per-channel absmax and kurtosis on both axes, super weights, LLM.int8()-style columns) and what the transform step did about them.
import type { TensorResult } from '../engine/types';
import type { OutlierAnatomy } from '../quant/transforms/anatomy';
import { useAppStore } from '../state/store';
import { ProfileCharts } from './charts/ProfileCharts';
import { formatCount, formatFixed, formatShort, formatSig } from './format';
import { LogScaleToggle } from './LogScaleToggle';
import { TransformOutcomeView } from './TransformOutcomeView';
import { anatomySentence, int8Sentence } from './transformWords';
import './transforms.css';

/** The tensor-wide numbers, each with its unrounded value in data-value. */
function AnatomyNumbers({ a }: { readonly a: OutlierAnatomy }) {
  const items = [
    { id: 'absmax', label: 'largest |w|', value: a.absmax, text: formatShort(a.absmax, 3), note: `${formatFixed(a.absmax / a.std, 1)} × the std` },
    { id: 'std', label: 'std', value: a.std, text: formatShort(a.std, 3), note: 'of all weights' },
    { id: 'kurtosis', label: 'kurtosis', value: a.kurtosis, text: formatSig(a.kurtosis), note: 'Gaussian 3, Laplace 6' },
    {
      id: 'col-ratio', label: 'column spread', value: a.colAbsmax.max / a.colAbsmax.median, text: `${formatFixed(a.colAbsmax.max / a.colAbsmax.median, 1)} ×`,
      note: 'max ÷ median column',
    },
    { id: 'int8-columns', label: 'outlier columns', value: a.int8.columns, text: formatCount(a.int8.columns), note: `LLM.int8()-style, of ${formatCount(a.cols)}` },
  ];
  return (
    <dl className="metrics outlier-numbers">
      {items.map((m) => (
        <div className="metric" key={m.id}>
          <dt>{m.label}</dt>
          <dd>
            <span className="metric-value" data-testid={`outliers-${m.id}`} data-value={m.value}>{m.text}</span>
            <span className="metric-note">{m.note}</span>
          </dd>
        </div>
      ))}
    </dl>
  );
}

/** The largest weights with their coordinates; injected synthetic outlier columns are marked. */
function SuperWeights({ result }: { readonly result: TensorResult }) {
  const a = result.outliers;
  const injected = new Set(result.subject.kind === 'synthetic' ? result.subject.outlierColumns : []);
  return (
    <section className="super-weights" aria-labelledby="super-weights-title">
      <h2 id="super-weights-title">The {a.superWeights.length} largest weights</h2>
      <p className="transform-fact">
        &ldquo;Super weights&rdquo;: single weights far outside the bulk that one scale must still cover. Row = output channel, column = input channel.
      </p>
      <table className="tensor-table compare-table" data-testid="outliers-superweights">
        <thead>
          <tr><th scope="col">#</th><th scope="col" className="num">row</th><th scope="col" className="num">column</th><th scope="col" className="num">value</th><th scope="col" className="num">× std</th></tr>
        </thead>
        <tbody>
          {a.superWeights.map((w, i) => (
            <tr key={`${w.row}:${w.col}`}>
              <th scope="row">{i + 1}</th>
              <td className="num">{formatCount(w.row)}</td>
              <td className="num">{formatCount(w.col)}{injected.has(w.col) ? ' (outlier channel)' : ''}</td>
              <td className="num">{formatShort(w.value, 4)}</td>
              <td className="num">{formatFixed(Math.abs(w.value) / a.std, 1)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

export function OutliersView() {
  const result = useAppStore((s) => s.run.result);
  const status = useAppStore((s) => s.run.status);
  const logScale = useAppStore((s) => s.spec.view.logScale);
  const running = status === 'running';
  if (!result) {
    return <p className="results-empty">{status === 'error' ? 'No result yet: the status line below says what went wrong.' : 'Computing the first result…'}</p>;
  }
  const a = result.outliers;
  const rotated = result.transform?.method === 'hadamard' ? result.transform.rotation.anatomy : undefined;
  return (
    <div className="outliers-view" data-testid="outliers-view">
      <div className="view-intro">
        <p className="explain">
          Where the {formatCount(a.rows)}×{formatCount(a.cols)} tensor&apos;s outliers are. {anatomySentence(a)}
        </p>
        <LogScaleToggle />
      </div>
      <div className={running ? 'results dimmed' : 'results'} aria-busy={running}>
        <AnatomyNumbers a={a} />
        <p className="transform-fact" data-testid="outliers-int8">{int8Sentence(a)}</p>
        <TransformOutcomeView result={result} logScale={logScale} />
        <h2 className="section-title">{rotated ? 'Per channel, before and after the rotation' : 'Per channel'}</h2>
        <ProfileCharts anatomy={a} rotated={rotated} />
        <SuperWeights result={result} />
      </div>
    </div>
  );
}
