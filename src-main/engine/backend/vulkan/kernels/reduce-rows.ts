import { Shaders } from '../pipelines';
import type { VulkanBackend } from '../backend';

/** Rows up to this long are reduced by one invocation each; longer ones by a workgroup each. */
const SERIAL_ROW = 64;

/** The reduce shader's op codes (shaders/reduce.comp). */
export const ReduceOp = { sum: 0, max: 1, min: 2, mean: 3 } as const;

/** Records out[r] = op over input[r · length ... (r + 1) · length) for each of `rows` rows. */
export function reduceRows(
  backend: VulkanBackend,
  op: number,
  input: number,
  out: number,
  rows: number,
  length: number,
): void {
  const serial = length <= SERIAL_ROW;
  const groups = serial ? Shaders.elementGroups(rows) : Shaders.rowGroups(rows);
  backend.shaders.run('reduce', [input, out], Uint32Array.from([op, rows, length, serial ? 1 : 0]), groups);
}
