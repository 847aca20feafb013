// ui: the preset picker at the top of the recipe: recipes named after the libraries and papers people know.
import { useId } from 'react';
import { PRESETS, presetOf } from '../spec/presets';
import { useAppStore } from '../state/store';
import { Field, hintProps } from './Field';

const CUSTOM_HINT = 'Your own recipe: pick a preset to start from one that a library or paper uses.';

export function PresetField() {
  const id = useId();
  const recipe = useAppStore((s) => s.spec.recipe);
  const setRecipe = useAppStore((s) => s.setRecipe);
  const active = presetOf(recipe);
  const hint = active?.description ?? CUSTOM_HINT;
  return (
    <Field id={id} label="Preset" hint={hint}>
      <select
        {...hintProps(id, hint)} data-testid="control-preset" value={active?.id ?? ''}
        onChange={(e) => {
          const preset = PRESETS.find((p) => p.id === e.currentTarget.value);
          // A preset names a format and its blocks; the transform step the user chose stays.
          if (preset) setRecipe(recipe.transform ? { ...preset.recipe, transform: recipe.transform } : preset.recipe);
        }}
      >
        <option value="" disabled>Custom recipe</option>
        {PRESETS.map((p) => <option key={p.id} value={p.id}>{p.label}</option>)}
      </select>
    </Field>
  );
}
