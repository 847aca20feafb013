// tests (model layer): tokenizers: GGUF SentencePiece (stories260K, hand-made vocabularies), Hugging Face GPT-2, GGUF byte-level BPE.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { bytesSource } from '../../src/model/byteSource';
import { readGgufDirectory } from '../../src/model/gguf';
import { spmTokenizer, TOKEN_TYPE, type SpmVocab } from '../../src/model/spmTokenizer';
import { tokenizerFromGguf, tokenizerFromHf, type Tokenizer } from '../../src/model/tokenizer';
import { ModelLoadError } from '../../src/model/types';
import { buildGguf } from '../support/ggufBuilder';

const repoRoot = path.resolve(__dirname, '../..');
const FIXTURES = path.resolve(repoRoot, '../shared/fixtures');
const haveFixtures = existsSync(FIXTURES);
if (!haveFixtures) console.warn(`model-tokenizer: skipping the fixture tests, ${FIXTURES} is absent`);
const fixture = (...p: string[]) => readFileSync(path.join(FIXTURES, ...p), 'utf8');

/** Strings that must survive encode then decode unchanged: spaces, newlines, byte fallback, emoji sequences. */
const ROUND_TRIP = [
  '', 'a', 'Hello world', ' leading space', '   three leading', 'inner   runs  of spaces', 'trailing  ', '\n\nnewlines\n',
  'tabs\tand\r\nCRLF', 'héllo wörld', '世界 and 日本語', 'emoji 🙂 and a family 👩‍👩‍👧', 'naïve café', '<s> and </s> typed as text', '<0x41>',
  "Lily's mom said, \"Let's go!\" ... ?!", '1234567890 + 3.14159',
];

function expectRoundTrip(tok: Tokenizer, texts: readonly string[]) {
  for (const s of texts) {
    expect(tok.decode(tok.encode(s)), JSON.stringify(s)).toBe(s);
    expect(tok.decode(tok.encode(s, { addBos: false })), JSON.stringify(s)).toBe(s);
  }
}

