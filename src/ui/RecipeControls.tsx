// ui: the recipe steps of the left panel: the transform step, then the format (integer bits and range, granularity and block size).
import { useId } from 'react';
import { GRANULARITIES, type Granularity } from '../spec/schema';
import { useAppStore } from '../state/store';
import { Field, hintProps } from './Field';
import { GRANULARITY_HINTS, GRANULARITY_LABELS, HINTS } from './hints';
import { SliderField } from './SliderField';
import { CodebookField } from './CodebookField';
import { IntModeField } from './IntModeField';
import { IntOptionsFields } from './IntOptionsFields';
import { FormatField } from './FormatField';
import { PresetField } from './PresetField';
import { fixedBlockOf } from '../spec/formatChoice';
import { TransformControls } from './TransformControls';

/** Block sizes offered: powers of two 8..4096 (GPTQ groups are 32-128, llama.cpp blocks 32 or 256). */
const BLOCK_SIZES = Array.from({ length: 10 }, (_, i) => 8 << i);

export function RecipeControls() {
  const granId = useId();
  const blockId = useId();
  const recipe = useAppStore((s) => s.spec.recipe);
  const blockClamped = useAppStore((s) => s.run.result?.blockClamped ?? false);
  const setBits = useAppStore((s) => s.setBits);
  const setGranularity = useAppStore((s) => s.setGranularity);
  const setBlockSize = useAppStore((s) => s.setBlockSize);
  const { format, granularity } = recipe;
  const fixedBlock = fixedBlockOf(recipe);
  const granHint = GRANULARITY_HINTS[granularity.kind];
  const sizes = BLOCK_SIZES.includes(granularity.blockSize)
    ? BLOCK_SIZES : [...BLOCK_SIZES, granularity.blockSize].sort((a, b) => a - b);
  return (
    <>
      <TransformControls />
      <section className="panel-step" aria-labelledby="recipe-title">
        <h2 id="recipe-title"><span className="step-number">3</span>Recipe · format</h2>
        <PresetField />
        <FormatField />
        {format.kind === 'int' && (
          <>
            <SliderField
              label="Bits" hint={HINTS.bits} testId="control-bits"
              value={format.bits} min={format.mode.startsWith('sym') ? 2 : 1} max={8} format={(v) => `${v}-bit`} onChange={setBits}
            />
            <IntModeField />
            <IntOptionsFields />
          </>
        )}
        <CodebookField />
        {fixedBlock !== null && (
          <p className="field-note" role="note">
            {fixedBlock === 0 ? 'This format works on the whole tensor at once.' : `This format fixes its block: ${fixedBlock} weights share a scale.`}
          </p>
        )}
        <Field id={granId} label="Granularity" hint={granHint}>
          <select
            {...hintProps(granId, granHint)} disabled={fixedBlock !== null} data-testid="control-granularity" value={granularity.kind}
            onChange={(e) => setGranularity(e.currentTarget.value as Granularity['kind'])}
          >
            {GRANULARITIES.map((g) => <option key={g} value={g}>{GRANULARITY_LABELS[g]}</option>)}
          </select>
        </Field>
        {granularity.kind === 'block' && fixedBlock === null && (
          <Field id={blockId} label="Block size" hint={HINTS.blockSize}>
            <select
              {...hintProps(blockId, HINTS.blockSize)} data-testid="control-blocksize" value={granularity.blockSize}
              onChange={(e) => setBlockSize(Number(e.currentTarget.value))}
            >
              {sizes.map((b) => <option key={b} value={b}>{b}</option>)}
            </select>
            {blockClamped && <p className="field-warning" role="status">Larger than a row: acts as per-row.</p>}
          </Field>
        )}
      </section>
    </>
  );
}
