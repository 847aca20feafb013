// quant: Hadamard matrices of order K (Sylvester, Paley I and II, doubling), the dense factor of a K×2^m rotation.
import { finiteField, primePower } from './field';

/**
 * Largest order K built here. The dense K×K step of a K×2^m rotation costs K additions per element
 * (the butterflies cost log2 of the power of two), so larger K is better served by a block-diagonal
 * rotation.
 */
export const MAX_HADAMARD_ORDER = 1024;

/** How a supported order is built, for messages and docs. */
export type HadamardConstruction =
  | { kind: 'sylvester' }
  | { kind: 'paley1'; q: number }
  | { kind: 'paley2'; q: number }
  | { kind: 'doubling'; half: number };

const isPowerOfTwo = (n: number): boolean => Number.isInteger(n) && n >= 1 && (n & (n - 1)) === 0;

/** q is a prime power with q ≡ r (mod 4) (q odd). */
const primePowerMod4 = (q: number, r: number): boolean => q >= 3 && q % 4 === r && primePower(q) !== null;

/**
 * How a Hadamard matrix of order `order` is constructed here, or null when none of these applies
 * (e.g. 92, 116, 156, 172: orders known only from searches such as Williamson's, not built here).
 * In order of preference:
 * - Sylvester (1867) for powers of two: H_2n = [[H, H], [H, -H]] from H_1 = [1].
 * - Paley I (Paley 1933) for q + 1 with q ≡ 3 (mod 4) a prime power: 12, 20, 24, 28, 32, 44, ...
 * - Paley II for 2(q + 1) with q ≡ 1 (mod 4) a prime power: 36, 52, 76, 100, 148, ...
 * - Sylvester doubling of a supported order K / 2 (40 = 2 × 20, 56 = 2 × 28, ...).
 */
export function hadamardConstruction(order: number): HadamardConstruction | null {
  if (!Number.isInteger(order) || order < 1 || order > MAX_HADAMARD_ORDER) return null;
  if (isPowerOfTwo(order)) return { kind: 'sylvester' };
  if (order % 4 !== 0) return null; // Hadamard matrices of order > 2 have order divisible by 4
  if (primePowerMod4(order - 1, 3)) return { kind: 'paley1', q: order - 1 };
  if (primePowerMod4(order / 2 - 1, 1)) return { kind: 'paley2', q: order / 2 - 1 };
  if (hadamardConstruction(order / 2) !== null) return { kind: 'doubling', half: order / 2 };
  return null;
}

/** Whether {@link hadamardMatrix} can build `order`. */
export function isSupportedHadamardOrder(order: number): boolean {
  return hadamardConstruction(order) !== null;
}

/** Multiples of 4 up to `limit` (≤ MAX_HADAMARD_ORDER) that are not built here. */
export function unsupportedHadamardOrders(limit = MAX_HADAMARD_ORDER): number[] {
  const out: number[] = [];
  for (let k = 4; k <= Math.min(limit, MAX_HADAMARD_ORDER); k += 4) if (!isSupportedHadamardOrder(k)) out.push(k);
  return out;
}

/** A sentence on which orders are built, naming the unsupported multiples of 4 up to `limit`. */
export function describeSupportedOrders(limit: number): string {
  const missing = unsupportedHadamardOrders(limit);
  return `the orders built here are 1, 2 and the multiples of 4 up to ${MAX_HADAMARD_ORDER} with a Sylvester, Paley or doubling construction`
    + (missing.length ? ` (up to ${Math.min(limit, MAX_HADAMARD_ORDER)}, all but ${missing.join(', ')})` : '');
}

/** Sylvester doubling [[H, H], [H, -H]] of a K×K matrix (row-major ±1). */
function doubled(h: Int8Array, k: number): Int8Array {
  const out = new Int8Array(4 * k * k);
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      const v = h[i * k + j];
      out[i * 2 * k + j] = v;
      out[i * 2 * k + j + k] = v;
      out[(i + k) * 2 * k + j] = v;
      out[(i + k) * 2 * k + j + k] = -v;
    }
  }
  return out;
}

/**
 * The Jacobsthal matrix Q[a][b] = chi(a - b) of GF(q), bordered as the conference matrix of order
 * q + 1: C = [[0, 1ᵀ], [s·1, Q]] with s = -1 for q ≡ 3 (mod 4) (C skew) and +1 for q ≡ 1 (C symmetric).
 * C Cᵀ = q I (Paley 1933, lemma on quadratic-residue sums).
 */
function conference(q: number): Int8Array {
  const field = finiteField(q);
  const n = q + 1;
  const s = q % 4 === 3 ? -1 : 1;
  const c = new Int8Array(n * n);
  for (let j = 1; j < n; j++) {
    c[j] = 1;
    c[j * n] = s;
  }
  for (let a = 0; a < q; a++) for (let b = 0; b < q; b++) c[(a + 1) * n + b + 1] = field.chi(field.sub(a, b));
  return c;
}

/** Paley I: H = I + C for the skew conference matrix C of order q + 1 (q ≡ 3 mod 4). */
function paley1(q: number): Int8Array {
  const h = conference(q);
  for (let i = 0; i <= q; i++) h[i * (q + 1) + i] += 1;
  return h;
}

/**
 * Paley II: order 2(q + 1) from the symmetric conference matrix C (q ≡ 1 mod 4), each 0 of C
 * replaced by [[1, -1], [-1, -1]] and each ±1 by ±[[1, 1], [1, -1]].
 */
function paley2(q: number): Int8Array {
  const c = conference(q);
  const n = q + 1;
  const h = new Int8Array(4 * n * n);
  const zero = [1, -1, -1, -1];
  const one = [1, 1, 1, -1];
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const v = c[i * n + j];
      const block = v === 0 ? zero : one.map((e) => e * v);
      for (let r = 0; r < 2; r++) for (let t = 0; t < 2; t++) h[(2 * i + r) * 2 * n + 2 * j + t] = block[2 * r + t];
    }
  }
  return h;
}

const cache = new Map<number, Int8Array>();

/**
 * A Hadamard matrix of order `order`: K×K row-major entries ±1 with H Hᵀ = K I (see
 * {@link hadamardConstruction} for which orders and how). Built once per order and shared: do not
 * modify the returned array. Throws, listing the unsupported orders, for any other order.
 */
export function hadamardMatrix(order: number): Int8Array {
  const known = cache.get(order);
  if (known) return known;
  const how = hadamardConstruction(order);
  if (how === null) {
    throw new Error(`There is no Hadamard matrix of order ${order}: ${describeSupportedOrders(order)}. Choose another order.`);
  }
  let h: Int8Array;
  if (how.kind === 'paley1') h = paley1(how.q);
  else if (how.kind === 'paley2') h = paley2(how.q);
  else if (order === 1) h = Int8Array.of(1);
  else h = doubled(hadamardMatrix(order / 2), order / 2); // Sylvester and doubling
  cache.set(order, h);
  return h;
}
