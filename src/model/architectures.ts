// model: transformer architectures (GPT-2, Llama family, GPT-NeoX) read from config.json or GGUF metadata, and the tensor-name tables.
import { ModelLoadError } from './types';

/** The three block layouts the forward pass implements. Mistral, Qwen2, SmolLM2 and TinyLlama are `llama`. */
export type ArchFamily = 'llama' | 'gpt2' | 'gpt-neox';

/** Everything the forward pass needs to know about a model's shape and numerics. */
export interface ModelConfig {
  readonly family: ArchFamily;
  /** The checkpoint's own name for its type: 'llama', 'mistral', 'qwen2', 'gpt2', 'gpt_neox'. */
  readonly modelType: string;
  readonly vocabSize: number;
  /** Width of the residual stream (d_model). */
  readonly hidden: number;
  readonly layers: number;
  /** Query heads. */
  readonly heads: number;
  /** Key/value heads (< heads for grouped-query attention; query head h reads kv head floor(h / (heads / kvHeads))). */
  readonly kvHeads: number;
  readonly headDim: number;
  /** Inner width of the MLP. */
  readonly ffn: number;
  readonly normEps: number;
  /** 'rms': RMSNorm (weight only); 'layer': LayerNorm (weight and bias). */
  readonly norm: 'rms' | 'layer';
  /** 'silu-gated': SwiGLU down(silu(gate x) * up x); 'gelu-tanh': GPT-2's tanh approximation; 'gelu': exact erf GELU. */
  readonly activation: 'silu-gated' | 'gelu-tanh' | 'gelu';
  readonly positions: 'rope' | 'learned';
  /** RoPE base (theta); 0 when positions are learned. */
  readonly ropeTheta: number;
  /**
   * Which dimensions RoPE rotates together: 'half' pairs i and i + rotaryDim/2 (HF `rotate_half`),
   * 'interleaved' pairs 2i and 2i + 1 (Meta / llama2.c / GGUF llama, whose Q/K rows the converter permutes).
   */
  readonly ropeStyle: 'half' | 'interleaved';
  /** Leading dimensions of each head that RoPE rotates (headDim, or headDim * rotary_pct for Pythia); 0 when learned. */
  readonly rotaryDim: number;
  /** Longest sequence the model accepts (learned table size, or trained context / sliding window for RoPE). */
  readonly maxPositions: number;
  /** The output head reuses the token embedding matrix. */
  readonly tiedHead: boolean;
  /** Separate q/k/v projections carry biases (Qwen2). GPT-2 and GPT-NeoX always have biases everywhere. */
  readonly qkvBias: boolean;
  /** GPT-NeoX: x + attn(ln1 x) + mlp(ln2 x) instead of two sequential residual steps. */
  readonly parallelResidual: boolean;
  readonly bosId: number | null;
  readonly eosId: number | null;
}

/** What a tensor is for, independent of the naming scheme. */
export type TensorRole =
  | 'embedding' | 'position' | 'attn-q' | 'attn-k' | 'attn-v' | 'attn-qkv' | 'attn-o'
  | 'mlp-up' | 'mlp-gate' | 'mlp-down' | 'norm' | 'head' | 'bias' | 'other';

/** The two tensor naming schemes: Hugging Face checkpoints and llama.cpp GGUF files. */
export type TensorNaming = 'hf' | 'gguf';

/**
 * Every parameter slot the forward pass reads. Per-layer slots take a layer index; `*Bias` slots
 * are LayerNorm/linear biases.
 */
export type TensorSlot =
  | 'embedding' | 'position' | 'head' | 'finalNorm' | 'finalNormBias'
  | 'attnNorm' | 'attnNormBias' | 'ffnNorm' | 'ffnNormBias'
  | 'q' | 'qBias' | 'k' | 'kBias' | 'v' | 'vBias' | 'qkv' | 'qkvBias' | 'o' | 'oBias'
  | 'gate' | 'up' | 'upBias' | 'down' | 'downBias';

