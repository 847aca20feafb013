// quant: the two unnormalised f32 steps of a K×2^m Hadamard transform: fast Walsh-Hadamard butterflies and the dense order-K mix.
import { f32 } from '../../lib/f32';

/**
 * In place, unnormalised fast Walsh-Hadamard transform (Sylvester H_P, P = 2^m) of every aligned
 * chunk of `pow2` elements in v[offset, offset + length). Stages run from stride 1 up to P/2; each
 * butterfly (a, b) -> (a + b, a - b) is one f32 addition and one f32 subtraction (Float32Array
 * stores round to nearest even), exactly what shaders/hadamard.wgsl does, so the two agree bit for
 * bit. O(length · log2 P) additions.
 */
export function fwhtChunks(v: Float32Array, offset: number, length: number, pow2: number): void {
  for (let s = 1; s < pow2; s *= 2) {
    for (let base = offset; base < offset + length; base += 2 * s) {
      for (let i = base; i < base + s; i++) {
        const a = v[i];
        const b = v[i + s];
        v[i] = a + b;
        v[i + s] = a - b;
      }
    }
  }
}

/**
 * The dense factor of H_K ⊗ H_P on one block of K·P elements read at `src[offset..]`, written to
 * `dst[0..K·P)`: dst[a·P + b] = Σ_c ±src[offset + c·P + b] with the sign of h[a][c] (of h[c][a]
 * when `transpose`), h a K×K ±1 matrix. Sums run over c = 0..K-1 in order, starting from the c = 0
 * term itself (no 0 + x, which would turn -0 into +0), one f32 rounding per term, as in the WGSL.
 */
export function denseOrderStep(
  src: Float32Array, offset: number, dst: Float32Array, h: Int8Array, order: number, pow2: number, transpose: boolean,
): void {
  const sign = transpose ? (a: number, c: number) => h[c * order + a] : (a: number, c: number) => h[a * order + c];
  for (let a = 0; a < order; a++) {
    for (let b = 0; b < pow2; b++) {
      let acc = sign(a, 0) > 0 ? src[offset + b] : -src[offset + b];
      for (let c = 1; c < order; c++) {
        const v = src[offset + c * pow2 + b];
        acc = f32(sign(a, c) > 0 ? acc + v : acc - v);
      }
      dst[a * pow2 + b] = acc;
    }
  }
}
