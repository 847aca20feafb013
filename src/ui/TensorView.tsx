// ui: the Tensor view: what is shown in one sentence, the metrics and the three histograms (dimmed while recomputing).
import { useAppStore } from '../state/store';
import { TensorCharts } from './charts/TensorCharts';
import { explainSpec } from './describe';
import { ExportMenu } from './ExportMenu';
import { LogScaleToggle } from './LogScaleToggle';
import { Metrics } from './Metrics';
import { ResultChecksum } from './ResultChecksum';

export function TensorView() {
  const spec = useAppStore((s) => s.spec);
  const result = useAppStore((s) => s.run.result);
  const status = useAppStore((s) => s.run.status);
  const running = status === 'running';
  return (
    <div className="tensor-view">
      <div className="view-intro">
        <p className="explain">{explainSpec(spec, result)}</p>
        <LogScaleToggle />
      </div>
      <div className={running && result ? 'results dimmed' : 'results'} aria-busy={running}>
        {result ? (
          <>
            <div className="results-tools"><ResultChecksum metrics={result.metrics} /><ExportMenu spec={spec} result={result} /></div>
            <Metrics result={result} />
            <TensorCharts result={result} logScale={spec.view.logScale} />
          </>
        ) : (
          <p className="results-empty">
            {status === 'error' ? 'No result yet: the status line below says what went wrong.' : 'Computing the first result…'}
          </p>
        )}
      </div>
    </div>
  );
}
