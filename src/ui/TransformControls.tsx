// ui: the recipe's transform step in the left panel: the method (with its explanation and paper), its parameters, and how much it gained on the last result.
import { useId } from 'react';
import { TRANSFORMS, transformDescriptor } from '../quant/transforms/registry';
import type { RecipeTransform, RecipeTransformMethod, TransformParamsOf } from '../spec/transformSchema';
import { useAppStore } from '../state/store';
import { Field, hintProps } from './Field';
import { SliderField } from './SliderField';
import { gainSentence, TRANSFORM_PARAM_HINTS as H } from './transformWords';
import './transforms.css';

/** The hint of a method: what it does, then its source. */
const methodHint = (m: RecipeTransformMethod | 'none') => {
  const d = transformDescriptor(m);
  return d.source === '—' ? d.explanation : `${d.explanation} Source: ${d.source}.`;
};

/** A labelled select of string options. */
function SelectField<T extends string>({ label, hint, testId, value, options, onChange }: {
  readonly label: string; readonly hint: string; readonly testId: string; readonly value: T;
  readonly options: readonly (readonly [T, string])[]; readonly onChange: (v: T) => void;
}) {
  const id = useId();
  return (
    <Field id={id} label={label} hint={hint}>
      <select {...hintProps(id, hint)} data-testid={testId} value={value} onChange={(e) => onChange(e.currentTarget.value as T)}>
        {options.map(([v, text]) => <option key={v} value={v}>{text}</option>)}
      </select>
    </Field>
  );
}

/** A labelled number input; the store clamps what is typed (an emptied input becomes the minimum). */
function NumberField({ label, hint, testId, value, min, max, step = 1, onChange }: {
  readonly label: string; readonly hint: string; readonly testId: string; readonly value: number;
  readonly min: number; readonly max?: number; readonly step?: number | 'any'; readonly onChange: (v: number) => void;
}) {
  const id = useId();
  return (
    <Field id={id} label={label} hint={hint}>
      <input {...hintProps(id, hint)} type="number" data-testid={testId} min={min} max={max} step={step} value={value}
        onChange={(e) => onChange(e.currentTarget.valueAsNumber)} />
    </Field>
  );
}

/** Sets parameters of the current method (the store ignores them if the method changed meanwhile). */
function useParams<M extends RecipeTransformMethod>(method: M): (patch: Partial<TransformParamsOf<M>>) => void {
  const set = useAppStore((s) => s.setTransformParams);
  return (patch) => set(method, patch);
}

/** Powers of two from 16 that divide `cols` and are smaller than it: the block-diagonal choices. */
function rotationBlocks(cols: number): number[] {
  const out: number[] = [];
  for (let b = 16; b < cols; b *= 2) if (cols % b === 0) out.push(b);
  return out;
}

function HadamardParams({ t, cols }: { readonly t: Extract<RecipeTransform, { method: 'hadamard' }>; readonly cols: number | null }) {
  const set = useParams('hadamard');
  const signsId = useId();
  const seed = t.params.seed === undefined ? 0 : t.params.seed;
  const blocks = cols === null ? [] : rotationBlocks(cols);
  const block = t.params.block;
  return (
    <>
      <div className="field field-check">
        <input type="checkbox" {...hintProps(signsId, H.signs)} data-testid="control-transform-signs" checked={seed !== null}
          onChange={(e) => set({ seed: e.currentTarget.checked ? 0 : null })} />
        <label htmlFor={signsId}>Random signs</label>
        <p className="hint" id={`${signsId}-hint`}>{H.signs}</p>
      </div>
      {seed !== null && <NumberField label="Sign seed" hint={H.seed} testId="control-transform-seed" value={seed} min={0} max={0xffffffff} onChange={(v) => set({ seed: v })} />}
      <SelectField
        label="Rotation block" hint={H.block} testId="control-transform-block" value={block === undefined ? 'row' : String(block)}
        options={[['row', 'whole row'], ...[...new Set([...blocks, ...(block === undefined ? [] : [block])])].sort((a, b) => a - b).map((b) => [String(b), `blocks of ${b}`] as const)]}
        onChange={(v) => set({ block: v === 'row' ? undefined : Number(v) })}
      />
    </>
  );
}

