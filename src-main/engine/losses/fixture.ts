import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';

import { byolLoss } from './byol';
import { cmcLoss } from './cmc';
import { cpcInfoNceLoss } from './cpc_infonce';
import { dinoLoss } from './dino';
import { infoNceQueueLoss } from './infonce_queue';
import { instDiscNceLoss } from './instdisc_nce';
import { invaSpreadLoss } from './invaspread';
import { mocoV3Loss } from './mocov3';
import { ntXentLoss } from './nt_xent';
import { LOSS_NAMES, isLossName, type LossName } from './registry';
import { simSiamLoss } from './simsiam';
import { supConLoss } from './supcon';
import { swavLoss } from './swav';
import { wclLoss } from './wcl';

/**
 * Runs one loss fixture (see shared/fixtures/losses/README.md): validates it, evaluates the project's loss
 * function and its gradient w.r.t. every floating-point input, and returns what the CLI prints, keyed and nested
 * like the fixture's `expected`.
 */

export type NestedNumbers = number | NestedNumbers[];

export interface LossFixtureResult {
  loss: number;
  grads: Record<string, NestedNumbers>;
  [sideOutput: string]: unknown;
}

/** One input: its symbolic shape (dimension names shared across inputs must agree) and whether it holds indices. */
interface InputSpec {
  name: string;
  dims: readonly string[];
  int?: boolean;
}

type Params = Record<string, number>;
type SideOutput = tf.Tensor | ArrayLike<number>;

interface LossAdapter {
  params: z.ZodType<Params>;
  inputs: readonly InputSpec[];
  /** Extra validation beyond shapes; throws with a message naming the problem. */
  check?: (dims: Record<string, number>, ints: Record<string, Int32Array>) => void;
  compute: (
    t: Record<string, tf.Tensor>,
    p: Params,
  ) => { loss: tf.Scalar; side?: Record<string, SideOutput> };
}

const positive = z.number().positive();
const fraction = z.number().min(0).max(1);
const nonNegative = z.number().min(0);
const noParams = z.object({});

const f = (name: string, ...dims: string[]): InputSpec => ({ name, dims });
const int = (name: string, ...dims: string[]): InputSpec => ({ name, dims, int: true });

function checkRange(name: string, values: Int32Array, size: number, what: string): void {
  for (let i = 0; i < values.length; i++) {
    if (values[i] < 0 || values[i] >= size) {
      throw new Error(
        `inputs.${name} holds ${values[i]} at flat position ${i}, outside [0, ${size}) (${what})`,
      );
    }
  }
}

function atLeast(dims: Record<string, number>, dim: string, min: number, why: string): void {
  if (dims[dim] < min)
    throw new Error(`dimension ${dim} is ${dims[dim]}, but must be at least ${min} (${why})`);
}

const t2 = (t: tf.Tensor) => t as tf.Tensor2D;
const t3 = (t: tf.Tensor) => t as tf.Tensor3D;