const SLOT_ROLE: Record<TensorSlot, TensorRole> = {
  embedding: 'embedding', position: 'position', head: 'head', finalNorm: 'norm', finalNormBias: 'bias',
  attnNorm: 'norm', attnNormBias: 'bias', ffnNorm: 'norm', ffnNormBias: 'bias',
  q: 'attn-q', qBias: 'bias', k: 'attn-k', kBias: 'bias', v: 'attn-v', vBias: 'bias',
  qkv: 'attn-qkv', qkvBias: 'bias', o: 'attn-o', oBias: 'bias',
  gate: 'mlp-gate', up: 'mlp-up', upBias: 'bias', down: 'mlp-down', downBias: 'bias',
};

type NameTable = Partial<Record<TensorSlot, string>>;

// Names per family and scheme; `{L}` is the layer index. HF names follow transformers'
// modeling_llama / modeling_gpt2 / modeling_gpt_neox state dicts; GGUF names follow llama.cpp's
// gguf-py constants (tensor_mapping.py), which are shared by every architecture.
const HF_NAMES: Record<ArchFamily, NameTable> = {
  llama: {
    embedding: 'model.embed_tokens.weight', head: 'lm_head.weight', finalNorm: 'model.norm.weight',
    attnNorm: 'model.layers.{L}.input_layernorm.weight', ffnNorm: 'model.layers.{L}.post_attention_layernorm.weight',
    q: 'model.layers.{L}.self_attn.q_proj.weight', qBias: 'model.layers.{L}.self_attn.q_proj.bias',
    k: 'model.layers.{L}.self_attn.k_proj.weight', kBias: 'model.layers.{L}.self_attn.k_proj.bias',
    v: 'model.layers.{L}.self_attn.v_proj.weight', vBias: 'model.layers.{L}.self_attn.v_proj.bias',
    o: 'model.layers.{L}.self_attn.o_proj.weight',
    gate: 'model.layers.{L}.mlp.gate_proj.weight', up: 'model.layers.{L}.mlp.up_proj.weight',
    down: 'model.layers.{L}.mlp.down_proj.weight',
  },
  // GPT2LMHeadModel prefixes `transformer.`; a bare GPT2Model checkpoint has the same names without it.
  gpt2: {
    embedding: 'transformer.wte.weight', position: 'transformer.wpe.weight', head: 'lm_head.weight',
    finalNorm: 'transformer.ln_f.weight', finalNormBias: 'transformer.ln_f.bias',
    attnNorm: 'transformer.h.{L}.ln_1.weight', attnNormBias: 'transformer.h.{L}.ln_1.bias',
    ffnNorm: 'transformer.h.{L}.ln_2.weight', ffnNormBias: 'transformer.h.{L}.ln_2.bias',
    qkv: 'transformer.h.{L}.attn.c_attn.weight', qkvBias: 'transformer.h.{L}.attn.c_attn.bias',
    o: 'transformer.h.{L}.attn.c_proj.weight', oBias: 'transformer.h.{L}.attn.c_proj.bias',
    up: 'transformer.h.{L}.mlp.c_fc.weight', upBias: 'transformer.h.{L}.mlp.c_fc.bias',
    down: 'transformer.h.{L}.mlp.c_proj.weight', downBias: 'transformer.h.{L}.mlp.c_proj.bias',
  },
  'gpt-neox': {
    embedding: 'gpt_neox.embed_in.weight', head: 'embed_out.weight',
    finalNorm: 'gpt_neox.final_layer_norm.weight', finalNormBias: 'gpt_neox.final_layer_norm.bias',
    attnNorm: 'gpt_neox.layers.{L}.input_layernorm.weight', attnNormBias: 'gpt_neox.layers.{L}.input_layernorm.bias',
    ffnNorm: 'gpt_neox.layers.{L}.post_attention_layernorm.weight', ffnNormBias: 'gpt_neox.layers.{L}.post_attention_layernorm.bias',
    qkv: 'gpt_neox.layers.{L}.attention.query_key_value.weight', qkvBias: 'gpt_neox.layers.{L}.attention.query_key_value.bias',
    o: 'gpt_neox.layers.{L}.attention.dense.weight', oBias: 'gpt_neox.layers.{L}.attention.dense.bias',
    up: 'gpt_neox.layers.{L}.mlp.dense_h_to_4h.weight', upBias: 'gpt_neox.layers.{L}.mlp.dense_h_to_4h.bias',
    down: 'gpt_neox.layers.{L}.mlp.dense_4h_to_h.weight', downBias: 'gpt_neox.layers.{L}.mlp.dense_4h_to_h.bias',
  },
};

