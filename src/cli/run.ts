// cli: `lowbit run`: computes what a link (or spec .json) shows, with the same engine as the browser, and prints the same numbers and checksum.
import { createSourceCache, runExperiment } from '../engine/experiment';
import { attachLocalFiles } from '../engine/localFiles';
import { createModelCache, type ModelEnvironment } from '../engine/models';
import type { TensorResult } from '../engine/types';
import { DEFAULT_HUB_HOST } from '../model/hub';
import { recipeLabel } from '../spec/defaults';
import { resultsDocument } from '../spec/exportAs';
import { sameLocalFile } from '../spec/link';
import type { ExperimentSpec } from '../spec/schema';
import { backendFlag, type FlagSpec, parseFlags, stringFlag } from './args';
import { InputError } from './errors';
import { metricRows, type Output, progressLine, table } from './format';
import { readExperiment } from './inputs';
import { embeddedModelsUrl, fileFetch, modelFiles, openBackend } from './node';

export const RUN_HELP = `lowbit run <link | spec.json> [options]

Computes what an experiment link shows (source tensor, recipe) with the engine the browser uses, and
prints the metrics panel's numbers and the results checksum. The same link gives the same checksum
here and in the browser (docs/SPEC.md says how it is computed).

  <link>              a lowbit URL (quote it: it contains '#'), "s=1.…", or a file holding one
  <spec.json>         an experiment spec as JSON (docs/SPEC.md); checked like a link

Options:
  --json              print the results document (link, spec, checksum, every metric unrounded)
  --backend <b>       auto (default: WebGPU through Dawn when there is an adapter, else the CPU
                      reference), webgpu (fail without a GPU) or cpu
  --model <path>      the local file (or folder) of a link made with a dropped file; its sha256
                      must match the link's
  --hub <url>         a Hugging Face Hub mirror (default ${DEFAULT_HUB_HOST}); a token for gated
                      repos is read from the HF_TOKEN environment variable, never from a flag
  -h, --help          this text

Examples:
  lowbit run 'https://example.org/lowbit/#s=1.TY5RboQwDETv…'
  lowbit run experiment.json --backend cpu --json > results.json`;

const FLAGS: Record<string, FlagSpec> = {
  json: { type: 'boolean' }, backend: { type: 'string' }, model: { type: 'string' }, hub: { type: 'string' },
};

/** "lowbit-tiny-llama · model.layers.1.self_attn.k_proj.weight [256×128]" or "synthetic 1024×1024 gaussian, seed 1". */
function subjectLine(spec: ExperimentSpec, r: TensorResult): string {
  const s = spec.source;
  if (s.kind === 'synthetic') return `synthetic ${s.rows}×${s.cols} ${s.distribution}, seed ${s.seed}, ${s.outlierChannels} outlier channels ×${s.outlierScale}`;
  return r.subject.kind === 'model' ? `${r.subject.model.name} · ${r.subject.tensor.name} [${r.rows}×${r.cols}]` : `${r.rows}×${r.cols}`;
}

/** Opens the model environment a spec needs: the embedded models on disk, the hub, and a local file checked against the link. */
async function environment(spec: ExperimentSpec, modelPath: string | undefined, hub: string | undefined): Promise<ModelEnvironment> {
  const env: ModelEnvironment = {
    hubHost: (hub ?? DEFAULT_HUB_HOST).replace(/\/+$/, ''),
    hubToken: process.env.HF_TOKEN || null,
    embeddedBase: embeddedModelsUrl(import.meta.url),
    localFiles: new Map(),
    fetchFn: fileFetch,
    cache: null,
  };
  const src = spec.source;
  if (src.kind !== 'model' || src.model.kind !== 'local') return env;
  const expected = src.model;
  const hash = expected.sha256 ? `sha256 ${expected.sha256}` : `${expected.bytes} bytes, not hashed`;
  if (!modelPath) throw new InputError(`This link uses a local file, ${expected.name} (${hash}). Give it with --model <path>: it is checked against the link.`);
  const files = await modelFiles(modelPath);
  const actual = await attachLocalFiles(files, new Map());
  if (!sameLocalFile(expected, actual)) {
    throw new InputError(`${modelPath} is not the file this link was made with: ${actual.name} has ${actual.sha256 ? `sha256 ${actual.sha256}` : `${actual.bytes} bytes`}, the link's ${expected.name} has ${hash}.`);
  }
  env.localFiles.set(expected.name, files);
  return env;
}

/** Runs `lowbit run` with `argv` (after "run"); resolves to the exit code. */
export async function runCommand(argv: readonly string[], io: Output): Promise<number> {
  const flags = parseFlags('run', argv, FLAGS, 1);
  if (flags.values.help) { io.out(`${RUN_HELP}\n`); return 0; }
  const target = flags.positionals[0];
  if (!target) throw new InputError('lowbit run needs a link or a spec .json file. See lowbit run --help.');
  const choice = backendFlag(flags, 'run');
  const { spec, notices, link } = await readExperiment(target);
  for (const n of notices) io.err(`note: ${n}\n`);
  const env = await environment(spec, stringFlag(flags, 'model', 'run'), stringFlag(flags, 'hub', 'run'));
  const backend = await openBackend(choice);
  const progress = progressLine(io);
  try {
    if (backend.device.notice && choice === 'auto') io.err(`note: ${backend.device.notice}\n`);
    const result = await runExperiment(spec, backend, { synthetic: createSourceCache(), models: createModelCache(env) }, progress.update);
    progress.done();
    if (flags.values.json) {
      io.out(`${JSON.stringify(resultsDocument(spec, result, link), null, 2)}\n`);
    } else {
      const where = result.backend === 'webgpu' ? `${backend.device.description}${result.quantizedOn === 'cpu' ? ' (quantized on the CPU reference: no WebGPU kernel for this format)' : ''}` : 'CPU reference';
      io.out(`${recipeLabel(spec.recipe)} on ${subjectLine(spec, result)}\ncomputed on ${where} in ${Math.round(result.elapsedMs)} ms\n\n${table(metricRows(result))}\n\nlink  ${link}\n`);
    }
    return 0;
  } finally {
    backend.dispose();
  }
}
