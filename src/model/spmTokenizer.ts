// model: SentencePiece BPE as llama.cpp runs it for GGUF 'llama' vocabularies (src/llama-vocab.cpp, llm_tokenizer_spm): scores, byte fallback, dummy prefix.
import type { Tokenizer } from './tokenizer';
import { ModelLoadError } from './types';

/** llama.cpp token types (`tokenizer.ggml.token_type`, `llama_token_type` in llama.h). */
export const TOKEN_TYPE = { normal: 1, unknown: 2, control: 3, userDefined: 4, unused: 5, byte: 6 } as const;

/** A SentencePiece vocabulary as GGUF stores it. */
export interface SpmVocab {
  /** Piece of each id, spaces written as U+2581 ("▁"), bytes as "<0xNN>". */
  readonly tokens: readonly string[];
  /** Merge priority of each piece (higher merges first); SentencePiece's log-probabilities. */
  readonly scores: readonly number[];
  /** TOKEN_TYPE of each id. */
  readonly types: readonly number[];
  readonly bosId: number | null;
  readonly eosId: number | null;
  readonly unkId: number | null;
  /** Whether encode starts with BOS unless told otherwise (`tokenizer.ggml.add_bos_token`). */
  readonly addBos: boolean;
  /** SentencePiece's dummy prefix: a space before the text (`tokenizer.ggml.add_space_prefix`). */
  readonly addSpacePrefix: boolean;
}

const SPACE = '\u2581';

interface Sym { start: number; len: number; prev: number; next: number }
interface Bigram { left: number; right: number; score: number; len: number }

/** Binary max-heap of bigrams: highest score first, then the leftmost (llm_bigram_spm::comparator). */
class BigramQueue {
  private readonly items: Bigram[] = [];
  get size(): number { return this.items.length; }
  private before = (a: Bigram, b: Bigram) => a.score > b.score || (a.score === b.score && a.left < b.left);
  push(b: Bigram): void {
    const h = this.items;
    h.push(b);
    for (let i = h.length - 1; i > 0;) {
      const p = (i - 1) >> 1;
      if (!this.before(h[i], h[p])) break;
      [h[i], h[p]] = [h[p], h[i]];
      i = p;
    }
  }
  pop(): Bigram {
    const h = this.items;
    const top = h[0];
    const last = h.pop() as Bigram;
    if (h.length > 0) {
      h[0] = last;
      for (let i = 0; ;) {
        const l = 2 * i + 1, r = l + 1;
        let m = i;
        if (l < h.length && this.before(h[l], h[m])) m = l;
        if (r < h.length && this.before(h[r], h[m])) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m], h[i]];
        i = m;
      }
    }
    return top;
  }
}

const utf8 = new TextEncoder();

/**
 * The tokenizer of a GGUF 'llama' vocabulary, token for token what llama.cpp produces with
 * parse_special = false: user-defined pieces are matched first (longest first), each remaining text
 * fragment gets the dummy-prefix space when it starts the text or follows such a piece, spaces become
 * "▁", and adjacent symbols (Unicode code points at first) merge greedily, the pair whose merged piece
 * has the highest score first (ties: leftmost). Symbols that are no piece fall back to their UTF-8
 * bytes as "<0xNN>" tokens (the unknown token where the vocabulary lacks one; llama.cpp throws there).
 * Text is not normalized (llama.cpp applies no NFKC either). Throws ModelLoadError('corrupt') for a
 * vocabulary with duplicate pieces (llama.cpp refuses those too).
 */
