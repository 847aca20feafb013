// tests: ggml block formats against golden bytes printed by ggml's own C reference (bit-exact quantize and dequantize).
import { describe, expect, it } from 'vitest';
import { GGML_FORMATS, type GgmlBlockType } from '../../src/quant/ggml';

/*
 * Provenance: ggml-org/ggml at commit d99724f2b141fed9e1a9f402213506c081433465 (2026-08-21),
 * src/ggml-quants.c compiled with `gcc 12.2 -O2 -ffp-contract=off -std=gnu11` on x86-64 (SSE, no
 * FMA), linked to a small harness (kept out of the repo) that calls quantize_row_<fmt>_ref and
 * dequantize_row_<fmt> on rows of two blocks made by the generator below, and prints:
 *   hex1000  the block bytes of seed 1000 (scale 1);
 *   random   FNV-1a (32-bit) of the bytes, and of the dequantized f32 bits (little-endian), over
 *            200 rows with seeds 5000..5199 and scales [1, 0.02, 3.7e-3, 100][seed % 4];
 *   special  the same two hashes over the 8 edge-case rows of `special` (zeros, constant, zero and
 *            tiny sub-blocks, one-signed data, an integer grid, an offset).
 */
const GOLDEN: Record<GgmlBlockType, { hex1000: string; random: [string, string]; special: [string, string] }> = {
  Q8_0: {
    hex1000:
      '7c31f9f601fe010d7f02f7fdfffdfd0d0603ff00f6fa05f4fd0bf9fd02ff030e0602962626cf9cc6fd94dde3b4f81621e2ee' +
      'de17e343062db7d67f01f7c60c2a56a70a1a',
    random: ['badca2a4', 'fdf64377'],
    special: ['0a4f78fc', '1a80e6ef'],
  },
  Q4_0: {
    hex1000:
      '71c18889988888978078898888888877888889b6a64b8e5cd8bf0a8a9dc977563ae97a67',
    random: ['d3163257', 'f48123b9'],
    special: ['1bcfc049', '00046ee3'],
  },
  Q4_1: {
    hex1000:
      '603e46c01110011121031f221011211121332222703688c159b470a32740f575623688a9c5167598',
    random: ['15c8086f', '997a2b6c'],
    special: ['df38d448', '7e8ec8ca'],
  },
  Q5_0: {
    hex1000:
      '71bd9f9f6f9f01011010f02e00f01100000000eeff0089b2fe73b1234b86fda7905e04041a71edbc54b2f4dd',
    random: ['08c345d0', 'fa4bcec1'],
    special: ['71f94ff9', '5de3e038'],
  },
  Q5_1: {
    hex1000:
      '2b3a46c0400000003131131243062f5311223332426644333b3288c1018c4a9ca378f1475e90faead47d0143aa2cfa21',
    random: ['f025b2fa', 'ae35a989'],
    special: ['668ebb5a', '2ded6efd'],
  },
  Q4_K: {
    hex1000:
      '7d26292f7f10214c555855d5a14a5cf79140023162034f52206181915153428251b170912240f17361317291c2137282c2d4' +
      '917374112283bea0b2c6549483a5b3a362544194b1a342f502b275c4c4f3769856f366d4bbb5f98588996e099503e36640b3' +
      '7b8a95e76a1bb37be75b8697c4e7b9b8c5edebb8d8d2d2c8b5dcc0bf91e7d1b797c2ebccccb583e6f308c9ed0d243a326d7f' +
      '56530e7f0c4cb24cd418f5d4b3b1d2d0d6d3c5b2c2c5d6c6e5b3c205b5b1d3e2dfb1b3c3b1c7c4d6c3d26b14fcb692680a23' +
      '9336a824887837706f81b760a6c950f88c458258c9395a9479aaf4c959779a5d74c950484657b7460798c5a9499f85aa8485' +
      '887b7ba2b3aca86875abcd55b06b326a5857479f558297ac7dbc0f8466a5f9d2f1a89d7963c9',
    random: ['5f69fcce', '24199d78'],
    special: ['debfb9be', 'ef8ec20b'],
  },
  Q6_K: {
    hex1000:
      '22d25011d04d110012812071e1cd0faf82e0860e851c4778c017bbb13831a3ac7bb253bfef0016372aaef74a275b06c7d7af' +
      '9f45226ab19022fe1dc6eb062ec9e4da44204379fd3616777a07302506ee3ddd00bee35e08525136ad76b3376ea35931a247' +
      '07414726a8ac6b105380120087542dea881b5ff5f4e06958771ffd51ead6a262562124a6c2a6aada5695a5999a9267567d9b' +
      'b2986bca25a641dcc5d58619a6ef963e28ea6d4645a9d4718af24c9580585786b57e775348978e2365ba80f210edc9f50b0e' +
      'ed100c0b0d0cf8299e1d8b2096bc9081ffcb0ca48229757f0a0d054d0d973165a0a7e38338c78f9b43a4817ab5d17a9408b1' +
      '47de7176f4b3c8b260001dac51c3f10edd2ffde0ef52d0a116f961c6342e0ac8919810d1bbbd3e7761cf69fb1941ac05deec' +
      'ff2362d8919e792970ae43b8fff2071fb2aa6b0574c83041bb831fef8e657e0d4e3a38b387b37216fd9c856426059a19a91a' +
      '676a224d8ab165b66a1ab81646e6769915d99a6aaa5651a2fe19862f09622c1e1dbd154da2894a89017466b9d6f6f5a5855b' +
      '7b98e3541a80e91fe716ea171cd6e616ebdb279a',
    random: ['08484cc3', '5cf3a8fb'],
    special: ['372392bc', '83ce6cf6'],
  },
};

