// eslint.config.js: lint rules, including the layer arrows of docs (ARCHITECTURE.md) as no-restricted-imports per folder.
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

const FOLDERS = ['lib', 'quant', 'gpu', 'model', 'engine', 'spec', 'state', 'ui', 'cli'];
const REACT = ['react', 'react-dom', 'react-dom/*', 'react/*'];
const ZUSTAND = ['zustand', 'zustand/*'];
const PLOTLY = ['plotly*', 'react-plotly*'];
const HF = ['@huggingface/*'];
const WEBGPU = ['webgpu', '@webgpu/*'];

/** Regex for a relative import that climbs into one of our folders, e.g. `../gpu/device` or `../../ui`. */
const relativeTo = (folders) => `^(?:\\.\\./)+(?:${folders.join('|')})(?:/|$)`;

/**
 * One no-restricted-imports config for files under src/<folder>: `folders` are our layers it must not
 * reach, `typeFolders` the ones it may reach for types only, `packages` the npm packages it must not use.
 */
function layer(files, { folders = [], typeFolders = [], packages = [], extra = [] }) {
  const why = `layering (docs/ARCHITECTURE.md): ${files} may not import this`;
  const patterns = [...extra];
  if (folders.length) patterns.push({ regex: relativeTo(folders), caseSensitive: true, message: why });
  if (typeFolders.length) {
    patterns.push({ regex: relativeTo(typeFolders), caseSensitive: true, allowTypeImports: true, message: `${why} (type imports only)` });
  }
  if (packages.length) patterns.push({ group: packages, message: why });
  return { files: [files], rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns }] } };
}

const others = (...keep) => FOLDERS.filter((f) => !keep.includes(f));
const anyPackage = { regex: '^(?![./])', message: 'src/lib is dependency-free: no packages' };
const uiRule = { folders: ['cli'], typeFolders: ['gpu', 'model'], packages: [...WEBGPU, ...HF] };

export default defineConfig(
  { ignores: ['dist/', 'dist-cli/', 'node_modules/', 'e2e-artifacts/', '.test-reports/', 'scratch/', 'test-results/', 'playwright-report/', 'public/'] },
  js.configs.recommended,
  tseslint.configs.recommended,
  { languageOptions: { globals: { ...globals.browser } } },
  { files: ['*.{js,mjs,ts}', 'scripts/**', 'tests/**', 'e2e/**', 'src/cli/**'], languageOptions: { globals: { ...globals.node } } },
  { files: ['src/ui/**/*.{ts,tsx}'], ...reactHooks.configs.flat.recommended },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  layer('src/lib/**', { folders: others('lib'), extra: [anyPackage] }),
  layer('src/quant/**', { folders: others('lib', 'quant'), packages: [...REACT, ...ZUSTAND, ...PLOTLY, ...HF, ...WEBGPU] }),
  layer('src/gpu/**', { folders: ['model', 'engine', 'spec', 'state', 'ui', 'cli'], packages: [...REACT, ...ZUSTAND, ...PLOTLY, ...HF] }),
  layer('src/model/**', { folders: ['engine', 'state', 'ui', 'cli'], packages: [...REACT, ...ZUSTAND, ...PLOTLY] }),
  layer('src/spec/**', { folders: ['gpu', 'engine', 'state', 'ui', 'model', 'cli'], packages: [...REACT, ...PLOTLY, ...WEBGPU] }),
  layer('src/engine/**', { folders: ['state', 'ui', 'cli'], packages: [...REACT, ...ZUSTAND, ...PLOTLY] }),
  layer('src/state/**', { folders: ['ui', 'cli'], typeFolders: ['gpu', 'model'], packages: [...PLOTLY, ...WEBGPU] }),
  layer('src/ui/**', { ...uiRule, packages: [...uiRule.packages, ...PLOTLY] }),
  layer('src/ui/charts/**', uiRule),
  layer('src/cli/**', { folders: ['state', 'ui'], packages: [...REACT, ...ZUSTAND, ...PLOTLY] }),
);
