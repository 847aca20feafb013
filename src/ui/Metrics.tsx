// ui: the metrics panel: MSE, SQNR, max |error|, bits per weight, storage and group count of the last result.
import type { TensorResult } from '../engine/types';
import { formatBits, formatBytes, formatCount, formatDb, formatSig } from './format';

interface Metric {
  readonly testId: string;
  readonly label: string;
  /** The unrounded number, for `data-value` (e2e compares it with the CPU reference). */
  readonly value: number;
  readonly text: string;
  readonly note: string;
}

function metricsOf(r: TensorResult): Metric[] {
  const m = r.metrics;
  const n = r.rows * r.cols;
  return [
    { testId: 'metric-mse', label: 'MSE', value: m.mse, text: formatSig(m.mse), note: 'mean of (x − x̂)²' },
    { testId: 'metric-sqnr', label: 'SQNR', value: m.sqnrDb, text: formatDb(m.sqnrDb), note: 'signal ÷ error power' },
    { testId: 'metric-maxerr', label: 'max |error|', value: m.maxAbsErr, text: formatSig(m.maxAbsErr), note: 'worst single weight' },
    { testId: 'metric-bpw', label: 'bits / weight', value: m.bitsPerWeight, text: formatBits(m.bitsPerWeight), note: 'incl. group overhead' },
    { testId: 'metric-storage', label: 'storage', value: m.storageBytes, text: formatBytes(m.storageBytes), note: `vs ${formatBytes(4 * n)} in f32` },
    { testId: 'metric-groups', label: 'groups', value: r.groupCount, text: formatCount(r.groupCount), note: r.groupCount === 1 ? 'one shared scale' : `${formatCount(r.groupSize)} weights each` },
  ];
}

export function Metrics({ result }: { readonly result: TensorResult }) {
  return (
    <dl className="metrics">
      {metricsOf(result).map((m) => (
        <div className="metric" key={m.testId}>
          <dt>{m.label}</dt>
          <dd>
            <span className="metric-value" data-testid={m.testId} data-value={m.value}>{m.text}</span>
            <span className="metric-note">{m.note}</span>
          </dd>
        </div>
      ))}
    </dl>
  );
}