const ADAPTERS: Record<LossName, LossAdapter> = {
  nt_xent: {
    params: z.object({ temperature: positive }),
    inputs: [f('z1', 'N', 'D'), f('z2', 'N', 'D')],
    compute: (t, p) => ({ loss: ntXentLoss(t2(t.z1), t2(t.z2), p.temperature) }),
  },
  infonce_queue: {
    params: z.object({ temperature: positive }),
    inputs: [f('q', 'N', 'D'), f('k', 'N', 'D'), f('queue', 'K', 'D')],
    compute: (t, p) => ({ loss: infoNceQueueLoss(t2(t.q), t2(t.k), t2(t.queue), p.temperature) }),
  },
  mocov3: {
    params: z.object({ temperature: positive }),
    inputs: [f('q1', 'N', 'D'), f('q2', 'N', 'D'), f('k1', 'N', 'D'), f('k2', 'N', 'D')],
    compute: (t, p) => ({ loss: mocoV3Loss(t2(t.q1), t2(t.q2), t2(t.k1), t2(t.k2), p.temperature) }),
  },
  byol: {
    params: noParams,
    inputs: [f('p1', 'N', 'D'), f('p2', 'N', 'D'), f('z1', 'N', 'D'), f('z2', 'N', 'D')],
    compute: (t) => ({ loss: byolLoss(t2(t.p1), t2(t.p2), t2(t.z1), t2(t.z2)) }),
  },
  simsiam: {
    params: noParams,
    inputs: [f('p1', 'N', 'D'), f('p2', 'N', 'D'), f('z1', 'N', 'D'), f('z2', 'N', 'D')],
    compute: (t) => ({ loss: simSiamLoss(t2(t.p1), t2(t.p2), t2(t.z1), t2(t.z2)) }),
  },
  swav: {
    params: z.object({ temperature: positive, epsilon: positive, sinkhorn_iterations: z.int().min(0) }),
    inputs: [f('views', 'V', 'N', 'D'), f('prototypes', 'K', 'D')],
    check: (dims) => atLeast(dims, 'V', 2, 'views 0 and 1 are the assignment crops'),
    compute: (t, p) => ({
      loss: swavLoss(t3(t.views), t2(t.prototypes), {
        temperature: p.temperature,
        epsilon: p.epsilon,
        sinkhornIterations: p.sinkhorn_iterations,
      }),
    }),
  },
  dino: {
    params: z.object({
      student_temperature: positive,
      teacher_temperature: positive,
      center_momentum: fraction,
    }),
    inputs: [f('student', 'Vs', 'N', 'K'), f('teacher', 'Vt', 'N', 'K'), f('center', 'K')],
    check: (dims) => {
      if (dims.Vs === 1 && dims.Vt === 1)
        throw new Error('dino needs a (teacher view, other student view) pair');
    },
    compute: (t, p) => {
      const { loss, newCenter } = dinoLoss(t3(t.student), t3(t.teacher), t.center as tf.Tensor1D, {
        studentTemperature: p.student_temperature,
        teacherTemperature: p.teacher_temperature,
        centerMomentum: p.center_momentum,
      });
      return { loss, side: { new_center: newCenter } };
    },
  },
  supcon: {
    params: z.object({ temperature: positive, base_temperature: positive }),
    inputs: [f('features', 'N', 'V', 'D'), int('labels', 'N')],
    compute: (t, p) => ({
      loss: supConLoss(t3(t.features), t.labels as tf.Tensor1D, p.temperature, p.base_temperature),
    }),
  },
  instdisc_nce: {
    params: z.object({
      temperature: positive,
      z: positive,
      proximal_lambda: nonNegative,
      bank_momentum: fraction,
    }),
    inputs: [f('v', 'N', 'D'), f('bank', 'Nbank', 'D'), int('index', 'N'), int('noise_index', 'N', 'M')],
    check: (dims, ints) => {
      checkRange('index', ints.index, dims.Nbank, 'rows of bank');
      checkRange('noise_index', ints.noise_index, dims.Nbank, 'rows of bank');
    },
    compute: (t, p) => {
      const { loss, updatedBankRows } = instDiscNceLoss(
        t2(t.v),
        t2(t.bank),
        t.index as tf.Tensor1D,
        t2(t.noise_index),
        {
          temperature: p.temperature,
          z: p.z,
          proximalLambda: p.proximal_lambda,
          bankMomentum: p.bank_momentum,
        },
      );
      return { loss, side: { updated_bank_rows: updatedBankRows } };
    },
  },
  invaspread: {
    params: z.object({ temperature: positive }),
    inputs: [f('f', 'N', 'D'), f('f_aug', 'N', 'D')],
    compute: (t, p) => ({ loss: invaSpreadLoss(t2(t.f), t2(t.f_aug), p.temperature) }),
  },
  cmc: {
    params: z.object({ temperature: positive }),
    inputs: [f('view_a', 'N', 'D'), f('view_b', 'N', 'D')],
    compute: (t, p) => ({ loss: cmcLoss(t2(t.view_a), t2(t.view_b), p.temperature) }),
  },
  cpc_infonce: {
    params: noParams,
    inputs: [f('predictions', 'M', 'D'), f('targets', 'M', 'D')],
    compute: (t) => ({ loss: cpcInfoNceLoss(t2(t.predictions), t2(t.targets)) }),
  },
  wcl: {
    params: z.object({ temperature: positive, swap_weight: z.number() }),
    inputs: [f('z1', 'N', 'D'), f('z2', 'N', 'D'), f('v1', 'N', 'E'), f('v2', 'N', 'E')],
    check: (dims) => atLeast(dims, 'N', 2, 'each row needs a nearest neighbour other than itself'),
    compute: (t, p) => {
      const r = wclLoss(t2(t.z1), t2(t.z2), t2(t.v1), t2(t.v2), p.temperature, p.swap_weight);
      return {
        loss: r.loss,
        side: {
          instance_loss: r.instanceLoss,
          swap_loss: r.swapLoss,
          labels_1: r.labels1,
          labels_2: r.labels2,
        },
      };
    },
  },
};

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
    if (arr.length === 0) throw new Error(`inputs.${name} has an empty dimension ${r}`);
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
      throw new Error(
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

export function evaluateLossFixture(fixture: unknown): LossFixtureResult {
  const base = fixtureSchema.safeParse(fixture);
  if (!base.success) throw new Error(`Invalid loss fixture: ${formatIssues(base.error, 'fixture')}`);
  const { loss: name, params: rawParams, inputs: rawInputs } = base.data;
  if (!isLossName(name)) {
    throw new Error(`Unknown loss "${name}" in fixture; expected one of: ${LOSS_NAMES.join(', ')}`);
  }
  const adapter = ADAPTERS[name];
  const fail = (msg: string): never => {
    throw new Error(`Invalid ${name} fixture: ${msg}`);
  };

  const params = adapter.params.safeParse(rawParams);
  if (!params.success) fail(formatIssues(params.error, 'params'));
  const p = params.data as Params;

  const dims: Record<string, number> = {};
  const data: Record<string, { shape: number[]; flat: number[]; int: boolean }> = {};
  for (const spec of adapter.inputs) {
    if (!(spec.name in rawInputs)) {
      fail(
        `missing inputs.${spec.name} (expected [${spec.dims.join(', ')}] ${spec.int ? 'integers' : 'numbers'})`,
      );
    }
    const parsed = arraySchema(spec.dims.length, spec.int === true).safeParse(rawInputs[spec.name]);
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
      const size = shaped.shape[axis];
      if (dims[dim] === undefined) dims[dim] = size;
      else if (dims[dim] !== size) {
        fail(
          `inputs.${spec.name} has shape [${shaped.shape.join(', ')}] but its axis ${axis} (${dim}) must be ` +
            `${dims[dim]} to match the other inputs ([${spec.dims.join(', ')}])`,
        );
      }
    });
    data[spec.name] = { ...shaped, int: spec.int === true };
  }
  const ints: Record<string, Int32Array> = {};
  for (const [key, d] of Object.entries(data)) if (d.int) ints[key] = Int32Array.from(d.flat);
  try {
    adapter.check?.(dims, ints);
  } catch (e) {
    fail((e as Error).message);
  }

  let out: LossFixtureResult | undefined;
  tf.tidy(() => {
    const tensors: Record<string, tf.Tensor> = {};
    for (const [key, d] of Object.entries(data)) {
      tensors[key] = d.int ? tf.tensor(ints[key], d.shape, 'int32') : tf.tensor(d.flat, d.shape, 'float32');
    }
    const floatNames = adapter.inputs.filter((s) => !s.int).map((s) => s.name);

    const forward = adapter.compute(tensors, p);
    const side: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(forward.side ?? {})) side[key] = sideToJson(value);

    const gradFn = tf.grads((...xs: tf.Tensor[]) => {
      const withVars = { ...tensors };
      floatNames.forEach((key, i) => (withVars[key] = xs[i]));
      return adapter.compute(withVars, p).loss;
    });
    const grads = gradFn(floatNames.map((key) => tensors[key]));
    const gradsOut: Record<string, NestedNumbers> = {};
    floatNames.forEach((key, i) => (gradsOut[key] = toNested(grads[i])));
    // Same key order as the fixtures' `expected`: loss, side outputs, grads.
    out = { loss: forward.loss.dataSync()[0], ...side, grads: gradsOut };
  });
  if (out === undefined) throw new Error(`Evaluating the ${name} fixture produced no result`);
  return out;
}
