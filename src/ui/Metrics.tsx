// ui: the metrics panel: error metrics (MSE … p99.9 |error|), similarity and input shape, and storage of the last result.
import type { TensorResult } from '../engine/types';
import { formatBits, formatBytes, formatCosine, formatCount, formatDb, formatFixed, formatSig } from './format';
import { METRIC_HINTS } from './hints';

interface Metric {
  readonly testId: string;
  readonly label: string;
  /** The unrounded number, for `data-value` (e2e compares it with the CPU reference). */
  readonly value: number;
  readonly text: string;
  readonly note: string;
  /** The definition, shown on hover. */
  readonly hint: string;
}

/** In reading order: how large the error is, how it compares with x, the input's shape, what it costs. */
function metricsOf(r: TensorResult): Metric[] {
  const m = r.metrics;
  const n = r.rows * r.cols;
  const H = METRIC_HINTS;
  return [
    { testId: 'metric-mse', label: 'MSE', value: m.mse, text: formatSig(m.mse), note: 'mean of (x − x̂)²', hint: H.mse },
    { testId: 'metric-rmse', label: 'RMSE', value: m.rmse, text: formatSig(m.rmse), note: '√MSE, in weight units', hint: H.rmse },
    { testId: 'metric-sqnr', label: 'SQNR', value: m.sqnrDb, text: formatDb(m.sqnrDb), note: 'signal ÷ error power', hint: H.sqnr },
    { testId: 'metric-maxerr', label: 'max |error|', value: m.maxAbsErr, text: formatSig(m.maxAbsErr), note: 'worst single weight', hint: H.maxerr },
    { testId: 'metric-p99', label: 'p99 |error|', value: m.p99AbsErr, text: formatSig(m.p99AbsErr), note: 'upper bound, ±max/4096', hint: H.p99 },
    { testId: 'metric-p999', label: 'p99.9 |error|', value: m.p999AbsErr, text: formatSig(m.p999AbsErr), note: 'upper bound, ±max/4096', hint: H.p999 },
    {
      testId: 'metric-cosine', label: 'cosine', value: m.cosine, text: formatCosine(m.cosine),
      note: Number.isNaN(m.oneMinusCosine) ? 'x̂ is all zeros' : `1 − cos = ${formatSig(m.oneMinusCosine)}`, hint: H.cosine,
    },
    { testId: 'metric-relfro', label: 'rel. error', value: m.relFrobenius, text: formatSig(m.relFrobenius), note: '‖x − x̂‖ ÷ ‖x‖', hint: H.relFrobenius },
    {
      testId: 'metric-kurtosis', label: 'kurtosis of x', value: m.kurtosis, text: formatFixed(m.kurtosis, 2),
      note: `excess ${formatFixed(m.kurtosis - 3, 2, true)}`, hint: H.kurtosis,
    },
    { testId: 'metric-bpw', label: 'bits / weight', value: m.bitsPerWeight, text: formatBits(m.bitsPerWeight), note: 'incl. group overhead', hint: H.bpw },
    { testId: 'metric-storage', label: 'storage', value: m.storageBytes, text: formatBytes(m.storageBytes), note: `vs ${formatBytes(4 * n)} in f32`, hint: H.storage },
    { testId: 'metric-groups', label: 'groups', value: r.groupCount, text: formatCount(r.groupCount), note: r.groupCount === 1 ? 'one shared scale' : `${formatCount(r.groupSize)} weights each`, hint: H.groups },
  ];
}

export function Metrics({ result }: { readonly result: TensorResult }) {
  return (
    <div className="metrics-panel">
      <dl className="metrics">
        {metricsOf(result).map((m) => (
          <div className="metric" key={m.testId} title={m.hint}>
            <dt>{m.label}</dt>
            <dd>
              <span className="metric-value" data-testid={m.testId} data-value={m.value}>{m.text}</span>
              <span className="metric-note">{m.note}</span>
            </dd>
          </div>
        ))}
      </dl>
    </div>
  );
}
