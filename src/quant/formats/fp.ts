// quant: generic sign|exponent|mantissa element formats (OCP FP8/FP6/FP4, fp16, bf16) as exact value sets.
import { assert } from '../../lib/assert';
import { roundHalfEven } from '../../lib/f32';

/** Parameters of a sign-magnitude ExMy format. */
export interface FpSpec {
  /** Exponent bits (>= 1). */
  readonly e: number;
  /** Mantissa bits (>= 1). */
  readonly m: number;
  /** Exponent bias; default 2^(e-1) - 1. */
  readonly bias?: number;
  /**
   * IEEE-style specials: the all-ones exponent holds inf (mantissa 0) and NaN (otherwise).
   * When false the all-ones exponent holds ordinary values (OCP FP6/FP4, and E4M3 with an override).
   */
  readonly ieeeSpecials: boolean;
  /**
   * Largest finite magnitude when it is below the top of the grid (OCP E4M3: 448, the pattern
   * S.1111.111 being NaN). Codes above it are NaN.
   */
  readonly finiteMaxOverride?: number;
}

/** A floating-point element format: every finite value, and exact encode/decode. */
export interface FpFormat {
  readonly spec: Required<Omit<FpSpec, 'finiteMaxOverride'>> & { readonly finiteMaxOverride?: number };
  /** Total bits including the sign. */
  readonly bits: number;
  /** Largest finite value. */
  readonly max: number;
  /** Smallest positive normal value, 2^(1-bias). */
  readonly minNormal: number;
  /** Smallest positive subnormal value, 2^(1-bias-m). */
  readonly minSubnormal: number;
  /** Exponent of the largest normal (OCP MX "emax"), floor(log2(max)). */
  readonly emax: number;
  /** Code of +NaN, or null when the format has no NaN. */
  readonly nanCode: number | null;
  /** Code of +inf, or null when the format has no infinity. */
  readonly infCode: number | null;
  /** Every finite value, ascending, with one zero (+0). */
  readonly values: readonly number[];
  /**
   * Code (sign << (e+m) | exp << m | mantissa) of x: round to nearest, ties to even mantissa,
   * subnormals included. Saturating: |x| beyond max (and ±inf) gives ±max. NaN gives the NaN code,
   * or throws when the format has none. -0 and negatives rounding to zero keep the sign bit.
   */
  encode(x: number): number;
  /** Value of a code (NaN and ±Infinity where the format has them). */
  decode(code: number): number;
  /** decode(encode(x)). */
  round(x: number): number;
}

