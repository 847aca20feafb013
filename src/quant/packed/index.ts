// quant: packed linear weights in one import: the representation, its builders (formats, ggml bytes, f32) and the reference matmul.
export { packGgml } from './fromGgml';
export { packedGrouping, packWeights } from './fromFormats';
export { absProducts, F32_UNIT_ROUNDOFF, gammaF32, matmulPackedReference } from './matmul';
export {
  checkPacked, chunksPerRow, dequantizeCode, dequantizePacked, PACKED_CHUNK, packDense, packedCode, packedGroupCount, packedGroupOf,
  type PackedMode, type PackedWeights, packRows,
} from './weights';
