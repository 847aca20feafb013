// tests (cli): `lowbit eval` on the embedded model (CPU reference): the protocol it prints matches its flags and its numbers are evaluateRecipe's.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { EXIT } from '../../src/cli/errors';
import { main } from '../../src/cli/main';
import { evaluateRecipe } from '../../src/engine/evaluate';
import { PRESETS } from '../../src/spec/presets';
import { loadEmbeddedModel } from '../support/embeddedModel';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const MODEL_DIR = join(ROOT, 'public/models/lowbit-tiny-llama');
const TEXT = join(MODEL_DIR, 'eval.txt');

async function lowbit(...argv: string[]) {
  let out = '', err = '';
  const code = await main(argv, { out: (t) => { out += t; }, err: (t) => { err += t; }, progress: false });
  return { code, out, err };
}

describe('lowbit eval', () => {
  it('prints the protocol and the numbers evaluateRecipe computes for the same settings', async () => {
    const r = await lowbit('eval', '--model', MODEL_DIR, '--text', TEXT, '--recipe', 'llama-q4_0', '--ctx', '48', '--stride', '24', '--max-tokens', '96', '--backend', 'cpu', '--json');
    expect(r.err).toBe('');
    expect(r.code).toBe(EXIT.ok);
    const doc = JSON.parse(r.out);
    expect(doc.protocol).toMatchObject({ textLabel: 'eval.txt', tokens: 96, context: 48, stride: 24, keptLayers: [] });
    expect(doc.backend).toBe('cpu');
    const recipe = PRESETS.find((p) => p.id === 'llama-q4_0')?.recipe;
    if (!recipe) throw new Error('preset llama-q4_0 is gone');
    expect(doc.recipe).toEqual(recipe);
    const settings = { text: readFileSync(TEXT, 'utf8'), textLabel: 'eval.txt', maxTokens: 96, context: 48, stride: 24 };
    const direct = await evaluateRecipe(await loadEmbeddedModel(), recipe, settings, null, () => {}, () => false);
    expect(doc.pplFull).toBe(direct.pplFull);
    expect(doc.pplQuantized).toBe(direct.pplQuantized);
    expect(doc.comparison).toEqual(direct.comparison);
    expect(doc.perToken).toBeUndefined();
  });

  it('prints a readable table with the protocol first, and says when --ctx exceeds the model', async () => {
    const r = await lowbit('eval', '--model', MODEL_DIR, '--text', TEXT, '--ctx', '100000', '--stride', '32', '--max-tokens', '64', '--backend', 'cpu');
    expect(r.code).toBe(EXIT.ok);
    expect(r.err).toMatch(/^note: --ctx 100000 is longer than the model's context; using \d+\.\n$/);
    expect(r.out).toMatch(/^INT4 sym · block 64 on lowbit-tiny-llama, computed on CPU reference in \d+ ms\nprotocol: eval\.txt; 64 tokens, 64 scored; windows of 256 tokens every 32, BOS in front of each\n/);
    for (const label of ['perplexity, full', 'perplexity, quantized', 'KL mean (nats)', 'KL p50 / p90 / p99', 'top-1 agreement', 'RMS Δp']) expect(r.out).toContain(label);
  });
});
