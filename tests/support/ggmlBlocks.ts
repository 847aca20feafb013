// tests (support): pieces of ggml block bytes written from the documented layouts (ggml-common.h), independent of src/quant/ggml.

/**
 * block_q4_K.scales[12] from eight 6-bit scales and mins: bytes 0-3 hold scales 0-3 plus the top 2
 * bits of scales 4-7, bytes 4-7 mins 0-3 plus the top 2 bits of mins 4-7, bytes 8-11 the low nibbles
 * of scale (low half) and min (high half) of sub-blocks 4-7.
 */
export function packScalesK4(sc: number[], m: number[]): number[] {
  const b = new Array<number>(12).fill(0);
  for (let j = 0; j < 4; j++) {
    b[j] = sc[j] | ((sc[j + 4] >> 4) << 6);
    b[j + 4] = m[j] | ((m[j + 4] >> 4) << 6);
    b[j + 8] = (sc[j + 4] & 15) | ((m[j + 4] & 15) << 4);
  }
  return b;
}
