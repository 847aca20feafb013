// ui: the integer quantizer's finer settings: how scales are stored, rounding (nearest or seeded stochastic) and clipping.
import { useId } from 'react';
import type { IntFormat } from '../spec/schema';
import { useAppStore } from '../state/store';
import { Field, hintProps } from './Field';
import { CLIP_HINTS, HINTS, ROUNDING_HINTS, SCALE_ENCODING_LABELS } from './hints';

export function IntOptionsFields() {
  const scaleId = useId(), roundId = useId(), clipId = useId(), pId = useId(), seedId = useId();
  const format = useAppStore((s) => (s.spec.recipe.format.kind === 'int' ? s.spec.recipe.format : null));
  const setScaleEncoding = useAppStore((s) => s.setScaleEncoding);
  const setRounding = useAppStore((s) => s.setRounding);
  const setRoundingSeed = useAppStore((s) => s.setRoundingSeed);
  const setClip = useAppStore((s) => s.setClip);
  if (!format) return null;
  const clipHint = CLIP_HINTS[format.clip.kind];
  return (
    <>
      <Field id={scaleId} label="Scale storage" hint={HINTS.scaleEncoding}>
        <select {...hintProps(scaleId, HINTS.scaleEncoding)} data-testid="control-scale-encoding" value={format.scale}
          onChange={(e) => setScaleEncoding(e.currentTarget.value as IntFormat['scale'])}>
          {Object.entries(SCALE_ENCODING_LABELS).map(([k, label]) => (
            <option key={k} value={k} disabled={format.mode === 'asym-float' && k === 'e8m0'}>{label}</option>
          ))}
        </select>
      </Field>
      <Field id={roundId} label="Rounding" hint={ROUNDING_HINTS[format.rounding]}>
        <select {...hintProps(roundId, ROUNDING_HINTS[format.rounding])} data-testid="control-rounding" value={format.rounding}
          onChange={(e) => setRounding(e.currentTarget.value as IntFormat['rounding'])}>
          <option value="nearest">nearest (ties to even)</option>
          <option value="stochastic">stochastic (seeded)</option>
        </select>
      </Field>
      {format.rounding === 'stochastic' && (
        <Field id={seedId} label="Rounding seed" hint={HINTS.roundingSeed}>
          <input {...hintProps(seedId, HINTS.roundingSeed)} type="number" min={0} step={1} data-testid="control-rounding-seed"
            value={format.seed} onChange={(e) => setRoundingSeed(e.currentTarget.valueAsNumber)} />
        </Field>
      )}
      <Field id={clipId} label="Clipping" hint={clipHint}>
        <select {...hintProps(clipId, clipHint)} data-testid="control-clip" value={format.clip.kind}
          onChange={(e) => {
            const kind = e.currentTarget.value;
            setClip(kind === 'percentile' ? { kind, p: 99.9 } : kind === 'mse' ? { kind } : { kind: 'none' });
          }}>
          <option value="none">none</option>
          <option value="percentile">percentile of |x| (per tensor)</option>
          <option value="mse">MSE-optimal ratio per group</option>
        </select>
      </Field>
      {format.clip.kind === 'percentile' && (
        <Field id={pId} label="Percentile" hint={HINTS.clipPercentile}>
          <input {...hintProps(pId, HINTS.clipPercentile)} type="number" min={90} max={100} step={0.1} data-testid="control-clip-p"
            value={format.clip.p} onChange={(e) => setClip({ kind: 'percentile', p: e.currentTarget.valueAsNumber })} />
        </Field>
      )}
    </>
  );
}