const GGUF_NAMES: NameTable = {
  embedding: 'token_embd.weight', position: 'position_embd.weight', head: 'output.weight',
  finalNorm: 'output_norm.weight', finalNormBias: 'output_norm.bias',
  attnNorm: 'blk.{L}.attn_norm.weight', attnNormBias: 'blk.{L}.attn_norm.bias',
  ffnNorm: 'blk.{L}.ffn_norm.weight', ffnNormBias: 'blk.{L}.ffn_norm.bias',
  q: 'blk.{L}.attn_q.weight', qBias: 'blk.{L}.attn_q.bias', k: 'blk.{L}.attn_k.weight', kBias: 'blk.{L}.attn_k.bias',
  v: 'blk.{L}.attn_v.weight', vBias: 'blk.{L}.attn_v.bias', qkv: 'blk.{L}.attn_qkv.weight', qkvBias: 'blk.{L}.attn_qkv.bias',
  o: 'blk.{L}.attn_output.weight', oBias: 'blk.{L}.attn_output.bias',
  gate: 'blk.{L}.ffn_gate.weight', up: 'blk.{L}.ffn_up.weight', upBias: 'blk.{L}.ffn_up.bias',
  down: 'blk.{L}.ffn_down.weight', downBias: 'blk.{L}.ffn_down.bias',
};

/**
 * The tensor name of `slot` (in layer `layer` for per-layer slots) for this family and naming
 * scheme. HF GPT-2 names carry the `transformer.` prefix of GPT2LMHeadModel. Throws when the family
 * has no such slot (e.g. 'gate' for GPT-2).
 */
export function tensorName(family: ArchFamily, naming: TensorNaming, slot: TensorSlot, layer = 0): string {
  const template = naming === 'gguf' ? GGUF_NAMES[slot] : HF_NAMES[family][slot];
  if (template === undefined) throw new Error(`A ${family} model has no '${slot}' tensor in ${naming} naming.`);
  return template.replace('{L}', String(layer));
}

interface NamePattern { readonly regex: RegExp; readonly role: TensorRole; readonly perLayer: boolean }

/** Every template of every table as an anchored regex; GPT-2's `transformer.` prefix is optional. */
const PATTERNS: readonly NamePattern[] = (() => {
  const tables = [...Object.values(HF_NAMES), GGUF_NAMES];
  const seen = new Set<string>();
  const patterns: NamePattern[] = [];
  for (const table of tables) {
    for (const [slot, template] of Object.entries(table) as [TensorSlot, string][]) {
      if (seen.has(template)) continue;
      seen.add(template);
      const body = template.replace(/\./g, '\\.').replace('{L}', '(\\d+)').replace(/^transformer\\\./, '(?:transformer\\.)?');
      patterns.push({ regex: new RegExp(`^${body}$`), role: SLOT_ROLE[slot], perLayer: template.includes('{L}') });
    }
  }
  return patterns;
})();

/** A layer index in any scheme's per-layer prefix, for tensors no table names (rotary buffers, masks). */
const ANY_LAYER = /(?:^|\.)(?:layers|h|blk)\.(\d+)\./;

/**
 * What a tensor is for, from its name alone, in HF (Llama family, GPT-2 with or without the
 * `transformer.` prefix, GPT-NeoX) or GGUF naming. `layer` is the block index, null for tensors
 * outside the blocks. Names no table knows (attention-mask buffers such as `h.0.attn.bias`,
 * `rotary_emb.inv_freq`) are 'other'.
 */
export function classifyTensor(name: string): { role: TensorRole; layer: number | null } {
  for (const p of PATTERNS) {
    const m = p.regex.exec(name);
    if (m) return { role: p.role, layer: p.perLayer ? Number(m[1]) : null };
  }
  const m = ANY_LAYER.exec(name);
  return { role: 'other', layer: m ? Number(m[1]) : null };
}

/**
 * Whether a recipe applies to tensors of this role: the 2-D weight matrices of the embedding,
 * attention, MLP and output head. Norms, biases, learned position tables and unknown tensors stay
 * in full precision.
 */
export function isQuantizable(role: TensorRole): boolean {
  switch (role) {
    case 'embedding': case 'head':
    case 'attn-q': case 'attn-k': case 'attn-v': case 'attn-qkv': case 'attn-o':
    case 'mlp-up': case 'mlp-gate': case 'mlp-down':
      return true;
    default:
      return false;
  }
}

