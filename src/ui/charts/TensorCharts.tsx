// ui/charts: the tensor view's three histograms (original with level lines, dequantized, error) of one result.
import type { TensorResult } from '../../engine/types';
import { COLORS } from './colors';
import { HistogramChart } from './HistogramChart';
import { histogramSummary, levelsSummary } from './summary';

export function TensorCharts({ result, logScale }: { readonly result: TensorResult; readonly logScale: boolean }) {
  const h = result.histograms;
  const { values, where } = result.levels;
  const widest = result.groupCount > 1 ? ', the widest group' : '';
  const levelsCaption = `Grey lines: the ${values.length} levels of ${where}${widest}.`;
  return (
    <div className="charts">
      <HistogramChart
        testId="chart-original" title="Original weights" color={COLORS.original}
        counts={h.original} lo={h.valueLo} hi={h.valueHi} levels={values}
        xTitle="weight value" logScale={logScale} caption={levelsCaption}
        summary={`${histogramSummary('original weights', h.original, h.valueLo, h.valueHi)} ${levelsSummary(values, where)}`}
      />
      <HistogramChart
        testId="chart-dequantized" title="Dequantized weights x̂ (same x-axis)" color={COLORS.dequantized}
        counts={h.dequantized} lo={h.valueLo} hi={h.valueHi}
        xTitle="weight value" logScale={logScale}
        summary={histogramSummary('dequantized weights', h.dequantized, h.valueLo, h.valueHi)}
      />
      <HistogramChart
        testId="chart-error" title="Error x − x̂" color={COLORS.error}
        counts={h.error} lo={h.errorLo} hi={h.errorHi}
        xTitle="error (x − x̂)" logScale={logScale}
        caption="Rounding keeps errors within half a step of a group's grid; larger ones are values clipped at the grid's ends."
        summary={histogramSummary('errors', h.error, h.errorLo, h.errorHi)}
      />
    </div>
  );
}