/** xorshift32, as the C harness: st ^= st << 13; st ^= st >> 17; st ^= st << 5 (uint32). */
function xorshift(seed: number): () => number {
  let st = seed >>> 0;
  return () => {
    st = (st ^ (st << 13)) >>> 0;
    st = (st ^ (st >>> 17)) >>> 0;
    st = (st ^ (st << 5)) >>> 0;
    return st;
  };
}

/**
 * The harness's inputs: uniform a = ((u >> 8) - 2^23) / 2^23 in [-1, 1), g = ((a1 + a2) + a3) + a4
 * in f32, x = g * scale in f32, and one element in 64 (by the next draw's low 6 bits) times 8.
 */
function gen(n: number, seed: number, scale: number, next = xorshift(seed)): Float32Array {
  const uni = (): number => ((next() >>> 8) - 8388608) / 8388608;
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let g = uni();
    g = Math.fround(g + uni());
    g = Math.fround(g + uni());
    g = Math.fround(g + uni());
    let v = Math.fround(g * Math.fround(scale));
    if ((next() & 63) === 0) v = Math.fround(v * 8);
    x[i] = v;
  }
  return x;
}

/** The harness's edge cases p = 0..7 on a row of n elements (seed 7000 + p, scale 1). */
function special(n: number, p: number): Float32Array {
  const next = xorshift(7000 + p);
  const x = gen(n, 0, 1, next);
  for (let i = 0; i < n; i++) {
    switch (p) {
      case 0: x[i] = 0; break;
      case 1: x[i] = 0.5; break;
      case 2: if (i < 32) x[i] = 0; break;
      case 3: if (i < 16) x[i] = Math.fround(x[i] * Math.fround(1e-4)); else if (i >= 32 && i < 64) x[i] = Math.fround(x[i] * Math.fround(1e-3)); break;
      case 4: x[i] = Math.abs(x[i]); break;
      case 5: x[i] = -Math.abs(x[i]); break;
      case 6: x[i] = ((next() % 16) - 8) * 0.25; break;
      case 7: x[i] = Math.fround(x[i] + 3); break;
    }
  }
  return x;
}

const fnv = (h: number, bytes: Uint8Array): number => {
  for (const b of bytes) h = Math.imul(h ^ b, 16777619) >>> 0;
  return h;
};
const hex = (b: Uint8Array): string => Array.from(b, (v) => v.toString(16).padStart(2, '0')).join('');
const h8 = (h: number): string => h.toString(16).padStart(8, '0');
const SCALES = [1, 0.02, 3.7e-3, 100];

describe.each(Object.keys(GOLDEN) as GgmlBlockType[])('%s matches ggml\'s C reference', (type) => {
  const f = GGML_FORMATS[type];
  const n = 2 * f.blockSize;
  const golden = GOLDEN[type];

  it('block bytes of seed 1000', () => {
    expect(hex(f.quantizeRow(gen(n, 1000, 1)))).toBe(golden.hex1000);
  });

  it('200 seeded rows: bytes and dequantized f32 bits', () => {
    let hq = 2166136261, hd = 2166136261;
    for (let s = 0; s < 200; s++) {
      const q = f.quantizeRow(gen(n, 5000 + s, SCALES[s % 4]));
      hq = fnv(hq, q);
      hd = fnv(hd, new Uint8Array(f.dequantizeRow(q, n).buffer));
    }
    expect([h8(hq), h8(hd)]).toEqual(golden.random);
  });

  it('edge cases: zeros, constant, zero and tiny sub-blocks, one sign, grid, offset', () => {
    let hq = 2166136261, hd = 2166136261;
    for (let p = 0; p < 8; p++) {
      const q = f.quantizeRow(special(n, p));
      hq = fnv(hq, q);
      hd = fnv(hd, new Uint8Array(f.dequantizeRow(q, n).buffer));
    }
    expect([h8(hq), h8(hd)]).toEqual(golden.special);
  });
});