export function spmTokenizer(vocab: SpmVocab): Tokenizer {
  const { tokens, scores, types, bosId, eosId, unkId, addSpacePrefix } = vocab;
  const ids = new Map<string, number>();
  tokens.forEach((t, id) => {
    if (ids.has(t)) throw new ModelLoadError('corrupt', `The GGUF vocabulary lists the piece '${t}' twice (ids ${ids.get(t)} and ${id}). The file is damaged; try downloading it again.`);
    ids.set(t, id);
  });
  const byteIds = Array.from({ length: 256 }, (_, b) =>
    ids.get(`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`) ?? (b < 0x80 ? ids.get(String.fromCharCode(b)) : undefined) ?? unkId);
  const userDefined = tokens.map((t, id) => [t, id] as const)
    .filter(([t, id]) => types[id] === TOKEN_TYPE.userDefined && t.length > 0)
    .sort((a, b) => b[0].length - a[0].length);

  /** Splits out user-defined pieces as ids (llama_vocab::impl::tokenizer_st_partition). */
  function partition(text: string): (string | number)[] {
    let frags: (string | number)[] = text ? [text] : [];
    for (const [piece, id] of userDefined) {
      frags = frags.flatMap((f) => typeof f === 'number' ? [f]
        : f.split(piece).flatMap((s, i) => (i === 0 ? [s] : [id, s])).filter((s) => s !== ''));
    }
    return frags;
  }

  /** llm_tokenizer_spm_session::tokenize on one escaped fragment. */
  function tokenizeFragment(text: string, out: number[]): void {
    const syms: Sym[] = [];
    for (let at = 0; at < text.length;) {
      const len = (text.codePointAt(at) as number) > 0xffff ? 2 : 1;
      syms.push({ start: at, len, prev: syms.length - 1, next: at + len < text.length ? syms.length + 1 : -1 });
      at += len;
    }
    const queue = new BigramQueue();
    const tryAdd = (left: number, right: number) => {
      if (left < 0 || right < 0) return;
      const len = syms[left].len + syms[right].len;
      const id = ids.get(text.substr(syms[left].start, len));
      if (id !== undefined) queue.push({ left, right, score: scores[id], len });
    };
    for (let i = 1; i < syms.length; i++) tryAdd(i - 1, i);
    while (queue.size > 0) {
      const b = queue.pop();
      const l = syms[b.left], r = syms[b.right];
      if (l.len === 0 || r.len === 0 || l.len + r.len !== b.len) continue; // stale: a side merged since
      l.len += r.len;
      r.len = 0;
      l.next = r.next;
      if (r.next >= 0) syms[r.next].prev = b.left;
      tryAdd(l.prev, b.left);
      tryAdd(b.left, l.next);
    }
    // Every merged symbol is a piece (bigrams are only queued when they are), so llama.cpp's
    // rev_merge resegmentation never applies; unmerged single code points may need bytes.
    for (let i = syms.length > 0 ? 0 : -1; i !== -1; i = syms[i].next) {
      const piece = text.substr(syms[i].start, syms[i].len);
      const id = ids.get(piece);
      if (id !== undefined) { out.push(id); continue; }
      for (const byte of utf8.encode(piece)) {
        const byteId = byteIds[byte];
        if (byteId === null) throw new Error(`Cannot encode '${piece}': the vocabulary has neither byte pieces nor an unknown token.`);
        out.push(byteId);
      }
    }
  }

  const checkId = (id: number) => {
    if (!Number.isInteger(id) || id < 0 || id >= tokens.length) throw new RangeError(`Token id ${id} is outside the vocabulary (0–${tokens.length - 1}).`);
  };
  const byteOf = (piece: string) => parseInt(piece.slice(3, 5), 16);
  const isHidden = (type: number) => type === TOKEN_TYPE.control || type === TOKEN_TYPE.unknown || type === TOKEN_TYPE.unused;

  return {
    vocabSize: tokens.length,
    bosId,
    eosId,
    encode(text, opts) {
      const out: number[] = [];
      if (opts?.addBos ?? vocab.addBos) {
        if (bosId === null) throw new Error('This vocabulary has no BOS token to add.');
        out.push(bosId);
      }
      let afterSpecial = true; // the text start counts as "after a special piece" (llama.cpp is_prev_special)
      for (const frag of partition(text)) {
        if (typeof frag === 'number') { out.push(frag); afterSpecial = true; continue; }
        tokenizeFragment(((addSpacePrefix && afterSpecial ? ' ' : '') + frag).replaceAll(' ', SPACE), out);
        afterSpecial = false;
      }
      return out;
    },
    // Control, unknown and unused pieces decode to nothing (llama.cpp token_to_piece with special = false).
    // The dummy-prefix space encode added (at the start and after user-defined pieces) is removed,
    // so decode(encode(s)) === s for any well-formed string s.
    decode(ids) {
      const bytes: number[] = [];
      let stripSpace = addSpacePrefix;
      for (const id of ids) {
        checkId(id);
        const type = types[id], piece = tokens[id];
        if (isHidden(type)) continue;
        let chunk: ArrayLike<number> = type === TOKEN_TYPE.byte ? [byteOf(piece)]
          : utf8.encode(type === TOKEN_TYPE.userDefined ? piece : piece.replaceAll(SPACE, ' '));
        if (stripSpace && chunk[0] === 0x20) chunk = Array.from(chunk).slice(1);
        stripSpace = addSpacePrefix && type === TOKEN_TYPE.userDefined;
        for (let i = 0; i < chunk.length; i++) bytes.push(chunk[i]);
      }
      return new TextDecoder().decode(Uint8Array.from(bytes));
    },
    decodeToken(id) {
      checkId(id);
      const type = types[id], piece = tokens[id];
      if (type === TOKEN_TYPE.byte) return byteOf(piece) < 0x80 ? String.fromCharCode(byteOf(piece)) : piece;
      return type === TOKEN_TYPE.normal ? piece.replaceAll(SPACE, ' ') : piece;
    },
  };
}
