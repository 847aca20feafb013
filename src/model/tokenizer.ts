// model: tokenizers: one interface over Hugging Face tokenizer.json (@huggingface/tokenizers) and GGUF vocabularies ('llama' SentencePiece, 'gpt2' byte-level BPE).
import { Tokenizer as HfTokenizer } from '@huggingface/tokenizers';
import { spmTokenizer, TOKEN_TYPE } from './spmTokenizer';
import { ModelLoadError } from './types';

/** Text to token ids and back. */
export interface Tokenizer {
  /**
   * Token ids of `text`. `addBos` (default: the model's own convention, e.g. true for Llama, false
   * for GPT-2) puts the BOS id first. No EOS or other special tokens are added.
   */
  encode(text: string, opts?: { addBos?: boolean }): number[];
  /** Text of a whole sequence (special tokens such as BOS/EOS dropped). Throws RangeError for ids outside the vocabulary. */
  decode(ids: readonly number[]): string;
  /** One token's text as a per-token view shows it (specials by name, e.g. "<s>"; a lone non-ASCII byte may show as "<0xE2>" or "�"). */
  decodeToken(id: number): string;
  /** Ids are 0 .. vocabSize - 1. */
  readonly vocabSize: number;
  readonly bosId: number | null;
  readonly eosId: number | null;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** A tokenizers.js tokenizer behind our interface; BOS is added by us, never by its post-processor. */
function wrapHf(tok: HfTokenizer, bosId: number | null, eosId: number | null, addBosByDefault: boolean): Tokenizer {
  let vocabSize = 0;
  for (const id of tok.get_vocab(true).values()) vocabSize = Math.max(vocabSize, id + 1);
  const checkId = (id: number) => {
    if (!Number.isInteger(id) || id < 0 || id >= vocabSize) throw new RangeError(`Token id ${id} is outside the vocabulary (0–${vocabSize - 1}).`);
  };
  // clean_up_tokenization_spaces would turn " ." into "." and break decode(encode(s)) === s.
  const decode = (ids: number[], skip: boolean) => {
    ids.forEach(checkId);
    return ids.length === 0 ? '' : tok.decode(ids, { skip_special_tokens: skip, clean_up_tokenization_spaces: false });
  };
  return {
    vocabSize,
    bosId,
    eosId,
    encode(text, opts) {
      const ids = text === '' ? [] : tok.encode(text, { add_special_tokens: false }).ids;
      if (!(opts?.addBos ?? addBosByDefault)) return ids;
      if (bosId === null) throw new Error('This tokenizer has no BOS token to add.');
      return [bosId, ...ids];
    },
    decode: (ids) => decode([...ids], true),
    decodeToken: (id) => decode([id], false),
  };
}

/** Id of a tokenizer_config.json special token (a string or an AddedToken object with `content`). */
function specialId(tok: HfTokenizer, token: unknown): number | null {
  const content = isObject(token) ? token.content : token;
  return typeof content === 'string' ? tok.token_to_id(content) ?? null : null;
}

/**
 * A tokenizer from a Hugging Face `tokenizer.json` (parsed) and optional `tokenizer_config.json`,
 * run by @huggingface/tokenizers (the tokenizer of transformers.js without its model runtime, ~8 kB
 * gzipped; no network). BOS/EOS ids come from the config's bos_token/eos_token; BOS is added by
 * default when the tokenizer's own post-processor adds it (Llama-style templates do, GPT-2 does not).
 * Throws ModelLoadError: 'corrupt' when the JSON is not a tokenizer, 'unsupported' for components
 * tokenizers.js does not implement.
 */
export async function tokenizerFromHf(tokenizerJson: unknown, tokenizerConfig?: unknown): Promise<Tokenizer> {
  if (!isObject(tokenizerJson) || !isObject(tokenizerJson.model)) {
    throw new ModelLoadError('corrupt', 'tokenizer.json has no "model" section, so it is not a Hugging Face tokenizer file. Check the file or download it again.');
  }
  const config = isObject(tokenizerConfig) ? tokenizerConfig : {};
  let tok: HfTokenizer;
  try {
    tok = new HfTokenizer(tokenizerJson, config);
  } catch (e) {
    throw new ModelLoadError('unsupported', `This tokenizer.json cannot be used: ${message(e)}. The model's weights still load; text features need a supported tokenizer.`);
  }
  const bosId = specialId(tok, config.bos_token);
  const addsBos = bosId !== null && tok.encode('a').ids[0] === bosId;
  return wrapHf(tok, bosId, specialId(tok, config.eos_token), addsBos);
}

/** Pre-tokenizer regexes of byte-level BPE vocabularies, by `tokenizer.ggml.pre` (as in the models' tokenizer.json). */
const LLAMA3_SPLIT = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
const QWEN2_SPLIT = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
/** null: GPT-2's own regex (ByteLevel with use_regex). llama.cpp sets ignore_merges for Llama 3; Qwen2 normalizes to NFC. */
const BPE_PRE: Readonly<Record<string, { split: string | null; ignoreMerges: boolean; nfc: boolean }>> = {
  'gpt-2': { split: null, ignoreMerges: false, nfc: false },
  gpt2: { split: null, ignoreMerges: false, nfc: false },
  'llama-bpe': { split: LLAMA3_SPLIT, ignoreMerges: true, nfc: false },
  llama3: { split: LLAMA3_SPLIT, ignoreMerges: true, nfc: false },
  qwen2: { split: QWEN2_SPLIT, ignoreMerges: false, nfc: true },
};

/** A `tokenizer.ggml.*` value of the expected type, or `fallback` when absent; ModelLoadError('corrupt') otherwise. */
function ggufField<T>(md: Json, key: string, check: (v: unknown) => v is T, fallback?: T): T {
  const v = md[key];
  if (v === undefined && fallback !== undefined) return fallback;
  if (!check(v)) throw new ModelLoadError('corrupt', `This GGUF file's tokenizer metadata ${key} is ${v === undefined ? 'missing' : 'malformed'}. The file may be damaged; try downloading it again.`);
  return v;
}
const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');
const isNumbers = (v: unknown): v is number[] => Array.isArray(v) && v.every((x) => typeof x === 'number');
const isBool = (v: unknown): v is boolean => typeof v === 'boolean';
const isString = (v: unknown): v is string => typeof v === 'string';

/**
 * The tokenizer.json equivalent of a GGUF 'gpt2' vocabulary (what convert_hf_to_gguf.py stored):
 * ids and merges as BPE, control/user-defined tokens as added tokens, the pre-tokenizer of `pre`.
 */
function bpeJson(tokens: readonly string[], types: readonly number[], merges: readonly string[], pre: string): Json {
  const p = BPE_PRE[pre];
  if (!p) {
    throw new ModelLoadError('unsupported', `This GGUF's BPE pre-tokenizer '${pre}' is not supported (supported: ${Object.keys(BPE_PRE).join(', ')}). The weights still load; text features are unavailable.`);
  }
  const byteLevel = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: p.split === null };
  return {
    version: '1.0',
    added_tokens: tokens.flatMap((content, id) => types[id] === TOKEN_TYPE.control || types[id] === TOKEN_TYPE.userDefined
      ? [{ id, content, special: types[id] === TOKEN_TYPE.control, normalized: false, lstrip: false, rstrip: false, single_word: false }] : []),
    normalizer: p.nfc ? { type: 'NFC' } : null,
    pre_tokenizer: p.split === null ? byteLevel
      : { type: 'Sequence', pretokenizers: [{ type: 'Split', pattern: { Regex: p.split }, behavior: 'Isolated', invert: false }, byteLevel] },
    post_processor: null,
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: {
      type: 'BPE', dropout: null, unk_token: null, continuing_subword_prefix: null, end_of_word_suffix: null, fuse_unk: false,
      byte_fallback: false, ignore_merges: p.ignoreMerges, vocab: Object.fromEntries(tokens.map((t, id) => [t, id])), merges,
    },
  };
}