function RetentionParams({ t, shape }: { readonly t: Extract<RecipeTransform, { method: 'retention' }>; readonly shape: { rows: number; cols: number } | null }) {
  const set = useParams('retention');
  const { axis, select, score } = t.params;
  const units = shape ? (axis === 'element' ? shape.rows * shape.cols : axis === 'column' ? shape.cols : shape.rows) : undefined;
  return (
    <>
      <SelectField label="Keep in fp16" hint={H.axis} testId="control-transform-axis" value={axis}
        options={[['column', 'input channels (columns)'], ['row', 'output channels (rows)'], ['element', 'single weights']]} onChange={(v) => set({ axis: v })} />
      <SelectField label="Which" hint={H.select} testId="control-transform-select" value={select.kind}
        options={[['top', 'the N largest'], ['threshold', 'all above a threshold']]}
        onChange={(v) => set({ select: v === 'top' ? { kind: 'top', count: 8 } : { kind: 'threshold', value: 0.1 } })} />
      {select.kind === 'top' ? (
        <NumberField label="How many" hint={H.count} testId="control-transform-count" value={select.count} min={0} max={units}
          onChange={(v) => set({ select: { kind: 'top', count: units === undefined ? v : Math.min(units, v) } })} />
      ) : (
        <NumberField label="Threshold" hint={H.threshold} testId="control-transform-threshold" value={select.value} min={0} step="any"
          onChange={(v) => set({ select: { kind: 'threshold', value: v } })} />
      )}
      {axis !== 'element' && (
        <SelectField label="Salience" hint={H.score} testId="control-transform-score" value={score ?? 'norm'}
          options={[['norm', 'L2 norm'], ['absmax', 'largest |w|']]} onChange={(v) => set({ score: v })} />
      )}
    </>
  );
}

function LowRankParams({ t, shape }: { readonly t: Extract<RecipeTransform, { method: 'lowrank' }>; readonly shape: { rows: number; cols: number } | null }) {
  const set = useParams('lowrank');
  const max = Math.min(128, shape ? Math.min(shape.rows, shape.cols) : 128);
  return (
    <>
      <SliderField label="Rank" hint={H.rank} testId="control-transform-rank" value={Math.min(t.params.rank, max)} min={0} max={max}
        format={(r) => (r === 0 ? 'off' : `r = ${r}`)} onChange={(r) => set({ rank: r })} />
      <SelectField label="Order" hint={H.order} testId="control-transform-order" value={t.params.order ?? 'split'}
        options={[['split', 'split W, quantize the rest (Metis)'], ['lorc', 'quantize, fix the error (LoRC)']]} onChange={(v) => set({ order: v })} />
      <SelectField label="Factors stored as" hint={H.factorType} testId="control-transform-factors" value={t.params.factorType ?? 'fp16'}
        options={[['fp16', 'fp16 (16 bits)'], ['fp32', 'fp32 (32 bits)']]} onChange={(v) => set({ factorType: v })} />
    </>
  );
}

function VqParams({ t }: { readonly t: Extract<RecipeTransform, { method: 'vq' }> }) {
  const set = useParams('vq');
  const { dim, bits } = t.params;
  return (
    <>
      <SelectField label="Sub-vector length" hint={H.dim} testId="control-transform-dim" value={String(dim)}
        options={[1, 2, 4, 8].map((d) => [String(d), `${d} weight${d === 1 ? '' : 's'}`] as const)} onChange={(v) => set({ dim: Number(v) })} />
      <SliderField label="Index bits" hint={H.vqBits} testId="control-transform-vq-bits" value={bits} min={1} max={12}
        format={(b) => `${b} bits · ${(b / dim).toFixed(2)} bpw`} onChange={(b) => set({ bits: b })} />
      <NumberField label="Seed" hint={H.vqSeed} testId="control-transform-seed" value={t.params.seed ?? 0} min={0} max={0xffffffff} onChange={(v) => set({ seed: v })} />
      <p className="field-note" role="note">Vector quantization is its own format: the format below is only the baseline it is compared with.</p>
    </>
  );
}

