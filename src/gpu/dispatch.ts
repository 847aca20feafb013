// gpu: splitting large dispatches into a 2-D grid (WebGPU allows 65535 workgroups per dimension).

export const MAX_GROUPS_PER_DIM = 65535;

/** Workgroup counts [x, y] covering `count` workgroups; kernels rebuild the id as x + y * gridX. */
export function grid2d(count: number): [number, number] {
  const x = Math.min(Math.max(count, 1), MAX_GROUPS_PER_DIM);
  return [x, Math.ceil(Math.max(count, 1) / x)];
}
