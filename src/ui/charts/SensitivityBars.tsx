// ui/charts: a sensitivity sweep as horizontal bars of mean KL per block or projection type (plain HTML: a short list reads better as labelled bars than as a plot).
import type { SensitivityResult } from '../../engine/evaluate';
import { formatFixed, formatSig } from '../format';

export function SensitivityBars({ result, highlighted }: { readonly result: SensitivityResult; readonly highlighted: readonly number[] }) {
  const max = Math.max(...result.rows.map((r) => r.klMean), Number.MIN_VALUE);
  const worst = [...result.rows].sort((a, b) => b.klMean - a.klMean)[0];
  return (
    <figure className="sensitivity" data-testid="sensitivity-bars">
      <figcaption>
        Mean KL(full ‖ quantized) with only this {result.by === 'layer' ? 'block' : 'projection type'} quantized ({result.tokens} tokens,
        full-precision perplexity {formatFixed(result.pplFull, 3)}). Most sensitive: {worst?.label ?? '—'}.
      </figcaption>
      <ul>
        {result.rows.map((r) => (
          <li key={r.label} className={r.layer !== null && highlighted.includes(r.layer) ? 'kept' : undefined} data-kl={r.klMean}>
            <span className="bar-label">{r.label}</span>
            <span className="bar-track"><span className="bar-fill" style={{ width: `${(100 * r.klMean) / max}%` }} /></span>
            <span className="bar-value">{formatSig(r.klMean)} nats · ppl {formatFixed(r.pplQuantized, 2)}</span>
          </li>
        ))}
      </ul>
    </figure>
  );
}