/** How a stored 2-D weight matrix maps to y = W x. */
export interface WeightLayout {
  /**
   * The stored (row-major, outermost-first) axis that runs over the input features: 1 for
   * nn.Linear [out, in] and for embeddings [vocab, hidden]; 0 for GPT-2's Conv1D [in, out].
   */
  readonly inputAxis: 0 | 1;
  /** 'conv1d' for HF GPT-2's transposed projections, 'linear' otherwise. */
  readonly kind: 'linear' | 'conv1d';
}

/**
 * The layout of a quantizable weight matrix, or null for tensors that are not one (norms, biases,
 * position tables, unknown). HF GPT-2 stores c_attn / c_proj / c_fc as Conv1D [in, out];
 * llama.cpp's converter transposes them to [out, in] in GGUF, so GGUF names are always 'linear'.
 */
export function weightLayout(config: ModelConfig, name: string): WeightLayout | null {
  const { role } = classifyTensor(name);
  if (!isQuantizable(role)) return null;
  const conv1d = config.family === 'gpt2' && role !== 'embedding' && role !== 'head' && !name.startsWith('blk.');
  return conv1d ? { inputAxis: 0, kind: 'conv1d' } : { inputAxis: 1, kind: 'linear' };
}

// ---------------------------------------------------------------------------------------------
// Reading configs

/** Field reader that names the file and field in every message. */
class Fields {
  constructor(private readonly source: Record<string, unknown>, private readonly file: string) {}

  has(key: string): boolean {
    return this.source[key] !== undefined && this.source[key] !== null;
  }

  private raw(key: string): unknown {
    const v = this.source[key];
    return typeof v === 'bigint' ? Number(v) : v;
  }

  private bad(key: string, want: string): never {
    throw new ModelLoadError('corrupt',
      `${this.file}: '${key}' should be ${want}, but it is ${JSON.stringify(this.source[key], (_k, v) => (typeof v === 'bigint' ? String(v) : v))}. ` +
      'The file may be damaged or not a model configuration; check it or re-download it.');
  }

  /** A number for which `ok` holds (else an error saying it should be `want`), or `fallback` when absent (no fallback: required). */
  private number(key: string, fallback: number | undefined, ok: (v: number) => boolean, want: string): number {
    if (!this.has(key)) {
      if (fallback !== undefined) return fallback;
      throw new ModelLoadError('corrupt', `${this.file} has no '${key}', which this architecture needs. The file may be incomplete; re-download it.`);
    }
    const v = this.raw(key);
    if (typeof v !== 'number' || !ok(v)) this.bad(key, want);
    return v;
  }

  /** A positive integer, or `fallback` when absent (no fallback: required). */
  int(key: string, fallback?: number): number {
    return this.number(key, fallback, (v) => Number.isInteger(v) && v > 0, 'a positive integer');
  }

  /** A positive finite number, or `fallback` when absent (no fallback: required). */
  positive(key: string, fallback?: number): number {
    return this.number(key, fallback, (v) => Number.isFinite(v) && v > 0, 'a positive number');
  }

  bool(key: string, fallback: boolean): boolean {
    if (!this.has(key)) return fallback;
    const v = this.raw(key);
    if (typeof v !== 'boolean') this.bad(key, 'true or false');
    return v;
  }

  /** A token id: a non-negative integer, the first of a list, or null when absent. */
  tokenId(key: string): number | null {
    if (!this.has(key)) return null;
    const raw = this.raw(key);
    const v = Array.isArray(raw) ? raw[0] : raw;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) this.bad(key, 'a token id (a non-negative integer)');
    return v;
  }

  string(key: string, fallback: string): string {
    if (!this.has(key)) return fallback;
    const v = this.raw(key);
    if (typeof v !== 'string') this.bad(key, 'a string');
    return v;
  }
}

function check(ok: boolean, file: string, message: string): void {
  if (!ok) throw new ModelLoadError('corrupt', `${file}: ${message}. The file may be damaged or not a model configuration; check it or re-download it.`);
}

function unsupported(file: string, message: string): never {
  throw new ModelLoadError('unsupported', `${file}: ${message}`);
}

