// model: GGUF (llama.cpp's model file) header, metadata and tensor directory, parsed by @huggingface/gguf over a ByteSource.
import { GGML_FORMATS } from '../quant/ggml';
import { dtypeByteLength } from './dtypes';
import { ModelLoadError, type ByteSource, type TensorDType, type TensorEntry } from './types';

/** A GGUF file's directory: metadata and where each tensor's bytes are. Tensor data is read later (readTensor). */
export interface GgufDirectory {
  /** Every key/value pair of the file. Integers are numbers (u64/i64 beyond 2^53 stay bigint); arrays are JS arrays. */
  readonly metadata: Record<string, unknown>;
  /** Tensors in file order, shapes in PyTorch order (outermost first), absolute byte offsets. */
  readonly entries: TensorEntry[];
  /** GGUF version, 2 or 3. */
  readonly version: number;
  /** `general.architecture` ("llama", "qwen2", "gpt2", ...), or null when absent. */
  readonly architecture: string | null;
}

// GGUF spec (ggml docs/gguf.md): magic "GGUF", u32 version, u64 tensor count, u64 KV count.
const MAGIC = [0x47, 0x47, 0x55, 0x46];
const FIXED_HEADER_BYTES = 24;
// Smallest possible KV pair (u64 key length, u32 type, 1-byte value) and tensor info (u64 name length,
// u32 n_dims, u32 type, u64 offset): counts that cannot fit in the file are rejected before parsing.
const MIN_KV_BYTES = 13;
const MIN_TENSOR_INFO_BYTES = 24;
const DEFAULT_ALIGNMENT = 32; // GGUF_DEFAULT_ALIGNMENT, ggml gguf.h
// @huggingface/gguf reads 2 MB chunks; the first is read once here and reused for its first request.
const HEAD_BYTES = 2_000_000;

/** ggml_type ids (ggml.h) of the tensor types we decode: F32 = 0, F16 = 1, BF16 = 30 and the block formats of src/quant/ggml. */
const GGML_DTYPES: ReadonlyMap<number, TensorDType> = new Map<number, TensorDType>([
  [0, 'F32'], [1, 'F16'], [30, 'BF16'],
  ...Object.values(GGML_FORMATS).map((f): [number, TensorDType] => [f.ggmlType, f.type]),
]);

const corrupt = (source: ByteSource, what: string) =>
  new ModelLoadError('corrupt', `${source.name} is not a readable GGUF file: ${what} Try downloading it again.`);

