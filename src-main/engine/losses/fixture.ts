import { InputError } from '../../domain';
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';

import type { LossDescription, SideOutput } from './loss-description';
import { LOSS_NAMES, isLossName, lossDescription, type LossName } from './registry';

/** A fixture that does not describe a valid call of its loss: the user's input, shown as one line. */
export class FixtureError extends InputError {
  override name = 'FixtureError';
}

/**
 * Runs one loss fixture (see shared/fixtures/losses/README.md): validates it against the loss's description
 * (./loss-description.ts), evaluates the description's computation and its gradient w.r.t. every floating-point
 * input given, and returns what the CLI prints, keyed and nested like the fixture's `expected`.
 */

export type NestedNumbers = number | NestedNumbers[];

export interface LossFixtureResult {
  loss: number;
  grads: Record<string, NestedNumbers>;
  [sideOutput: string]: unknown;
}

const fixtureSchema = z.object({
  loss: z.string({ error: 'fixture.loss must be a string naming the loss functional' }),
  params: z.record(z.string(), z.unknown()).default({}),
  inputs: z.record(z.string(), z.unknown(), { error: 'fixture.inputs must be an object of named arrays' }),
  expected: z.unknown().optional(),
});

function formatIssues(error: z.ZodError, prefix: string): string {
  return error.issues
    .map((issue) => {
      const path = [prefix, ...issue.path.map(String)].filter((s) => s !== '').join('.');
      return `${path}: ${issue.message}`;
    })
    .join('; ');
}

/** Nested-array schema of the given rank; numbers must be finite, indices integral. */
function arraySchema(rank: number, isInt: boolean): z.ZodType {
  let schema: z.ZodType = isInt ? z.int() : z.number();
  for (let r = 0; r < rank; r++) schema = z.array(schema);
  return schema;
}

/** Shape of a validated nested array, requiring it to be rectangular and non-empty; flattens it row-major. */
function shapeAndFlatten(name: string, value: unknown, rank: number): { shape: number[]; flat: number[] } {
  const shape: number[] = [];
  let probe = value;
  for (let r = 0; r < rank; r++) {
    const arr = probe as unknown[];
    if (arr.length === 0) throw new FixtureError(`inputs.${name} has an empty dimension ${r}`);
    shape.push(arr.length);
    probe = arr[0];
  }
  const flat: number[] = [];
  const walk = (v: unknown, depth: number, path: string): void => {
    if (depth === rank) {
      flat.push(v as number);
      return;
    }
    const arr = v as unknown[];
    if (arr.length !== shape[depth]) {
      throw new FixtureError(
        `inputs.${name} is not rectangular: ${name}${path} has length ${arr.length}, expected ${shape[depth]}`,
      );
    }
    arr.forEach((child, i) => walk(child, depth + 1, `${path}[${i}]`));
  };
  walk(value, 0, '');
  return { shape, flat };
}

function toNested(t: tf.Tensor): NestedNumbers {
  return t.arraySync() as NestedNumbers;
}

function sideToJson(value: SideOutput): unknown {
  if (value instanceof tf.Tensor) return toNested(value);
  return Array.from(value);
}

/**
 * Evaluates `fixture` with the description its `loss` names or, when given, with `description` (a loss checked
 * by another loss's fixtures, see LossFixtures); throws one line naming what is wrong with a bad fixture.
 */
export function evaluateLossFixture(fixture: unknown, description?: LossDescription): LossFixtureResult {
  const base = fixtureSchema.safeParse(fixture);
  if (!base.success) throw new FixtureError(`Invalid loss fixture: ${formatIssues(base.error, 'fixture')}`);
  const { loss: lossName, params: rawParams, inputs: rawInputs } = base.data;
  if (description === undefined && !isLossName(lossName)) {
    throw new FixtureError(
      `Unknown loss "${lossName}" in fixture; expected one of: ${LOSS_NAMES.join(', ')}`,
    );
  }
  const loss = description ?? lossDescription(lossName as LossName);
  const name = loss.name;
  const fail = (msg: string): never => {
    throw new FixtureError(`Invalid ${name} fixture: ${msg}`);
  };

  const params = loss.params.safeParse(rawParams);
  if (!params.success) fail(formatIssues(params.error, 'params'));
  const p = params.data as Record<string, unknown>;

  const dims: Record<string, number> = {};
  const data: Record<string, { shape: number[]; flat: number[]; int: boolean }> = {};
  for (const spec of loss.inputs) {
    if (!(spec.name in rawInputs)) {
      if (spec.optional) continue;
      fail(
        `missing inputs.${spec.name} (expected [${spec.dims.join(', ')}] ${spec.int ? 'integers' : 'numbers'})`,
      );
    }
    const parsed = arraySchema(spec.dims.length, spec.int).safeParse(rawInputs[spec.name]);
    if (!parsed.success) {
      fail(
        `inputs.${spec.name} must be a rank-${spec.dims.length} array [${spec.dims.join(', ')}] of ` +
          `${spec.int ? 'integers' : 'finite numbers'} (${formatIssues(parsed.error, `inputs.${spec.name}`)})`,
      );
    }
    let shaped: { shape: number[]; flat: number[] } = { shape: [], flat: [] };
    try {
      shaped = shapeAndFlatten(spec.name, parsed.data, spec.dims.length);
    } catch (e) {
      fail((e as Error).message);
    }
    spec.dims.forEach((dim, axis) => {
      const size = shaped.shape[axis]!;
      if (dims[dim] === undefined) dims[dim] = size;
      else if (dims[dim] !== size) {
        fail(
          `inputs.${spec.name} has shape [${shaped.shape.join(', ')}] but its axis ${axis} (${dim}) must be ` +
            `${dims[dim]} to match the other inputs ([${spec.dims.join(', ')}])`,
        );
      }
    });
    data[spec.name] = { ...shaped, int: spec.int };
  }
  const ints: Record<string, Int32Array> = {};
  for (const [key, d] of Object.entries(data)) if (d.int) ints[key] = Int32Array.from(d.flat);
  try {
    loss.check(dims, ints);
  } catch (e) {
    fail((e as Error).message);
  }

  let out: LossFixtureResult | undefined;
  tf.tidy(() => {
    const tensors: Record<string, tf.Tensor> = {};
    for (const [key, d] of Object.entries(data)) {
      tensors[key] = d.int ? tf.tensor(ints[key]!, d.shape, 'int32') : tf.tensor(d.flat, d.shape, 'float32');
    }
    // Gradients w.r.t. every float input given, stopped ones included: the fixtures expect zeros there.
    const floatNames = loss.inputs.filter((s) => !s.int && s.name in tensors).map((s) => s.name);

    const forward = loss.compute(tensors, p);
    const side: Record<string, unknown> = {};
    for (const key of loss.sideOutputs) side[key] = sideToJson(forward.side[key]!);

    const gradFn = tf.grads((...xs: tf.Tensor[]) => {
      const withVars = { ...tensors };
      floatNames.forEach((key, i) => (withVars[key] = xs[i]!));
      return loss.compute(withVars, p).loss;
    });
    const grads = gradFn(floatNames.map((key) => tensors[key]!));
    const gradsOut: Record<string, NestedNumbers> = {};
    floatNames.forEach((key, i) => (gradsOut[key] = toNested(grads[i]!)));
    // Same key order as the fixtures' `expected`: loss, side outputs, grads.
    out = { loss: forward.loss.dataSync()[0]!, ...side, grads: gradsOut };
  });
  if (out === undefined) throw new Error(`Evaluating the ${name} fixture produced no result`);
  return out;
}
