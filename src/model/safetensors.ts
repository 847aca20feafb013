// model: the safetensors format: header parsing with every check of the reference reader, a directory reader over a ByteSource, and a writer.
//
// Format (huggingface/safetensors, safetensors/src/tensor.rs): an 8-byte little-endian u64 N, then
// N bytes of UTF-8 JSON {"__metadata__"?: {string: string}, name: {dtype, shape, data_offsets:
// [begin, end]}, ...} (the writer pads it with spaces to a multiple of 8), then the tensor data;
// offsets are relative to the start of the data, tensors are contiguous and cover it exactly.
import { ELEMENT_BYTES, type ElementDType, dtypeByteLength, isBlockDType } from './dtypes';
import { ModelLoadError, type ByteSource, type TensorDType, type TensorEntry } from './types';

/** Largest header the reference reader accepts (`MAX_HEADER_SIZE`, 100 MB). */
export const MAX_HEADER_BYTES = 100_000_000;

/** dtypes the reference knows (`Dtype::bitsize`) that lowbit does not decode; accepted by the checks, refused afterwards. */
const UNDECODED_DTYPE_BITS: Readonly<Record<string, number>> = {
  BOOL: 8, U16: 16, U32: 32, U64: 64, C64: 64, F4: 4, F6_E2M3: 6, F6_E3M2: 6, F8_E8M0: 8, F8_E4M3FNUZ: 8, F8_E5M2FNUZ: 8,
};

/** Bits per element of a safetensors dtype name, or null for names the format does not have. */
function dtypeBits(dtype: string): number | null {
  if (Object.hasOwn(ELEMENT_BYTES, dtype)) return ELEMENT_BYTES[dtype as ElementDType] * 8;
  return Object.hasOwn(UNDECODED_DTYPE_BITS, dtype) ? UNDECODED_DTYPE_BITS[dtype] : null;
}

/** What a parsed file holds: tensors in data order, and the `__metadata__` strings. */
export interface SafetensorsDirectory {
  readonly entries: TensorEntry[];
  readonly metadata: Record<string, string>;
}

const damaged = (file: string, what: string) => new ModelLoadError('corrupt', `${file} is damaged: ${what}. Try downloading it again.`);

/** "an array", "null", "a number 3"... for messages about JSON values of the wrong kind. */
function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `the ${typeof value} ${JSON.stringify(value)}`;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Header length N from the first 8 bytes, checked against the reference's cap and the file size.
 * Exported for readers that fetch the header in two steps.
 */
export function safetensorsHeaderLength(prefix: Uint8Array, fileSize: number, fileName: string): number {
  if (fileSize < 8 || prefix.length < 8) {
    throw new ModelLoadError('corrupt',
      `${fileName} is not a safetensors file: it is only ${fileSize} bytes long, shorter than the 8-byte header length every safetensors file starts with. The download may have been cut short; try downloading it again.`);
  }
  const n = new DataView(prefix.buffer, prefix.byteOffset, 8).getBigUint64(0, true);
  if (n > BigInt(MAX_HEADER_BYTES)) {
    throw new ModelLoadError('corrupt',
      `${fileName} is not a safetensors file, or it is damaged: its first 8 bytes give a header length of ${n} bytes, over the ${MAX_HEADER_BYTES}-byte limit of the format. Check that you chose a .safetensors file, or try downloading it again.`);
  }
  if (Number(n) > fileSize - 8) {
    throw new ModelLoadError('corrupt',
      `${fileName} is truncated or not a safetensors file: its header should be ${n} bytes long, but only ${fileSize - 8} bytes follow the 8-byte length. Try downloading it again.`);
  }
  return Number(n);
}

interface RawTensor { name: string; dtype: string; bits: number; shape: number[]; begin: number; end: number }