describe.skipIf(!haveFixtures)('stories260K GGUF vocabulary (SentencePiece BPE, 512 pieces, byte fallback)', () => {
  let tok: Tokenizer;
  beforeAll(async () => {
    const file = new Uint8Array(readFileSync(path.join(FIXTURES, 'stories260K/stories260K.gguf')));
    tok = tokenizerFromGguf((await readGgufDirectory(bytesSource('stories260K.gguf', file))).metadata);
  });

  it('has the special ids and BOS convention of the metadata', () => {
    expect([tok.vocabSize, tok.bosId, tok.eosId]).toEqual([512, 1, 2]);
    expect(tok.encode('')).toEqual([1]);
    expect(tok.encode('', { addBos: false })).toEqual([]);
  });

  it('gives the prompt lengths llama.cpp server tests publish for this model (BOS included)', () => {
    expect(tok.encode('I believe the meaning of life is')).toHaveLength(18);
    expect(tok.encode('Write a joke about AI from a very long prompt which will not be truncated')).toHaveLength(46);
  });

  it('matches SentencePiece itself on tok512.model (same pieces and scores as the GGUF)', () => {
    // Reference ids: `spm_encode --model=tok512.model --output_format=id` (SentencePiece 0.1.97, Debian).
    // Texts without runs of spaces: SentencePiece's normalizer collapses them, llama.cpp does not.
    const reference: [string, number[]][] = [
      ['I believe the meaning of life is', [359, 329, 421, 417, 411, 360, 265, 284, 411, 303, 299, 373, 397, 431, 411, 410, 293]],
      ['Once upon a time, there was a little girl named Lily.', [403, 407, 261, 378, 432, 383, 286, 261, 376, 298, 315, 421, 395, 317, 426]],
      ['Lily\'s mom said, "Lily, let\'s go to the park."',
        [317, 439, 419, 357, 336, 432, 313, 438, 310, 432, 278, 316, 439, 419, 298, 414, 267, 265, 282, 295, 433, 426, 436]],
      ['The quick brown fox jumps over the lazy dog 1234567890!',
        [291, 410, 456, 425, 417, 340, 268, 420, 327, 416, 272, 414, 444, 410, 449, 425, 423, 427, 419, 334, 330, 265, 278, 412, 451, 422, 400, 428,
          410, 475, 479, 472, 484, 480, 490, 491, 487, 483, 477, 443]],
      ['Zebras & xylophones: {quirky} [jazz] <html> ~tilde~ `code` @home #tag $5 %50 ^caret *star',
        [410, 469, 411, 430, 420, 412, 419, 410, 499, 410, 444, 422, 421, 414, 427, 415, 289, 406, 467, 410, 126, 456, 425, 315, 433, 422, 128, 410,
          508, 449, 412, 451, 451, 509, 410, 504, 415, 413, 423, 421, 505, 410, 510, 413, 290, 418, 411, 510, 410, 495, 429, 414, 418, 411, 495, 410, 67,
          415, 287, 411, 410, 38, 413, 412, 428, 410, 494, 480, 410, 501, 480, 477, 410, 97, 429, 412, 276, 413, 410, 497, 356, 295]],
      ['héllo 世界 🙂 naïve café', [270, 485, 306, 414, 410, 231, 187, 153, 234, 152, 143, 410, 243, 162, 156, 133, 297, 412, 198, 178, 360, 280, 412, 431, 485]],
    ];
    for (const [text, ids] of reference) expect(tok.encode(text, { addBos: false }), text).toEqual(ids);
  });

  it('decodes what it encodes, including byte fallback and leading or repeated spaces', () => {
    expectRoundTrip(tok, ROUND_TRIP);
  });

  it('re-encodes the published greedy samples to themselves', () => {
    for (const f of ['llama2c_test_all_greedy_200steps.txt', 'llama2c_doc_greedy_256steps.txt', 'swift_os_golden_prompt_once_upon_a_time_64steps.txt']) {
      expectRoundTrip(tok, [fixture('stories260K/expected', f)]);
    }
  });

  it('shows single tokens for per-token views', () => {
    // ids from the GGUF vocabulary: 1 = <s>, 13 = <0x0A>, 231 = <0xE4>, 403 = ▁Once (see the reference ids above).
    expect([1, 13, 231, 403].map((id) => tok.decodeToken(id))).toEqual(['<s>', '\n', '<0xE4>', ' Once']);
    expect(() => tok.decode([512])).toThrow(new RangeError('Token id 512 is outside the vocabulary (0–511).'));
  });
});

describe('SentencePiece merge order, byte fallback and user-defined pieces (hand-made vocabulary)', () => {
  const { normal, control, unknown, userDefined, byte } = TOKEN_TYPE;
  // id:            0        1      2       3    4    5    6     7     8          9         10
  const tokens = ['<unk>', '<s>', '</s>', '▁', 'a', 'b', '▁a', 'ab', '<0x63>', '<|x|>', '<0x20>'];
  const types = [unknown, control, control, normal, normal, normal, normal, normal, byte, userDefined, byte];
  const vocab = (scores: { '▁a': number; ab: number }): SpmVocab => ({
    tokens, types, scores: tokens.map((t) => (t === '▁a' ? scores['▁a'] : t === 'ab' ? scores.ab : 0)),
    bosId: 1, eosId: 2, unkId: 0, addBos: false, addSpacePrefix: true,
  });

  it('merges the highest-scoring pair first, the leftmost on ties', () => {
    // "ab" becomes "▁ab": the pairs are ▁+a ("▁a") and a+b ("ab"); whichever merges first blocks the other.
    expect(spmTokenizer(vocab({ '▁a': -2, ab: -1 })).encode('ab')).toEqual([3, 7]);
    expect(spmTokenizer(vocab({ '▁a': -1, ab: -2 })).encode('ab')).toEqual([6, 5]);
    expect(spmTokenizer(vocab({ '▁a': -1, ab: -1 })).encode('ab')).toEqual([6, 5]);
  });

  it('falls back to <0xNN> byte pieces, then to the unknown token', () => {
    const tok = spmTokenizer(vocab({ '▁a': -1, ab: -2 }));
    expect(tok.encode('c')).toEqual([3, 8]);
    expect(tok.encode('d', { addBos: true })).toEqual([1, 3, 0]);
    expect(tok.decode([1, 3, 8, 0, 2])).toBe('c');
    expect(() => spmTokenizer({ ...vocab({ '▁a': 0, ab: 0 }), unkId: null }).encode('d')).toThrow("Cannot encode 'd'");
  });

  it('splits out user-defined pieces and restarts the dummy prefix after them, as llama.cpp does', () => {
    const tok = spmTokenizer(vocab({ '▁a': -1, ab: -2 }));
    expect(tok.encode('a<|x|>b')).toEqual([6, 9, 3, 5]);
    expect(tok.decode([6, 9, 3, 5])).toBe('a<|x|>b');
    expect(tok.decodeToken(9)).toBe('<|x|>');
    expect(spmTokenizer({ ...vocab({ '▁a': -1, ab: -2 }), addSpacePrefix: false }).encode('ab')).toEqual([7]);
  });

  it('refuses a vocabulary with a piece listed twice', () => {
    expect(() => spmTokenizer({ ...vocab({ '▁a': 0, ab: 0 }), tokens: [...tokens.slice(0, 10), 'a'] }))
      .toThrow(new ModelLoadError('corrupt', "The GGUF vocabulary lists the piece 'a' twice (ids 4 and 10). The file is damaged; try downloading it again."));
  });
});

