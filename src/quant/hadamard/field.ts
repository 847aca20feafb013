// quant: finite fields GF(p^k) of odd order as tables (subtraction, quadratic character), for the Paley Hadamard constructions.

/**
 * A finite field of odd order q = p^k. Elements are the integers 0..q-1: the base-p digits of an
 * element are its coefficients as a polynomial in x modulo a primitive polynomial of degree k
 * (for k = 1, plain integers mod p).
 */
export interface FiniteField {
  readonly q: number;
  readonly p: number;
  readonly k: number;
  /** a - b in the field. */
  sub(a: number, b: number): number;
  /**
   * The quadratic character: 0 for 0, +1 for a non-zero square, -1 for a non-square. Paley's
   * constructions need nothing else of the field.
   */
  chi(a: number): number;
}

/** `[p, k]` when q = p^k for a prime p, otherwise null. */
export function primePower(q: number): [number, number] | null {
  if (!Number.isInteger(q) || q < 2) return null;
  let p = 2;
  while (p * p <= q && q % p !== 0) p++;
  if (q % p !== 0) p = q; // no factor up to sqrt(q): q is prime
  let k = 0;
  for (let r = q; r > 1; r /= p, k++) if (r % p !== 0) return null;
  return [p, k];
}

/** Digit-wise (a - b) mod p of two base-p numbers with k digits. */
function digitSub(a: number, b: number, p: number, k: number): number {
  let out = 0;
  for (let i = 0, unit = 1; i < k; i++, unit *= p) {
    const da = Math.floor(a / unit) % p;
    const db = Math.floor(b / unit) % p;
    out += ((da - db + p) % p) * unit;
  }
  return out;
}

/**
 * Discrete logarithms to base x in GF(p)[x] / f, for the monic f = x^k + (coefficients c in base
 * p), or null when x does not have order q - 1. If x has order q - 1 the quotient ring has q - 1
 * units, which only happens when it is a field: so a non-null answer proves f irreducible (and
 * primitive) without a separate test.
 */
function logTable(p: number, k: number, c: number): Int32Array | null {
  const q = p ** k;
  const coef = Array.from({ length: k }, (_, i) => Math.floor(c / p ** i) % p);
  const log = new Int32Array(q).fill(-1);
  const digits = new Array<number>(k).fill(0);
  digits[0] = 1;
  for (let e = 0; e < q - 1; e++) {
    const value = digits.reduce((acc, d, i) => acc + d * p ** i, 0);
    if (log[value] !== -1) return null; // back to an earlier power before q - 1 steps
    log[value] = e;
    // times x: shift the coefficients up, then replace x^k by -(c_0 + c_1 x + ... + c_{k-1} x^{k-1})
    const top = digits[k - 1];
    for (let i = k - 1; i > 0; i--) digits[i] = digits[i - 1];
    digits[0] = 0;
    for (let i = 0; i < k; i++) digits[i] = (((digits[i] - top * coef[i]) % p) + p) % p;
  }
  return log;
}

/**
 * GF(q) for an odd prime power q, built by searching for a primitive polynomial (the first one in
 * base-p order: for k = 1 this is the smallest primitive root). Each non-zero element is x^e and
 * is a square exactly when e is even (the multiplicative group is cyclic of even order q - 1).
 * Throws when q is not an odd prime power.
 */
export function finiteField(q: number): FiniteField {
  const pk = primePower(q);
  if (pk === null || pk[0] === 2) throw new Error(`finiteField: ${q} is not an odd prime power, so there is no field of that order to build here`);
  const [p, k] = pk;
  for (let c = 1; c < q; c++) {
    if (c % p === 0) continue; // constant term 0: x divides f, never primitive
    const log = logTable(p, k, c);
    if (log === null) continue;
    const chi = Int8Array.from(log, (e, a) => (a === 0 ? 0 : e % 2 === 0 ? 1 : -1));
    return { q, p, k, sub: (a, b) => (k === 1 ? (a - b + p) % p : digitSub(a, b, p, k)), chi: (a) => chi[a] };
  }
  throw new Error(`finiteField: found no primitive polynomial for GF(${q}); this cannot happen for a prime power`);
}
