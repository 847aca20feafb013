// quant: randomized Hadamard rotations (K×2^m, seeded signs, block-diagonal) of rows and of a linear layer's input dimension, the CPU reference.
//
// Definition (mirrored bit for bit by shaders/hadamard.wgsl for inputs and sums outside the f32
// subnormal range, which GPUs may flush): a block of B = K·P elements (P = 2^m) is rotated by
//   R = (H_K ⊗ H_P) · D / √B
// where H_P is Sylvester's Hadamard matrix, H_K a Hadamard matrix of order K (matrices.ts), and D
// the diagonal of seeded random signs: QuaRot's randomized Hadamard transform (Ashkboos et al.
// 2024, "QuaRot", section 3 and its hadamard_utils: butterflies on the 2^m factor, a dense
// multiply by the order-K matrix, one 1/√n at the end), also used by QuIP# (Tseng et al. 2024,
// "QuIP#", section 3: the randomized Hadamard transform as incoherence processing). Element
// index a·P + b of the block holds entry (a, b) of a K×P matrix X, so R x = H_K (D X) H_P / √B.
// Order of f32 operations, forward: signs (exact negations) -> butterflies with strides 1, 2, ..,
// P/2 on each P-chunk (fwht.ts) -> dense K step (c = 0..K-1 in order) -> one multiply by
// scale = f32(1/√B). Inverse (Rᵀ = D (H_Kᵀ ⊗ H_P) / √B): butterflies -> dense step with H_Kᵀ ->
// scale -> signs. Every step is a correctly rounded f32 operation (WGSL's +, -, * are), so the CPU
// and GPU results are identical, not just close.
// Signs: element j of a row (the column j, whatever the block) is negated when the top bit of
// hash2(seed, j) is set (src/lib/hash.ts, counter-based, so the shader derives the same sign).
// Block-diagonal: a row of `size` elements is cut into size/B blocks, each rotated by its own copy
// of (H_K ⊗ H_P) / √B; the signs still run over the whole row.
import { hash2 } from '../../lib/hash';
import { denseOrderStep, fwhtChunks } from './fwht';
import { describeSupportedOrders, hadamardMatrix, isSupportedHadamardOrder } from './matrices';

/** A rotation of a dimension of `size` elements: one block (B = size) or a block-diagonal. */
export interface HadamardRotation {
  /** Elements in the rotated dimension (a row; a linear layer's input dimension). */
  readonly size: number;
  /** Elements per independently rotated block B; `size` for a full rotation. */
  readonly block: number;
  /** Order K of the dense Hadamard factor (1 for a power-of-two block). */
  readonly order: number;
  /** P = 2^m, the butterfly length; block = order · pow2. */
  readonly pow2: number;
  /** Seed of the random signs (u32), or null for the plain (sign-free) Hadamard rotation. */
  readonly seed: number | null;
  /** f32(1 / √block): the normalisation, applied once at the end. */
  readonly scale: number;
}

export type RotationDirection = 'forward' | 'inverse';

/** Largest power of two dividing n (n a positive integer). */
const twoPart = (n: number): number => {
  let p = 1;
  while (n % (2 * p) === 0) p *= 2;
  return p;
};

/** The smallest supported K with n = K·2^m (K = odd part · 2^j), or null. */
function smallestOrder(n: number): { order: number; pow2: number } | null {
  const pow2 = twoPart(n);
  for (let p = 1; p <= pow2; p *= 2) {
    const order = n / pow2 * p;
    if (isSupportedHadamardOrder(order)) return { order, pow2: pow2 / p };
  }
  return null;
}

/** The largest block size dividing n that has a supported K×2^m factorisation (1 at worst). */
export function largestSupportedBlock(n: number): number {
  for (let d = n; d > 1; d--) if (n % d === 0 && smallestOrder(d) !== null) return d;
  return 1;
}

/**
 * Factors n = K · 2^m with the smallest supported Hadamard order K (the cheapest dense step),
 * e.g. 768 -> 12 × 64, 2816 -> 44 × 64, 11008 -> 344 × 32. Throws, naming the orders it would
 * need and the largest block-diagonal option, when none is supported.
 */
export function hadamardOrderFor(n: number): { order: number; pow2: number } {
  if (!Number.isInteger(n) || n < 1) throw new Error(`A Hadamard rotation needs a positive whole size, got ${n}.`);
  const found = smallestOrder(n);
  if (found) return found;
  const odd = n / twoPart(n);
  const needed: number[] = [];
  for (let k = odd; k <= n; k *= 2) needed.push(k);
  const block = largestSupportedBlock(n);
  throw new Error(`No Hadamard rotation of size ${n}: it needs a Hadamard matrix of order ${needed.join(' or ')}, and ${describeSupportedOrders(n)}. `
    + `Use a block-diagonal rotation instead, e.g. with block size ${block} (the largest supported block that divides ${n}).`);
}