describe('tokenizerFromGguf metadata checks', () => {
  it('refuses tokenizer models other than llama and gpt2', () => {
    const e = (() => { try { tokenizerFromGguf({ 'tokenizer.ggml.model': 'bert' }); } catch (err) { return err; } })();
    expect(e).toEqual(new ModelLoadError('unsupported',
      "This GGUF's tokenizer is 'bert', but lowbit reads only 'llama' (SentencePiece) and 'gpt2' (byte-level BPE) vocabularies. The weights still load; text features are unavailable."));
  });
  it('refuses missing or malformed vocabularies and unknown BPE pre-tokenizers', () => {
    expect(() => tokenizerFromGguf({ 'tokenizer.ggml.model': 'llama' })).toThrow(
      "This GGUF file's tokenizer metadata tokenizer.ggml.tokens is missing. The file may be damaged; try downloading it again.");
    expect(() => tokenizerFromGguf({ 'tokenizer.ggml.model': 'llama', 'tokenizer.ggml.tokens': ['a'], 'tokenizer.ggml.scores': 'x' })).toThrow(
      "This GGUF file's tokenizer metadata tokenizer.ggml.scores is malformed. The file may be damaged; try downloading it again.");
    expect(() => tokenizerFromGguf({ 'tokenizer.ggml.model': 'gpt2', 'tokenizer.ggml.tokens': ['a'], 'tokenizer.ggml.merges': [], 'tokenizer.ggml.pre': 'falcon' }))
      .toThrow("This GGUF's BPE pre-tokenizer 'falcon' is not supported (supported: gpt-2, gpt2, llama-bpe, llama3, qwen2).");
  });
  it('uses llama.cpp defaults for absent SentencePiece keys and drops out-of-range ids', () => {
    const tok = tokenizerFromGguf({ 'tokenizer.ggml.model': 'llama', 'tokenizer.ggml.tokens': ['<unk>', '<s>', '</s>', '▁', 'a'], 'tokenizer.ggml.eos_token_id': 2 ** 32 - 1 });
    expect([tok.bosId, tok.eosId]).toEqual([1, null]);
    expect(tok.encode('a')).toEqual([1, 3, 4]);
    const noBos = tokenizerFromGguf({ 'tokenizer.ggml.model': 'llama', 'tokenizer.ggml.tokens': ['<unk>', '<s>', '</s>', '▁', 'a'], 'tokenizer.ggml.add_bos_token': false });
    expect(noBos.encode('a')).toEqual([3, 4]);
  });
});

