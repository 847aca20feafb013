// tests (model layer): the CPU reference forward pass on a real pretrained Llama (stories260K GGUF, read by our loaders) against published outputs.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ModelConfig } from '../../src/model/architectures';
import { greedyGenerate, sampleGenerate } from '../../src/model/forward/generate';
import { softmax } from '../../src/model/forward/ops';
import { perplexity } from '../../src/model/forward/perplexity';
import { createSession } from '../../src/model/forward/session';
import type { ForwardModel } from '../../src/model/forward/weights';
import { tokenizerFromGguf, type Tokenizer } from '../../src/model/tokenizer';
import { loadGgufModel, sharedFixtures } from './forward-models';

const dir = path.join(sharedFixtures, 'stories260K');
const evalText = path.join(sharedFixtures, 'eval-text/tinystories_valid_first12stories.txt');
const present = existsSync(dir) && existsSync(evalText);
if (!present) console.warn(`skipping the stories260K forward-pass tests: ${dir} or ${evalText} is absent (a clone without ../shared)`);
const expected = (name: string) => readFileSync(path.join(dir, 'expected', name), 'utf8');

describe.skipIf(!present)('stories260K (Karpathy tinyllamas, GGUF F32) through our GGUF loader and tokenizer', () => {
  let model: ForwardModel;
  let tokenizer: Tokenizer;
  let pieces: readonly string[];
  beforeAll(async () => {
    const loaded = await loadGgufModel(path.join(dir, 'stories260K.gguf'));
    model = loaded.model;
    tokenizer = tokenizerFromGguf(loaded.metadata);
    pieces = loaded.metadata['tokenizer.ggml.tokens'] as string[];
  });

  it('reads the architecture SOURCE.md describes', () => {
    expect(model.config).toMatchObject<Partial<ModelConfig>>({
      family: 'llama', hidden: 64, layers: 5, heads: 8, kvHeads: 4, headDim: 8, ffn: 172, vocabSize: 512,
      ropeTheta: 10000, ropeStyle: 'interleaved', rotaryDim: 8, norm: 'rms', activation: 'silu-gated', bosId: 1, eosId: 2,
      tiedHead: false, // the GGUF stores the tied head a second time as output.weight
    });
    expect(model.config.normEps).toBeCloseTo(1e-5, 12); // stored as f32
  });

  it('greedy from BOS reproduces llama2.c test_all.py: `run -t 0.0 -n 200`, 200 tokens after BOS', () => {
    // run.c prints each sampled token's piece, stripping the leading space of the first one after
    // BOS, and stops early only at BOS (token 1): decode() strips the same dummy-prefix space.
    const out = greedyGenerate(model, [1], 200, [1]);
    expect(out).toHaveLength(200);
    expect(tokenizer.decode(out)).toBe(expected('llama2c_test_all_greedy_200steps.txt'));
  });

  it('greedy after "Once upon a time" reproduces `run -t 0 -n 64 -i "Once upon a time"` (prompt included)', () => {
    const prompt = tokenizer.encode('Once upon a time', { addBos: true });
    expect(prompt[0]).toBe(1);
    // run.c's 64 steps cover the prompt tokens after BOS, then generate the rest.
    const out = greedyGenerate(model, prompt, 64 - (prompt.length - 1), [1]);
    expect(tokenizer.decode([...prompt.slice(1), ...out])).toBe(expected('swift_os_golden_prompt_once_upon_a_time_64steps.txt'));
  });

  it('next-token distribution after "Once upon a time" at T = 1: "," 96.88 %, " there" 2.87 % (SOURCE.md)', () => {
    const session = createSession(model);
    let logits: Float32Array = new Float32Array(0);
    for (const t of tokenizer.encode('Once upon a time', { addBos: true })) logits = session.step(t);
    const p = softmax(logits);
    // Token ids straight from the GGUF vocabulary ('▁' is SentencePiece's space), not from encode().
    expect(p[pieces.indexOf(',')]).toBeCloseTo(0.9688, 4);
    expect(p[pieces.indexOf('▁there')]).toBeCloseTo(0.0287, 4);
  });

  it('seeded sampling at T = 1 draws "," after the prompt about 96.9 % of the time, reproducibly', () => {
    const prompt = tokenizer.encode('Once upon a time', { addBos: true });
    const comma = pieces.indexOf(',');
    const n = 200;
    let commas = 0;
    for (let seed = 0; seed < n; seed++) if (sampleGenerate(model, prompt, 1, { temperature: 1, seed })[0] === comma) commas++;
    // Binomial(200, 0.9688): mean 193.8, sd 2.46; +-5 sd = +-12.3 tokens.
    expect(Math.abs(commas - n * 0.9688)).toBeLessThan(12.3);
    const a = sampleGenerate(model, prompt, 30, { temperature: 0.8, topP: 0.9, seed: 7 });
    expect(sampleGenerate(model, prompt, 30, { temperature: 0.8, topP: 0.9, seed: 7 })).toEqual(a);
    console.log(`stories260K sample (T 0.8, top-p 0.9, seed 7): Once upon a time${tokenizer.decode(a)}`);
  });

  it('loss on 12 TinyStories validation stories is near the published validation loss 1.2968 nats/token', () => {
    // llama2.c's pretokenizer strips each story and encodes it with BOS; the stories are concatenated.
    const stories = readFileSync(evalText, 'utf8').split('<|endoftext|>').map((s) => s.trim()).filter((s) => s.length > 0);
    expect(stories).toHaveLength(12);
    const tokens = stories.flatMap((s) => tokenizer.encode(s, { addBos: true }));
    // Karpathy's protocol: non-overlapping 512-token chunks (the training seq_len), each position
    // predicted from the chunk so far, so stride = context with no extra BOS. The leading BOS is
    // context, not a target; each later chunk's first token is unscored.
    const r = perplexity(model, tokens, { context: 512, stride: 512, bos: null });
    console.log(`stories260K on tinystories_valid_first12stories: ${r.tokens} tokens, loss ${r.nll.toFixed(4)} nats/token, ppl ${r.ppl.toFixed(3)} (published val loss 1.2968)`);
    expect(r.tokens).toBe(tokens.length - Math.ceil(tokens.length / 512));
    // A different slice and protocol than Karpathy's (random 512-token chunks of the whole
    // validation shard), so only a band: +-0.25 nats.
    expect(Math.abs(r.nll - 1.2968)).toBeLessThan(0.25);
  }, 60_000); // ~4k forward steps: a few seconds, more on a busy machine
});