/** Cross-field checks every config must pass, so the forward pass can trust the shapes. */
function validated(c: ModelConfig, file: string): ModelConfig {
  check(c.heads % c.kvHeads === 0, file, `${c.heads} query heads cannot be shared evenly by ${c.kvHeads} key/value heads`);
  check(c.rotaryDim % 2 === 0 && c.rotaryDim <= c.headDim, file, `the rotary dimension ${c.rotaryDim} must be even and at most the head size ${c.headDim}`);
  check(c.bosId === null || c.bosId < c.vocabSize, file, `the BOS token id ${c.bosId} is outside the ${c.vocabSize}-token vocabulary`);
  check(c.eosId === null || c.eosId < c.vocabSize, file, `the EOS token id ${c.eosId} is outside the ${c.vocabSize}-token vocabulary`);
  return c;
}

/** hidden / heads, refusing a remainder (the default head size of every supported family). */
function defaultHeadDim(file: string, hidden: number, heads: number): number {
  check(hidden % heads === 0, file, `hidden size ${hidden} is not divisible by the ${heads} heads`);
  return hidden / heads;
}

const SUPPORTED_HF = ['llama', 'mistral', 'qwen2', 'gpt2', 'gpt_neox'];

/**
 * The architecture of a Hugging Face checkpoint from its parsed config.json. `tensorNames`, when
 * given, settles what the config may leave implicit: an absent `lm_head.weight` / `embed_out.weight`
 * means a tied head, present q/k/v biases mean qkvBias. Throws ModelLoadError('unsupported') for
 * other model types or options the forward pass does not implement (RoPE scaling, attention/MLP
 * output biases on Llama), and ModelLoadError('corrupt') for missing or invalid numbers.
 */
export function configFromHf(config: unknown, tensorNames?: readonly string[]): ModelConfig {
  const file = 'config.json';
  if (typeof config !== 'object' || config === null || Array.isArray(config)) {
    throw new ModelLoadError('corrupt', 'config.json is not a JSON object. Check that the file is a Hugging Face model configuration.');
  }
  const f = new Fields(config as Record<string, unknown>, file);
  const modelType = f.string('model_type', '');
  const names = tensorNames ? new Set(tensorNames) : null;
  switch (modelType) {
    case 'llama': case 'mistral': case 'qwen2': return validated(llamaFromHf(f, modelType, names), file);
    case 'gpt2': return validated(gpt2FromHf(f, names), file);
    case 'gpt_neox': return validated(neoxFromHf(f, names), file);
    default:
      unsupported(file, `model type '${modelType || '(missing)'}' is not supported. Supported types: ${SUPPORTED_HF.join(', ')} ` +
        '(SmolLM2 and TinyLlama are llama). Choose a model of one of these types.');
  }
}

/** A tied head unless the checkpoint has its own head tensor (checked only when names are known). */
function headTied(configSays: boolean, names: Set<string> | null, headName: string): boolean {
  return names ? !names.has(headName) : configSays;
}

function refuseRopeScaling(f: Fields, file: string): void {
  if (f.has('rope_scaling')) {
    unsupported(file, 'RoPE scaling (rope_scaling) is not implemented by the forward pass yet; choose a model without it.');
  }
}

function llamaFromHf(f: Fields, modelType: string, names: Set<string> | null): ModelConfig {
  const file = 'config.json';
  refuseRopeScaling(f, file);
  if (modelType === 'llama' && (f.bool('attention_bias', false) || f.bool('mlp_bias', false))) {
    unsupported(file, 'Llama models with attention_bias or mlp_bias are not supported yet.');
  }
  const hidden = f.int('hidden_size');
  const heads = f.int('num_attention_heads');
  const headDim = f.has('head_dim') ? f.int('head_dim') : defaultHeadDim(file, hidden, heads);
  let maxPositions = f.int('max_position_embeddings', 2048);
  // Mistral's sliding window only changes attention beyond the window: cap the context there.
  if (modelType === 'mistral' && f.has('sliding_window')) maxPositions = Math.min(maxPositions, f.int('sliding_window'));
  const qkvBias = names ? names.has(tensorName('llama', 'hf', 'qBias', 0)) : modelType === 'qwen2';
  return {
    family: 'llama', modelType,
    vocabSize: f.int('vocab_size'), hidden, layers: f.int('num_hidden_layers'), heads,
    kvHeads: f.int('num_key_value_heads', heads), headDim, ffn: f.int('intermediate_size'),
    normEps: f.positive('rms_norm_eps', 1e-6), norm: 'rms', activation: siluOnly(f, file),
    positions: 'rope', ropeTheta: f.positive('rope_theta', 10000), ropeStyle: 'half', rotaryDim: headDim,
    maxPositions, tiedHead: headTied(f.bool('tie_word_embeddings', false), names, 'lm_head.weight'),
    qkvBias, parallelResidual: false, bosId: f.tokenId('bos_token_id'), eosId: f.tokenId('eos_token_id'),
  };
}

