import * as tf from '@tensorflow/tfjs-core';

/**
 * A minimal module system over tf.Variables. We do not use tfjs-layers: methods need direct control
 * over parameters (momentum encoders copy and blend them), train/eval mode of batch norm, and the
 * per-op overhead of layers shows on the CPU.
 */
export abstract class Module {
  /** Trainable parameters owned directly by this module, by local name. */
  protected readonly params = new Map<string, tf.Variable>();
  /** Non-trainable state (batch-norm running statistics), by local name. */
  protected readonly buffers = new Map<string, tf.Variable>();
  /** Child modules, by local name. */
  protected readonly modules = new Map<string, Module>();

  abstract forward(x: tf.Tensor, training: boolean): tf.Tensor;

  /** True for an element-wise ReLU, which Sequential hands to the layer before it to fuse. */
  readonly isReLU: boolean = false;

  /**
   * relu(forward(x) + residual). Layers that can fuse the activation (batch norm) override this; the
   * default computes it op by op.
   */
  forwardReLU(x: tf.Tensor, training: boolean, residual?: tf.Tensor): tf.Tensor {
    const y = this.forward(x, training);
    return tf.relu(residual ? tf.add(y, residual) : y);
  }

  protected addParam(name: string, value: tf.Tensor): tf.Variable {
    const v = tf.variable(value, true);
    value.dispose();
    this.params.set(name, v);
    return v;
  }

  protected addBuffer(name: string, value: tf.Tensor): tf.Variable {
    const v = tf.variable(value, false);
    value.dispose();
    this.buffers.set(name, v);
    return v;
  }

  protected addModule<M extends Module>(name: string, module: M): M {
    this.modules.set(name, module);
    return module;
  }

  /** All trainable parameters with dotted names, in a stable order. */
  namedParameters(prefix = ''): [string, tf.Variable][] {
    const out: [string, tf.Variable][] = [];
    for (const [n, v] of this.params) out.push([prefix + n, v]);
    for (const [n, m] of this.modules) out.push(...m.namedParameters(`${prefix}${n}.`));
    return out;
  }

  namedBuffers(prefix = ''): [string, tf.Variable][] {
    const out: [string, tf.Variable][] = [];
    for (const [n, v] of this.buffers) out.push([prefix + n, v]);
    for (const [n, m] of this.modules) out.push(...m.namedBuffers(`${prefix}${n}.`));
    return out;
  }

  parameters(): tf.Variable[] {
    return this.namedParameters().map(([, v]) => v);
  }

  /** Parameters and buffers: everything a copy of this module (a momentum encoder) must mirror. */
  state(): tf.Variable[] {
    return [...this.parameters(), ...this.namedBuffers().map(([, v]) => v)];
  }

  parameterCount(): number {
    return this.parameters().reduce((n, v) => n + v.size, 0);
  }

  dispose(): void {
    for (const v of this.state()) v.dispose();
  }
}

/** Runs children in order. */
export class Sequential extends Module {
  private readonly layers: Module[];

  constructor(layers: Module[]) {
    super();
    this.layers = layers;
    layers.forEach((m, i) => this.addModule(String(i), m));
  }

  forward(x: tf.Tensor, training: boolean): tf.Tensor {
    let y = x;
    for (let i = 0; i < this.layers.length; i++) {
      const m = this.layers[i]!;
      // A layer followed by a ReLU runs both in one step where it can (batch norm + ReLU).
      if (this.layers[i + 1]?.isReLU) {
        y = m.forwardReLU(y, training);
        i++;
      } else {
        y = m.forward(y, training);
      }
    }
    return y;
  }
}

/** Copies every parameter and buffer value of `source` into `target` (same architecture). */
export function copyState(source: Module, target: Module): void {
  const s = source.state();
  const t = target.state();
  if (s.length !== t.length) throw new Error('copyState: modules have different structure');
  tf.tidy(() => s.forEach((v, i) => t[i]!.assign(v.clone())));
}
