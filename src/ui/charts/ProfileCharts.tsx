// ui/charts: the Outliers view's per-channel profiles: largest |w| and kurtosis along both axes, with the rotated weights beside the original when a rotation is on.
import { useMemo } from 'react';
import type { ChannelProfile, OutlierAnatomy } from '../../quant/transforms/anatomy';
import { profileSummary } from '../transformWords';
import { COLORS } from './colors';
import { PlotCard } from './PlotCard';
import { type ProfileSeries, profileFigure } from './profileFigure';

interface ProfileChartsProps {
  readonly anatomy: OutlierAnatomy;
  /** The anatomy after a Hadamard rotation, drawn as a second line. */
  readonly rotated?: OutlierAnatomy;
}

type Key = 'colAbsmax' | 'rowAbsmax' | 'colKurtosis' | 'rowKurtosis';

const CHARTS: readonly { key: Key; testId: string; title: string; channel: 'column' | 'row'; value: string; log: boolean }[] = [
  { key: 'colAbsmax', testId: 'chart-col-absmax', title: 'Largest |w| per input channel (column)', channel: 'column', value: 'largest |w|', log: false },
  { key: 'rowAbsmax', testId: 'chart-row-absmax', title: 'Largest |w| per output channel (row)', channel: 'row', value: 'largest |w|', log: false },
  { key: 'colKurtosis', testId: 'chart-col-kurtosis', title: 'Kurtosis per input channel (column)', channel: 'column', value: 'kurtosis', log: true },
  { key: 'rowKurtosis', testId: 'chart-row-kurtosis', title: 'Kurtosis per output channel (row)', channel: 'row', value: 'kurtosis', log: true },
];

const series = (name: string, color: string, p: ChannelProfile): ProfileSeries => ({ name, color, values: p.values, binSize: p.binSize });

export function ProfileCharts({ anatomy, rotated }: ProfileChartsProps) {
  const figures = useMemo(() => CHARTS.map((c) => profileFigure({
    series: rotated
      ? [series('original', COLORS.original, anatomy[c.key]), series('rotated', COLORS.rotated, rotated[c.key])]
      : [series('original', COLORS.original, anatomy[c.key])],
    channel: c.channel, valueTitle: c.value, logScale: c.log,
    threshold: c.key === 'colAbsmax' ? { value: anatomy.int8.threshold, name: 'int8 threshold' } : undefined,
  })), [anatomy, rotated]);
  const rule = anatomy.int8.rule === 'median-multiple' ? ', 6 × the median column\'s largest |w|' : '';
  return (
    <div className="profile-charts">
      {CHARTS.map((c, i) => {
        const p = anatomy[c.key];
        const pooled = p.binSize > 1 ? ` Each point is the maximum over ${p.binSize} neighbouring ${c.channel}s.` : '';
        const after = rotated ? ` After rotation: ${profileSummary(c.value, c.channel, rotated[c.key])}` : '';
        return (
          <PlotCard
            key={c.key} testId={c.testId} title={c.title} color={COLORS.original} figure={figures[i]}
            caption={c.key === 'colAbsmax' ? `Dashed: the LLM.int8()-style threshold${rule}.${pooled}` : pooled.trim() || undefined}
            summary={`${profileSummary(c.value, c.channel, p)}${after}`}
          />
        );
      })}
    </div>
  );
}