function MethodParams({ t, shape }: { readonly t: RecipeTransform; readonly shape: { rows: number; cols: number } | null }) {
  switch (t.method) {
    case 'hadamard': return <HadamardParams t={t} cols={shape?.cols ?? null} />;
    case 'retention': return <RetentionParams t={t} shape={shape} />;
    case 'reorder': return <ReorderParams t={t} />;
    case 'splitquant': return <SplitQuantParams t={t} />;
    case 'lowrank': return <LowRankParams t={t} shape={shape} />;
    case 'clip-search': return <ClipSearchParams t={t} />;
    case 'vq': return <VqParams t={t} />;
  }
}

function ReorderParams({ t }: { readonly t: Extract<RecipeTransform, { method: 'reorder' }> }) {
  const set = useParams('reorder');
  return <SelectField label="Sort columns by" hint={H.by} testId="control-transform-by" value={t.params.by}
    options={[['absmax', 'largest |w|'], ['norm', 'L2 norm'], ['identity', 'no sorting (compare)']]} onChange={(v) => set({ by: v })} />;
}

function SplitQuantParams({ t }: { readonly t: Extract<RecipeTransform, { method: 'splitquant' }> }) {
  const set = useParams('splitquant');
  const init = t.params.init ?? 'percentiles';
  return (
    <>
      <SelectField label="Clusters fitted to" hint={H.scope} testId="control-transform-scope" value={t.params.scope ?? 'tensor'}
        options={[['tensor', 'the whole tensor'], ['row', 'each row']]} onChange={(v) => set({ scope: v })} />
      <SelectField label="k-means start" hint={H.init} testId="control-transform-init" value={init}
        options={[['percentiles', 'percentiles (deterministic)'], ['k-means++', 'k-means++ (seeded)']]} onChange={(v) => set({ init: v })} />
      {init === 'k-means++' && <NumberField label="Seed" hint={H.splitSeed} testId="control-transform-seed" value={t.params.seed ?? 0} min={0} max={0xffffffff} onChange={(v) => set({ seed: v })} />}
    </>
  );
}

function ClipSearchParams({ t }: { readonly t: Extract<RecipeTransform, { method: 'clip-search' }> }) {
  const set = useParams('clip-search');
  return <SelectField label="Clip around" hint={H.range} testId="control-transform-range" value={t.params.range ?? 'absmax'}
    options={[['absmax', 'zero (±absmax)'], ['min-max', 'min and max (asymmetric)']]} onChange={(v) => set({ range: v })} />;
}

export function TransformControls() {
  const id = useId();
  const transform = useAppStore((s) => s.spec.recipe.transform);
  const setTransform = useAppStore((s) => s.setTransform);
  const result = useAppStore((s) => s.run.result);
  const method = transform?.method ?? 'none';
  const hint = methodHint(method);
  const shape = result ? { rows: result.rows, cols: result.cols } : null;
  const outcome = result?.transform?.method === method ? result.transform : null;
  return (
    <section className="panel-step" aria-labelledby="transform-title">
      <h2 id="transform-title"><span className="step-number">2</span>Recipe · transform</h2>
      <Field id={id} label="Transform / method" hint={hint}>
        <select {...hintProps(id, hint)} data-testid="control-transform" value={method}
          onChange={(e) => setTransform(e.currentTarget.value as RecipeTransformMethod | 'none')}>
          {TRANSFORMS.map((d) => <option key={d.method} value={d.method} title={methodHint(d.method)}>{d.method === 'none' ? 'None (round to nearest)' : d.label}</option>)}
        </select>
      </Field>
      {transform && (
        <>
          <p className="field-note">Costs {transformDescriptor(transform.method).cost}.</p>
          <MethodParams t={transform} shape={shape} />
          {outcome && result && <p className="transform-gain" role="status" data-testid="transform-gain-panel">{gainSentence(result.metrics, outcome.baseline)}</p>}
        </>
      )}
    </section>
  );
}