/** Checks magic and version from the first bytes; returns the version. */
function checkHeader(source: ByteSource, head: Uint8Array): number {
  if (head.length < 4 || MAGIC.some((b, i) => head[i] !== b)) {
    const first = [...head.subarray(0, 4)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
    throw new ModelLoadError('corrupt', `${source.name} is not a GGUF file: it starts with bytes [${first}] instead of "GGUF". Choose a .gguf model file.`);
  }
  if (head.length < FIXED_HEADER_BYTES) throw corrupt(source, `the file is only ${head.length} bytes long, shorter than a GGUF header.`);
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const version = view.getUint32(4, true);
  if (version === 2 || version === 3) {
    const kvs = Number(view.getBigUint64(16, true));
    const tensors = Number(view.getBigUint64(8, true));
    if (kvs * MIN_KV_BYTES + tensors * MIN_TENSOR_INFO_BYTES > source.size) {
      throw corrupt(source, `its header declares ${tensors} tensors and ${kvs} metadata entries, which cannot fit in ${source.size} bytes.`);
    }
    return version;
  }
  if (version === 1) {
    throw new ModelLoadError('unsupported', `${source.name} is a GGUF version 1 file (2023), which is not supported. Convert the model again with a current llama.cpp (convert_hf_to_gguf.py) to get version 3.`);
  }
  const bigEndian = view.getUint32(4, false);
  if ((version & 0xffff) === 0 && (bigEndian === 2 || bigEndian === 3)) {
    throw new ModelLoadError('unsupported', `${source.name} is a big-endian GGUF file, which is not supported. Use the little-endian version of the model.`);
  }
  throw corrupt(source, `its header says GGUF version ${version}; versions 2 and 3 exist.`);
}

/** A fetch that answers @huggingface/gguf's Range requests from the source (`head` holds its first bytes). */
function rangeFetch(source: ByteSource, head: Uint8Array, signal?: AbortSignal): typeof fetch {
  return (async (_input: RequestInfo | URL, init?: RequestInit) => {
    const range = /bytes=(\d+)-(\d+)/.exec(new Headers(init?.headers).get('range') ?? '');
    if (!range) throw new Error('GGUF reader: expected a Range request');
    const start = Math.min(Number(range[1]), source.size);
    const end = Math.min(Number(range[2]) + 1, source.size);
    const bytes = end <= head.length ? head.subarray(start, end) : await source.read(start, Math.max(start, end), signal);
    return new Response(bytes.slice(), { status: 206, headers: { 'content-range': `bytes ${start}-${end - 1}/${source.size}` } });
  }) as typeof fetch;
}

/** BigInts (u64/i64 values) as numbers when exactly representable, inside arrays too. */
function toNumbers(v: unknown): unknown {
  if (typeof v === 'bigint') return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  return Array.isArray(v) ? v.map(toNumbers) : v;
}

/** `general.alignment`: a power of two (llama.cpp gguf.cpp refuses anything else), default 32. */
function alignmentOf(source: ByteSource, metadata: Record<string, unknown>): number {
  const a = metadata['general.alignment'] ?? DEFAULT_ALIGNMENT;
  if (typeof a !== 'number' || !Number.isInteger(a) || a <= 0 || (a & (a - 1)) !== 0) {
    throw corrupt(source, `general.alignment is ${String(a)}, but it must be a power of two.`);
  }
  return a;
}

const ceilTo = (x: number, n: number) => Math.ceil(x / n) * n;

/** The parser's error, or ours (abort, read failures), as a ModelLoadError. */
function asLoadError(source: ByteSource, e: unknown): unknown {
  if (e instanceof ModelLoadError || (e instanceof Error && e.name === 'AbortError')) return e;
  return corrupt(source, `${e instanceof Error ? e.message : String(e)}.`);
}

/**
 * Reads a GGUF file's header, metadata and tensor infos (one pass over the first bytes; tensor data
 * is not read). Entries: dtype from the ggml type id, shape = GGUF `ne` reversed (PyTorch order),
 * byteOffset = data section start (tensor infos padded to `general.alignment`) + the tensor's offset.
 * Throws ModelLoadError: 'corrupt' for a bad magic, unknown version, truncated file or offsets outside
 * the file; 'unsupported' for GGUF v1, big-endian files and tensor types we cannot decode.
 */
export async function readGgufDirectory(source: ByteSource, signal?: AbortSignal): Promise<GgufDirectory> {
  const head = await source.read(0, Math.min(source.size, HEAD_BYTES), signal);
  const version = checkHeader(source, head);
  const { gguf, GGMLQuantizationType } = await import('@huggingface/gguf');
  let parsed: Awaited<ReturnType<typeof gguf>>;
  try {
    parsed = await gguf(`https://gguf.invalid/${encodeURIComponent(source.name)}`, { fetch: rangeFetch(source, head, signal) });
  } catch (e) {
    throw asLoadError(source, e);
  }
  const infoEnd = parsed.tensorInfoByteRange[1];
  if (infoEnd > source.size) {
    throw corrupt(source, `its header and tensor list need ${infoEnd} bytes, but the file has only ${source.size}: it is cut short.`);
  }
  const { version: _v, tensor_count: _t, kv_count: _k, ...kv } = parsed.metadata as Record<string, unknown>;
  const metadata: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(kv)) metadata[key] = toNumbers(value);
  const alignment = alignmentOf(source, metadata);
  const dataStart = ceilTo(infoEnd, alignment);
  const seen = new Set<string>();
  const entries = parsed.tensorInfos.map((t): TensorEntry => {
    if (seen.has(t.name)) throw corrupt(source, `it lists the tensor '${t.name}' twice.`);
    seen.add(t.name);
    const dtype = GGML_DTYPES.get(t.dtype);
    if (!dtype) {
      throw new ModelLoadError('unsupported', `Tensor '${t.name}' of ${source.name} is stored as ggml type ${GGMLQuantizationType[t.dtype] ?? 'unknown'} (${t.dtype}), which lowbit cannot read. ` +
        `Supported types: ${[...GGML_DTYPES.values()].join(', ')}. Choose a GGUF quantized to one of these (e.g. Q8_0, Q4_K_M or F16).`);
    }
    const shape = t.shape.map(Number).reverse();
    let byteLength: number;
    try {
      byteLength = dtypeByteLength(dtype, shape);
    } catch (e) {
      throw corrupt(source, `tensor '${t.name}' has shape [${shape.join(', ')}], which ${dtype} cannot store (${e instanceof Error ? e.message : String(e)}).`);
    }
    const relative = Number(t.offset);
    if (relative % alignment !== 0) throw corrupt(source, `tensor '${t.name}' starts at data offset ${relative}, which is not a multiple of the alignment ${alignment}.`);
    const byteOffset = dataStart + relative;
    if (byteOffset + byteLength > source.size) {
      throw corrupt(source, `tensor '${t.name}' needs bytes ${byteOffset}–${byteOffset + byteLength}, but the file has only ${source.size}: it is cut short.`);
    }
    return { name: t.name, dtype, shape, byteOffset, byteLength, file: source.name };
  });
  const arch = metadata['general.architecture'];
  return { metadata, entries, version, architecture: typeof arch === 'string' ? arch : null };
}
