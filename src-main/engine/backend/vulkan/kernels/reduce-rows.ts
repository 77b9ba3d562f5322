import { Shaders } from '../pipelines';
import type { VulkanBackend } from '../backend';

/** Rows up to this long are reduced by one invocation each; longer ones by workgroups. */
const SERIAL_ROW = 64;
/** A workgroup reduces at most this many values of a row (64 per invocation); longer rows take two passes. */
const CHUNK = 256 * 64;

/** The reduce shader's op codes (shaders/reduce.comp). */
export const ReduceOp = { sum: 0, max: 1, min: 2, mean: 3 } as const;

/**
 * Records out[r] = op over input[r · length ... (r + 1) · length) for each of `rows` rows. Rows longer
 * than a chunk are reduced per chunk into partials first, then the partials by the same op (a mean sums
 * its chunks and divides by `count`, the original row length, at the end).
 */
export function reduceRows(
  backend: VulkanBackend,
  op: number,
  input: number,
  out: number,
  rows: number,
  length: number,
  count = length,
): void {
  const push = (pass: number, outputs: number, chunks: number, chunk: number, serial: boolean) =>
    Uint32Array.from([pass, outputs, length, serial ? 1 : 0, chunks, chunk, count]);
  if (length <= SERIAL_ROW) {
    backend.shaders.run('reduce', [input, out], push(op, rows, 1, length, true), Shaders.elementGroups(rows));
    return;
  }
  if (length <= CHUNK) {
    backend.shaders.run('reduce', [input, out], push(op, rows, 1, length, false), Shaders.rowGroups(rows));
    return;
  }
  const chunks = Math.ceil(length / CHUNK);
  const partials = backend.makeOutput([rows * chunks], 'float32');
  const partialOp = op === ReduceOp.mean ? ReduceOp.sum : op;
  backend.shaders.run(
    'reduce',
    [input, backend.bufferOf(partials)],
    push(partialOp, rows * chunks, chunks, CHUNK, false),
    Shaders.rowGroups(rows * chunks),
  );
  reduceRows(backend, op, backend.bufferOf(partials), out, rows, chunks, count);
  backend.disposeIntermediateTensorInfo(partials);
}
