import * as tf from '@tensorflow/tfjs-core';

type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: object; attrs?: tf.NamedAttrMap };

/** The part of the wasm backend a shared output needs: the reference count of a data id. */
interface RefCounting {
  incRef(dataId: tf.DataId): void;
}

/** A second tensor on the same data: tensors are immutable, so sharing is exact (as Reshape does). */
function share(x: tf.TensorInfo, backend: object): tf.TensorInfo {
  (backend as RefCounting).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

/**
 * Identity for the wasm backend without the copy. tfjs-core clones every tensor it keeps for the
 * backward pass (engine.saveTensorsForBackwardMode), and the wasm Identity (tfjs 4.22) copies the data
 * into a new allocation, so a training step held each saved activation twice and spent its time
 * copying. The cpu backend shares the data id instead; this does the same on wasm.
 */
function identity(args: KernelArgs): tf.TensorInfo {
  const { x } = args.inputs as { x: tf.TensorInfo };
  return share(x, args.backend);
}

export const wasmIdentity: tf.KernelConfig = {
  kernelName: tf.Identity,
  backendName: 'wasm',
  kernelFunc: identity as unknown as tf.KernelFunc,
};

const wrapped = new WeakSet<tf.KernelFunc>();

/**
 * Cast to the tensor's own dtype is a copy on wasm (tfjs 4.22); the gradient of every clone is such a
 * cast. Shares the data instead; real conversions go to the native kernel.
 */
export function sharingWasmCast(native: tf.KernelConfig): tf.KernelConfig {
  if (wrapped.has(native.kernelFunc)) return native;
  const kernelFunc = ((args: KernelArgs) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    const { dtype } = args.attrs as unknown as tf.CastAttrs;
    if (x.dtype === dtype && dtype !== 'string') return share(x, args.backend);
    return native.kernelFunc(args as Parameters<tf.KernelFunc>[0]);
  }) as tf.KernelFunc;
  wrapped.add(kernelFunc);
  return { ...native, kernelFunc };
}
