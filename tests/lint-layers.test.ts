// tests/lint-layers.test.ts: proves the layer rules in eslint.config.js fire on forbidden imports and stay quiet on allowed ones.
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: fileURLToPath(new URL('..', import.meta.url)) });

/** Names of the layering violations ESLint reports for `code` placed at `filePath`. */
async function violations(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(`${code}\nexport const used = x;\n`, { filePath });
  return result.messages.filter((m) => m.ruleId === '@typescript-eslint/no-restricted-imports').map((m) => m.message);
}

const cases: [file: string, code: string, forbidden: boolean][] = [
  ['src/lib/bits.ts', "import { x } from '../quant/formats';", true],
  ['src/lib/bits.ts', "import { x } from 'zod';", true],
  ['src/lib/bits.ts', "import { x } from './f32';", false],
  ['src/quant/int.ts', "import { x } from '../gpu/device';", true],
  ['src/quant/int.ts', "import { x } from 'zustand';", true],
  ['src/quant/sub/nf4.ts', "import { x } from '../../ui/App';", true],
  ['src/quant/int.ts', "import { x } from '../lib/f32';", false],
  ['src/gpu/device.ts', "import { x } from 'react';", true],
  ['src/gpu/kernels/int.ts', "import { x } from '../../model/gpt2';", true],
  ['src/gpu/kernels/int.ts', "import { x } from '../../quant/int';", false],
  ['src/ui/App.tsx', "import { x } from 'plotly.js-basic-dist-min';", true],
  ['src/ui/charts/Histogram.tsx', "import { x } from 'plotly.js-basic-dist-min';", false],
  ['src/ui/App.tsx', "import { x } from '../gpu/device';", true],
  ['src/ui/App.tsx', "import type { x } from '../gpu/device';", false],
  ['src/state/store.ts', "import { x } from '../model/gpt2';", true],
  ['src/state/store.ts', "import type { x } from '../model/gpt2';", false],
  ['src/state/store.ts', "import { x } from 'plotly.js-basic-dist-min';", true],
  ['src/state/store.ts', "import { x } from '../spec/schema';", false],
];

describe('layer rules', () => {
  it.each(cases)('%s: %s -> forbidden %s', async (file, code, forbidden) => {
    expect((await violations(file, code)).length > 0).toBe(forbidden);
  }, 30_000);
});