describe.skipIf(!haveFixtures)('GPT-2 (fake-gpt2-random carries the real GPT-2 tokenizer files)', () => {
  let hf: Tokenizer;
  let vocabJson: Record<string, number>;
  beforeAll(async () => {
    hf = await tokenizerFromHf(JSON.parse(fixture('fake-gpt2-random/tokenizer.json')), JSON.parse(fixture('fake-gpt2-random/tokenizer_config.json')));
    vocabJson = JSON.parse(fixture('fake-gpt2-random/vocab.json'));
  });

  it('gives the ids of the GPT-2 tokenizer documentation and of vocab.json', () => {
    // transformers' GPT2Tokenizer docstring: "Hello world" -> [15496, 995], " Hello world" -> [18435, 995].
    expect(hf.encode('Hello world')).toEqual([15496, 995]);
    expect(hf.encode(' Hello')).toEqual([18435]);
    expect(hf.encode(' Hello world')).toEqual([18435, 995]);
    // vocab.json (a separate file from tokenizer.json): byte-level pieces, "Ġ" = space, "Ċ" = newline.
    expect(hf.encode('The cat.\n')).toEqual(['The', 'Ġcat', '.', 'Ċ'].map((p) => vocabJson[p]));
    expect([hf.vocabSize, hf.bosId, hf.eosId]).toEqual([50257, 50256, 50256]);
    expect(hf.encode('<|endoftext|>')).toEqual([50256]);
  });

  it('adds no BOS by default (GPT-2 has none in its template) and <|endoftext|> when asked', () => {
    expect(hf.encode('Hello world', { addBos: true })).toEqual([50256, 15496, 995]);
    expect(hf.decode([50256, 15496, 995])).toBe('Hello world');
    expect([50256, 18435].map((id) => hf.decodeToken(id))).toEqual(['<|endoftext|>', ' Hello']);
  });

  it('decodes what it encodes (unicode, spaces, punctuation kept as typed)', () => {
    expectRoundTrip(hf, ROUND_TRIP);
    expect(() => hf.decode([50257])).toThrow(RangeError);
  });

  it('from GGUF metadata (tokens, merges, token types as convert_hf_to_gguf.py writes them) encodes like tokenizer.json', async () => {
    const tokens = Object.entries(vocabJson).sort((a, b) => a[1] - b[1]).map(([t]) => t);
    const merges = fixture('fake-gpt2-random/merges.txt').split('\n').filter((l) => l && !l.startsWith('#version'));
    const file = buildGguf({
      kv: {
        'tokenizer.ggml.model': { type: 'string', value: 'gpt2' },
        'tokenizer.ggml.pre': { type: 'string', value: 'gpt-2' },
        'tokenizer.ggml.tokens': { type: 'array', itemType: 'string', value: tokens },
        'tokenizer.ggml.token_type': { type: 'array', itemType: 'i32', value: tokens.map((t) => (t === '<|endoftext|>' ? TOKEN_TYPE.control : TOKEN_TYPE.normal)) },
        'tokenizer.ggml.merges': { type: 'array', itemType: 'string', value: merges },
        'tokenizer.ggml.bos_token_id': { type: 'u32', value: 50256 },
        'tokenizer.ggml.eos_token_id': { type: 'u32', value: 50256 },
      },
    });
    const metadata = (await readGgufDirectory(bytesSource('gpt2.gguf', file))).metadata;
    const gguf = tokenizerFromGguf(metadata);
    expect([gguf.vocabSize, gguf.bosId, gguf.eosId]).toEqual([50257, 50256, 50256]);
    const texts = [...ROUND_TRIP, fixture('eval-text', 'tinystories_valid_first12stories.txt').slice(0, 4000), "I'M can't WON'T 12345"];
    for (const s of texts) expect(gguf.encode(s), JSON.stringify(s.slice(0, 40))).toEqual(hf.encode(s));
    expectRoundTrip(gguf, ROUND_TRIP);

    // The pre-tokenizer follows tokenizer.ggml.pre: Llama 3 splits digit runs in threes, Qwen2 into single digits.
    const pieces = (pre: string, s: string) => {
      const t = tokenizerFromGguf({ ...metadata, 'tokenizer.ggml.pre': pre });
      return t.encode(s).map((id) => t.decodeToken(id));
    };
    expect(pieces('gpt-2', '1234567')).toEqual(hf.encode('1234567').map((id) => hf.decodeToken(id)));
    const llama = pieces('llama-bpe', '1234567');
    const boundaries = llama.map((_, i) => llama.slice(0, i + 1).join('').length);
    expect(boundaries).toEqual(expect.arrayContaining([3, 6, 7]));
    expect(pieces('qwen2', '1234567')).toEqual(['1', '2', '3', '4', '5', '6', '7']);
  });
});
