// ui: the synthetic source's controls: distribution, seed and outlier channels of the generated tensor.
import { useId } from 'react';
import { DISTRIBUTIONS, type Distribution, type SyntheticSource } from '../spec/schema';
import { useAppStore } from '../state/store';
import { DISTRIBUTION_LABELS } from './describe';
import { Field, hintProps } from './Field';
import { DISTRIBUTION_HINTS, HINTS } from './hints';
import { SeedField } from './SeedField';
import { SliderField } from './SliderField';

export function SyntheticControls({ source }: { readonly source: SyntheticSource }) {
  const distId = useId();
  const setDistribution = useAppStore((s) => s.setDistribution);
  const setOutlierChannels = useAppStore((s) => s.setOutlierChannels);
  const setOutlierScale = useAppStore((s) => s.setOutlierScale);
  const distHint = `${HINTS.distribution} ${DISTRIBUTION_HINTS[source.distribution]}`;
  return (
    <>
      <Field id={distId} label="Distribution" hint={distHint}>
        <select
          {...hintProps(distId, distHint)} data-testid="control-distribution" value={source.distribution}
          onChange={(e) => setDistribution(e.currentTarget.value as Distribution)}
        >
          {DISTRIBUTIONS.map((d) => <option key={d} value={d}>{DISTRIBUTION_LABELS[d]}</option>)}
        </select>
      </Field>
      <SeedField seed={source.seed} />
      <SliderField
        label="Outlier channels" hint={HINTS.outliers} testId="control-outliers"
        value={source.outlierChannels} min={0} max={32} onChange={setOutlierChannels}
      />
      <SliderField
        label="Outlier scale" hint={HINTS.outlierScale} testId="control-outlier-scale"
        value={source.outlierScale} min={1} max={50} format={(v) => `×${v}`} onChange={setOutlierScale}
      />
    </>
  );
}
