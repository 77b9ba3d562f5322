import * as tf from '@tensorflow/tfjs-core';

/** The backends whose tensors live on a GPU, where a host-built tensor is an upload. */
const gpuBackends = new Set(['webgpu', 'vulkan']);

/**
 * tfjs-core's Sum and Mean gradients broadcast dy back to x's shape by multiplying with
 * ones(x.shape), a tensor filled element by element in JS and then uploaded. For the batch-norm
 * statistics of a [N, H, W, C] activation that is megabytes per call. Under webgpu the fill, the
 * staging buffers and the upload took about a third of a ResNet-18 SimCLR step's CPU time (a Node CPU
 * profile on an H100, where the GPU waits on the CPU); under vulkan each upload into a buffer the
 * recorded step still uses also waits for the GPU. On these backends the same broadcast runs as one
 * Tile on the GPU; other backends keep tfjs's gradient, so the (global) gradient registry changes
 * nothing for them.
 */
export function broadcastingGradient(
  original: tf.GradConfig,
  mean: boolean,
  active: () => boolean = () => gpuBackends.has(tf.getBackend()),
): tf.GradConfig {
  return {
    ...original,
    gradFunc: (dy, saved, attrs) => {
      if (!active()) return original.gradFunc(dy, saved, attrs);
      const [x] = saved as [tf.Tensor];
      const axes = tf.util.parseAxisParam((attrs as unknown as { axis: number | number[] }).axis, x.shape);
      const expanded = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
      const reduceSize = axes.reduce((n, axis) => n * x.shape[axis]!, 1);
      return {
        x: () => {
          const g = tf.reshape(dy as tf.Tensor, expanded);
          // d mean / dx = 1 / (number of reduced elements); scale the small tensor, then broadcast.
          return tf.broadcastTo(mean ? tf.div(g, reduceSize) : g, x.shape);
        },
      };
    },
  };
}

const replaced = new Set<tf.GradConfig>();

/** Wraps tfjs's Sum and Mean gradients as above. Idempotent; call after '@tensorflow/tfjs' registered them. */
export function registerGpuGradients(): void {
  for (const [name, mean] of [
    [tf.Sum, false],
    [tf.Mean, true],
  ] as const) {
    const current = tf.getGradient(name);
    if (!current || replaced.has(current)) continue;
    const wrapped = broadcastingGradient(current, mean);
    replaced.add(wrapped);
    tf.registerGradient(wrapped);
  }
}