/** Checks one tensor's JSON description (dtype, shape, data_offsets) and its byte span. */
function checkTensor(file: string, name: string, info: unknown): RawTensor {
  if (!isObject(info)) throw damaged(file, `tensor "${name}" should be described by an object with dtype, shape and data_offsets, but it is ${describe(info)}`);
  const { dtype, shape, data_offsets: offsets } = info;
  const bits = typeof dtype === 'string' ? dtypeBits(dtype) : null;
  if (bits === null) {
    throw damaged(file, `tensor "${name}" has dtype ${JSON.stringify(dtype) ?? 'missing'}, which is not a safetensors dtype`);
  }
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
    throw damaged(file, `tensor "${name}" has shape ${JSON.stringify(shape) ?? 'missing'}, but a shape must be a list of whole numbers >= 0`);
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0)) {
    throw damaged(file, `tensor "${name}" has data_offsets ${JSON.stringify(offsets) ?? 'missing'}, but they must be two whole numbers [begin, end] >= 0`);
  }
  const [begin, end] = offsets as number[];
  if (begin > end) throw damaged(file, `tensor "${name}" has data_offsets [${begin}, ${end}], which end before they begin`);
  // BigInt: a shape like [2^40, 2^40] must not wrap or lose precision (the reference fails with ValidationOverflow).
  const totalBits = shape.reduce((acc: bigint, d: number) => acc * BigInt(d), 1n) * BigInt(bits);
  const dims = `[${shape.join(', ')}]`;
  if (totalBits > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw damaged(file, `tensor "${name}" has shape ${dims}, which would need ${totalBits / 8n} bytes of ${dtype}, more than any file can hold`);
  }
  if (totalBits % 8n !== 0n) throw damaged(file, `tensor "${name}" (${dtype}, shape ${dims}) has ${totalBits} bits, which is not a whole number of bytes`);
  const bytes = Number(totalBits / 8n);
  if (end - begin !== bytes) {
    throw damaged(file, `tensor "${name}" is ${dtype} with shape ${dims}, which needs ${bytes} bytes, but its data_offsets [${begin}, ${end}] span ${end - begin} bytes`);
  }
  return { name, dtype: dtype as string, bits, shape, begin, end };
}

/**
 * Parses and checks a safetensors header. `headerBytes` is a prefix of the file holding at least
 * the 8-byte length and the JSON header; `fileSize` is the whole file's size in bytes. Makes
 * every check of the reference reader (`SafeTensors::read_metadata` and `Metadata::validate`),
 * each failure a ModelLoadError('corrupt') naming the tensor and the numbers: header length
 * at most 100 MB and inside the file; the header valid UTF-8 JSON, an object; `__metadata__`
 * (optional, may be null) a string -> string map; each tensor a known dtype, a shape of whole
 * numbers >= 0, data_offsets [begin, end] with begin <= end spanning exactly shape x dtype
 * size bytes (no overflow); tensors, ordered by offsets, contiguous from 0 (no gap, no
 * overlap) and ending exactly at the end of the file. Tensors of a dtype the format has but
 * lowbit does not decode (BOOL, U16, U32, U64, C64, F4, F6, F8_E8M0, FNUZ) then give
 * ModelLoadError('unsupported'). Entries come back in data order with absolute byte offsets.
 */