function siluOnly(f: Fields, file: string): 'silu-gated' {
  const act = f.string('hidden_act', 'silu');
  if (act !== 'silu' && act !== 'swish') unsupported(file, `hidden_act '${act}' is not supported for this model type (only silu).`);
  return 'silu-gated';
}

function gpt2FromHf(f: Fields, names: Set<string> | null): ModelConfig {
  const file = 'config.json';
  const act = f.string('activation_function', 'gelu_new');
  if (act !== 'gelu_new' && act !== 'gelu_pytorch_tanh') unsupported(file, `GPT-2 activation '${act}' is not supported (only gelu_new).`);
  if (!f.bool('scale_attn_weights', true) || f.bool('scale_attn_by_inverse_layer_idx', false)) {
    unsupported(file, 'GPT-2 variants with non-standard attention scaling are not supported.');
  }
  const hidden = f.int('n_embd');
  const heads = f.int('n_head');
  if (names && !names.has('transformer.wte.weight') && !names.has('wte.weight')) {
    throw new ModelLoadError('corrupt', 'This GPT-2 checkpoint has no token embedding (transformer.wte.weight). The file may be incomplete; re-download it.');
  }
  return {
    family: 'gpt2', modelType: 'gpt2',
    vocabSize: f.int('vocab_size'), hidden, layers: f.int('n_layer'), heads, kvHeads: heads,
    headDim: defaultHeadDim(file, hidden, heads), ffn: f.int('n_inner', 4 * hidden),
    normEps: f.positive('layer_norm_epsilon', 1e-5), norm: 'layer', activation: 'gelu-tanh',
    positions: 'learned', ropeTheta: 0, ropeStyle: 'half', rotaryDim: 0,
    maxPositions: f.int('n_positions', 1024), tiedHead: true, qkvBias: true, parallelResidual: false,
    bosId: f.tokenId('bos_token_id'), eosId: f.tokenId('eos_token_id'),
  };
}

function neoxFromHf(f: Fields, names: Set<string> | null): ModelConfig {
  const file = 'config.json';
  refuseRopeScaling(f, file);
  if (!f.bool('attention_bias', true)) unsupported(file, 'GPT-NeoX models without attention biases are not supported.');
  const hidden = f.int('hidden_size');
  const heads = f.int('num_attention_heads');
  const headDim = defaultHeadDim(file, hidden, heads);
  const pct = f.positive('rotary_pct', f.positive('partial_rotary_factor', 0.25));
  check(pct <= 1, file, `rotary_pct ${pct} must be at most 1`);
  const act = f.string('hidden_act', 'gelu');
  const activation = act === 'gelu' ? 'gelu' : act === 'gelu_new' || act === 'gelu_pytorch_tanh' || act === 'gelu_fast' ? 'gelu-tanh'
    : unsupported(file, `GPT-NeoX activation '${act}' is not supported (gelu, gelu_new).`);
  return {
    family: 'gpt-neox', modelType: 'gpt_neox',
    vocabSize: f.int('vocab_size'), hidden, layers: f.int('num_hidden_layers'), heads, kvHeads: heads, headDim,
    ffn: f.int('intermediate_size'), normEps: f.positive('layer_norm_eps', 1e-5), norm: 'layer', activation,
    positions: 'rope', ropeTheta: f.positive('rope_theta', f.positive('rotary_emb_base', 10000)), ropeStyle: 'half',
    rotaryDim: Math.floor(headDim * pct), maxPositions: f.int('max_position_embeddings', 2048),
    tiedHead: headTied(f.bool('tie_word_embeddings', false), names, 'embed_out.weight'), qkvBias: true,
    parallelResidual: f.bool('use_parallel_residual', true),
    bosId: f.tokenId('bos_token_id'), eosId: f.tokenId('eos_token_id'),
  };
}

