// ui: the Outliers view's transform section: error with and without the method, what it did, and for a Hadamard rotation the before/after histogram and the seed spread.
import { useMemo } from 'react';
import type { ResultMetrics, TensorResult, TransformOutcome } from '../engine/types';
import { COLORS } from './charts/colors';
import { PlotCard } from './charts/PlotCard';
import { overlayHistogramFigure } from './charts/profileFigure';
import { histogramSummary } from './charts/summary';
import { formatBits, formatDb, formatSig } from './format';
import { gainSentence, seedSpreadSentence, transformFacts } from './transformWords';

/** One column of the with/without table. */
function MetricCells({ m, which }: { readonly m: ResultMetrics; readonly which: 'with' | 'without' }) {
  return (
    <>
      <td className="num" data-testid={`transform-sqnr-${which}`} data-value={m.sqnrDb}>{formatDb(m.sqnrDb)}</td>
      <td className="num" data-testid={`transform-mse-${which}`} data-value={m.mse}>{formatSig(m.mse)}</td>
      <td className="num" data-testid={`transform-maxerr-${which}`} data-value={m.maxAbsErr}>{formatSig(m.maxAbsErr)}</td>
      <td className="num" data-testid={`transform-bpw-${which}`} data-value={m.bitsPerWeight}>{formatBits(m.bitsPerWeight)}</td>
    </>
  );
}

function Comparison({ t, metrics }: { readonly t: TransformOutcome; readonly metrics: ResultMetrics }) {
  return (
    <table className="tensor-table compare-table" data-testid="transform-compare">
      <caption className="sr-only">Error of the format alone and with {t.label}</caption>
      <thead>
        <tr><th scope="col">recipe</th><th scope="col" className="num">SQNR</th><th scope="col" className="num">MSE</th><th scope="col" className="num">max |error|</th><th scope="col" className="num">bits / weight</th></tr>
      </thead>
      <tbody>
        <tr><th scope="row">format alone</th><MetricCells m={t.baseline} which="without" /></tr>
        <tr className="current"><th scope="row">format + {t.label}</th><MetricCells m={metrics} which="with" /></tr>
      </tbody>
    </table>
  );
}

/** The Hadamard rotation's before/after value histogram (original and rotated weights on one axis) and its seed spread. */
function RotationDetails({ result, t, logScale }: { readonly result: TensorResult; readonly t: Extract<TransformOutcome, { method: 'hadamard' }>; readonly logScale: boolean }) {
  const before = result.histograms, after = t.rotation.histograms;
  const figure = useMemo(() => overlayHistogramFigure([
    { name: 'original W', color: COLORS.original, counts: before.original, lo: before.valueLo, hi: before.valueHi },
    { name: 'rotated W·Rᵀ', color: COLORS.rotated, counts: after.original, lo: after.valueLo, hi: after.valueHi },
  ], 'weight value', logScale), [before, after, logScale]);
  const { seedSpread, seedSpreadNote } = t.rotation;
  const range = (lo: number, hi: number) => `from ${formatSig(lo)} to ${formatSig(hi)}`;
  return (
    <>
      <PlotCard
        testId="chart-rotation-histogram" title="Weights before and after the rotation (same x-axis)" color={COLORS.rotated} figure={figure}
        caption={`The rotation spreads each row's outliers over the whole row: the rotated values span ${range(after.valueLo, after.valueHi)}, the original ${range(before.valueLo, before.valueHi)}, so the format's steps get finer.`}
        summary={`${histogramSummary('original weights', before.original, before.valueLo, before.valueHi)} ${histogramSummary('rotated weights', after.original, after.valueLo, after.valueHi)}`}
      />
      <div className="seed-spread" data-testid="rotation-seeds">
        <h3>Sign seeds</h3>
        {seedSpread.length > 0 ? (
          <>
            <p>{seedSpreadSentence(seedSpread)}</p>
            <table className="tensor-table compare-table">
              <thead><tr><th scope="col">seed</th><th scope="col" className="num">SQNR</th><th scope="col" className="num">MSE</th></tr></thead>
              <tbody>
                {seedSpread.map((s) => (
                  <tr key={s.seed} className={s.seed === t.rotation.seed ? 'current' : undefined}>
                    <th scope="row">{s.seed}{s.seed === t.rotation.seed ? ' (chosen)' : ''}</th>
                    <td className="num" data-value={s.sqnrDb}>{s.sqnrDb.toFixed(2)} dB</td>
                    <td className="num">{formatSig(s.mse)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        ) : <p>{seedSpreadNote}</p>}
      </div>
    </>
  );
}

export function TransformOutcomeView({ result, logScale }: { readonly result: TensorResult; readonly logScale: boolean }) {
  const t = result.transform;
  if (!t) return null;
  return (
    <section className="transform-outcome" aria-labelledby="transform-outcome-title" data-testid="transform-outcome">
      <h2 id="transform-outcome-title">{t.label}: with and without</h2>
      <p data-testid="transform-gain">{gainSentence(result.metrics, t.baseline)}</p>
      {transformFacts(t, result.rows, result.cols).map((f) => <p key={f} className="transform-fact">{f}</p>)}
      <p className="transform-fact">
        {t.gpuSteps.length > 0 ? `On the GPU: ${t.gpuSteps.join(', ')}; the rest on the CPU reference.` : 'Computed on the CPU reference.'}
      </p>
      <Comparison t={t} metrics={result.metrics} />
      {t.method === 'hadamard' && <RotationDetails result={result} t={t} logScale={logScale} />}
    </section>
  );
}
