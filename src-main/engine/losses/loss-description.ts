import type * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';

/**
 * How a loss describes itself, once, next to its function (docs/ARCHITECTURE.md, engine/losses): its name (the
 * `loss` of its fixtures, shared/fixtures/losses/README.md), the methods that use it, its parameters as a zod
 * schema under the fixtures' names, its inputs with symbolic shapes, which float inputs have their gradient
 * stopped, its side outputs, extra input checks, and how to compute it from named tensors. The registry, the
 * fixture evaluator behind `check-loss`, and the loss tests read nothing else.
 */

/** One input: its symbolic shape (a dimension name shared by several inputs must have one size) and kind. */
export interface LossInput<Dims extends readonly string[] = readonly string[]> {
  readonly dims: Dims;
  /** Integer indices or labels (never differentiated) rather than floats. */
  readonly int: boolean;
  /** May be left out; the loss's description says what leaving it out means (e.g. an empty queue). */
  readonly optional: boolean;
}

/** A floating-point input of the given symbolic shape, e.g. `float('N', 'D')`. */
export function float<const Dims extends readonly string[]>(
  ...dims: Dims
): LossInput<Dims> & { int: false; optional: false } {
  return { dims, int: false, optional: false };
}

/** An integer input (indices, labels) of the given symbolic shape. */
export function int<const Dims extends readonly string[]>(
  ...dims: Dims
): LossInput<Dims> & { int: true; optional: false } {
  return { dims, int: true, optional: false };
}

/** The same input, but one a caller (or a fixture) may leave out. */
export function optional<I extends LossInput>(input: I): Omit<I, 'optional'> & { optional: true } {
  return { ...input, optional: true };
}

/** Parameter schemas the descriptions share. */
export const positive = z.number().positive();
export const fraction = z.number().min(0).max(1);
export const nonNegative = z.number().min(0);
export const noParams = z.object({});

/** A side output: a tensor, or values computed off the tape (WCL's weak labels). */
export type SideOutput = tf.Tensor | ArrayLike<number>;

/**
 * Where a loss's reference values come from. By default the shared fixtures whose `loss` is its own name; a loss
 * that reduces to another when its optional inputs are left out names that one and says why; a loss without any
 * shared fixture says so and what checks it instead.
 */
export type LossFixtures = { readonly loss: string; readonly why?: string } | { readonly none: string };

type TensorOfRank<Rank extends number> = Rank extends 0
  ? tf.Scalar
  : Rank extends 1
    ? tf.Tensor1D
    : Rank extends 2
      ? tf.Tensor2D
      : Rank extends 3
        ? tf.Tensor3D
        : Rank extends 4
          ? tf.Tensor4D
          : tf.Tensor;

type Inputs = Readonly<Record<string, LossInput>>;

/** The tensors `compute` receives: one per input, of the input's rank; an optional input may be undefined. */
export type NamedTensors<I extends Inputs> = {
  readonly [K in keyof I]: I[K]['optional'] extends true
    ? TensorOfRank<I[K]['dims']['length']> | undefined
    : TensorOfRank<I[K]['dims']['length']>;
};

type FloatName<I extends Inputs> = { [K in keyof I]: I[K]['int'] extends true ? never : K }[keyof I] & string;
type IntName<I extends Inputs> = { [K in keyof I]: I[K]['int'] extends true ? K : never }[keyof I] & string;

/** What `compute` returns: the loss, and a value for every declared side output. */
export type LossValue<Side extends readonly string[]> = Side extends readonly []
  ? { loss: tf.Scalar }
  : { loss: tf.Scalar; side: Record<Side[number], SideOutput> };

/** The arguments of defineLoss, typed so that `compute`, `check` and `stopGradient` see the declared names. */
export interface LossSpec<
  Name extends string,
  I extends Inputs,
  P extends z.ZodObject,
  Side extends readonly string[],
> {
  /** The functional's name: the `loss` of its fixtures and of `check-loss` files. */
  readonly name: Name;
  /** One line: what it computes. */
  readonly title: string;
  /** The training methods that use it. */
  readonly methods: readonly string[];
  /** The exported function that implements it. */
  readonly fn: (...args: never[]) => unknown;
  /** Its parameters, under the fixtures' names. */
  readonly params: P;
  /** Its inputs by name, in the fixtures' order. */
  readonly inputs: I;
  /** Float inputs whose gradient the loss stops (the fixtures expect zeros there); default none. */
  readonly stopGradient?: readonly FloatName<I>[];
  /** Outputs besides the loss, under the fixtures' `expected` names; default none. */
  readonly sideOutputs?: Side;
  /** See LossFixtures; default: the shared fixtures named after the loss. */
  readonly fixtures?: LossFixtures;
  /** Checks beyond shapes and dtypes; throws with a message naming the problem. */
  readonly check?: (
    dims: Readonly<Record<string, number>>,
    ints: Readonly<Record<IntName<I>, Int32Array>>,
  ) => void;
  /** The loss (and side outputs) from named tensors and parsed parameters, as the function computes it. */
  readonly compute: (t: NamedTensors<I>, p: z.output<P>) => LossValue<Side>;
}

