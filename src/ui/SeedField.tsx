// ui: the seed number input with a "new seed" button; typing commits whole integers, blur restores the seed.
import { useId, useState } from 'react';
import { useAppStore } from '../state/store';
import { Field, hintProps } from './Field';
import { HINTS } from './hints';

export function SeedField({ seed }: { readonly seed: number }) {
  const id = useId();
  const setSeed = useAppStore((s) => s.setSeed);
  const newSeed = useAppStore((s) => s.newSeed);
  // The text being typed; resynced whenever the store's seed changes (new seed, clamping).
  const [draft, setDraft] = useState(String(seed));
  const [shown, setShown] = useState(seed);
  if (seed !== shown) {
    setShown(seed);
    setDraft(String(seed));
  }
  return (
    <Field id={id} label="Seed" hint={HINTS.seed}>
      <div className="seed-row">
        <input
          type="number" inputMode="numeric" {...hintProps(id, HINTS.seed)} data-testid="control-seed"
          min={0} max={0xffffffff} step={1} value={draft}
          onChange={(e) => {
            const text = e.currentTarget.value;
            setDraft(text);
            if (text.trim() !== '' && Number.isInteger(Number(text))) setSeed(Number(text));
          }}
          onBlur={() => setDraft(String(seed))}
        />
        <button type="button" className="button" title={HINTS.newSeed} onClick={newSeed}>New seed</button>
      </div>
    </Field>
  );
}