export function parseSafetensorsHeader(headerBytes: Uint8Array, fileSize: number, fileName: string): SafetensorsDirectory {
  const n = safetensorsHeaderLength(headerBytes, fileSize, fileName);
  if (headerBytes.length < 8 + n) {
    throw new RangeError(`parseSafetensorsHeader: got ${headerBytes.length} bytes of ${fileName}, but its header needs ${8 + n}`);
  }
  let text: string;
  try {
    // ignoreBOM keeps a byte-order mark in the text, so JSON.parse rejects it like the reference does.
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(headerBytes.subarray(8, 8 + n));
  } catch {
    throw damaged(fileName, `its ${n}-byte header is not valid UTF-8 text`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw damaged(fileName, `its ${n}-byte header is not valid JSON`);
  }
  if (!isObject(json)) {
    throw damaged(fileName, `its header should be a JSON object of tensor descriptions, but it is ${describe(json)}`);
  }

  const rawMetadata = json.__metadata__ ?? {};
  if (!isObject(rawMetadata)) throw damaged(fileName, `its "__metadata__" should be an object of strings, but it is ${describe(rawMetadata)}`);
  for (const [key, value] of Object.entries(rawMetadata)) {
    if (typeof value !== 'string') throw damaged(fileName, `its "__metadata__" entry "${key}" should be a string, but it is ${describe(value)}`);
  }
  const metadata = Object.fromEntries(Object.entries(rawMetadata)) as Record<string, string>;

  const tensors = Object.entries(json)
    .filter(([name]) => name !== '__metadata__')
    .map(([name, info]) => checkTensor(fileName, name, info))
    .sort((a, b) => a.begin - b.begin || a.end - b.end);

  const dataSize = fileSize - 8 - n;
  let expected = 0;
  let previous: RawTensor | null = null;
  for (const t of tensors) {
    if (t.begin > expected) {
      throw damaged(fileName, `tensor "${t.name}" starts at data byte ${t.begin}, but ${previous ? `the previous tensor "${previous.name}" ends` : 'the data starts'} at ${expected}, leaving ${t.begin - expected} bytes that belong to no tensor`);
    }
    if (t.begin < expected && previous) {
      throw damaged(fileName, `tensor "${t.name}" starts at data byte ${t.begin}, inside tensor "${previous.name}" (bytes ${previous.begin} to ${previous.end})`);
    }
    if (t.end > dataSize) {
      throw new ModelLoadError('corrupt', `${fileName} is truncated or damaged: tensor "${t.name}" ends at data byte ${t.end}, but the file holds only ${dataSize} bytes of tensor data. Try downloading it again.`);
    }
    expected = t.end;
    previous = t;
  }
  if (expected !== dataSize) {
    throw damaged(fileName, `its tensors end at data byte ${expected}, but the file holds ${dataSize} bytes of tensor data (${dataSize - expected} bytes at the end belong to no tensor)`);
  }

  const undecoded = tensors.find((t) => !Object.hasOwn(ELEMENT_BYTES, t.dtype));
  if (undecoded) {
    throw new ModelLoadError('unsupported',
      `${fileName}: tensor "${undecoded.name}" is stored as ${undecoded.dtype}, which lowbit cannot read (it reads ${Object.keys(ELEMENT_BYTES).join(', ')}). Convert the model to one of these types.`);
  }
  const entries = tensors.map((t): TensorEntry => ({
    name: t.name, dtype: t.dtype as ElementDType, shape: t.shape, byteOffset: 8 + n + t.begin, byteLength: t.end - t.begin, file: fileName,
  }));
  return { entries, metadata };
}

/** Reads and checks the header of a safetensors file: its 8-byte length, then the JSON (two reads). */
export async function readSafetensorsDirectory(source: ByteSource, signal?: AbortSignal): Promise<SafetensorsDirectory> {
  const prefix = await source.read(0, Math.min(8, source.size), signal);
  const n = safetensorsHeaderLength(prefix, source.size, source.name);
  const header = new Uint8Array(8 + n);
  header.set(prefix);
  header.set(await source.read(8, 8 + n, signal), 8);
  return parseSafetensorsHeader(header, source.size, source.name);
}

/** One tensor to write: its stored bytes (little-endian, row-major in `shape` order). */
export interface SafetensorsTensor {
  readonly name: string;
  readonly dtype: TensorDType;
  readonly shape: readonly number[];
  readonly data: Uint8Array;
}

/**
 * A safetensors file holding these tensors, written like the reference `serialize`: tensors
 * ordered by element size (largest first, so every tensor is aligned to its element) then name,
 * `__metadata__` first in the header (omitted when absent), the header padded with spaces to a
 * multiple of 8 bytes. Throws on ggml block dtypes (not safetensors dtypes), on data whose length
 * does not match dtype and shape, and on duplicate or reserved names.
 */
export function encodeSafetensors(tensors: readonly SafetensorsTensor[], metadata?: Record<string, string>): Uint8Array<ArrayBuffer> {
  const names = new Set<string>();
  for (const t of tensors) {
    if (isBlockDType(t.dtype)) throw new Error(`encodeSafetensors: ${t.dtype} (tensor "${t.name}") is a ggml block type, not a safetensors dtype`);
    if (t.name === '__metadata__' || names.has(t.name)) throw new Error(`encodeSafetensors: tensor name "${t.name}" is reserved or repeated`);
    names.add(t.name);
    const bytes = dtypeByteLength(t.dtype, t.shape);
    if (t.data.length !== bytes) {
      throw new Error(`encodeSafetensors: tensor "${t.name}" (${t.dtype} [${t.shape.join(', ')}]) needs ${bytes} bytes, got ${t.data.length}`);
    }
  }
  const size = (t: SafetensorsTensor) => ELEMENT_BYTES[t.dtype as ElementDType];
  const ordered = [...tensors].sort((a, b) => size(b) - size(a) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  // Written by hand, not JSON.stringify of an object: JS objects put integer-like keys ("0") first.
  const fields: string[] = metadata ? [`"__metadata__":${JSON.stringify(metadata)}`] : [];
  let offset = 0;
  for (const t of ordered) {
    fields.push(`${JSON.stringify(t.name)}:${JSON.stringify({ dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + t.data.length] })}`);
    offset += t.data.length;
  }
  const json = new TextEncoder().encode(`{${fields.join(',')}}`);
  const n = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + n + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(n), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + n);
  let at = 8 + n;
  for (const t of ordered) {
    out.set(t.data, at);
    at += t.data.length;
  }
  return out;
}
