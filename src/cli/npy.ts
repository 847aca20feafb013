// cli: numpy's .npy files: reading little-endian float and integer arrays in C order (format 1.0, 2.0, 3.0) as f32, writing f32 (1.0, or 2.0 for huge headers).
//
// Format (numpy/lib/format.py, "NEP 1 — A simple file format for NumPy arrays"): the magic
// "\x93NUMPY", a major and minor version byte, the header length (u16 LE in 1.0, u32 LE in 2.0 and
// 3.0), then the header: a Python dict literal {'descr': ..., 'fortran_order': ..., 'shape': (...)}
// padded with spaces and ending in '\n' (latin-1 in 1.0/2.0, UTF-8 in 3.0), then the raw data.
import { decodeToFloat32, dtypeByteLength } from '../model/dtypes';
import type { TensorDType } from '../model/types';
import { InputError } from './errors';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** numpy element types read (`<` little-endian, `|` single byte), as the model loader's dtypes. */
const DTYPES: Readonly<Record<string, TensorDType>> = {
  '<f2': 'F16', '<f4': 'F32', '<f8': 'F64', '|i1': 'I8', '<i2': 'I16', '<i4': 'I32', '<i8': 'I64', '|u1': 'U8',
};

/** An array read from a .npy file: values as f32 (row-major, C order) and its shape. */
export interface NpyArray {
  readonly data: Float32Array;
  readonly shape: readonly number[];
  /** The stored element type, e.g. "<f4". */
  readonly descr: string;
}

/** The value of `key` in numpy's header dict, as the raw literal text. */
function headerField(header: string, key: string): string | null {
  const m = new RegExp(`['"]${key}['"]\\s*:\\s*('[^']*'|"[^"]*"|True|False|\\([^)]*\\))`).exec(header);
  return m ? m[1] : null;
}

/**
 * Reads a .npy file (`bytes`, named `name` in messages). Accepts format 1.0, 2.0 and 3.0, C order,
 * little-endian f2/f4/f8, i1/i2/i4/i8 and u1, decoded to the nearest f32 by the model loader's
 * decodeToFloat32. Anything else is an InputError that says what the file holds and how to
 * convert it with numpy.
 */
export function readNpy(bytes: Uint8Array, name: string): NpyArray {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) {
    throw new InputError(`${name} is not a .npy file: it does not start with numpy's "\\x93NUMPY" mark. Save the array with numpy.save().`);
  }
  const major = bytes[6];
  if (major < 1 || major > 3) throw new InputError(`${name} is .npy format ${major}.${bytes[7]}, which lowbit does not read (1.0, 2.0 and 3.0 are). Save it again with numpy.save().`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lengthBytes = major === 1 ? 2 : 4;
  if (bytes.length < 8 + lengthBytes) throw new InputError(`${name} is truncated: it ends inside its header. Save it again.`);
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const dataStart = 8 + lengthBytes + headerLength;
  if (dataStart > bytes.length) throw new InputError(`${name} is truncated: its header says it is ${headerLength} bytes long, but the file ends before that. Save it again.`);
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(8 + lengthBytes, dataStart));
  const descrText = headerField(header, 'descr');
  const fortran = headerField(header, 'fortran_order');
  const shapeText = headerField(header, 'shape');
  if (!descrText || !fortran || !shapeText) throw new InputError(`${name} has a damaged header (it needs descr, fortran_order and shape): ${header.trim()}. Save it again with numpy.save().`);
  const descr = descrText.slice(1, -1).replace(/^=/, '<');
  const dtype = DTYPES[descr] ?? (/^<[iu]1$/.test(descr) ? DTYPES[`|${descr.slice(1)}`] : undefined);
  if (!dtype) {
    const why = descr.startsWith('>') ? 'big-endian numbers' : `element type ${descr}`;
    throw new InputError(`${name} holds ${why}, which lowbit does not read. Convert it: numpy.save(path, array.astype('<f4')).`);
  }
  if (fortran === 'True') throw new InputError(`${name} is stored in Fortran (column-major) order. Save it in C order: numpy.save(path, numpy.ascontiguousarray(array)).`);
  const dims = shapeText.slice(1, -1).split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (!dims.every((d) => /^\d+$/.test(d))) throw new InputError(`${name} has shape ${shapeText}, which is not a tuple of whole numbers. Save it again with numpy.save().`);
  const shape = dims.map(Number);
  const needed = dtypeByteLength(dtype, shape);
  if (bytes.length - dataStart < needed) {
    throw new InputError(`${name} is truncated: shape (${shape.join(', ')}) of ${descr} needs ${needed} bytes of data, the file has ${bytes.length - dataStart}. Save it again.`);
  }
  return { data: decodeToFloat32(dtype, bytes.subarray(dataStart, dataStart + needed), shape), shape, descr };
}

/**
 * A .npy file of little-endian f32 in C order with `shape` (numpy.load reads it). Format 1.0, or
 * 2.0 when the header would pass 65535 bytes; the header is padded with spaces so the data starts
 * at a multiple of 64 bytes, as numpy writes it.
 */
export function writeNpy(data: Float32Array, shape: readonly number[]): Uint8Array {
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== data.length) throw new Error(`writeNpy: shape (${shape.join(', ')}) holds ${count} values, got ${data.length}`);
  const tuple = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  const dict = `{'descr': '<f4', 'fortran_order': False, 'shape': ${tuple}, }`;
  const build = (lengthBytes: number) => {
    const unpadded = 8 + lengthBytes + dict.length + 1;
    return dict + ' '.repeat((64 - (unpadded % 64)) % 64) + '\n';
  };
  const major = build(2).length > 0xffff ? 2 : 1;
  const header = build(major === 1 ? 2 : 4);
  const prefix = 8 + (major === 1 ? 2 : 4);
  const out = new Uint8Array(prefix + header.length + data.length * 4);
  out.set(MAGIC);
  out[6] = major;
  out[7] = 0;
  const view = new DataView(out.buffer);
  if (major === 1) view.setUint16(8, header.length, true); else view.setUint32(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[prefix + i] = header.charCodeAt(i);
  const at = prefix + header.length;
  for (let i = 0; i < data.length; i++) view.setFloat32(at + i * 4, data[i], true);
  return out;
}
