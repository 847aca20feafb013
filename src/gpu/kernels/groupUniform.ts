// gpu: the uniform words every group-wise quantization kernel starts its Params with (what shaders/lib_groups.wgsl reads).
import type { GroupLayout } from '../../quant/groups';

/**
 * The first seven u32 words of the Params of quant_int, quant_table, quant_ptqtp and quant_nupes:
 * n, contiguous (1: lines are rows, 0: columns), lines, line_len, group_size, groups_per_line,
 * group_count, for a tensor of `n` elements grouped by `layout` (src/quant/groups.ts).
 */
export function groupLayoutWords(n: number, layout: GroupLayout): number[] {
  return [n, layout.contiguous ? 1 : 0, layout.lines, layout.lineLen, layout.groupSize, layout.groupsPerLine, layout.groupCount];
}
