// tests (support, Node only): one F32 tensor of a safetensors file decoded by hand (8-byte header length, JSON, little-endian f32), independent of src/model.
import { readFileSync } from 'node:fs';

/** The tensor `name` of the safetensors file at `file`: its shape and values. Only F32 tensors. */
export function f32TensorByHand(file: string, name: string): { shape: number[]; values: Float32Array } {
  const bytes = readFileSync(file);
  const headerLength = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.subarray(8, 8 + headerLength).toString('utf8')) as Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
  const t = header[name];
  if (!t || t.dtype !== 'F32') throw new Error(`${file} has no F32 tensor ${name}`);
  const data = bytes.subarray(8 + headerLength + t.data_offsets[0], 8 + headerLength + t.data_offsets[1]);
  return { shape: t.shape, values: new Float32Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength)) };
}