/** Builds an ExMy format; see {@link FpSpec}. */
export function fpFormat(spec: FpSpec): FpFormat {
  const { e, m, ieeeSpecials } = spec;
  assert(e >= 1 && m >= 1 && e + m <= 15, `fpFormat: unsupported e=${e} m=${m}`);
  const bias = spec.bias ?? 2 ** (e - 1) - 1;
  const signBit = 2 ** (e + m);
  const expMax = 2 ** e - 1;
  const magnitude = (code: number): number => {
    const exp = Math.floor(code / 2 ** m), man = code % 2 ** m;
    return exp === 0 ? man * 2 ** (1 - bias - m) : (2 ** m + man) * 2 ** (exp - bias - m);
  };
  const topFinite = ieeeSpecials ? expMax * 2 ** m - 1 : signBit - 1;
  const max = spec.finiteMaxOverride ?? magnitude(topFinite);
  // Positive codes in order: magnitude is increasing in the code, so a table maps value -> code.
  const positive: number[] = [];
  for (let c = 0; c <= topFinite && magnitude(c) <= max; c++) positive.push(magnitude(c));
  const maxCode = positive.length - 1;
  assert(positive[maxCode] === max, `fpFormat: finiteMaxOverride ${max} is not on the grid`);
  const codeOf = new Map(positive.map((v, c) => [v, c]));
  const nanCode = ieeeSpecials ? expMax * 2 ** m + 1 : maxCode < signBit - 1 ? maxCode + 1 : null;
  const infCode = ieeeSpecials ? expMax * 2 ** m : null;
  const minNormal = 2 ** (1 - bias);

  const encodeMagnitude = (a: number): number => {
    if (a >= max) return maxCode;
    let exp = Math.max(Math.floor(Math.log2(a || minNormal)), 1 - bias);
    while (exp > 1 - bias && 2 ** exp > a) exp--; // guard log2 rounding near powers of two
    while (2 ** (exp + 1) <= a) exp++;
    const quantum = 2 ** (exp - m);
    // a / quantum is exact in f64 (power-of-two scaling); an even integer is an even mantissa.
    const v = roundHalfEven(a / quantum) * quantum;
    return codeOf.get(Math.min(v, max)) as number;
  };

  const decode = (code: number): number => {
    assert(Number.isInteger(code) && code >= 0 && code < 2 * signBit, `decode: bad code ${code}`);
    const sign = code >= signBit ? -1 : 1;
    const mag = code % signBit;
    if (mag <= maxCode) return sign * positive[mag];
    if (infCode !== null && mag === infCode) return sign * Infinity;
    return NaN;
  };

  const encode = (x: number): number => {
    if (Number.isNaN(x)) {
      assert(nanCode !== null, 'encode: NaN has no encoding in this format');
      return nanCode;
    }
    const neg = x < 0 || Object.is(x, -0);
    return (neg ? signBit : 0) + encodeMagnitude(Math.abs(x));
  };

  const values = [...positive.slice(1).map((v) => -v).reverse(), ...positive];
  return {
    spec: { e, m, bias, ieeeSpecials, finiteMaxOverride: spec.finiteMaxOverride },
    bits: e + m + 1,
    max,
    minNormal,
    minSubnormal: 2 ** (1 - bias - m),
    emax: Math.floor(Math.log2(max)),
    nanCode,
    infCode,
    values,
    encode,
    decode,
    round: (x) => decode(encode(x)),
  };
}

/** OCP OFP8 v1.0 E4M3: bias 7, no infinities, S.1111.111 is NaN, max 448. */
export const E4M3 = fpFormat({ e: 4, m: 3, ieeeSpecials: false, finiteMaxOverride: 448 });
/** OCP OFP8 v1.0 E5M2: bias 15, IEEE-like (inf 0x7C, NaN 0x7D..0x7F), max 57344. */
export const E5M2 = fpFormat({ e: 5, m: 2, ieeeSpecials: true });
/** OCP MX v1.0 §5.3.2 FP6 E3M2: bias 3, no inf/NaN, max 28. */
export const E3M2 = fpFormat({ e: 3, m: 2, ieeeSpecials: false });
/** OCP MX v1.0 §5.3.2 FP6 E2M3: bias 1, no inf/NaN, max 7.5. */
export const E2M3 = fpFormat({ e: 2, m: 3, ieeeSpecials: false });
/** OCP MX v1.0 §5.3.3 FP4 E2M1: bias 1, no inf/NaN, values ±{0, 0.5, 1, 1.5, 2, 3, 4, 6}. */
export const E2M1 = fpFormat({ e: 2, m: 1, ieeeSpecials: false });
/** IEEE 754 binary16 (used for scales); saturating encode, see {@link FpFormat.encode}. */
export const FP16 = fpFormat({ e: 5, m: 10, ieeeSpecials: true });
/** bfloat16 (used for scales): f32's exponent, 7 mantissa bits; saturating encode. */
export const BF16 = fpFormat({ e: 8, m: 7, ieeeSpecials: true });

/**
 * OCP MX v1.0 §5.4.1 E8M0 scale: an unsigned biased exponent, value 2^(code - 127) for codes
 * 0..254 (2^-127 .. 2^127), 0xFF is NaN. No zero, no sign.
 */
export const E8M0 = {
  bias: 127,
  minExp: -127,
  maxExp: 127,
  nanCode: 0xff,
  /** Code of 2^exp, clamping exp to [-127, 127]. */
  encodeExp(exp: number): number {
    return Math.min(127, Math.max(-127, exp)) + 127;
  },
  /** Value of a code: 2^(code - 127), NaN for 0xFF. */
  decode(code: number): number {
    return code === 0xff ? NaN : 2 ** (code - 127);
  },
} as const;