/**
 * The tokenizer stored in a GGUF file's metadata (llama.cpp keys `tokenizer.ggml.*`):
 * - 'llama': SentencePiece BPE exactly as llama.cpp tokenizes ({@link spmTokenizer}); BOS/EOS/UNK
 *   default to 1/2/0 and add_bos_token / add_space_prefix to true, as in llama.cpp.
 * - 'gpt2': byte-level BPE from tokens + merges, run by @huggingface/tokenizers as an equivalent
 *   tokenizer.json; `tokenizer.ggml.pre` picks the pre-tokenizer (gpt-2, llama-bpe, qwen2); special
 *   tokens written in the text are recognised, as Hugging Face does; add_bos_token defaults to false.
 * Ids at or beyond the vocabulary size (e.g. 0xFFFFFFFF for "none") count as absent.
 * Throws ModelLoadError: 'unsupported' for other tokenizer models, 'corrupt' for malformed metadata.
 */
export function tokenizerFromGguf(metadata: Record<string, unknown>): Tokenizer {
  const model = metadata['tokenizer.ggml.model'];
  if (model !== 'llama' && model !== 'gpt2') {
    throw new ModelLoadError('unsupported', `This GGUF's tokenizer is '${String(model ?? 'none')}', but lowbit reads only 'llama' (SentencePiece) and 'gpt2' (byte-level BPE) vocabularies. The weights still load; text features are unavailable.`);
  }
  const tokens = ggufField(metadata, 'tokenizer.ggml.tokens', isStrings);
  const n = tokens.length;
  const types = ggufField(metadata, 'tokenizer.ggml.token_type', isNumbers, new Array<number>(n).fill(TOKEN_TYPE.normal));
  if (types.length < n) throw new ModelLoadError('corrupt', `This GGUF file has ${n} tokens but only ${types.length} token types. The file may be damaged; try downloading it again.`);
  const tokenId = (key: string, fallback: number | null) => {
    const id = metadata[key] === undefined ? fallback : ggufField(metadata, key, (v): v is number => typeof v === 'number');
    return id !== null && Number.isInteger(id) && id >= 0 && id < n ? id : null;
  };
  const addBos = (fallback: boolean) => ggufField(metadata, 'tokenizer.ggml.add_bos_token', isBool, fallback);
  if (model === 'llama') {
    const scores = ggufField(metadata, 'tokenizer.ggml.scores', isNumbers, new Array<number>(n).fill(0));
    if (scores.length < n) throw new ModelLoadError('corrupt', `This GGUF file has ${n} tokens but only ${scores.length} scores. The file may be damaged; try downloading it again.`);
    return spmTokenizer({
      tokens, scores, types,
      bosId: tokenId('tokenizer.ggml.bos_token_id', 1), eosId: tokenId('tokenizer.ggml.eos_token_id', 2), unkId: tokenId('tokenizer.ggml.unknown_token_id', 0),
      addBos: addBos(true), addSpacePrefix: ggufField(metadata, 'tokenizer.ggml.add_space_prefix', isBool, true),
    });
  }
  const merges = ggufField(metadata, 'tokenizer.ggml.merges', isStrings);
  const json = bpeJson(tokens, types, merges, ggufField(metadata, 'tokenizer.ggml.pre', isString, 'gpt-2'));
  let tok: HfTokenizer;
  try {
    tok = new HfTokenizer(json, {});
  } catch (e) {
    throw new ModelLoadError('corrupt', `This GGUF's BPE vocabulary cannot be used: ${message(e)}. The file may be damaged; try downloading it again.`);
  }
  return wrapHf(tok, tokenId('tokenizer.ggml.bos_token_id', null), tokenId('tokenizer.ggml.eos_token_id', null), addBos(false));
}