/** One input of a description, by name. */
export interface NamedLossInput extends LossInput {
  readonly name: string;
}

/** A loss's description as the registry, the fixture evaluator and the tests read it. */
export interface LossDescription<Name extends string = string> {
  readonly name: Name;
  readonly title: string;
  readonly methods: readonly string[];
  readonly fn: (...args: never[]) => unknown;
  readonly params: z.ZodObject;
  /** In declaration order. */
  readonly inputs: readonly NamedLossInput[];
  readonly stopGradient: readonly string[];
  readonly sideOutputs: readonly string[];
  readonly fixtures: LossFixtures;
  check(dims: Readonly<Record<string, number>>, ints: Readonly<Record<string, Int32Array>>): void;
  compute(
    t: Readonly<Record<string, tf.Tensor | undefined>>,
    p: Readonly<Record<string, unknown>>,
  ): { loss: tf.Scalar; side: Readonly<Record<string, SideOutput>> };
}

const described = new WeakSet<object>();

/** Whether `value` came from defineLoss (how the tests find every description a loss file exports). */
export function isLossDescription(value: unknown): value is LossDescription {
  return typeof value === 'object' && value !== null && described.has(value);
}

/** Output keys of a fixture's `expected` that are not side outputs. */
const RESERVED_OUTPUTS = new Set(['loss', 'grads']);

/** Describes a loss (see LossSpec); checks at load time what the types cannot. */
export function defineLoss<
  const Name extends string,
  const I extends Inputs,
  P extends z.ZodObject,
  const Side extends readonly string[] = readonly [],
>(spec: LossSpec<Name, I, P, Side>): LossDescription<Name> {
  const inputs = Object.entries(spec.inputs).map(([name, input]) => ({ name, ...input }));
  const stopGradient: readonly string[] = spec.stopGradient ?? [];
  const sideOutputs: readonly string[] = spec.sideOutputs ?? [];
  for (const name of stopGradient) {
    if (spec.inputs[name]?.int !== false)
      throw new Error(`loss ${spec.name}: stopGradient names ${name}, which is not a float input`);
  }
  for (const name of sideOutputs) {
    if (RESERVED_OUTPUTS.has(name))
      throw new Error(`loss ${spec.name}: side output ${name} is a reserved key`);
  }
  const compute = spec.compute as unknown as (
    t: Readonly<Record<string, tf.Tensor | undefined>>,
    p: Readonly<Record<string, unknown>>,
  ) => { loss: tf.Scalar; side?: Readonly<Record<string, SideOutput>> };
  const check = spec.check as
    | ((dims: Readonly<Record<string, number>>, ints: Readonly<Record<string, Int32Array>>) => void)
    | undefined;
  const description: LossDescription<Name> = Object.freeze({
    name: spec.name,
    title: spec.title,
    methods: spec.methods,
    fn: spec.fn,
    params: spec.params,
    inputs,
    stopGradient,
    sideOutputs,
    fixtures: spec.fixtures ?? { loss: spec.name },
    check: (dims: Readonly<Record<string, number>>, ints: Readonly<Record<string, Int32Array>>) =>
      check?.(dims, ints),
    compute: (t: Readonly<Record<string, tf.Tensor | undefined>>, p: Readonly<Record<string, unknown>>) => {
      const { loss, side } = compute(t, p);
      return { loss, side: side ?? {} };
    },
  });
  described.add(description);
  return description;
}

/** Throws unless every value lies in [0, size) (index inputs into another input's rows). */
export function checkRange(name: string, values: Int32Array, size: number, what: string): void {
  for (let i = 0; i < values.length; i++) {
    if (values[i]! < 0 || values[i]! >= size) {
      throw new Error(
        `inputs.${name} holds ${values[i]} at flat position ${i}, outside [0, ${size}) (${what})`,
      );
    }
  }
}

/** Throws unless dimension `dim` is at least `min`. */
export function atLeast(dims: Readonly<Record<string, number>>, dim: string, min: number, why: string): void {
  if (dims[dim]! < min)
    throw new Error(`dimension ${dim} is ${dims[dim]}, but must be at least ${min} (${why})`);
}