/** Length of a GGUF array value (a JS array or typed array), or null. */
function arrayLength(v: unknown): number | null {
  if (Array.isArray(v)) return v.length;
  if (ArrayBuffer.isView(v) && 'length' in v) return (v as unknown as { length: number }).length;
  return null;
}

const SUPPORTED_GGUF = ['llama', 'qwen2', 'gpt2'];

/**
 * The architecture of a GGUF file from its metadata (llama.cpp key names, e.g.
 * `llama.embedding_length`, `llama.attention.head_count_kv`, `llama.rope.freq_base`; see the GGUF
 * spec in ggml's docs/gguf.md). `tensorNames`, when given, decide whether the head is tied (no
 * `output.weight`) and whether q/k/v have biases. 'llama' GGUFs use interleaved RoPE (the
 * converter permutes Q/K for it); 'qwen2' uses llama.cpp's NEOX (rotate-half) RoPE; 'gpt2' has
 * learned positions and [out, in] projections.
 */
export function configFromGguf(metadata: Record<string, unknown>, tensorNames?: readonly string[]): ModelConfig {
  const file = 'GGUF metadata';
  const f = new Fields(metadata, file);
  const arch = f.string('general.architecture', '');
  if (!SUPPORTED_GGUF.includes(arch)) {
    unsupported(file, `architecture '${arch || '(missing)'}' is not supported. Supported GGUF architectures: ${SUPPORTED_GGUF.join(', ')}. Choose a model of one of these.`);
  }
  const key = (k: string) => `${arch}.${k}`;
  const names = tensorNames ? new Set(tensorNames) : null;
  const tokens = arrayLength(metadata['tokenizer.ggml.tokens']);
  const vocabSize = f.has(key('vocab_size')) ? f.int(key('vocab_size')) : tokens;
  if (vocabSize === null || vocabSize <= 0) {
    throw new ModelLoadError('corrupt', 'This GGUF file has neither a vocabulary (tokenizer.ggml.tokens) nor a vocab_size. The file may be incomplete; re-download it.');
  }
  const hidden = f.int(key('embedding_length'));
  const heads = f.int(key('attention.head_count'));
  const bosId = f.tokenId('tokenizer.ggml.bos_token_id');
  const eosId = f.tokenId('tokenizer.ggml.eos_token_id');
  const layers = f.int(key('block_count'));
  const ffn = f.int(key('feed_forward_length'));
  const maxPositions = f.int(key('context_length'));
  const tiedHead = names ? !names.has('output.weight') : false;
  if (arch === 'gpt2') {
    return validated({
      family: 'gpt2', modelType: 'gpt2', vocabSize, hidden, layers, heads, kvHeads: heads,
      headDim: defaultHeadDim(file, hidden, heads), ffn, normEps: f.positive(key('attention.layer_norm_epsilon'), 1e-5),
      norm: 'layer', activation: 'gelu-tanh', positions: 'learned', ropeTheta: 0, ropeStyle: 'half', rotaryDim: 0,
      maxPositions, tiedHead, qkvBias: true, parallelResidual: false, bosId, eosId,
    }, file);
  }
  if (f.has(key('rope.scaling.type')) && f.string(key('rope.scaling.type'), 'none') !== 'none') {
    unsupported(file, 'RoPE scaling is not implemented by the forward pass yet; choose a model without it.');
  }
  const headDim = f.has(key('attention.key_length')) ? f.int(key('attention.key_length')) : defaultHeadDim(file, hidden, heads);
  return validated({
    family: 'llama', modelType: arch, vocabSize, hidden, layers, heads,
    kvHeads: f.int(key('attention.head_count_kv'), heads), headDim, ffn,
    normEps: f.positive(key('attention.layer_norm_rms_epsilon'), 1e-5), norm: 'rms', activation: 'silu-gated',
    positions: 'rope', ropeTheta: f.positive(key('rope.freq_base'), 10000),
    ropeStyle: arch === 'llama' ? 'interleaved' : 'half', rotaryDim: f.int(key('rope.dimension_count'), headDim),
    maxPositions, tiedHead,
    qkvBias: names ? names.has('blk.0.attn_q.bias') : arch === 'qwen2',
    parallelResidual: false, bosId, eosId,
  }, file);
}
