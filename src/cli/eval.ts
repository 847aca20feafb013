// cli: `lowbit eval`: perplexity of a model with and without a recipe, llama.cpp's KL statistics and top-1 agreement, with the protocol printed beside the numbers.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { evaluateRecipe, type EvalResult } from '../engine/evaluate';
import { filesFolder } from '../model/folder';
import { loadModel } from '../model/load';
import { DEFAULT_SPEC, recipeLabel } from '../spec/defaults';
import type { Recipe } from '../spec/schema';
import { backendFlag, type FlagSpec, intFlag, parseFlags, stringFlag } from './args';
import { InputError, UsageError } from './errors';
import { num, type Output, progressLine, table } from './format';
import { readRecipe } from './inputs';
import { modelFiles, openBackend } from './node';

/** The Evaluate view's defaults (src/state/evalSlice.ts). */
const DEFAULTS = { maxTokens: 512, context: 128, stride: 64 };

export const EVAL_HELP = `lowbit eval --model <folder | file> --text <file> [options]

Scores a model on a text twice, in full precision and with a recipe applied to its attention and
MLP projections: perplexity of each over sliding windows, and per scored token the KL divergence
of the quantized model's next-token distribution from the full one (mean and percentiles), top-1
agreement and Δp of the right token (the statistics of llama.cpp's perplexity tool).

  --model <path>      a model folder (config.json, *.safetensors, tokenizer.json), a .safetensors
                      file with those beside it, or a .gguf file
  --text <file>       the text to score (UTF-8)
  --recipe <r>        a preset id or recipe .json (default: ${recipeLabel(DEFAULT_SPEC.recipe)})
  --ctx <n>           window length in tokens (default ${DEFAULTS.context}, at most the model's context)
  --stride <n>        tokens between window starts (default ${DEFAULTS.stride}, below --ctx); each
                      window scores only the tokens the previous one did not
  --max-tokens <n>    score at most this many tokens of the text (default ${DEFAULTS.maxTokens})
  --json              print the result as JSON (protocol, perplexities, KL statistics)
  --backend <b>       auto (default), webgpu or cpu
  -h, --help          this text

Example:
  lowbit eval --model public/models/lowbit-tiny-llama --text public/models/lowbit-tiny-llama/eval.txt --recipe llama-q4_0`;

const FLAGS: Record<string, FlagSpec> = {
  model: { type: 'string' }, text: { type: 'string' }, recipe: { type: 'string' }, ctx: { type: 'string' }, stride: { type: 'string' },
  'max-tokens': { type: 'string' }, json: { type: 'boolean' }, backend: { type: 'string' },
};

/** The result as the text table: protocol first, then the numbers. */
function describe(r: EvalResult, recipe: Recipe, model: string, device: string): string {
  const p = r.protocol, c = r.comparison;
  const change = (r.pplQuantized / r.pplFull - 1) * 100;
  const protocol = [
    `${recipeLabel(recipe)} on ${model}, computed on ${device} in ${Math.round(r.elapsedMs)} ms`,
    `protocol: ${p.textLabel}; ${p.tokens} tokens, ${p.scored} scored; windows of ${p.context} tokens every ${p.stride}${p.bos ? ', BOS in front of each' : ''}`,
    `recipe applied to ${p.quantizedTensors} tensors (${p.quantizedParams.toLocaleString('en-US')} weights) at ${num(p.bitsPerWeight)} bits per weight; embeddings, norms and head in full precision`,
  ];
  return `${protocol.join('\n')}\n\n${table([
    ['perplexity, full', num(r.pplFull)],
    ['perplexity, quantized', `${num(r.pplQuantized)} (${change >= 0 ? '+' : ''}${change.toFixed(2)} %)`],
    ['KL mean (nats)', num(c.klMean)],
    ['KL p50 / p90 / p99', `${num(c.klPercentiles.p50)} / ${num(c.klPercentiles.p90)} / ${num(c.klPercentiles.p99)}`],
    ['KL max', num(c.klPercentiles.max)],
    ['top-1 agreement', `${(c.top1Agreement * 100).toFixed(2)} %`],
    ['mean Δp', num(c.meanDeltaP)],
    ['RMS Δp', num(c.rmsDeltaP)],
  ])}\n`;
}

/** Runs `lowbit eval` with `argv` (after "eval"); resolves to the exit code. */
export async function evalCommand(argv: readonly string[], io: Output): Promise<number> {
  const flags = parseFlags('eval', argv, FLAGS);
  if (flags.values.help) { io.out(`${EVAL_HELP}\n`); return 0; }
  const modelPath = stringFlag(flags, 'model', 'eval', true);
  const textPath = stringFlag(flags, 'text', 'eval', true);
  const recipeArg = stringFlag(flags, 'recipe', 'eval');
  const maxTokens = intFlag(flags, 'max-tokens', 'eval', DEFAULTS.maxTokens, 2, 1 << 20);
  const requested = intFlag(flags, 'ctx', 'eval', DEFAULTS.context, 2, 1 << 20);
  const stride = intFlag(flags, 'stride', 'eval', Math.min(DEFAULTS.stride, requested - 1), 1, 1 << 20);
  if (stride >= requested) throw new UsageError(`--stride (${stride}) must be below --ctx (${requested}): each window must keep some context. See lowbit eval --help.`);
  const choice = backendFlag(flags, 'eval');
  const { recipe, notices } = recipeArg ? readRecipe(recipeArg) : { recipe: DEFAULT_SPEC.recipe, notices: [] };
  for (const n of notices) io.err(`note: ${n}\n`);
  let text: string;
  try {
    text = readFileSync(textPath, 'utf8');
  } catch (e) {
    throw new InputError(`${textPath} could not be read (${e instanceof Error ? e.message : String(e)}). Check the path.`);
  }
  const loaded = await loadModel(filesFolder(basename(modelPath), await modelFiles(modelPath)));
  const config = loaded.summary.config;
  if (!config) throw new InputError(`${modelPath} cannot be run: ${loaded.summary.description}`);
  const context = Math.min(requested, config.maxPositions);
  if (context < requested) io.err(`note: --ctx ${requested} is longer than the model's context; using ${context}.\n`);
  const backend = await openBackend(choice);
  const progress = progressLine(io);
  try {
    const settings = { text, textLabel: basename(textPath), maxTokens, context, stride: Math.min(stride, context - 1) };
    const result = await evaluateRecipe(loaded, recipe, settings, backend.runtime ?? null, progress.update, () => false);
    progress.done();
    const { perToken: _perToken, ...numbers } = result; // the per-token view is the browser's
    io.out(flags.values.json
      ? `${JSON.stringify({ format: 'lowbit-eval', version: 1, model: loaded.summary.name, recipe, ...numbers }, null, 2)}\n`
      : describe(result, recipe, loaded.summary.name, backend.device.description));
    return 0;
  } finally {
    backend.dispose();
  }
}
