// ui: a registry format's optional settings: scale storage (absmax codebooks), rounding and clipping (scaled FP and MX elements).
import { useId } from 'react';
import {
  ELEMENT_OPTION_FORMAT_IDS, FORMAT_SCALE_IDS, type RegistryFormat, SCALE_OPTION_FORMAT_IDS,
} from '../spec/schema';
import { useAppStore } from '../state/store';
import { Field, hintProps } from './Field';
import { CLIP_HINTS, ROUNDING_HINTS, SCALE_ENCODING_LABELS } from './hints';

const SCALE_HINT = 'How each block\'s absmax scale is stored: bitsandbytes keeps fp32, llama.cpp IQ4_NL fp16; '
  + 'fp16/bf16 halve the scale\'s cost (bits per weight) and round the scale to nearest even.';
const SEED_HINT = 'Seed of the stochastic rounding: the same seed gives the same weights.';
const PERCENTILE_HINT = 'Each block\'s absmax is capped at this percentile of |x| over the tensor; larger weights saturate.';

type Options = Partial<Pick<RegistryFormat, 'scale' | 'rounding' | 'seed' | 'clip'>>;

/** The settings the current registry format accepts, or nothing for the others. */
export function FormatOptionsFields() {
  const scaleId = useId(), roundId = useId(), seedId = useId(), clipId = useId(), pId = useId();
  const recipe = useAppStore((s) => s.spec.recipe);
  const setRecipe = useAppStore((s) => s.setRecipe);
  const format = recipe.format.kind === 'format' ? recipe.format : null;
  if (!format) return null;
  const hasScale = (SCALE_OPTION_FORMAT_IDS as readonly string[]).includes(format.id);
  const hasElement = (ELEMENT_OPTION_FORMAT_IDS as readonly string[]).includes(format.id);
  /** Applies a change; a setting back at its default is dropped, so the link stays as short as before. */
  const update = (change: Options) => {
    const next: RegistryFormat = { ...format, ...change };
    if (next.rounding !== 'stochastic') { delete next.rounding; delete next.seed; }
    if (next.clip?.kind === 'none') delete next.clip;
    if (next.scale === undefined) delete next.scale;
    setRecipe({ ...recipe, format: next });
  };
  const defaultScale = format.id === 'iq4_nl' ? 'fp16' : 'fp32';
  const rounding = format.rounding ?? 'nearest';
  const clipKind = format.clip?.kind ?? 'none';
  return (
    <>
      {hasScale && (
        <Field id={scaleId} label="Scale storage" hint={SCALE_HINT}>
          <select {...hintProps(scaleId, SCALE_HINT)} data-testid="control-format-scale" value={format.scale ?? defaultScale}
            onChange={(e) => {
              const scale = e.currentTarget.value as NonNullable<RegistryFormat['scale']>;
              update({ scale: scale === defaultScale ? undefined : scale });
            }}>
            {FORMAT_SCALE_IDS.map((k) => <option key={k} value={k}>{`${SCALE_ENCODING_LABELS[k]}${k === defaultScale ? ' · as defined' : ''}`}</option>)}
          </select>
        </Field>
      )}
      {hasElement && (
        <>
          <Field id={roundId} label="Rounding" hint={ROUNDING_HINTS[rounding]}>
            <select {...hintProps(roundId, ROUNDING_HINTS[rounding])} data-testid="control-format-rounding" value={rounding}
              onChange={(e) => update({ rounding: e.currentTarget.value as 'nearest' | 'stochastic', seed: format.seed ?? 0 })}>
              <option value="nearest">nearest (ties to even)</option>
              <option value="stochastic">stochastic (seeded)</option>
            </select>
          </Field>
          {rounding === 'stochastic' && (
            <Field id={seedId} label="Rounding seed" hint={SEED_HINT}>
              <input {...hintProps(seedId, SEED_HINT)} type="number" min={0} step={1} data-testid="control-format-seed" value={format.seed ?? 0}
                onChange={(e) => {
                  const seed = e.currentTarget.valueAsNumber;
                  if (Number.isInteger(seed) && seed >= 0 && seed <= 0xffffffff) update({ seed });
                }} />
            </Field>
          )}
          <Field id={clipId} label="Clipping" hint={CLIP_HINTS[clipKind]}>
            <select {...hintProps(clipId, CLIP_HINTS[clipKind])} data-testid="control-format-clip" value={clipKind}
              onChange={(e) => update({ clip: e.currentTarget.value === 'percentile' ? { kind: 'percentile', p: 99.9 } : { kind: 'none' } })}>
              <option value="none">none</option>
              <option value="percentile">percentile of |x| (per tensor)</option>
            </select>
          </Field>
          {format.clip?.kind === 'percentile' && (
            <Field id={pId} label="Percentile" hint={PERCENTILE_HINT}>
              <input {...hintProps(pId, PERCENTILE_HINT)} type="number" min={90} max={100} step={0.1} data-testid="control-format-clip-p"
                value={format.clip.p}
                onChange={(e) => {
                  const p = e.currentTarget.valueAsNumber;
                  if (p >= 90 && p <= 100) update({ clip: { kind: 'percentile', p } });
                }} />
            </Field>
          )}
        </>
      )}
    </>
  );
}