/**
 * A rotation of a dimension of `size` elements. `block` (default `size`) must divide `size` and
 * factor as K·2^m with a supported K ({@link hadamardOrderFor}); `seed` (default null: no signs)
 * draws the random ±1 diagonal.
 */
export function hadamardRotation(size: number, options: { block?: number; seed?: number | null } = {}): HadamardRotation {
  const block = options.block ?? size;
  if (!Number.isInteger(size) || size < 1) throw new Error(`A Hadamard rotation needs a positive whole size, got ${size}.`);
  if (!Number.isInteger(block) || block < 1 || size % block !== 0) {
    throw new Error(`The block size ${block} does not divide the dimension ${size}: choose a divisor of ${size}, e.g. ${largestSupportedBlock(size)}.`);
  }
  const seed = options.seed ?? null;
  if (seed !== null && (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff)) {
    throw new Error(`The sign seed must be a whole number from 0 to 4294967295, got ${seed}.`);
  }
  const { order, pow2 } = hadamardOrderFor(block);
  return { size, block, order, pow2, seed, scale: Math.fround(1 / Math.sqrt(block)) };
}

/** Whether column j's sign is negative under `seed` (top bit of hash2(seed, j)). */
export function signIsNegative(seed: number, column: number): boolean {
  return hash2(seed, column) >>> 31 === 1;
}

/** The sign diagonal D of a rotation as ±1 per column (all +1 without a seed). */
export function rotationSigns(rotation: HadamardRotation): Float32Array {
  const { seed } = rotation;
  return Float32Array.from({ length: rotation.size }, (_, j) => (seed !== null && signIsNegative(seed, j) ? -1 : 1));
}

/**
 * Applies the rotation (forward: y = R x; inverse: x = Rᵀ y) to each of the `rows` rows of
 * `x` (f32[rows · rotation.size], row-major). Returns a new array; f32 operations in the order of
 * the file header. Cost per row: size · (log2 P + K) additions.
 */
export function rotateRows(x: Float32Array, rows: number, rotation: HadamardRotation, direction: RotationDirection = 'forward'): Float32Array {
  const { size, block, order, pow2, scale } = rotation;
  if (x.length !== rows * size) throw new Error(`rotateRows: expected ${rows} rows of ${size} values (${rows * size}), got ${x.length}.`);
  const signs = rotationSigns(rotation);
  const inverse = direction === 'inverse';
  const h = hadamardMatrix(order);
  const out = Float32Array.from(x);
  const mixed = new Float32Array(block);
  const flip = (base: number) => {
    if (rotation.seed === null) return;
    for (let j = 0; j < block; j++) if (signs[(base + j) % size] < 0) out[base + j] = -out[base + j];
  };
  for (let base = 0; base < out.length; base += block) {
    if (!inverse) flip(base);
    fwhtChunks(out, base, block, pow2);
    if (order > 1) {
      denseOrderStep(out, base, mixed, h, order, pow2, inverse);
      out.set(mixed, base);
    }
    for (let j = base; j < base + block; j++) out[j] *= scale; // one f32 rounding (Float32Array store)
    if (inverse) flip(base);
  }
  return out;
}

/**
 * Rotates a linear layer's input dimension: W' = W·Q with Q = Rᵀ (each row w of W becomes R w).
 * W is f32[rows · cols] row-major (out × in, as y = W x), cols = rotation.size. Together with
 * {@link rotateVector} (x' = Qᵀ x = R x) the layer is unchanged: W' x' = W Rᵀ R x = W x.
 */
export function rotateInputDim(w: Float32Array, rows: number, cols: number, rotation: HadamardRotation): Float32Array {
  if (cols !== rotation.size) throw new Error(`rotateInputDim: the layer has ${cols} inputs but the rotation is of size ${rotation.size}.`);
  return rotateRows(w, rows, rotation, 'forward');
}

/** Undoes {@link rotateInputDim}: W = W'·Qᵀ (each row w' becomes Rᵀ w'). */
export function unrotateInputDim(w: Float32Array, rows: number, cols: number, rotation: HadamardRotation): Float32Array {
  if (cols !== rotation.size) throw new Error(`unrotateInputDim: the layer has ${cols} inputs but the rotation is of size ${rotation.size}.`);
  return rotateRows(w, rows, rotation, 'inverse');
}

/** The activation side of {@link rotateInputDim}: x' = Qᵀ x = R x (f32[size]). */
export function rotateVector(x: Float32Array, rotation: HadamardRotation): Float32Array {
  return rotateRows(x, 1, rotation, 'forward');
}

/** Undoes {@link rotateVector}: x = Rᵀ x'. */
export function unrotateVector(x: Float32Array, rotation: HadamardRotation): Float32Array {
  return rotateRows(x, 1, rotation, 'inverse');
}
